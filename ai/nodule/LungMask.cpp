// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/LungMask.h"

#include "core/util/ParallelFor.h"

#include <algorithm>
#include <limits>

namespace lightbox {
namespace {

/// Marks (value 1 in `reached`) every pixel of slice k with `open` set that is 4-connected to the
/// slice border through open pixels.
void floodFromBorder(const std::vector<std::uint8_t>& open, std::size_t nx, std::size_t ny,
                     std::vector<std::uint8_t>& reached) {
  reached.assign(nx * ny, 0);
  std::vector<std::size_t> stack;
  auto push = [&](std::size_t p) {
    if (open[p] && !reached[p]) {
      reached[p] = 1;
      stack.push_back(p);
    }
  };
  for (std::size_t i = 0; i < nx; ++i) {
    push(i);
    push(i + nx * (ny - 1));
  }
  for (std::size_t j = 0; j < ny; ++j) {
    push(nx * j);
    push(nx - 1 + nx * j);
  }
  while (!stack.empty()) {
    const std::size_t p = stack.back();
    stack.pop_back();
    const std::size_t i = p % nx, j = p / nx;
    if (i > 0) push(p - 1);
    if (i + 1 < nx) push(p + 1);
    if (j > 0) push(p - nx);
    if (j + 1 < ny) push(p + nx);
  }
}

/// 1D squared distance transform of f (0 at sources, +inf elsewhere) with sample spacing h.
void distance1d(const float* f, float* d, std::size_t n, double h, std::vector<int>& v, std::vector<double>& z) {
  const double inf = std::numeric_limits<double>::infinity();
  v.assign(n, 0);
  z.assign(n + 1, 0.0);
  int k = -1;
  for (std::size_t q = 0; q < n; ++q) {
    if (!std::isfinite(f[q])) {
      continue;
    }
    const double fq = f[q], xq = double(q) * h;
    while (k >= 0) {
      const double xv = double(v[k]) * h;
      const double s = ((fq + xq * xq) - (double(f[v[k]]) + xv * xv)) / (2 * (xq - xv));
      if (s <= z[k]) {
        --k;
      } else {
        break;
      }
    }
    ++k;
    v[k] = int(q);
    z[k] = k == 0 ? -inf : ((fq + xq * xq) - (double(f[v[k - 1]]) + std::pow(double(v[k - 1]) * h, 2))) /
                               (2 * (xq - double(v[k - 1]) * h));
    z[k + 1] = inf;
  }
  if (k < 0) {
    std::fill(d, d + n, std::numeric_limits<float>::infinity());
    return;
  }
  int j = 0;
  for (std::size_t q = 0; q < n; ++q) {
    const double xq = double(q) * h;
    while (z[j + 1] < xq) {
      ++j;
    }
    const double dx = xq - double(v[j]) * h;
    d[q] = float(dx * dx + double(f[v[j]]));
  }
}

/// One thread's working lines for squaredDistanceTo (constructed on the thread that first asks).
struct DistanceBuffers {
  std::vector<float> f, out;
  std::vector<int> v;
  std::vector<double> z;
};

DistanceBuffers& distanceBuffers() {
  thread_local DistanceBuffers buffers;
  return buffers;
}

} // namespace

Mask lungAirMask(const Volume& hu, unsigned threads) {
  const auto& g = hu.geometry;
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2], plane = nx * ny;
  Mask air(g.voxelCount(), 0);
  parallelFor(nz, threads, [&](std::size_t k) {
    std::vector<std::uint8_t> open(plane), reached;
    for (std::size_t p = 0; p < plane; ++p) {
      open[p] = hu.value(k * plane + p) < -400.0;
    }
    floodFromBorder(open, nx, ny, reached);
    for (std::size_t p = 0; p < plane; ++p) {
      air[k * plane + p] = open[p] && !reached[p];
    }
  });
  // 3D components (6-connected); keep the largest, and the second when it is a real lung.
  std::vector<std::int32_t> label(air.size(), 0);
  std::vector<std::size_t> sizes{0};
  std::vector<std::size_t> stack;
  for (std::size_t s = 0; s < air.size(); ++s) {
    if (!air[s] || label[s]) {
      continue;
    }
    const auto id = std::int32_t(sizes.size());
    std::size_t count = 0;
    label[s] = id;
    stack.push_back(s);
    while (!stack.empty()) {
      const std::size_t p = stack.back();
      stack.pop_back();
      ++count;
      const std::size_t i = p % nx, j = (p / nx) % ny, k = p / plane;
      auto visit = [&](std::size_t q) {
        if (air[q] && !label[q]) {
          label[q] = id;
          stack.push_back(q);
        }
      };
      if (i > 0) visit(p - 1);
      if (i + 1 < nx) visit(p + 1);
      if (j > 0) visit(p - nx);
      if (j + 1 < ny) visit(p + nx);
      if (k > 0) visit(p - plane);
      if (k + 1 < nz) visit(p + plane);
    }
    sizes.push_back(count);
  }
  std::vector<std::int32_t> order(sizes.size() - 1);
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = std::int32_t(i + 1);
  }
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return sizes[a] > sizes[b]; });
  std::vector<std::uint8_t> keep(sizes.size(), 0);
  if (!order.empty()) {
    keep[order[0]] = 1;
    if (order.size() > 1 && sizes[order[1]] * 5 >= sizes[order[0]]) {
      keep[order[1]] = 1;
    }
  }
  for (std::size_t p = 0; p < air.size(); ++p) {
    air[p] = keep[label[p]];
  }
  return air;
}

