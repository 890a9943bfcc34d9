// SPDX-License-Identifier: Apache-2.0
#include "core/volume/SliceSampler.h"

#include "core/volume/Trilinear.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

std::pair<Vec3, Vec3> obliqueAxes(ViewPlane plane, double yawDeg, double pitchDeg) {
  auto [right, down] = screenAxes(plane);
  // Rodrigues rotation of v about the unit axis k by angle a.
  auto rotate = [](const Vec3& v, const Vec3& k, double a) {
    const double c = std::cos(a), s = std::sin(a);
    return v * c + cross(k, v) * s + k * (dot(k, v) * (1.0 - c));
  };
  const double deg = 3.14159265358979323846 / 180.0;
  // Yaw about the screen vertical: right and the normal turn.
  right = normalized(rotate(right, down, yawDeg * deg));
  // Pitch about the (new) screen horizontal: down and the normal turn.
  down = normalized(rotate(down, right, pitchDeg * deg));
  // Re-orthogonalise against rounding.
  down = normalized(down - right * dot(down, right));
  return {right, down};
}

ViewPlane nearestViewPlane(const Vec3& normal) {
  ViewPlane best = ViewPlane::Axial;
  double bestDot = -1;
  for (ViewPlane p : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const auto [r, d] = screenAxes(p);
    const double c = std::abs(dot(cross(r, d), normalized(normal)));
    if (c > bestDot) {
      bestDot = c;
      best = p;
    }
  }
  return best;
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

double sliceSpacingAlong(const VolumeGeometry& g, const Vec3& normal) {
  const Vec3 n = normalized(normal);
  // Distance along n between adjacent voxel planes of the axis most aligned with n.
  int best = 0;
  for (int c = 1; c < 3; ++c) {
    if (std::abs(dot(g.direction[c], n)) > std::abs(dot(g.direction[best], n))) best = c;
  }
  const double cosine = std::abs(dot(g.direction[best], n));
  // Oblique to the axis: step so that successive slices advance one voxel of the best axis, but
  // never more than the coarsest spacing.
  return std::min(g.spacing[best] / std::max(cosine, 1e-6),
                  std::max({g.spacing[0], g.spacing[1], g.spacing[2]}));
}

SlicePlane planeThrough(const VolumeGeometry& g, ViewPlane plane, const Vec3& centerLps) {
  const auto [right, down] = screenAxes(plane);
  SlicePlane p = planeThrough(g, right, down, centerLps);
  if (plane == ViewPlane::Axial) {
    // Axial views of axial stacks keep the native in-plane pixel (the voxel-grid fast path).
    p = withPixelMm(p, std::min(g.spacing[0], g.spacing[1]));
  }
  return p;
}

SlicePlane withPixelMm(const SlicePlane& plane, double pixelMm) {
  if (pixelMm == plane.pixelMm || !(pixelMm > 0)) {
    return plane;
  }
  SlicePlane p = plane;
  const Vec3 c = plane.pixelToLps(0.5 * double(plane.width - 1), 0.5 * double(plane.height - 1));
  p.width = std::size_t(std::llround(double(plane.width - 1) * plane.pixelMm / pixelMm)) + 1;
  p.height = std::size_t(std::llround(double(plane.height - 1) * plane.pixelMm / pixelMm)) + 1;
  p.pixelMm = pixelMm;
  p.origin = c - p.right * (0.5 * double(p.width - 1) * pixelMm) -
             p.down * (0.5 * double(p.height - 1) * pixelMm);
  return p;
}

SlicePlane planeThrough(const VolumeGeometry& g, const Vec3& right, const Vec3& down, const Vec3& centerLps) {
  SlicePlane p;
  p.right = right;
  p.down = down;
  p.pixelMm = std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
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
        row[x] = float(trilinear(data.data(), g, p));
      }
    }
  }, v.voxels);
  return out;
}

} // namespace lightbox

namespace lightbox {

SlabMode parseSlabMode(const std::string& name) {
  if (name == "none") return SlabMode::None;
  if (name == "mip") return SlabMode::Mip;
  if (name == "minip") return SlabMode::MinIp;
  if (name == "mean") return SlabMode::Mean;
  throw std::invalid_argument("unknown slab mode '" + name + "' (none, mip, minip or mean)");
}

const char* toString(SlabMode mode) {
  switch (mode) {
  case SlabMode::None: return "none";
  case SlabMode::Mip: return "MIP";
  case SlabMode::MinIp: return "MinIP";
  case SlabMode::Mean: return "mean";
  }
  return "?";
}

std::vector<float> sampleSlab(const Volume& v, const SlicePlane& plane, SlabMode mode, double thicknessMm,
                              Interpolation interp, float outside) {
  const VolumeGeometry& g = v.geometry;
  const double step = 0.5 * std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
  if (mode == SlabMode::None || thicknessMm < step) {
    return sampleSlice(v, plane, interp, outside);
  }
  const int samples = std::max(2, int(std::ceil(thicknessMm / step)) + 1);
  const Vec3 n = plane.normal();
  // A sentinel far outside any modality range marks pixels outside the volume.
  const float missing = -3.0e38f;
  std::vector<float> acc(plane.width * plane.height, 0.0f);
  std::vector<std::uint16_t> count(acc.size(), 0);
  for (int s = 0; s < samples; ++s) {
    SlicePlane p = plane;
    p.origin = plane.origin + n * (-0.5 * thicknessMm + thicknessMm * double(s) / double(samples - 1));
    const std::vector<float> values = sampleSlice(v, p, interp, missing);
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const float x = values[i];
      if (x == missing) {
        continue;
      }
      if (count[i] == 0) {
        acc[i] = x;
      } else if (mode == SlabMode::Mip) {
        acc[i] = std::max(acc[i], x);
      } else if (mode == SlabMode::MinIp) {
        acc[i] = std::min(acc[i], x);
      } else {
        acc[i] += x;
      }
      ++count[i];
    }
  }
  for (std::size_t i = 0; i < acc.size(); ++i) {
    if (count[i] == 0) {
      acc[i] = outside;
    } else if (mode == SlabMode::Mean) {
      acc[i] /= float(count[i]);
    }
  }
  return acc;
}

} // namespace lightbox
