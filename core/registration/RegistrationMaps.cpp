// SPDX-License-Identifier: Apache-2.0
// The registration's maps (moved from the viewer for issue 26: `lightbox register` reports the same
// quality number the viewer shows).
#include "core/registration/RegistrationMaps.h"

#include "core/registration/RigidAffineRegistration.h"
#include "core/util/ParallelFor.h"
#include "core/volume/Trilinear.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace lightbox {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
/// Maps are computed on the field's grid, or on the current grid thinned to about this many
/// voxels per axis (cheap to compute and to sample per frame; a map is smooth).
constexpr std::size_t kMapVoxelsPerAxis = 128;
/// Local NCC window in map-grid voxels (radius 4, 4, 1: 9 x 9 x 3).
constexpr int kNccRadius[3] = {4, 4, 1};

std::shared_ptr<Volume> floatVolume(const VolumeGeometry& g) {
  auto v = std::make_shared<Volume>();
  v->geometry = g;
  v->voxels = std::vector<float>(g.voxelCount(), kNaN);
  return v;
}

std::vector<float>& floats(Volume& v) {
  return std::get<std::vector<float>>(v.voxels);
}

bool insideGrid(const VolumeGeometry& g, const Vec3& ijk) {
  for (int a = 0; a < 3; ++a) {
    if (!(ijk[a] >= -0.5 && ijk[a] <= double(g.size[a]) - 0.5))
      return false;
  }
  return true;
}

/// `g` thinned by whole factors so no axis has more than kMapVoxelsPerAxis voxels; `factor` gets
/// them.
VolumeGeometry thinned(const VolumeGeometry& g, std::array<std::size_t, 3>& factor) {
  VolumeGeometry out = g;
  for (int a = 0; a < 3; ++a) {
    factor[a] = std::max<std::size_t>(1, (g.size[a] + kMapVoxelsPerAxis - 1) / kMapVoxelsPerAxis);
    out.size[a] = (g.size[a] + factor[a] - 1) / factor[a];
    out.spacing[a] = g.spacing[a] * double(factor[a]);
  }
  return out;
}

/// Sums over a box of radius r along `axis` (clipped at the edges), in place.
void boxSum(std::vector<double>& data, const std::array<std::size_t, 3>& size, int axis, int r) {
  const std::size_t stride = axis == 0 ? 1 : axis == 1 ? size[0] : size[0] * size[1];
  const std::size_t n = size[std::size_t(axis)];
  const std::size_t lines = data.size() / n;
  std::vector<double> line(n), prefix(n + 1);
  for (std::size_t l = 0; l < lines; ++l) {
    // The first element of line l: l enumerates the other two axes.
    std::size_t base;
    if (axis == 0)
      base = l * size[0];
    else if (axis == 1)
      base = (l / size[0]) * size[0] * size[1] + l % size[0];
    else
      base = l;
    prefix[0] = 0;
    for (std::size_t i = 0; i < n; ++i)
      prefix[i + 1] = prefix[i] + data[base + i * stride];
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t lo = i >= std::size_t(r) ? i - std::size_t(r) : 0;
      const std::size_t hi = std::min(n, i + std::size_t(r) + 1);
      line[i] = prefix[hi] - prefix[lo];
    }
    for (std::size_t i = 0; i < n; ++i)
      data[base + i * stride] = line[i];
  }
}

