// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/SegmentTools.h"

#include "core/segmentation/SegmentationMetrics.h"
#include "core/segmentation/VoxelFlood.h"

#include <algorithm>
#include <functional>
#include <cmath>
#include <map>
#include <stdexcept>

namespace lightbox {
namespace {

/// Index box around an LPS sphere (directions may be oblique: bound by the radius in voxels).
VoxelBox sphereBox(const LabelMap& map, const Vec3& center, double radiusMm, bool disc) {
  const Vec3 c = map.geometry.lpsToIjk(center);
  long lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    const double r = radiusMm / map.geometry.spacing[a] + 1.0;
    lo[a] = long(std::floor(c[a] - r));
    hi[a] = long(std::ceil(c[a] + r)) + 1;
  }
  if (disc) {
    lo[2] = long(std::lround(c[2]));
    hi[2] = lo[2] + 1;
  }
  return clampBox(map, lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]);
}

/// 2D convex hull (monotone chain) of points, counter-clockwise, no repeated end point.
std::vector<std::array<double, 2>> convexHull(std::vector<std::array<double, 2>> p) {
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  if (p.size() < 3) return p;
  std::vector<std::array<double, 2>> h(2 * p.size());
  auto turn = [](const std::array<double, 2>& o, const std::array<double, 2>& a, const std::array<double, 2>& b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  };
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && turn(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (std::size_t i = p.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && turn(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return h;
}

/// Bounding box of `label` grown by `margin` voxels (empty box when the label is absent).
VoxelBox labelBox(const LabelMap& map, std::uint8_t label, long margin) {
  const auto& s = map.geometry.size;
  long lo[3] = {long(s[0]), long(s[1]), long(s[2])}, hi[3] = {-1, -1, -1};
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0]; ++i)
        if (map.labels[map.index(i, j, k)] == label) {
          const long p[3] = {long(i), long(j), long(k)};
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], p[a]);
            hi[a] = std::max(hi[a], p[a]);
          }
        }
  if (hi[0] < 0) return {};
  return clampBox(map, lo[0] - margin, lo[1] - margin, lo[2] - margin, hi[0] + 1 + margin, hi[1] + 1 + margin,
                  hi[2] + 1 + margin);
}

/// The box's voxels of `label` as a box-sized mask.
std::vector<std::uint8_t> boxMask(const LabelMap& map, const VoxelBox& b, std::uint8_t label) {
  std::vector<std::uint8_t> m;
  m.reserve(b.voxelCount());
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i) m.push_back(map.labels[map.index(i, j, k)] == label);
  return m;
}

} // namespace

LabelDelta thresholdBox(LabelMap& map, const Volume& image, const VoxelBox& requested, double lo, double hi,
                        std::uint8_t label) {
  if (!sameGrid(image.geometry, map.geometry)) throw std::invalid_argument("threshold in a box: the image is not on the label map's grid");
  const VoxelBox box = clampBox(map, long(requested.lo[0]), long(requested.lo[1]), long(requested.lo[2]),
                                long(requested.hi[0]), long(requested.hi[1]), long(requested.hi[2]));
  if (box.empty() || label == 0) return LabelDelta{};
  const std::size_t nx = box.hi[0] - box.lo[0], ny = box.hi[1] - box.lo[1], nz = box.hi[2] - box.lo[2];
  std::vector<std::uint8_t> allowed(nx * ny * nz, 0);
  std::size_t m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        const std::size_t n = map.index(i, j, k);
        const std::uint8_t v = map.labels[n];
        const double x = image.value(n);
        allowed[m] = (v == 0 || v == label) && x >= lo && x <= hi;
      }
  // The part through the centre, else the largest.
  std::vector<int> component(allowed.size(), 0);
  const std::size_t centre = nx / 2 + nx * (ny / 2 + ny * (nz / 2));
  int keep = 0;
  if (floodComponent(nx, ny, nz, allowed, centre, component, 1) > 0) {
    keep = 1;
  } else {
    std::size_t best = 0;
    int id = 1;
    for (std::size_t q = 0; q < allowed.size(); ++q) {
      const std::size_t size = floodComponent(nx, ny, nz, allowed, q, component, id + 1);
      if (size == 0) continue;
      ++id;
      if (size > best) best = size, keep = id;
    }
  }
  if (keep == 0) return LabelDelta{};
  LabelDelta delta = captureBox(map, box);
  bool changed = false;
  m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        if (component[m] != keep) continue;
        std::uint8_t& v = map.labels[map.index(i, j, k)];
        if (v != label) {
          v = label;
          changed = true;
        }
      }
  if (!changed) return LabelDelta{};
  ++map.revision;
  return delta;
}

