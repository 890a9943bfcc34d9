// SPDX-License-Identifier: Apache-2.0
#include "core/volume/AxisAlignedResample.h"

#include "core/util/ParallelFor.h"
#include "core/volume/Trilinear.h"

#include <algorithm>
#include <cmath>

namespace lightbox {

Volume resampleAxisAligned(const Volume& v, std::size_t maxSize, float outside) {
  const VolumeGeometry& g = v.geometry;
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (int c = 0; c < 8; ++c) {
    const Vec3 p = g.ijkToLps({(c & 1) ? double(g.size[0] - 1) : 0.0, (c & 2) ? double(g.size[1] - 1) : 0.0,
                               (c & 4) ? double(g.size[2] - 1) : 0.0});
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  const double spacing = std::max(std::min({g.spacing[0], g.spacing[1], g.spacing[2]}),
                                  extent / double(std::max<std::size_t>(maxSize, 2) - 1));
  Volume out;
  out.units = v.units;
  VolumeGeometry& o = out.geometry;
  o.spacing = {spacing, spacing, spacing};
  o.origin = lo;
  for (int a = 0; a < 3; ++a) {
    o.size[a] = std::size_t(std::floor((hi[a] - lo[a]) / spacing + 1e-6)) + 1;
  }
  std::vector<float> data(o.voxelCount(), outside);
  std::visit([&](const auto& src) {
    parallelFor(o.size[2], 0, [&](std::size_t k) {
      for (std::size_t j = 0; j < o.size[1]; ++j) {
        for (std::size_t i = 0; i < o.size[0]; ++i) {
          const Vec3 p = g.lpsToIjk(o.origin + Vec3{double(i) * spacing, double(j) * spacing, double(k) * spacing});
          if (p[0] < -0.5 || p[1] < -0.5 || p[2] < -0.5 || p[0] > double(g.size[0]) - 0.5 ||
              p[1] > double(g.size[1]) - 0.5 || p[2] > double(g.size[2]) - 0.5) {
            continue;
          }
          data[i + o.size[0] * (j + o.size[1] * k)] = float(trilinear(src.data(), g, p));
        }
      }
    });
  }, v.voxels);
  out.voxels = std::move(data);
  return out;
}

} // namespace lightbox
