// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Patient and nodule factors of the Brock University (PanCan) full model with spiculation
/// (McWilliams et al., N Engl J Med 2013;369:910-9, model 2b).
struct BrockFactors {
  double ageYears = 62;
  bool female = false;
  bool familyHistory = false;
  bool emphysema = false;
  double noduleSizeMm = 5;   ///< longest diameter
  std::string type = "solid";
  bool upperLobe = false;
  int noduleCount = 1;
  bool spiculation = false;
};
/// Malignancy probability in [0, 1].
double brockProbability(const BrockFactors& f);

} // namespace lightbox
