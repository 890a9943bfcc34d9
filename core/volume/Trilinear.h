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

/// Trilinear value of float voxels `data` (x fastest, nx x ny x nz) at continuous index `c`, which
/// must lie inside the voxel centres' box of a grid of at least 2 voxels per axis; with `dIdx`,
/// also its derivative along the three index axes. The inner loop of the registration optimisers
/// (the B-spline engine's metric, the instance optimisation).
inline double trilinearInside(const float* data, std::size_t nx, std::size_t ny, std::size_t nz, const double c[3],
                              double* dIdx = nullptr) {
  const std::size_t n[3] = {nx, ny, nz};
  std::size_t i0[3];
  double t[3];
  for (int a = 0; a < 3; ++a) {
    i0[a] = std::min(std::size_t(c[a]), n[a] - 2);
    t[a] = c[a] - double(i0[a]);
  }
  const std::size_t sxy = nx * ny;
  const float* v = data + i0[0] + nx * i0[1] + sxy * i0[2];
  const double v000 = v[0], v100 = v[1], v010 = v[nx], v110 = v[nx + 1];
  const double v001 = v[sxy], v101 = v[sxy + 1], v011 = v[sxy + nx], v111 = v[sxy + nx + 1];
  const double tx = t[0], ty = t[1], tz = t[2];
  const double a00 = v000 + tx * (v100 - v000), a10 = v010 + tx * (v110 - v010);
  const double a01 = v001 + tx * (v101 - v001), a11 = v011 + tx * (v111 - v011);
  const double b0 = a00 + ty * (a10 - a00), b1 = a01 + ty * (a11 - a01);
  if (dIdx) {
    dIdx[0] = (1 - ty) * (1 - tz) * (v100 - v000) + ty * (1 - tz) * (v110 - v010) + (1 - ty) * tz * (v101 - v001) +
              ty * tz * (v111 - v011);
    dIdx[1] = (1 - tz) * (a10 - a00) + tz * (a11 - a01);
    dIdx[2] = b1 - b0;
  }
  return b0 + tz * (b1 - b0);
}

/// Trilinear value of `v` (int16 or float voxels) at continuous index `p`, clamped to the grid.
inline double trilinear(const Volume& v, const Vec3& p) {
  return std::visit([&](const auto& data) { return trilinear(data.data(), v.geometry, p); },
                    v.voxels);
}

} // namespace lightbox
