// SPDX-License-Identifier: Apache-2.0
#include "core/volume/StackResampler.h"

#include "core/util/ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lightbox {
namespace {

/// Bilinear sample of slice k at continuous in-plane index (x, y); padding outside.
double sampleSlice(const Volume& stack, std::size_t k, double x, double y, double padding) {
  const auto& sz = stack.geometry.size;
  if (x < -1e-6 || y < -1e-6 || x > double(sz[0] - 1) + 1e-6 || y > double(sz[1] - 1) + 1e-6) {
    return padding;
  }
  x = std::clamp(x, 0.0, double(sz[0] - 1));
  y = std::clamp(y, 0.0, double(sz[1] - 1));
  const std::size_t x0 = std::size_t(x), y0 = std::size_t(y);
  const std::size_t x1 = std::min(x0 + 1, sz[0] - 1), y1 = std::min(y0 + 1, sz[1] - 1);
  const double fx = x - double(x0), fy = y - double(y0);
  const double v00 = stack.value(x0, y0, k), v10 = stack.value(x1, y0, k);
  const double v01 = stack.value(x0, y1, k), v11 = stack.value(x1, y1, k);
  return (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
}

template <typename T> void store(std::vector<T>& out, std::size_t i, double v) {
  if constexpr (std::is_integral_v<T>) {
    out[i] = T(std::lround(v));
  } else {
    out[i] = T(v);
  }
}

} // namespace

Volume resampleStack(const Volume& stack, const std::vector<Vec3>& slicePositions,
                     const VolumeGeometry& target, double padding, unsigned threads) {
  const VolumeGeometry& sg = stack.geometry;
  if (slicePositions.size() != sg.size[2] || slicePositions.empty()) {
    throw std::invalid_argument("resampleStack: one position per slice is required");
  }
  const Vec3 u = sg.direction[0], v = sg.direction[1], n = sg.direction[2];
  std::vector<double> depth(slicePositions.size());
  for (std::size_t k = 0; k < depth.size(); ++k) {
    depth[k] = dot(slicePositions[k], n);
  }

  Volume out;
  out.geometry = target;
  out.units = stack.units;
  std::visit([&](const auto& src) {
    using T = typename std::decay_t<decltype(src)>::value_type;
    out.voxels = std::vector<T>(target.voxelCount());
  }, stack.voxels);

  const std::size_t nx = target.size[0], ny = target.size[1];
  parallelFor(target.size[2], threads, [&](std::size_t tk) {
    const Vec3 planeOrigin = target.ijkToLps({0, 0, double(tk)});
    const double d = dot(planeOrigin, n);
    // Bracketing input slices.
    const auto upper = std::lower_bound(depth.begin(), depth.end(), d - 1e-6);
    std::size_t k1 = std::size_t(upper - depth.begin());
    std::size_t k0 = k1;
    double w = 0.0;
    const bool outside = (upper == depth.end()) || (d < depth.front() - 1e-6);
    if (!outside && std::abs(depth[k1] - d) > 1e-6 && k1 > 0) {
      k0 = k1 - 1;
      w = (d - depth[k0]) / (depth[k1] - depth[k0]);
    }
    std::visit([&](auto& dst) {
      for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
          const std::size_t index = i + nx * (j + ny * tk);
          if (outside) {
            store(dst, index, padding);
            continue;
          }
          const Vec3 p = target.ijkToLps({double(i), double(j), double(tk)});
          const Vec3 r0 = p - slicePositions[k0];
          const double a = sampleSlice(stack, k0, dot(r0, u) / sg.spacing[0], dot(r0, v) / sg.spacing[1], padding);
          double value = a;
          if (k1 != k0) {
            const Vec3 r1 = p - slicePositions[k1];
            const double b = sampleSlice(stack, k1, dot(r1, u) / sg.spacing[0], dot(r1, v) / sg.spacing[1], padding);
            value = a * (1 - w) + b * w;
          }
          store(dst, index, value);
        }
      }
    }, out.voxels);
  });
  return out;
}

} // namespace lightbox
