// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// A nodule as the reader accepted it (sizes are mean diameters in mm, rounded to 0.1 mm).
struct AcceptedNodule {
  std::string id;
  std::string type;            ///< "solid", "part-solid" or "ground-glass"
  double diameterMm = 0;       ///< whole nodule
  double solidDiameterMm = 0;  ///< solid component (part-solid); the diameter for solid nodules
};

/// Lung-RADS v2022 suggestion for a baseline screening CT from the accepted nodules alone.
struct LungRadsSuggestion {
  std::string category;   ///< "1", "2", "3", "4A", "4B"
  std::string nodule;     ///< id of the nodule that set the category (empty for 1)
  std::string rule;       ///< the v2022 rule that produced it, in words
  std::string management; ///< the v2022 recommendation for that category
};
/// Decision support only: assumes a baseline exam (no prior, so no growth or new-nodule rules),
/// no benign calcification or fat, no category-4X features and no other findings; the reader owns
/// the final category.
LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules);

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

/// Age in whole years at `studyDate` from `birthDate` (both DICOM DA, YYYYMMDD); empty when either
/// is missing or malformed.
std::optional<int> ageAt(const std::string& birthDate, const std::string& studyDate);

} // namespace lightbox
