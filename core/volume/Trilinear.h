// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"
#include "core/volume/Volume.h"

#include <algorithm>
#include <cstddef>
#include <variant>

namespace lightbox {

/// Trilinear value of voxel array `data` (x fastest) at continuous index `p`, clamped to the grid.
template <typename T> double trilinear(const T* data, const VolumeGeometry& g, const Vec3& p) {
  const std::size_t nx = g.size[0], nxy = g.size[0] * g.size[1];
  const double fi = std::clamp(p[0], 0.0, double(g.size[0] - 1));
  const double fj = std::clamp(p[1], 0.0, double(g.size[1] - 1));
  const double fk = std::clamp(p[2], 0.0, double(g.size[2] - 1));
  const std::size_t i0 = std::size_t(fi), j0 = std::size_t(fj), k0 = std::size_t(fk);
  const std::size_t i1 = std::min(i0 + 1, g.size[0] - 1), j1 = std::min(j0 + 1, g.size[1] - 1),
                    k1 = std::min(k0 + 1, g.size[2] - 1);
  const double a = fi - double(i0), b = fj - double(j0), c = fk - double(k0);
  auto at = [&](std::size_t i, std::size_t j, std::size_t k) {
    return double(data[i + nx * j + nxy * k]);
  };
  const double v00 = at(i0, j0, k0) * (1 - a) + at(i1, j0, k0) * a;
  const double v10 = at(i0, j1, k0) * (1 - a) + at(i1, j1, k0) * a;
  const double v01 = at(i0, j0, k1) * (1 - a) + at(i1, j0, k1) * a;
  const double v11 = at(i0, j1, k1) * (1 - a) + at(i1, j1, k1) * a;
  return (v00 * (1 - b) + v10 * b) * (1 - c) + (v01 * (1 - b) + v11 * b) * c;
}

/// Trilinear value of `v` (int16 or float voxels) at continuous index `p`, clamped to the grid.
inline double trilinear(const Volume& v, const Vec3& p) {
  return std::visit([&](const auto& data) { return trilinear(data.data(), v.geometry, p); },
                    v.voxels);
}

} // namespace lightbox
