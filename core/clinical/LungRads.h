// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// A nodule as the reader accepted it (sizes are mean diameters in mm, rounded to 0.1 mm).
struct AcceptedNodule {
  std::string id;
  std::string type;            ///< "solid", "part-solid" or "ground-glass"
  double diameterMm = 0;       ///< whole nodule
  double solidDiameterMm = 0;  ///< solid component (part-solid); the diameter for solid nodules
  bool operator==(const AcceptedNodule& o) const {
    return id == o.id && type == o.type && diameterMm == o.diameterMm && solidDiameterMm == o.solidDiameterMm;
  }
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

} // namespace lightbox
