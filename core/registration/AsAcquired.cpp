// SPDX-License-Identifier: Apache-2.0
#include "core/registration/AsAcquired.h"

#include "core/display/WindowLevel.h"

#include <algorithm>
#include <utility>

namespace lightbox {
namespace {

/// The box a volume's voxel centres cover in LPS.
std::pair<Vec3, Vec3> lpsBox(const VolumeGeometry& g) {
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (int c = 0; c < 8; ++c) {
    const Vec3 p =
        g.ijkToLps({c & 1 ? double(g.size[0] - 1) : 0.0, c & 2 ? double(g.size[1] - 1) : 0.0,
                    c & 4 ? double(g.size[2] - 1) : 0.0});
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
  return {lo, hi};
}

/// Volume of a box in mm^3, each side at least 1 mm (a single slice still has a volume).
double boxVolume(const Vec3& lo, const Vec3& hi) {
  double v = 1;
  for (int a = 0; a < 3; ++a)
    v *= std::max(hi[a] - lo[a], 1.0);
  return v;
}

bool overlapHalf(const VolumeGeometry& a, const VolumeGeometry& b) {
  const auto [alo, ahi] = lpsBox(a);
  const auto [blo, bhi] = lpsBox(b);
  Vec3 lo, hi;
  for (int i = 0; i < 3; ++i) {
    lo[i] = std::max(alo[i], blo[i]);
    hi[i] = std::min(ahi[i], bhi[i]);
    if (hi[i] < lo[i])
      return false;
  }
  return boxVolume(lo, hi) >= 0.5 * std::min(boxVolume(alo, ahi), boxVolume(blo, bhi));
}

} // namespace

bool isPetUnits(const std::string& units) {
  return isSuvUnits(units) || units == "Bq/mL" || units == "CNTS";
}

std::string asAcquiredReason(const Volume& current, const SeriesFrame& currentFrame,
                             const Volume& prior, const SeriesFrame& priorFrame) {
  if (isPetUnits(current.units) == isPetUnits(prior.units))
    return {}; // two PETs, or no PET
  if (!currentFrame.frameOfReferenceUid.empty() && !priorFrame.frameOfReferenceUid.empty()) {
    if (currentFrame.frameOfReferenceUid != priorFrame.frameOfReferenceUid ||
        currentFrame.patientId != priorFrame.patientId) {
      return {};
    }
    return "one Frame of Reference";
  }
  return overlapHalf(current.geometry, prior.geometry)
             ? "a research file over the same place: a guess, check it"
             : "";
}

} // namespace lightbox