LabelDelta paint(LabelMap& map, const BrushDab& dab) {
  const VoxelBox box = sphereBox(map, dab.centerLps, dab.radiusMm, dab.disc);
  LabelDelta delta = captureBox(map, box);
  if (box.empty()) return delta;
  const bool limited = dab.image && (std::isfinite(dab.lo) || std::isfinite(dab.hi));
  if (limited && !sameGrid(dab.image->geometry, map.geometry)) {
    throw std::invalid_argument("threshold brush: the image is not on the label map's grid");
  }
  const double r2 = dab.radiusMm * dab.radiusMm;
  const Vec3 centreIjk = map.geometry.lpsToIjk(dab.centerLps);
  bool changed = false;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k) {
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j) {
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
        Vec3 d = map.geometry.ijkToLps({double(i), double(j), dab.disc ? centreIjk[2] : double(k)}) - dab.centerLps;
        if (dot(d, d) > r2) continue;
        const std::size_t n = map.index(i, j, k);
        std::uint8_t& v = map.labels[n];
        if (dab.erase) {
          if (v == dab.label) {
            v = 0;
            changed = true;
          }
          continue;
        }
        if (v != 0 && v != dab.label) continue; // never paint over another segment
        if (limited) {
          const double x = dab.image->value(n);
          if (x < dab.lo || x > dab.hi) continue;
        }
        if (v != dab.label) {
          v = dab.label;
          changed = true;
        }
      }
    }
  }
  if (changed) ++map.revision;
  else delta = LabelDelta{}; // nothing changed: nothing to undo
  return delta;
}

LabelDelta writeMask(LabelMap& map, const VoxelBox& box, const std::vector<std::uint8_t>& mask, std::uint8_t label,
                     const std::vector<std::uint8_t>* protect) {
  if (mask.size() != box.voxelCount() || (protect && protect->size() != mask.size())) {
    throw std::invalid_argument("mask size does not match its box");
  }
  LabelDelta delta = captureBox(map, box);
  std::size_t m = 0;
  bool changed = false;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k) {
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j) {
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        if (protect && (*protect)[m]) continue;
        std::uint8_t& v = map.labels[map.index(i, j, k)];
        const std::uint8_t want = mask[m] ? label : (v == label ? 0 : v);
        if (mask[m] && v != 0 && v != label) continue; // another segment keeps its voxels
        if (v != want) {
          v = want;
          changed = true;
        }
      }
    }
  }
  if (changed) ++map.revision;
  else delta = LabelDelta{};
  return delta;
}

LabelDelta keepComponent(LabelMap& map, std::uint8_t label, const std::array<std::size_t, 3>& seed) {
  const auto& s = map.geometry.size;
  if (seed[0] >= s[0] || seed[1] >= s[1] || seed[2] >= s[2] || map.labels[map.index(seed[0], seed[1], seed[2])] != label) {
    return {};
  }
  // The delta covers only the label's bounding box.
  const VoxelBox box = labelBox(map, label, 0);
  const std::size_t nx = box.hi[0] - box.lo[0], ny = box.hi[1] - box.lo[1], nz = box.hi[2] - box.lo[2];
  const std::vector<std::uint8_t> keep =
      flood6(nx, ny, nz, boxMask(map, box, label),
             (seed[0] - box.lo[0]) + nx * ((seed[1] - box.lo[1]) + ny * (seed[2] - box.lo[2])));
  return writeMask(map, box, keep, label);
}

