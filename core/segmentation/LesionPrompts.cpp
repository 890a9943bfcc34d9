// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/LesionPrompts.h"

#include "core/segmentation/SegmentationMetrics.h"
#include "core/segmentation/VoxelFlood.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lightbox {

VoxelBox voxelBoxBetween(const VolumeGeometry& g, const Vec3& cornerA, const Vec3& cornerB) {
  const Vec3 a = g.lpsToIjk(cornerA), b = g.lpsToIjk(cornerB);
  VoxelBox box;
  for (int ax = 0; ax < 3; ++ax) {
    const double lo = std::ceil(std::min(a[ax], b[ax]) - 1e-6), hi = std::floor(std::max(a[ax], b[ax]) + 1e-6);
    const double n = double(g.size[ax]);
    if (hi < 0 || lo > n - 1 || hi < lo) return VoxelBox{};
    box.lo[ax] = std::size_t(std::max(0.0, lo));
    box.hi[ax] = std::size_t(std::min(n - 1, hi)) + 1;
  }
  return box;
}

void keepInBoxConnected(const VolumeGeometry& g, LesionMask& lesion, const VoxelBox& clip, const Vec3& seedLps) {
  std::size_t m = 0;
  for (std::size_t k = lesion.box.lo[2]; k < lesion.box.hi[2]; ++k)
    for (std::size_t j = lesion.box.lo[1]; j < lesion.box.hi[1]; ++j)
      for (std::size_t i = lesion.box.lo[0]; i < lesion.box.hi[0]; ++i, ++m) {
        const bool inside = i >= clip.lo[0] && i < clip.hi[0] && j >= clip.lo[1] && j < clip.hi[1] &&
                            k >= clip.lo[2] && k < clip.hi[2];
        if (!inside) lesion.mask[m] = 0;
      }
  const std::size_t nx = lesion.box.hi[0] - lesion.box.lo[0], ny = lesion.box.hi[1] - lesion.box.lo[1],
                    nz = lesion.box.hi[2] - lesion.box.lo[2];
  const Vec3 ijk = g.lpsToIjk(seedLps);
  const long si = std::lround(ijk[0]) - long(lesion.box.lo[0]), sj = std::lround(ijk[1]) - long(lesion.box.lo[1]),
             sk = std::lround(ijk[2]) - long(lesion.box.lo[2]);
  if (si >= 0 && sj >= 0 && sk >= 0 && si < long(nx) && sj < long(ny) && sk < long(nz)) {
    const std::size_t seed = std::size_t(si) + nx * (std::size_t(sj) + ny * std::size_t(sk));
    if (lesion.mask[seed]) lesion.mask = flood6(nx, ny, nz, lesion.mask, seed);
  }
}

VoxelBox wholeGrid(const VolumeGeometry& g) {
  VoxelBox b;
  for (int a = 0; a < 3; ++a) b.hi[a] = g.size[a];
  return b;
}

namespace {

/// Marks the faces of `limit` the voxel `at` (inside it) lies on.
void markFaces(bool touched[3][2], const std::size_t at[3], const VoxelBox& limit) {
  for (int a = 0; a < 3; ++a) {
    touched[a][0] = touched[a][0] || at[a] == limit.lo[a];
    touched[a][1] = touched[a][1] || at[a] + 1 == limit.hi[a];
  }
}

std::vector<std::string> faceNames(const bool touched[3][2]) {
  std::vector<std::string> faces;
  for (int a = 0; a < 3; ++a)
    for (int s = 0; s < 2; ++s)
      if (touched[a][s])
        faces.push_back(std::string(1, char('x' + a)) + (s ? "+" : "-"));
  return faces;
}

} // namespace

std::vector<std::string> touchedFaces(const VolumeGeometry& g, const std::vector<std::uint8_t>& mask,
                                      const VoxelBox& limit) {
  bool touched[3][2] = {{false, false}, {false, false}, {false, false}};
  const std::size_t nx = g.size[0], ny = g.size[1];
  for (std::size_t k = limit.lo[2]; k < limit.hi[2]; ++k)
    for (std::size_t j = limit.lo[1]; j < limit.hi[1]; ++j)
      for (std::size_t i = limit.lo[0]; i < limit.hi[0]; ++i) {
        if (!mask[i + nx * (j + ny * k)]) continue;
        const std::size_t at[3] = {i, j, k};
        markFaces(touched, at, limit);
      }
  return faceNames(touched);
}

std::vector<std::string> touchedFaces(const LesionMask& lesion, const VoxelBox& limit) {
  bool touched[3][2] = {{false, false}, {false, false}, {false, false}};
  const VoxelBox& b = lesion.box;
  std::size_t q = 0;
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q) {
        if (!lesion.mask[q])
          continue;
        const std::size_t at[3] = {i, j, k};
        bool inside = true;
        for (int a = 0; a < 3; ++a)
          inside = inside && at[a] >= limit.lo[a] && at[a] < limit.hi[a];
        if (inside)
          markFaces(touched, at, limit);
      }
  return faceNames(touched);
}

