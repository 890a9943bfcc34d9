// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/MaskSizing.h"

#include "ai/segmentation/LesionModelEngine.h"
#include "core/clinical/LungRads.h"
#include "core/review/FindingMask.h"
#include "core/segmentation/SegmentTools.h"

#include <algorithm>

namespace lightbox {
namespace {

/// The image's values on the mask's box, as a volume of its own (same axes and spacing).
Volume boxVolume(const Volume& image, const VoxelBox& box) {
  Volume out;
  out.units = image.units;
  out.geometry = image.geometry;
  out.geometry.origin = image.geometry.ijkToLps({double(box.lo[0]), double(box.lo[1]), double(box.lo[2])});
  for (int a = 0; a < 3; ++a) out.geometry.size[a] = box.hi[a] - box.lo[a];
  std::vector<float> values;
  values.reserve(box.voxelCount());
  const auto& n = image.geometry.size;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) values.push_back(float(image.value(i + n[0] * (j + n[1] * k))));
  out.voxels = std::move(values);
  return out;
}

} // namespace

std::size_t sizeFindingsFromMasks(DetectionResult& result, const Volume& image, const LesionModelEngine& engine,
                                  double minScore, const std::function<bool()>& keepGoing) {
  std::size_t sized = 0;
  for (NoduleFinding& f : result.findings) {
    if (f.score < minScore) continue;
    if (keepGoing && !keepGoing()) break;
    LesionMask lesion;
    try {
      lesion = engine.segment(image, f.centerLps);
    } catch (const std::exception&) {
      continue; // keeps the profile size; the finding itself stands
    }
    if (lesion.leakRefused || lesion.box.empty() || lesion.mask.size() != lesion.box.voxelCount()) continue;
    const Volume values = boxVolume(image, lesion.box);
    const SegmentStats stats = measureMask(values.geometry, lesion.mask, &values);
    // The finding as the profile sized it, judged by the rules a mask must pass in the review.
    Finding asProfiled;
    asProfiled.id = f.id;
    asProfiled.centerLps = f.centerLps;
    asProfiled.diameterMm = f.diameterMm;
    asProfiled.sizeCapped = f.sizeCapped;
    if (stats.voxels == 0 || !implausibleFindingMask(asProfiled, stats, "CT").empty() ||
        maskSizeDisagreement(asProfiled, stats) > kMaskSizeConfirmFactor) {
      continue;
    }
    f.diameterMm = lungRadsMeanDiameterMm(stats.longAxisMm, stats.shortAxisMm);
    f.volumeMm3 = stats.volumeMl * 1000.0;
    // The solid component keeps its profile estimate, never larger than the whole.
    f.solidDiameterMm = std::min(f.solidDiameterMm, f.diameterMm);
    f.sizeCapped = false;
    f.sizeSource = "mask";
    ++sized;
  }
  return sized;
}

void sizeDetectionFromMasks(DetectionResult& result, const Volume& image, double minScore, int threads,
                            const std::function<bool()>& keepGoing) {
  if (std::none_of(result.findings.begin(), result.findings.end(),
                   [minScore](const NoduleFinding& f) { return f.score >= minScore; })) {
    return;
  }
  std::string why;
  const std::unique_ptr<LesionModelEngine> engine = loadLesionModel(why, threads);
  if (!engine) {
    result.warnings.push_back("findings sized by radial HU profiles, not masks: " + why);
    return;
  }
  sizeFindingsFromMasks(result, image, *engine, minScore, keepGoing);
}

} // namespace lightbox
