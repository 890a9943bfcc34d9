// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/NoduleDetector.h"

#include <functional>
#include <string>

namespace lightbox {

class LesionModelEngine;

/// Sizes detection findings the way the reader will see them after segmenting: the lesion engine
/// (click-to-segment) runs at each finding scoring at least `minScore`; when it returns a mask the
/// finding's own rules accept (core/review/FindingMask: not empty, not air, centred on the finding,
/// not far smaller than the profile size, and within kMaskSizeConfirmFactor of it: a mask leaked
/// into a vessel or the hilum does not become the size), the finding's diameter becomes the mean
/// of the mask's long and short axes (lungRadsMeanDiameterMm), its volume the mask's, `sizeSource`
/// "mask" and `sizeCapped` false. The others keep the radial-profile size (`sizeSource`
/// "profile"). A sized finding's centre moves to its mask's centroid (or the mask voxel nearest
/// it): a candidate is a filter maximum, often millimetres off a small nodule's centre; its type
/// and mean HU stay the radial profile's at the candidate. Findings come by descending score; one
/// whose centre lies on the mask of a finding above it (below `minScore` too, without being
/// segmented), or whose own mask is at least half inside one, is the same lesion seen from another
/// candidate (the edge of a large nodule, both ends of a small one on a thick-slice CT): it is
/// dropped, the others are numbered again by rank, and `result.mergedFindings` counts them.
/// `keepGoing` (optional) is asked before each finding at or above `minScore`; false stops (the
/// findings after it are neither sized nor merged). Returns how many were sized from a mask.
std::size_t sizeFindingsFromMasks(DetectionResult& result, const Volume& image, const LesionModelEngine& engine,
                                  double minScore, const std::function<bool()>& keepGoing = {});

/// The same with the shipped lesion model (loadLesionModel), loaded for the call. When no lesion
/// model can be used, every finding keeps its profile size and a warning saying so joins
/// `result.warnings`.
void sizeDetectionFromMasks(DetectionResult& result, const Volume& image, double minScore, int threads = 0,
                            const std::function<bool()>& keepGoing = {});

} // namespace lightbox
