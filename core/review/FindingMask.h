// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"
#include "core/segmentation/LabelMap.h"
#include "core/segmentation/SegmentTools.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lightbox {

/// How a finding's lesion mask was found in the label map.
enum class MaskMatch {
  None,           ///< no segment is the finding's lesion
  Linked,         ///< the segment the finding is linked to (still in the map, not empty)
  ContainsCentre, ///< a segment holds the voxel at the finding's centre
  NearCentre,     ///< a segment overlaps the ball of the finding's radius about its centre
};
const char* toString(MaskMatch match); ///< "none", "linked", "contains its centre", "near its centre"

struct FindingMaskChoice {
  std::uint8_t label = 0;
  MaskMatch match = MaskMatch::None;
};

/// The one rule for which segment is finding `f`'s lesion mask, shared by the viewer (Segment
/// finding), `lightbox review` and the report: the segment it is linked to when that is still in
/// the map; else the segment holding the voxel at its centre; else the segment with most voxels
/// inside the ball of the finding's radius (half the AI diameter, 2 to 10 mm) about its centre.
/// Segments in `taken` (another finding's) are never chosen. Whoever made the segment (the
/// reader, an engine, an import) does not matter: it is the same lesion.
FindingMaskChoice findingMaskOf(const Finding& f, const LabelMap& labels, const std::vector<std::uint8_t>& taken = {});

/// findingMaskOf for the findings of one review at once (the report, `lightbox review`): every
/// finding's own linked segment first, so a segment linked to one finding is never another's by
/// position; then the others by position in order, each segment once. `accept` (when given) vets a
/// segment found by position for its finding (e.g. implausibleFindingMask on its statistics); a
/// refused one stays free for the next finding.
std::vector<FindingMaskChoice> findingMasksOf(const std::vector<const Finding*>& findings, const LabelMap& labels,
                                              const std::function<bool(const Finding&, std::uint8_t)>& accept = {});

/// A finding's mask as a review reports it (measuredFindingMasks).
struct MeasuredFindingMask {
  FindingMaskChoice choice; ///< the segment chosen, or the one refused for the finding
  SegmentStats stats;       ///< of choice.label, measured on the image
  std::string refused;      ///< set when a segment found by position cannot be this finding's lesion (the reason)
};

/// findingMasksOf over a review's findings, each segment found by position vetted by
/// implausibleFindingMask on `image` (of `modality`), every segment measured once: the report and
/// `lightbox review` both call it. Keyed by finding id; a finding with no segment chosen or refused
/// is absent, and a refused one (`refused` set) has no mask.
std::map<std::string, MeasuredFindingMask> measuredFindingMasks(const std::vector<const Finding*>& findings,
                                                                const LabelMap& labels, const Volume& image,
                                                                const std::string& modality);

/// Why `mask` cannot stand for finding `f`'s lesion (empty when it can): it is empty; it is far
/// smaller than the AI's size (the mean of its long and short axes under a third of the AI
/// diameter: a sliver); on CT its mean is that
/// of air (below -850 HU); or it lies off the finding (its centroid farther from the finding's
/// centre than the two radii together plus 2 mm). A mask refused here is never reported.
std::string implausibleFindingMask(const Finding& f, const SegmentStats& mask, const std::string& modality);

/// Factor (>= 1) by which the mask's size (the mean of its long and short axes) and the AI's
/// diameter differ; 0 when they cannot be compared (the AI's size is its cap, or no mask).
double maskSizeDisagreement(const Finding& f, const SegmentStats& mask);

/// Above this factor a report states the mask's size only when the reader confirms it.
constexpr double kMaskSizeConfirmFactor = 2.0;

} // namespace lightbox