std::vector<float> squaredDistanceTo(const Mask& mask, const std::array<std::size_t, 3>& n, const Vec3& h,
                                     unsigned threads) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> d(mask.size());
  for (std::size_t p = 0; p < mask.size(); ++p) {
    d[p] = mask[p] ? 0.0f : inf;
  }
  const std::size_t nx = n[0], ny = n[1], nz = n[2];
  // Along x, then y, then z; each pass reads the previous one's result. A task is a row (x) or
  // every line of one slice (y) or one row of x across the slices (z), so the threads write to
  // different rows or slices, and a task's lines share its thread's buffers.
  parallelFor(ny * nz, threads, [&](std::size_t line) {
    DistanceBuffers& b = distanceBuffers();
    b.out.resize(nx);
    float* row = &d[line * nx];
    distance1d(row, b.out.data(), nx, h[0], b.v, b.z);
    std::copy(b.out.begin(), b.out.end(), row);
  });
  // y and z: the nx lines starting at `first`, each `len` samples `step` apart.
  auto alongLines = [&](std::size_t first, std::size_t len, std::size_t step, double spacing) {
    DistanceBuffers& b = distanceBuffers();
    b.f.resize(len);
    b.out.resize(len);
    for (std::size_t i = first; i < first + nx; ++i) {
      for (std::size_t t = 0; t < len; ++t)
        b.f[t] = d[i + t * step];
      distance1d(b.f.data(), b.out.data(), len, spacing, b.v, b.z);
      for (std::size_t t = 0; t < len; ++t)
        d[i + t * step] = b.out[t];
    }
  };
  parallelFor(nz, threads, [&](std::size_t k) { alongLines(k * nx * ny, ny, nx, h[1]); });
  parallelFor(ny, threads, [&](std::size_t j) { alongLines(j * nx, nz, nx * ny, h[2]); });
  return d;
}

Mask closeLungMask(const Mask& air, const std::array<std::size_t, 3>& n, const Vec3& spacing, double r,
                   unsigned threads) {
  const float r2 = float(r * r);
  const std::vector<float> toAir = squaredDistanceTo(air, n, spacing, threads);
  Mask outside(air.size());
  for (std::size_t p = 0; p < air.size(); ++p) {
    outside[p] = toAir[p] > r2; // not in the dilation
  }
  const std::vector<float> toOutside = squaredDistanceTo(outside, n, spacing, threads);
  Mask closed(air.size());
  for (std::size_t p = 0; p < air.size(); ++p) {
    closed[p] = toOutside[p] > r2;
  }
  const std::size_t plane = n[0] * n[1];
  parallelFor(n[2], threads, [&](std::size_t k) {
    std::vector<std::uint8_t> open(plane), reached;
    for (std::size_t p = 0; p < plane; ++p) open[p] = !closed[k * plane + p];
    floodFromBorder(open, n[0], n[1], reached);
    for (std::size_t p = 0; p < plane; ++p) {
      if (open[p] && !reached[p]) closed[k * plane + p] = 1;
    }
  });
  return closed;
}

} // namespace lightbox