LabelDelta removeIslands(LabelMap& map, std::uint8_t label) {
  const VoxelBox b = labelBox(map, label, 0);
  if (b.empty()) return {};
  const std::size_t nx = b.hi[0] - b.lo[0], ny = b.hi[1] - b.lo[1], nz = b.hi[2] - b.lo[2];
  const std::vector<std::uint8_t> m = boxMask(map, b, label);
  std::vector<int> component(m.size(), 0);
  std::vector<std::size_t> sizes{0};
  for (std::size_t start = 0; start < m.size(); ++start) {
    if (m[start] && !component[start]) sizes.push_back(floodComponent(nx, ny, nz, m, start, component, int(sizes.size())));
  }
  const int largest = int(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  std::vector<std::uint8_t> keep(m.size());
  for (std::size_t n = 0; n < m.size(); ++n) keep[n] = component[n] == largest;
  return writeMask(map, b, keep, label);
}

LabelDelta smoothSegment(LabelMap& map, std::uint8_t label) {
  const VoxelBox b = labelBox(map, label, 1);
  if (b.empty()) return {};
  const std::size_t nx = b.hi[0] - b.lo[0], ny = b.hi[1] - b.lo[1], nz = b.hi[2] - b.lo[2];
  const std::vector<std::uint8_t> m = boxMask(map, b, label);
  std::vector<std::uint8_t> out(m.size(), 0);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        int in = 0, all = 0;
        for (long dk = -1; dk <= 1; ++dk)
          for (long dj = -1; dj <= 1; ++dj)
            for (long di = -1; di <= 1; ++di) {
              const long a = long(i) + di, c = long(j) + dj, e = long(k) + dk;
              if (a < 0 || c < 0 || e < 0 || a >= long(nx) || c >= long(ny) || e >= long(nz)) continue;
              ++all;
              in += m[std::size_t(a) + nx * (std::size_t(c) + ny * std::size_t(e))];
            }
        out[i + nx * (j + ny * k)] = 2 * in > all;
      }
  return writeMask(map, b, out, label);
}

LabelDelta fillBetweenSlices(LabelMap& map, std::uint8_t label) {
  // A margin of one voxel: a drawn slice that fills its box still has an outside.
  const VoxelBox b = labelBox(map, label, 1);
  if (b.empty()) return {};
  const std::size_t nx = b.hi[0] - b.lo[0], ny = b.hi[1] - b.lo[1], nz = b.hi[2] - b.lo[2];
  const std::vector<std::uint8_t> m = boxMask(map, b, label);
  VolumeGeometry slice;
  slice.size = {nx, ny, 1};
  slice.spacing = {map.geometry.spacing[0], map.geometry.spacing[1], 1.0};
  // Signed distance (mm) of each drawn slice: negative inside, positive outside.
  auto sdf = [&](std::size_t k) {
    std::vector<std::uint8_t> inside(m.begin() + long(k * nx * ny), m.begin() + long((k + 1) * nx * ny)), outside(nx * ny);
    for (std::size_t n = 0; n < nx * ny; ++n) outside[n] = !inside[n];
    const std::vector<double> toIn = squaredDistanceTo(slice, inside), toOut = squaredDistanceTo(slice, outside);
    std::vector<double> d(nx * ny);
    for (std::size_t n = 0; n < nx * ny; ++n) d[n] = inside[n] ? -std::sqrt(toOut[n]) : std::sqrt(toIn[n]);
    return d;
  };
  std::vector<std::size_t> drawn;
  for (std::size_t k = 0; k < nz; ++k)
    if (std::any_of(m.begin() + long(k * nx * ny), m.begin() + long((k + 1) * nx * ny), [](std::uint8_t v) { return v != 0; }))
      drawn.push_back(k);
  std::vector<std::uint8_t> out = m;
  for (std::size_t p = 0; p + 1 < drawn.size(); ++p) {
    const std::size_t k0 = drawn[p], k1 = drawn[p + 1];
    if (k1 - k0 < 2) continue;
    const std::vector<double> d0 = sdf(k0), d1 = sdf(k1);
    for (std::size_t k = k0 + 1; k < k1; ++k) {
      const double t = double(k - k0) / double(k1 - k0);
      for (std::size_t n = 0; n < nx * ny; ++n) out[k * nx * ny + n] = (1 - t) * d0[n] + t * d1[n] <= 0.0;
    }
  }
  return writeMask(map, b, out, label);
}

SegmentStats measureSegment(const LabelMap& map, std::uint8_t label, const Volume* image) {
  std::vector<std::uint8_t> mask(map.labels.size());
  std::transform(map.labels.begin(), map.labels.end(), mask.begin(), [label](std::uint8_t v) { return v == label; });
  return measureMask(map.geometry, mask, image);
}

