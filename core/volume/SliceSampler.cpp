// SPDX-License-Identifier: Apache-2.0
#include "core/volume/SliceSampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lightbox {

ViewPlane parseViewPlane(const std::string& name) {
  if (name == "axial") return ViewPlane::Axial;
  if (name == "coronal") return ViewPlane::Coronal;
  if (name == "sagittal") return ViewPlane::Sagittal;
  throw std::invalid_argument("unknown plane '" + name + "' (axial, coronal or sagittal)");
}

const char* toString(ViewPlane plane) {
  switch (plane) {
  case ViewPlane::Axial: return "axial";
  case ViewPlane::Coronal: return "coronal";
  case ViewPlane::Sagittal: return "sagittal";
  }
  return "?";
}

std::pair<Vec3, Vec3> screenAxes(ViewPlane plane) {
  switch (plane) {
  case ViewPlane::Axial: return {Vec3{1, 0, 0}, Vec3{0, 1, 0}};     // right: patient left, down: posterior
  case ViewPlane::Coronal: return {Vec3{1, 0, 0}, Vec3{0, 0, -1}};  // right: patient left, down: inferior
  case ViewPlane::Sagittal: return {Vec3{0, 1, 0}, Vec3{0, 0, -1}}; // right: posterior, down: inferior
  }
  return {Vec3{1, 0, 0}, Vec3{0, 1, 0}};
}

namespace {

/// LPS bounding box of the volume's voxel centres.
std::pair<Vec3, Vec3> bounds(const VolumeGeometry& g) {
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (int c = 0; c < 8; ++c) {
    const Vec3 ijk{(c & 1) ? double(g.size[0] - 1) : 0.0, (c & 2) ? double(g.size[1] - 1) : 0.0,
                   (c & 4) ? double(g.size[2] - 1) : 0.0};
    const Vec3 p = g.ijkToLps(ijk);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
  return {lo, hi};
}

double extentAlong(const VolumeGeometry& g, const Vec3& axis) {
  const auto [lo, hi] = bounds(g);
  double e = 0;
  for (int a = 0; a < 3; ++a) {
    e += std::abs(axis[a]) * (hi[a] - lo[a]);
  }
  return e;
}

} // namespace

double sliceSpacing(const VolumeGeometry& g, ViewPlane plane) {
  const auto [right, down] = screenAxes(plane);
  const Vec3 n = normalized(cross(right, down));
  // Spacing of the volume axis most aligned with the view normal.
  int best = 0;
  for (int c = 1; c < 3; ++c) {
    if (std::abs(dot(g.direction[c], n)) > std::abs(dot(g.direction[best], n))) best = c;
  }
  return g.spacing[best];
}

std::size_t sliceCount(const VolumeGeometry& g, ViewPlane plane) {
  const auto [right, down] = screenAxes(plane);
  const Vec3 n = normalized(cross(right, down));
  return std::size_t(std::floor(extentAlong(g, n) / sliceSpacing(g, plane) + 1e-6)) + 1;
}

Vec3 sliceCenter(const VolumeGeometry& g, ViewPlane plane, double index) {
  const auto [right, down] = screenAxes(plane);
  const Vec3 n = normalized(cross(right, down));
  const auto [lo, hi] = bounds(g);
  const Vec3 mid = (lo + hi) * 0.5;
  // Slice 0 is where the LPS coordinate along the normal is smallest: inferior (axial), anterior
  // (coronal), patient right (sagittal).
  const Vec3 scroll{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])};
  const double start = dot(lo, scroll);
  const double along = start + index * sliceSpacing(g, plane);
  return mid + scroll * (along - dot(mid, scroll));
}