/// Local normalised cross-correlation of `a` and `b` (same grid, NaN = no value) in boxes of
/// kNccRadius; NaN where a box is mostly empty or flat. Slices and the six sums run on up to
/// `threads` threads (0: every core); the result does not depend on their number.
std::vector<float> localNcc(const std::vector<float>& a, const std::vector<float>& b,
                            const std::array<std::size_t, 3>& size, unsigned threads) {
  const std::size_t count = a.size();
  const std::size_t plane = size[0] * size[1];
  std::vector<double> n(count), sa(count), sb(count), saa(count), sbb(count), sab(count);
  // Per slice, then added in slice order: the same sums for any thread count.
  std::vector<double> sliceSum(size[2]), sliceSq(size[2]);
  std::vector<std::size_t> sliceValid(size[2]);
  parallelFor(size[2], threads, [&](std::size_t k) {
    double sum = 0, sq = 0;
    std::size_t valid = 0;
    for (std::size_t i = k * plane; i < (k + 1) * plane; ++i) {
      if (std::isnan(a[i]) || std::isnan(b[i]))
        continue;
      n[i] = 1;
      sa[i] = a[i];
      sb[i] = b[i];
      saa[i] = double(a[i]) * a[i];
      sbb[i] = double(b[i]) * b[i];
      sab[i] = double(a[i]) * b[i];
      sum += a[i];
      sq += double(a[i]) * a[i];
      ++valid;
    }
    sliceSum[k] = sum;
    sliceSq[k] = sq;
    sliceValid[k] = valid;
  });
  double globalMean = 0, globalSq = 0;
  std::size_t valid = 0;
  for (std::size_t k = 0; k < size[2]; ++k) {
    globalMean += sliceSum[k];
    globalSq += sliceSq[k];
    valid += sliceValid[k];
  }
  const std::array<std::vector<double>*, 6> sums{&n, &sa, &sb, &saa, &sbb, &sab};
  parallelFor(sums.size(), threads, [&](std::size_t s) {
    for (int axis = 0; axis < 3; ++axis) {
      if (size[std::size_t(axis)] > 1)
        boxSum(*sums[s], size, axis, kNccRadius[axis]);
    }
  });
  const double mean = valid ? globalMean / double(valid) : 0.0;
  const double globalVar = valid ? std::max(globalSq / double(valid) - mean * mean, 1e-12) : 1.0;
  const double boxVoxels =
      double((2 * kNccRadius[0] + 1) * (2 * kNccRadius[1] + 1) * (2 * kNccRadius[2] + 1));
  std::vector<float> out(count, kNaN);
  parallelFor(size[2], threads, [&](std::size_t k) {
    for (std::size_t i = k * plane; i < (k + 1) * plane; ++i) {
      if (n[i] < 0.5 * boxVoxels * (size[2] > 1 ? 1.0 : 1.0 / 3.0))
        continue;
      const double va = saa[i] / n[i] - (sa[i] / n[i]) * (sa[i] / n[i]);
      const double vb = sbb[i] / n[i] - (sb[i] / n[i]) * (sb[i] / n[i]);
      // Flat (air, water): no structure to judge alignment by.
      if (va < 1e-3 * globalVar || vb <= 0)
        continue;
      const double cov = sab[i] / n[i] - (sa[i] / n[i]) * (sb[i] / n[i]);
      out[i] = float(std::clamp(cov / std::sqrt(va * vb), -1.0, 1.0));
    }
  });
  return out;
}

RegistrationQuality summarise(std::vector<float> ncc) {
  RegistrationQuality q;
  q.threshold = kRegistrationQualityThreshold;
  ncc.erase(std::remove_if(ncc.begin(), ncc.end(), [](float v) { return std::isnan(v); }),
            ncc.end());
  q.boxes = ncc.size();
  if (!ncc.empty()) {
    std::nth_element(ncc.begin(), ncc.begin() + std::ptrdiff_t(ncc.size() / 2), ncc.end());
    q.medianLocalNcc = ncc[ncc.size() / 2];
  }
  q.checkAlignment = q.boxes == 0 || q.medianLocalNcc < q.threshold;
  return q;
}

/// Local NCC on `grid` (the current grid thinned by `factor`) of the current image and
/// warpedAt(linear index on the current grid, its (i, j, k)) (NaN where the prior has no value).
template <typename WarpedAt>
std::vector<float> qualityMap(const Volume& current, const VolumeGeometry& grid,
                              const std::array<std::size_t, 3>& factor, WarpedAt warpedAt,
                              unsigned threads) {
  const VolumeGeometry& g = current.geometry;
  std::vector<float> a(grid.voxelCount()), b(grid.voxelCount());
  parallelFor(grid.size[2], threads, [&](std::size_t k) {
    std::size_t idx = k * grid.size[0] * grid.size[1];
    for (std::size_t j = 0; j < grid.size[1]; ++j) {
      for (std::size_t i = 0; i < grid.size[0]; ++i, ++idx) {
        const Vec3 ijk{double(i * factor[0]), double(j * factor[1]), double(k * factor[2])};
        const std::size_t src =
            i * factor[0] + g.size[0] * (j * factor[1] + g.size[1] * (k * factor[2]));
        a[idx] = float(current.value(src));
        b[idx] = warpedAt(src, ijk);
      }
    }
  });
  return localNcc(a, b, grid.size, threads);
}

} // namespace