SegmentStats measureMask(const VolumeGeometry& g, const std::vector<std::uint8_t>& mask, const Volume* image) {
  SegmentStats st;
  if (mask.size() != g.voxelCount()) throw std::invalid_argument("mask size does not match its grid");
  if (image && !sameGrid(image->geometry, g)) throw std::invalid_argument("the image is not on the mask's grid");
  const double voxelMl = std::abs(dot(cross(g.direction[0], g.direction[1]), g.direction[2])) * g.spacing[0] *
                         g.spacing[1] * g.spacing[2] / 1000.0;
  double sum = 0, sum2 = 0;
  Vec3 centroid{0, 0, 0};
  st.min = std::numeric_limits<double>::infinity();
  st.max = -st.min;
  const std::size_t nx = g.size[0], ny = g.size[1];
  const double sx = g.spacing[0], sy = g.spacing[1];
  std::vector<int> part(nx * ny);
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    // RECIST measures one lesion: the axes are taken on the slice's largest 8-connected part (a
    // stroke elsewhere on the same segment does not stretch them across the gap).
    std::fill(part.begin(), part.end(), 0);
    int parts = 0, largest = 0;
    std::size_t largestSize = 0;
    for (std::size_t start = 0; start < nx * ny; ++start) {
      if (!mask[start + nx * ny * k] || part[start]) continue;
      ++parts;
      std::size_t size = 0;
      std::vector<std::size_t> stack{start};
      part[start] = parts;
      while (!stack.empty()) {
        const std::size_t n = stack.back();
        stack.pop_back();
        ++size;
        const long i = long(n % nx), j = long(n / nx);
        for (long dj = -1; dj <= 1; ++dj)
          for (long di = -1; di <= 1; ++di) {
            const long a = i + di, b = j + dj;
            if (a < 0 || b < 0 || a >= long(nx) || b >= long(ny)) continue;
            const std::size_t q = std::size_t(a) + nx * std::size_t(b);
            if (mask[q + nx * ny * k] && !part[q]) {
              part[q] = parts;
              stack.push_back(q);
            }
          }
      }
      if (size > largestSize) {
        largestSize = size;
        largest = parts;
      }
    }
    // In-plane corners of the part's boundary voxels (edge-to-edge diameters), in mm along i, j.
    std::vector<std::array<double, 2>> corners;
    std::vector<std::array<double, 2>> centres;
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t n = i + nx * (j + ny * k);
        if (!mask[n]) continue;
        ++st.voxels;
        centroid = centroid + Vec3{double(i), double(j), double(k)};
        if (image) {
          const double v = image->value(n);
          sum += v;
          sum2 += v * v;
          st.min = std::min(st.min, v);
          st.max = std::max(st.max, v);
        }
        if (part[i + nx * j] != largest) continue; // statistics count every voxel, the axes one part
        centres.push_back({double(i) * sx, double(j) * sy});
        const bool edge = i == 0 || j == 0 || i + 1 == nx || j + 1 == ny || !mask[n - 1] || !mask[n + 1] ||
                          !mask[n - nx] || !mask[n + nx];
        if (edge) {
          for (double di : {-0.5, 0.5})
            for (double dj : {-0.5, 0.5}) corners.push_back({(double(i) + di) * sx, (double(j) + dj) * sy});
        }
      }
    }
    if (corners.empty()) continue;
    const auto hull = convexHull(corners);
    double best = 0;
    std::array<double, 2> a{0, 0}, b{0, 0};
    for (std::size_t p = 0; p < hull.size(); ++p) {
      for (std::size_t q = p + 1; q < hull.size(); ++q) {
        const double d = std::hypot(hull[p][0] - hull[q][0], hull[p][1] - hull[q][1]);
        if (d > best) {
          best = d;
          a = hull[p];
          b = hull[q];
        }
      }
    }
    if (hull.size() < 2) best = std::max(sx, sy);
    if (best <= st.longAxisMm) continue;
    st.longAxisMm = best;
    st.axisSlice = k;
    auto toLps = [&](const std::array<double, 2>& p) { return g.ijkToLps({p[0] / sx, p[1] / sy, double(k)}); };
    st.longA = toLps(a);
    st.longB = toLps(b);
    // Short axis: the longest extent perpendicular to the long axis among chords at one position
    // along it (voxel centres binned by their position along the long axis).
    const double ux = (b[0] - a[0]) / std::max(best, 1e-9), uy = (b[1] - a[1]) / std::max(best, 1e-9);
    const double px = -uy, py = ux;
    const double bin = 0.5 * std::min(sx, sy);
    const double halfVoxel = 0.5 * (std::abs(px) * sx + std::abs(py) * sy);
    std::map<long, std::pair<double, double>> extent;
    for (const auto& c : centres) {
      const long t = long(std::floor((c[0] * ux + c[1] * uy) / bin));
      const double s = c[0] * px + c[1] * py;
      auto it = extent.find(t);
      if (it == extent.end()) extent.emplace(t, std::make_pair(s, s));
      else {
        it->second.first = std::min(it->second.first, s);
        it->second.second = std::max(it->second.second, s);
      }
    }
    st.shortAxisMm = 0;
    for (const auto& [t, e] : extent) {
      const double len = e.second - e.first + 2 * halfVoxel;
      if (len > st.shortAxisMm) {
        st.shortAxisMm = len;
        const double tc = (double(t) + 0.5) * bin;
        const std::array<double, 2> p0{tc * ux + (e.first - halfVoxel) * px, tc * uy + (e.first - halfVoxel) * py};
        const std::array<double, 2> p1{tc * ux + (e.second + halfVoxel) * px, tc * uy + (e.second + halfVoxel) * py};
        st.shortA = toLps(p0);
        st.shortB = toLps(p1);
      }
    }
    st.shortAxisMm = std::min(st.shortAxisMm, st.longAxisMm);
  }
  st.volumeMl = double(st.voxels) * voxelMl;
  if (st.voxels > 0) {
    st.centroidLps = g.ijkToLps(centroid * (1.0 / double(st.voxels)));
    if (image) {
      st.mean = sum / double(st.voxels);
      st.sd = std::sqrt(std::max(0.0, sum2 / double(st.voxels) - st.mean * st.mean));
    }
  }
  if (!image || st.voxels == 0) st.min = st.max = 0;
  return st;
}

} // namespace lightbox

