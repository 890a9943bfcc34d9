// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace lightbox {

/// What a change to a series' review touched, for observers to refresh only that.
struct ReviewChanges {
  bool measurements = false;
  bool findings = false; ///< findings' states, types, factors or the list itself
  bool run = false;      ///< the findings run: provenance or operating point
  bool patient = false;  ///< patient factors

  bool any() const { return measurements || findings || run || patient; }
  ReviewChanges& operator|=(const ReviewChanges& o) {
    measurements |= o.measurements;
    findings |= o.findings;
    run |= o.run;
    patient |= o.patient;
    return *this;
  }
  bool operator==(const ReviewChanges& o) const {
    return measurements == o.measurements && findings == o.findings && run == o.run && patient == o.patient;
  }
  bool operator!=(const ReviewChanges& o) const { return !(*this == o); }
};

} // namespace lightbox
