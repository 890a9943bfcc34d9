// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/review/Edit.h"

#include <optional>
#include <vector>

namespace lightbox {

/// Memory held by a value (its own size plus the strings and vectors it owns), the unit of the
/// edit history's cap and of comparing a delta with the whole review.
std::size_t approxBytes(const Measurement& m);
std::size_t approxBytes(const Finding& f);
std::size_t approxBytes(const FindingsRun& r);
std::size_t approxBytes(const SeriesAnnotations& review);

/// Adds (no `before`), replaces, or removes (no `after`) the measurement at `index` of the list;
/// undo puts it back at the same place, so the saved order is restored too.
class MeasurementEdit : public Edit {
public:
  MeasurementEdit(std::size_t index, std::optional<Measurement> before, std::optional<Measurement> after);
  void redo(SeriesAnnotations& review) const override;
  void undo(SeriesAnnotations& review) const override;
  std::size_t bytes() const override;
  ReviewChanges changes() const override;
  /// A later replacement of the measurement this edit leaves behind (a handle dragged on).
  bool absorb(const Edit& later) override;

private:
  static void apply(std::vector<Measurement>& list, std::size_t index, const std::optional<Measurement>& from,
                    const std::optional<Measurement>& to);
  std::size_t index_;
  std::optional<Measurement> before_, after_;
};

/// Replaces the finding at `index` (its state, reason, type, factors or edit measurement).
class FindingEdit : public Edit {
public:
  FindingEdit(std::size_t index, Finding before, Finding after);
  void redo(SeriesAnnotations& review) const override;
  void undo(SeriesAnnotations& review) const override;
  std::size_t bytes() const override;
  ReviewChanges changes() const override;
  bool absorb(const Edit& later) override;

private:
  std::size_t index_;
  Finding before_, after_;
};

/// The findings and run a detection replaced, and those it brought: by nature as large as both
/// lists of findings.
class DetectionEdit : public Edit {
public:
  struct Findings {
    std::vector<Finding> findings;
    FindingsRun run;
    bool hasRun = false;
  };
  DetectionEdit(Findings before, Findings after);
  void redo(SeriesAnnotations& review) const override;
  void undo(SeriesAnnotations& review) const override;
  std::size_t bytes() const override;
  ReviewChanges changes() const override;

private:
  static void apply(SeriesAnnotations& review, const Findings& to);
  Findings before_, after_;
};

} // namespace lightbox