namespace lightbox {

double suvPeak(const Volume& image, const std::vector<std::uint8_t>& mask) {
  const VolumeGeometry& g = image.geometry;
  std::vector<std::pair<double, std::size_t>> top;
  for (std::size_t q = 0; q < mask.size(); ++q)
    if (mask[q]) top.push_back({image.value(q), q});
  if (top.empty()) return 0.0;
  const std::size_t keep = std::min<std::size_t>(500, top.size());
  std::partial_sort(top.begin(), top.begin() + std::ptrdiff_t(keep), top.end(), std::greater<>());
  top.resize(keep);
  constexpr double kRadiusMm = 6.2035; // a sphere of 1 mL
  long reach[3];
  for (int a = 0; a < 3; ++a) reach[a] = long(std::ceil(kRadiusMm / g.spacing[a]));
  double best = 0;
  for (const auto& [value, q] : top) {
    const long c[3] = {long(q % g.size[0]), long((q / g.size[0]) % g.size[1]), long(q / (g.size[0] * g.size[1]))};
    double sum = 0;
    std::size_t n = 0;
    for (long dz = -reach[2]; dz <= reach[2]; ++dz)
      for (long dy = -reach[1]; dy <= reach[1]; ++dy)
        for (long dx = -reach[0]; dx <= reach[0]; ++dx) {
          const double x = double(dx) * g.spacing[0], y = double(dy) * g.spacing[1], z = double(dz) * g.spacing[2];
          if (x * x + y * y + z * z > kRadiusMm * kRadiusMm) continue;
          const long i = c[0] + dx, j = c[1] + dy, k = c[2] + dz;
          if (i < 0 || j < 0 || k < 0 || i >= long(g.size[0]) || j >= long(g.size[1]) || k >= long(g.size[2])) continue;
          sum += image.value(std::size_t(i), std::size_t(j), std::size_t(k));
          ++n;
        }
    if (n) best = std::max(best, sum / double(n));
  }
  return best;
}

} // namespace lightbox