std::vector<std::string> facesInsideImage(const VolumeGeometry& g, std::vector<std::string> faces,
                                          const VoxelBox& limit) {
  faces.erase(std::remove_if(faces.begin(), faces.end(),
                             [&](const std::string& f) {
                               const int a = f[0] - 'x';
                               return f[1] == '-' ? limit.lo[a] == 0 : limit.hi[a] == g.size[a];
                             }),
              faces.end());
  return faces;
}

std::size_t removeConnectedAround(const VolumeGeometry& g, std::vector<std::uint8_t>& mask, const Vec3& lps,
                                  double radiusMm) {
  const Vec3 c = g.lpsToIjk(lps);
  VoxelBox b;
  for (int a = 0; a < 3; ++a) {
    const double reach = radiusMm / g.spacing[a];
    const double lo = std::max(0.0, std::floor(c[a] - reach)), hi = std::min(double(g.size[a]), std::ceil(c[a] + reach) + 1);
    if (hi <= lo) return 0;
    b.lo[a] = std::size_t(lo);
    b.hi[a] = std::size_t(hi);
  }
  const long ci = std::lround(c[0]), cj = std::lround(c[1]), ck = std::lround(c[2]);
  if (ci < long(b.lo[0]) || cj < long(b.lo[1]) || ck < long(b.lo[2]) || ci >= long(b.hi[0]) || cj >= long(b.hi[1]) ||
      ck >= long(b.hi[2])) {
    return 0;
  }
  const std::size_t nx = b.hi[0] - b.lo[0], ny = b.hi[1] - b.lo[1], nz = b.hi[2] - b.lo[2];
  std::vector<std::uint8_t> allowed(nx * ny * nz, 0);
  std::size_t q = 0;
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q) {
        const Vec3 d{(double(i) - c[0]) * g.spacing[0], (double(j) - c[1]) * g.spacing[1], (double(k) - c[2]) * g.spacing[2]};
        allowed[q] = mask[i + g.size[0] * (j + g.size[1] * k)] && d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= radiusMm * radiusMm;
      }
  const std::size_t seed = std::size_t(ci) - b.lo[0] + nx * (std::size_t(cj) - b.lo[1] + ny * (std::size_t(ck) - b.lo[2]));
  const std::vector<std::uint8_t> part = flood6(nx, ny, nz, allowed, seed);
  std::size_t cleared = 0;
  q = 0;
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q) {
        if (part[q]) {
          mask[i + g.size[0] * (j + g.size[1] * k)] = 0;
          ++cleared;
        }
      }
  return cleared;
}

std::size_t mostInteriorVoxel(const VolumeGeometry& g, const std::vector<std::uint8_t>& mask) {
  std::vector<std::uint8_t> outside(mask.size());
  bool any = false;
  for (std::size_t n = 0; n < mask.size(); ++n) {
    outside[n] = !mask[n];
    any = any || mask[n];
  }
  if (!any) throw std::invalid_argument("mostInteriorVoxel: the mask is empty");
  const std::vector<double> d = squaredDistanceTo(g, outside);
  std::size_t best = 0;
  double bestD = -1;
  for (std::size_t n = 0; n < mask.size(); ++n) {
    if (mask[n] && d[n] > bestD) {
      bestD = d[n];
      best = n;
    }
  }
  return best;
}

std::optional<CorrectionClick> nextCorrection(const VolumeGeometry& g, const std::vector<std::uint8_t>& pred,
                                              const std::vector<std::uint8_t>& ref) {
  std::vector<std::uint8_t> missed(ref.size()), extra(ref.size());
  for (std::size_t q = 0; q < ref.size(); ++q) {
    missed[q] = ref[q] && !pred[q];
    extra[q] = pred[q] && !ref[q];
  }
  std::size_t bestSize = 0, bestSeed = 0;
  bool bestAdd = true;
  for (const bool add : {true, false}) {
    const std::vector<std::uint8_t>& err = add ? missed : extra;
    std::vector<int> component(err.size(), 0);
    int id = 0;
    for (std::size_t q = 0; q < err.size(); ++q) {
      if (!err[q] || component[q]) continue;
      const std::size_t n = floodComponent(g.size[0], g.size[1], g.size[2], err, q, component, ++id);
      if (n > bestSize) bestSize = n, bestSeed = q, bestAdd = add;
    }
  }
  if (bestSize == 0) return std::nullopt;
  const std::vector<std::uint8_t> region = flood6(g.size[0], g.size[1], g.size[2], bestAdd ? missed : extra, bestSeed);
  const std::size_t n = mostInteriorVoxel(g, region);
  return CorrectionClick{bestAdd, g.ijkToLps({double(n % g.size[0]), double((n / g.size[0]) % g.size[1]),
                                             double(n / (g.size[0] * g.size[1]))})};
}

BoxPrompt boxPromptOf(const VolumeGeometry& g, const VoxelBox& box) {
  BoxPrompt out;
  for (int a = 0; a < 3; ++a)
    out.largestSideMm = std::max(out.largestSideMm, double(box.hi[a] - box.lo[a]) * g.spacing[a]);
  out.centreLps =
      g.ijkToLps({0.5 * double(box.lo[0] + box.hi[0] - 1), 0.5 * double(box.lo[1] + box.hi[1] - 1),
                  0.5 * double(box.lo[2] + box.hi[2] - 1)});
  return out;
}

} // namespace lightbox