RegistrationMaps computeRegistrationMaps(const Volume& current, const Volume& prior,
                                         const RegistrationTransform& t) {
  RegistrationMaps out;
  const VolumeGeometry& g = current.geometry;
  // The prior on the current grid; NaN where the current point maps outside the prior.
  Volume resampled = resampleMoving(prior, g, t);
  auto warped = std::make_shared<Volume>();
  warped->geometry = g;
  warped->units = prior.units;
  std::vector<float> values(g.voxelCount());
  const auto maskSlices = [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      for (std::size_t j = 0, idx = g.size[0] * g.size[1] * k; j < g.size[1]; ++j) {
        for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
          const Vec3 q = t.apply(g.ijkToLps({double(i), double(j), double(k)}));
          values[idx] = insideGrid(prior.geometry, prior.geometry.lpsToIjk(q))
                            ? float(resampled.value(idx))
                            : kNaN;
        }
      }
    }
  };
  // Slabs of slices on every core (the chest CT's 37 M voxels each go through the transform).
  const std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back(maskSlices, g.size[2] * w / workers, g.size[2] * (w + 1) / workers);
  }
  for (std::thread& th : pool)
    th.join();
  warped->voxels = std::move(values);
  out.warped = warped;

  // Displacement magnitude and Jacobian determinant on the field's grid (or a thinned current
  // grid).
  std::array<std::size_t, 3> factor{1, 1, 1};
  const VolumeGeometry mapGrid = t.field ? t.field->grid : thinned(g, factor);
  auto displacement = floatVolume(mapGrid);
  std::vector<float>& d = floats(*displacement);
  for (std::size_t k = 0, idx = 0; k < mapGrid.size[2]; ++k) {
    for (std::size_t j = 0; j < mapGrid.size[1]; ++j) {
      for (std::size_t i = 0; i < mapGrid.size[0]; ++i, ++idx) {
        const Vec3 p = mapGrid.ijkToLps({double(i), double(j), double(k)});
        d[idx] = float(norm(t.apply(p) - p));
        out.displacementMax = std::max(out.displacementMax, double(d[idx]));
      }
    }
  }
  out.displacement = displacement;
  if (t.field) {
    auto jacobian = floatVolume(mapGrid);
    std::vector<float>& jd = floats(*jacobian);
    const double det = t.determinant();
    for (std::size_t k = 0, idx = 0; k < mapGrid.size[2]; ++k) {
      for (std::size_t j = 0; j < mapGrid.size[1]; ++j) {
        for (std::size_t i = 0; i < mapGrid.size[0]; ++i, ++idx) {
          jd[idx] = float(det * t.field->jacobianDeterminantAtVoxel(i, j, k));
          out.jacobianDeviation = std::max(out.jacobianDeviation, std::abs(double(jd[idx]) - 1.0));
        }
      }
    }
    out.jacobian = jacobian;
  }

  // Local NCC of the current and the warped prior on the thinned current grid.
  const VolumeGeometry qualityGrid = thinned(g, factor);
  auto quality = floatVolume(qualityGrid);
  floats(*quality) = qualityMap(current, qualityGrid, factor, [&](std::size_t src, const Vec3&) {
    return float(warped->value(src));
  }, 0);
  out.quality = quality;
  out.summary = summarise(floats(*quality));
  return out;
}

RegistrationQuality registrationQuality(const Volume& current, const Volume& prior,
                                        const RegistrationTransform& t, unsigned threads) {
  const VolumeGeometry& g = current.geometry;
  std::array<std::size_t, 3> factor{1, 1, 1};
  const VolumeGeometry grid = thinned(g, factor);
  // The prior at the thinned grid's points only (what computeRegistrationMaps reads from its
  // warped volume), through the transform: NaN outside the prior.
  const auto warpedAt = [&](std::size_t, const Vec3& currentIjk) {
    const Vec3 ijk = prior.geometry.lpsToIjk(t.apply(g.ijkToLps(currentIjk)));
    return insideGrid(prior.geometry, ijk) ? float(trilinear(prior, ijk)) : kNaN;
  };
  return summarise(qualityMap(current, grid, factor, warpedAt, threads));
}

} // namespace lightbox