SlicePlane planeThrough(const VolumeGeometry& g, ViewPlane plane, const Vec3& centerLps) {
  const auto [right, down] = screenAxes(plane);
  SlicePlane p;
  p.right = right;
  p.down = down;
  p.pixelMm = std::min(g.spacing[0], g.spacing[1]);
  if (plane != ViewPlane::Axial) {
    p.pixelMm = std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
  }
  const double w = extentAlong(g, right), h = extentAlong(g, down);
  p.width = std::size_t(std::llround(w / p.pixelMm)) + 1;
  p.height = std::size_t(std::llround(h / p.pixelMm)) + 1;
  const auto [lo, hi] = bounds(g);
  const Vec3 mid = (lo + hi) * 0.5;
  // Centre the in-plane field of view on the volume, and put the plane through centerLps.
  const Vec3 n = normalized(cross(right, down));
  const Vec3 c = mid + n * dot(centerLps - mid, n);
  p.origin = c - right * (0.5 * double(p.width - 1) * p.pixelMm) - down * (0.5 * double(p.height - 1) * p.pixelMm);
  return p;
}

std::vector<float> sampleSlice(const Volume& v, const SlicePlane& plane, Interpolation interp, float outside) {
  const VolumeGeometry& g = v.geometry;
  std::vector<float> out(plane.width * plane.height, outside);
  // Index-space steps per display pixel (affine), computed once.
  const Vec3 o = g.lpsToIjk(plane.origin);
  const Vec3 dx = g.lpsToIjk(plane.origin + plane.right * plane.pixelMm) - o;
  const Vec3 dy = g.lpsToIjk(plane.origin + plane.down * plane.pixelMm) - o;
  const double maxI = double(g.size[0]) - 0.5, maxJ = double(g.size[1]) - 0.5, maxK = double(g.size[2]) - 0.5;
  // Fast path: the plane lies on voxel centres with display pixels on voxel centres (an axial
  // acquisition scrolled axially at native resolution): sampling is a plain copy.
  auto near = [](double a, double b) { return std::abs(a - b) < 1e-6; };
  const bool onVoxelGrid = near(dx[0], 1) && near(dx[1], 0) && near(dx[2], 0) && near(dy[0], 0) &&
                           near(dy[1], 1) && near(dy[2], 0) && near(o[0], std::round(o[0])) &&
                           near(o[1], std::round(o[1])) && near(o[2], std::round(o[2]));
  if (onVoxelGrid) {
    interp = Interpolation::Nearest;
  }
  std::visit([&](const auto& data) {
    const std::size_t nx = g.size[0], nxy = g.size[0] * g.size[1];
    for (std::size_t y = 0; y < plane.height; ++y) {
      Vec3 p = o + dy * double(y);
      float* row = out.data() + y * plane.width;
      for (std::size_t x = 0; x < plane.width; ++x, p = p + dx) {
        if (p[0] < -0.5 || p[1] < -0.5 || p[2] < -0.5 || p[0] >= maxI || p[1] >= maxJ || p[2] >= maxK) {
          continue;
        }
        if (interp == Interpolation::Nearest) {
          const std::size_t i = std::size_t(p[0] + 0.5), j = std::size_t(p[1] + 0.5), k = std::size_t(p[2] + 0.5);
          row[x] = float(data[i + nx * j + nxy * k]);
          continue;
        }
        const double fi = std::clamp(p[0], 0.0, double(g.size[0] - 1));
        const double fj = std::clamp(p[1], 0.0, double(g.size[1] - 1));
        const double fk = std::clamp(p[2], 0.0, double(g.size[2] - 1));
        const std::size_t i0 = std::size_t(fi), j0 = std::size_t(fj), k0 = std::size_t(fk);
        const std::size_t i1 = std::min(i0 + 1, g.size[0] - 1), j1 = std::min(j0 + 1, g.size[1] - 1),
                          k1 = std::min(k0 + 1, g.size[2] - 1);
        const double a = fi - double(i0), b = fj - double(j0), c = fk - double(k0);
        auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return double(data[i + nx * j + nxy * k]); };
        const double v00 = at(i0, j0, k0) * (1 - a) + at(i1, j0, k0) * a;
        const double v10 = at(i0, j1, k0) * (1 - a) + at(i1, j1, k0) * a;
        const double v01 = at(i0, j0, k1) * (1 - a) + at(i1, j0, k1) * a;
        const double v11 = at(i0, j1, k1) * (1 - a) + at(i1, j1, k1) * a;
        row[x] = float((v00 * (1 - b) + v10 * b) * (1 - c) + (v01 * (1 - b) + v11 * b) * c);
      }
    }
  }, v.voxels);
  return out;
}

} // namespace lightbox
