// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>
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

/// Lung-RADS v2022 mean diameter of a measured nodule: the mean of its long and short axes,
/// rounded to 0.1 mm (the one rule for masks: review, report, detection's mask sizing).
inline double lungRadsMeanDiameterMm(double longAxisMm, double shortAxisMm) {
  return std::round(5.0 * (longAxisMm + shortAxisMm)) / 10.0;
}

/// Lung-RADS v2022 suggestion for a baseline screening CT from the accepted nodules alone.
struct LungRadsSuggestion {
  std::string category;   ///< "1", "2", "3", "4A", "4B"
  std::string nodule;     ///< id of the nodule that set the category (empty for 1)
  std::string rule;       ///< the v2022 rule that produced it, in words
  std::string management; ///< the v2022 recommendation for that category
  bool operator==(const LungRadsSuggestion& o) const {
    return category == o.category && nodule == o.nodule && rule == o.rule && management == o.management;
  }
};
/// Decision support only: assumes a baseline exam (no prior, so no growth or new-nodule rules),
/// no benign calcification or fat, no category-4X features and no other findings; the reader owns
/// the final category.
LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules);

/// What the comparison with a prior CT says about one accepted nodule (core/clinical/Growth.h
/// derives it from the matched prior nodule).
struct NoduleChange {
  std::string id;           ///< the AcceptedNodule's id
  std::string status;       ///< "new", "growing", "stable" or "decreased" (mean diameter, > 1.5 mm)
  double intervalDays = -1; ///< prior to current; < 0: unknown
  /// The matched prior nodule (not for "new"): its type, mean diameter and solid component.
  std::string priorType;
  double priorDiameterMm = 0, priorSolidDiameterMm = 0;
  bool operator==(const NoduleChange& o) const {
    return id == o.id && status == o.status && intervalDays == o.intervalDays && priorType == o.priorType &&
           priorDiameterMm == o.priorDiameterMm && priorSolidDiameterMm == o.priorSolidDiameterMm;
  }
};

/// Lung-RADS v2022 suggestion for a follow-up screening CT: each nodule with an entry in `changes`
/// (same id) is categorised by the v2022 new / growing / stable rules, the others by the baseline
/// rules above. With `changes` empty this is suggestLungRads(nodules). Rules implemented (sizes
/// are mean diameters to 0.1 mm):
///   solid        new: < 4 mm 2, 4 to < 6 mm 3, 6 to < 8 mm 4A, >= 8 mm 4B;
///                growing: < 8 mm 4A, >= 8 mm 4B.
///   part-solid   new: total < 6 mm 3; total >= 6 mm: its solid component is new, < 4 mm 4A,
///                >= 4 mm 4B; a growing solid component (> 1.5 mm, or a solid component where the
///                prior was ground-glass; unknown when the prior's solid component was not
///                measured): < 4 mm 4A, >= 4 mm 4B; a part-solid nodule growing without a
///                growing solid component is categorised by size (no step down).
///   ground-glass < 30 mm 2 (baseline, new or growing); >= 30 mm new 3, stable 2; >= 30 mm and
///                growing 3 (v2022 allows 2 for slow growth, which one prior cannot show).
///   stable or decreased: a nodule that crossed a size threshold since the prior is categorised by
///                its size (v2022 size-threshold note); otherwise stepped management: 4A stable at
///                the 3-month follow-up -> 3, 3 stable at the 6-month follow-up -> 2 (one step per
///                comparison; an interval of >= 2.5 resp. 5 months counts, as follow-ups are often
///                done a little early); 4B stays 4B (v2022 downgrades it only once proven benign);
///                with the interval unknown no step is taken.
/// Not implemented: slow growth over several exams (4B in v2022 for solid and part-solid; needs
/// more than one prior), perifissural and juxtapleural nodules, atypical cysts, airway nodules,
/// category 0 for infectious or inflammatory findings, 4X and the S modifier.
LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules, const std::vector<NoduleChange>& changes);

} // namespace lightbox
