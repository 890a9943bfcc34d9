// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/MaskSizing.h"

#include "ai/segmentation/LesionModelEngine.h"
#include "core/clinical/LungRads.h"
#include "core/review/FindingMask.h"
#include "core/segmentation/SegmentTools.h"

#include <algorithm>
#include <chrono>
#include <cmath>

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

/// A finding's accepted mask, on its box of the series' grid.
struct SizedMask {
  VoxelBox box;
  std::vector<std::uint8_t> mask;

  /// The index in `mask` of the grid voxel (i, j, k), which must lie in the box.
  std::size_t index(std::size_t i, std::size_t j, std::size_t k) const {
    const std::size_t w = box.hi[0] - box.lo[0], h = box.hi[1] - box.lo[1];
    return (i - box.lo[0]) + w * ((j - box.lo[1]) + h * (k - box.lo[2]));
  }

  bool at(std::size_t i, std::size_t j, std::size_t k) const {
    if (i < box.lo[0] || j < box.lo[1] || k < box.lo[2] || i >= box.hi[0] || j >= box.hi[1] ||
        k >= box.hi[2]) {
      return false;
    }
    return mask[index(i, j, k)] != 0;
  }

  /// Whether the voxel nearest `lps` is in the mask.
  bool contains(const VolumeGeometry& g, const Vec3& lps) const {
    const Vec3 ijk = g.lpsToIjk(lps);
    long v[3];
    for (int a = 0; a < 3; ++a) {
      v[a] = std::lround(ijk[a]);
      if (v[a] < 0)
        return false;
    }
    return at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2]));
  }

  std::size_t voxels() const {
    return mask.size() - std::size_t(std::count(mask.begin(), mask.end(), std::uint8_t(0)));
  }

  /// Voxels in both masks.
  std::size_t overlap(const SizedMask& o) const {
    std::size_t n = 0;
    for (std::size_t k = std::max(box.lo[2], o.box.lo[2]); k < std::min(box.hi[2], o.box.hi[2]);
         ++k)
      for (std::size_t j = std::max(box.lo[1], o.box.lo[1]); j < std::min(box.hi[1], o.box.hi[1]);
           ++j)
        for (std::size_t i = std::max(box.lo[0], o.box.lo[0]); i < std::min(box.hi[0], o.box.hi[0]);
             ++i)
          n += mask[index(i, j, k)] && o.at(i, j, k);
    return n;
  }

  /// The mask's centroid when its voxel is in the mask (a compact lesion), else the mask voxel
  /// nearest it (a crescent or a lesion with a vessel attached): a point on the lesion.
  Vec3 pointNear(const VolumeGeometry& g, const Vec3& centroidLps) const {
    if (contains(g, centroidLps))
      return centroidLps;
    Vec3 best = centroidLps;
    double bestDistance = 1e300;
    for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
      for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
        for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
          if (!mask[index(i, j, k)])
            continue;
          const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
          const double d = norm(p - centroidLps);
          if (d < bestDistance) {
            bestDistance = d;
            best = p;
          }
        }
    return best;
  }
};

} // namespace

std::size_t sizeFindingsFromMasks(DetectionResult& result, const Volume& image, const LesionModelEngine& engine,
                                  double minScore, const std::function<bool()>& keepGoing) {
  std::size_t sized = 0;
  // The masks accepted so far (findings come by descending score): a later finding on one of
  // them is the same lesion seen from another candidate.
  std::vector<SizedMask> kept;
  std::vector<bool> duplicate(result.findings.size(), false);
  auto onKeptMask = [&](const Vec3& lps) {
    return std::any_of(kept.begin(), kept.end(),
                       [&](const SizedMask& k) { return k.contains(image.geometry, lps); });
  };
  for (std::size_t n = 0; n < result.findings.size(); ++n) {
    NoduleFinding& f = result.findings[n];
    if (f.score < minScore) {
      duplicate[n] = onKeptMask(f.centerLps); // not segmented, but merged all the same
      continue;
    }
    if (keepGoing && !keepGoing()) break;
    if (onKeptMask(f.centerLps)) {
      duplicate[n] = true;
      continue;
    }
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
    SizedMask mine{lesion.box, std::move(lesion.mask)};
    // The marker goes to the lesion's centre: a candidate is a filter maximum, up to a few
    // millimetres off a small nodule's centre (on a 3 mm-slice CT, beside it).
    const Vec3 centre = mine.pointNear(image.geometry, stats.centroidLps);
    // The same lesion as a finding above: its centre on that one's mask, or most of its mask
    // that one's.
    const std::size_t voxels = mine.voxels();
    if (onKeptMask(centre) || std::any_of(kept.begin(), kept.end(), [&](const SizedMask& k) {
          return 2 * mine.overlap(k) >= voxels;
        })) {
      duplicate[n] = true;
      continue;
    }
    f.centerLps = centre;
    f.diameterMm = lungRadsMeanDiameterMm(stats.longAxisMm, stats.shortAxisMm);
    f.volumeMm3 = stats.volumeMl * 1000.0;
    // The solid component keeps its profile estimate, never larger than the whole.
    f.solidDiameterMm = std::min(f.solidDiameterMm, f.diameterMm);
    f.sizeCapped = false;
    f.sizeSource = "mask";
    ++sized;
    kept.push_back(std::move(mine));
  }
  // Duplicates go; the others keep their rank and are numbered again (F1, F2, ... by score).
  std::vector<NoduleFinding> findings;
  for (std::size_t n = 0; n < result.findings.size(); ++n) {
    if (duplicate[n])
      continue;
    findings.push_back(std::move(result.findings[n]));
    findings.back().id = "F" + std::to_string(findings.size());
  }
  result.mergedFindings += result.findings.size() - findings.size();
  result.findings = std::move(findings);
  return sized;
}

void sizeDetectionFromMasks(DetectionResult& result, const Volume& image, double minScore, int threads,
                            const std::function<bool()>& keepGoing) {
  if (std::none_of(result.findings.begin(), result.findings.end(),
                   [minScore](const NoduleFinding& f) { return f.score >= minScore; })) {
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [t0] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::string why;
  const std::unique_ptr<LesionModelEngine> engine = loadLesionModel(why, threads);
  if (!engine) {
    result.warnings.push_back("findings sized by radial HU profiles, not masks: " + why);
    result.sizingSeconds = elapsed(); // the attempt to load
    return;
  }
  sizeFindingsFromMasks(result, image, *engine, minScore, keepGoing);
  result.sizingSeconds = elapsed();
}

} // namespace lightbox
