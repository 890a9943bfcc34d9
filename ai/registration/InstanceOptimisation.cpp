// SPDX-License-Identifier: Apache-2.0
// Instance optimisation of a displacement field: plain C++ with the gradient written out (no
// autograd). It lives in liblightbox_torch.so only because the backend table (runtime/TorchBackend.h)
// has carried it since it was written with LibTorch autograd; it includes no Torch header.
// The autograd version spent ~60 ms an iteration on 60 000 points (grid_sample's backward pass and
// one OpenMP region per operation): 6 of the 12 s of a brain-MR registration. This one computes the
// same loss and its exact gradient in one pass per thread.
#include "ai/registration/InstanceOptimisation.h"
#include "ai/runtime/TorchBackendImpl.h"
#include "core/util/ThreadTeam.h"
#include "core/volume/Trilinear.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <thread>

namespace lightbox::torchimpl {
namespace {

/// Index <-> LPS maps of a grid (general 3x3: the direction may be non-orthogonal).
struct GridMap {
  double toLps[3][3] = {};   ///< lps = origin + toLps idx
  double toIndex[3][3] = {}; ///< idx = toIndex (lps - origin)
  double origin[3] = {};
  std::array<std::int64_t, 3> size{};

  explicit GridMap(const VolumeGeometry& g) {
    for (int r = 0; r < 3; ++r) {
      origin[r] = g.origin[r];
      for (int c = 0; c < 3; ++c) toLps[r][c] = g.direction[c][r] * g.spacing[c];
    }
    const double(&m)[3][3] = toLps;
    const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if (std::abs(det) < 1e-12) throw std::invalid_argument("instance optimisation: a grid has no volume");
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
        toIndex[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
      }
    }
    for (int a = 0; a < 3; ++a) size[a] = std::int64_t(g.size[a]);
  }

  void index(const double p[3], double idx[3]) const {
    const double q[3] = {p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]};
    for (int r = 0; r < 3; ++r) idx[r] = toIndex[r][0] * q[0] + toIndex[r][1] * q[1] + toIndex[r][2] * q[2];
  }
};

/// The 8 corners of a trilinear lookup at continuous index `c` (voxel centres at whole indices)
/// and their weights. `border`: the index is clamped into the grid (edge values beyond; an axis of
/// one voxel takes weight 1 at index 0); otherwise corners outside the grid get weight 0 (zero
/// padding), as grid_sample's two padding modes with align_corners.
struct Corners {
  std::int64_t offset[8];
  double weight[8];
};

bool corners(const std::array<std::int64_t, 3>& size, const double c[3], bool border, Corners& out) {
  std::int64_t lo[3], hi[3];
  double t[3];
  bool okLo[3], okHi[3];
  for (int a = 0; a < 3; ++a) {
    double x = c[a];
    if (border) x = std::clamp(x, 0.0, double(size[a] - 1));
    const double f = std::floor(x);
    lo[a] = std::int64_t(f);
    hi[a] = lo[a] + 1;
    t[a] = x - f;
    okLo[a] = lo[a] >= 0 && lo[a] < size[a];
    okHi[a] = hi[a] >= 0 && hi[a] < size[a];
    if (border && !okHi[a]) { // on the last node: all weight there
      hi[a] = lo[a];
      okHi[a] = okLo[a];
    }
    if (!okLo[a] && !okHi[a]) return false;
  }
  const std::int64_t sx = size[0], sxy = size[0] * size[1];
  for (int n = 0; n < 8; ++n) {
    const int bx = n & 1, by = (n >> 1) & 1, bz = (n >> 2) & 1;
    const bool ok = (bx ? okHi[0] : okLo[0]) && (by ? okHi[1] : okLo[1]) && (bz ? okHi[2] : okLo[2]);
    const double wx = bx ? t[0] : 1.0 - t[0], wy = by ? t[1] : 1.0 - t[1], wz = bz ? t[2] : 1.0 - t[2];
    out.offset[n] = ok ? (bx ? hi[0] : lo[0]) + sx * (by ? hi[1] : lo[1]) + sxy * (bz ? hi[2] : lo[2]) : -1;
    out.weight[n] = ok ? wx * wy * wz : 0.0;
  }
  return true;
}

/// Voxels of the structure image whose gradient magnitude is in the top 40 % of the voxels that are
/// not background (value > 0.02): where a similarity measure has something to align.
std::vector<std::int64_t> structureVoxels(const VolumeGeometry& grid, const std::vector<float>& s) {
  const std::size_t nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];
  std::vector<float> magnitude(s.size(), -1.0f);
  const auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return s[i + nx * (j + ny * k)]; };
  for (std::size_t k = 0; k < nz; ++k) {
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t n = i + nx * (j + ny * k);
        if (s[n] <= 0.02f) continue;
        const double gx = (at(std::min(i + 1, nx - 1), j, k) - at(i ? i - 1 : 0, j, k)) / grid.spacing[0];
        const double gy = (at(i, std::min(j + 1, ny - 1), k) - at(i, j ? j - 1 : 0, k)) / grid.spacing[1];
        const double gz = (at(i, j, std::min(k + 1, nz - 1)) - at(i, j, k ? k - 1 : 0)) / grid.spacing[2];
        magnitude[n] = float(std::sqrt(gx * gx + gy * gy + gz * gz));
      }
    }
  }
  std::vector<float> present;
  for (float m : magnitude) {
    if (m >= 0.0f) present.push_back(m);
  }
  std::vector<std::int64_t> out;
  if (present.size() < 1000) {
    for (std::size_t n = 0; n < s.size(); ++n) out.push_back(std::int64_t(n));
    return out;
  }
  const std::size_t cut = std::size_t(0.6 * double(present.size()));
  std::nth_element(present.begin(), present.begin() + std::ptrdiff_t(cut), present.end());
  const float threshold = present[cut];
  for (std::size_t n = 0; n < s.size(); ++n) {
    if (magnitude[n] >= threshold) out.push_back(std::int64_t(n));
  }
  return out;
}

/// `count` LPS points: random voxels of `candidates` (linear indices on `sg`), each jittered
/// uniformly within its voxel, ordered by slice of `sg`: the images' lookups then walk the volume
/// slice by slice instead of missing the cache at every point (the trilinear lookups, waiting on
/// memory, were most of the instance optimisation's time). Drawn in kDrawChunks chunks, each with
/// its own generator seeded from `random`, on the team's threads: the same points for any number
/// of threads.
std::vector<Vec3> drawStructurePoints(const std::vector<std::int64_t>& candidates, const GridMap& sg, unsigned count,
                                      std::mt19937_64& random, ThreadTeam& team) {
  if (candidates.empty()) throw std::invalid_argument("instance optimisation: no structure to sample");
  constexpr std::size_t kDrawChunks = 8;
  const std::int64_t sx = sg.size[0], sy = sg.size[1], sz = sg.size[2];
  std::array<std::uint64_t, kDrawChunks> seeds{};
  for (std::uint64_t& seed : seeds) seed = random();
  std::vector<Vec3> drawn(count);
  std::vector<std::uint32_t> slice(count);
  // per chunk, the points in each slice (counted for the ordering below)
  std::vector<std::vector<std::size_t>> perSlice(kDrawChunks, std::vector<std::size_t>(std::size_t(sz), 0));
  team.forParts(kDrawChunks, kDrawChunks, [&](std::size_t chunk, std::size_t, std::size_t) {
    std::mt19937_64 chunkRandom(seeds[chunk]);
    std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
    std::uniform_real_distribution<double> jitter(-0.5, 0.5);
    for (std::size_t d = count * chunk / kDrawChunks; d < count * (chunk + 1) / kDrawChunks; ++d) {
      const std::int64_t n = candidates[pick(chunkRandom)];
      const double idx[3] = {double(n % sx) + jitter(chunkRandom), double((n / sx) % sy) + jitter(chunkRandom),
                             double(n / (sx * sy)) + jitter(chunkRandom)};
      for (int r = 0; r < 3; ++r) {
        drawn[d][r] = sg.origin[r] + sg.toLps[r][0] * idx[0] + sg.toLps[r][1] * idx[1] + sg.toLps[r][2] * idx[2];
      }
      slice[d] = std::uint32_t(n / (sx * sy));
      ++perSlice[chunk][slice[d]];
    }
  });
  // Counting sort by slice (stable: chunk order, then draw order).
  std::vector<std::size_t> next(std::size_t(sz), 0);
  std::size_t at = 0;
  for (std::size_t k = 0; k < std::size_t(sz); ++k) {
    next[k] = at;
    for (std::size_t chunk = 0; chunk < kDrawChunks; ++chunk) at += perSlice[chunk][k];
  }
  std::vector<Vec3> out(count);
  for (std::size_t d = 0; d < count; ++d) out[next[slice[d]]++] = drawn[d];
  return out;
}

/// One level's images and maps.
struct LevelMaps {
  const NormalisedImage& fixed;
  const NormalisedImage& moving;
  GridMap fm, mm;
  double affine[3][3];
  double translation[3];
};

/// Per point: the fixed value, the moving value through x + u(x) and the derivative of the moving
/// value with respect to u at x (LPS); `inside` when the moving point is within the voxel centres'
/// box. The field's 8 corners at x are kept for the gradient.
struct PointState {
  double f = 0.0, m = 0.0, dmdu[3] = {0, 0, 0};
  bool inside = false;
  Corners field;
};

/// Trilinear value (and gradient along the index axes) of an image at a continuous index inside
/// its voxel centres' box, every axis at least 2 voxels: the fast path of the inner loop.
inline double insideValue(const std::vector<float>& image, const std::array<std::int64_t, 3>& size, const double c[3],
                          double* dIdx) {
  return trilinearInside(image.data(), std::size_t(size[0]), std::size_t(size[1]), std::size_t(size[2]), c, dIdx);
}

inline bool insideBox(const std::array<std::int64_t, 3>& size, const double c[3]) {
  for (int a = 0; a < 3; ++a) {
    if (!(c[a] >= 0.0 && c[a] <= double(size[a] - 1)) || size[a] < 2) return false;
  }
  return true;
}

void evaluatePoint(const LevelMaps& L, const GridMap& g, const std::vector<float>& u, const Vec3& x, PointState& s) {
  const double p[3] = {x[0], x[1], x[2]};
  double idx[3];
  // fixed value (zero padding beyond the voxel centres, as the points may lie half a voxel out)
  L.fm.index(p, idx);
  s.f = 0.0;
  if (insideBox(L.fm.size, idx)) {
    s.f = insideValue(L.fixed.values, L.fm.size, idx, nullptr);
  } else {
    Corners c;
    if (corners(L.fm.size, idx, false, c)) {
      for (int n = 0; n < 8; ++n) {
        if (c.offset[n] >= 0) s.f += c.weight[n] * double(L.fixed.values[std::size_t(c.offset[n])]);
      }
    }
  }
  // field (border padding)
  g.index(p, idx);
  double disp[3] = {0, 0, 0};
  corners(g.size, idx, true, s.field);
  for (int n = 0; n < 8; ++n) {
    if (s.field.offset[n] < 0) continue;
    const float* v = &u[3 * std::size_t(s.field.offset[n])];
    for (int a = 0; a < 3; ++a) disp[a] += s.field.weight[n] * double(v[a]);
  }
  double q[3];
  for (int r = 0; r < 3; ++r) {
    q[r] = L.translation[r] + L.affine[r][0] * (p[0] + disp[0]) + L.affine[r][1] * (p[1] + disp[1]) +
           L.affine[r][2] * (p[2] + disp[2]);
  }
  // the moving value only counts inside its voxel centres' box
  double mIdx[3];
  L.mm.index(q, mIdx);
  s.inside = insideBox(L.mm.size, mIdx);
  if (!s.inside) return;
  double dIdx[3];
  s.m = insideValue(L.moving.values, L.mm.size, mIdx, dIdx);
  // dm/dq = toIndex^T dIdx; dm/du = A^T dm/dq
  double dq[3];
  for (int r = 0; r < 3; ++r) dq[r] = L.mm.toIndex[0][r] * dIdx[0] + L.mm.toIndex[1][r] * dIdx[1] + L.mm.toIndex[2][r] * dIdx[2];
  for (int r = 0; r < 3; ++r) s.dmdu[r] = L.affine[0][r] * dq[0] + L.affine[1][r] * dq[1] + L.affine[2][r] * dq[2];
}

/// The number of ranges forRanges splits `count` points into: one per thread, at least 1024
/// points a range.
std::size_t rangesFor(std::size_t count, const ThreadTeam& team) {
  return std::max<std::size_t>(1, std::min<std::size_t>(team.size(), count / 1024));
}

/// work(t, begin, end) over rangesFor(count) equal ranges of [0, count), range t always the same:
/// the per-range sums add up in one order.
template <typename Work> void forRanges(std::size_t count, ThreadTeam& team, const Work& work) {
  team.forParts(count, rangesFor(count, team), work);
}

/// NCC of the inside points and, when `gradient` is given (3 per field node), adds d(-NCC)/du.
double nccAndGradient(const LevelMaps& L, const GridMap& g, const std::vector<float>& u, const std::vector<Vec3>& points,
                      ThreadTeam& team, std::vector<PointState>& states, std::vector<double>* gradient,
                      std::vector<std::vector<double>>& partial) {
  states.resize(points.size());
  forRanges(points.size(), team, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t n = begin; n < end; ++n) evaluatePoint(L, g, u, points[n], states[n]);
  });
  double count = 0.0, sf = 0.0, sm = 0.0;
  for (const PointState& s : states) {
    if (!s.inside) continue;
    count += 1.0;
    sf += s.f;
    sm += s.m;
  }
  const double n = std::max(1.0, count);
  const double fMean = sf / n, mMean = sm / n;
  double sfm = 0.0, sff = 0.0, smm = 0.0;
  for (const PointState& s : states) {
    if (!s.inside) continue;
    const double fc = s.f - fMean, mc = s.m - mMean;
    sfm += fc * mc;
    sff += fc * fc;
    smm += mc * mc;
  }
  const double d = std::sqrt(sff * smm + 1e-8);
  const double ncc = sfm / d;
  if (!gradient) return ncc;
  // d(-NCC)/dm_i = -(fc_i / d - sfm sff mc_i / d^3) (the means' terms cancel: sum fc = sum mc = 0)
  const double a = 1.0 / d, b = sfm * sff / (d * d * d);
  const std::size_t nodes = u.size();
  const std::size_t ranges = rangesFor(points.size(), team);
  partial.resize(ranges);
  forRanges(points.size(), team, [&](std::size_t t, std::size_t begin, std::size_t end) {
    std::vector<double>& gp = partial[t];
    gp.assign(nodes, 0.0);
    for (std::size_t i = begin; i < end; ++i) {
      const PointState& s = states[i];
      if (!s.inside) continue;
      const double dLdm = -(a * (s.f - fMean) - b * (s.m - mMean));
      if (dLdm == 0.0) continue;
      for (int c = 0; c < 8; ++c) {
        if (s.field.offset[c] < 0 || s.field.weight[c] == 0.0) continue;
        const double w = dLdm * s.field.weight[c];
        double* node = &gp[3 * std::size_t(s.field.offset[c])];
        for (int r = 0; r < 3; ++r) node[r] += w * s.dmdu[r];
      }
    }
  });
  // The ranges' sums, node by node in range order, split over the team.
  forRanges(nodes, team, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t t = 0; t < ranges; ++t) {
      for (std::size_t j = begin; j < end; ++j) (*gradient)[j] += partial[t][j];
    }
  });
  return ncc;
}

/// Adds smoothness * d/du of the diffusion penalty: the mean squared forward difference of each
/// component along each axis (mm per mm), each axis' mean over its own differences. Each node
/// gathers the differences to its two neighbours per axis (no two threads write one node).
void addPenaltyGradient(const GridMap& g, const VolumeGeometry& grid, const std::vector<float>& u, double smoothness,
                        std::vector<double>& gradient, ThreadTeam& team) {
  const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  const std::int64_t step[3] = {1, nx, nx * ny};
  const std::int64_t n[3] = {nx, ny, nz};
  double scale[3] = {0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    if (n[a] < 2) continue;
    const double count = 3.0 * double(nx * ny * nz / n[a]) * double(n[a] - 1);
    const double h = grid.spacing[std::size_t(a)];
    scale[a] = smoothness * 2.0 / (count * h * h);
  }
  team.forParts(std::size_t(nz), std::size_t(team.size()), [&](std::size_t, std::size_t k0, std::size_t k1) {
    for (std::int64_t k = std::int64_t(k0); k < std::int64_t(k1); ++k) {
      for (std::int64_t j = 0; j < ny; ++j) {
        for (std::int64_t i = 0; i < nx; ++i) {
          const std::int64_t idx[3] = {i, j, k};
          const std::int64_t p = i + nx * (j + ny * k);
          for (int a = 0; a < 3; ++a) {
            if (n[a] < 2) continue;
            for (int c = 0; c < 3; ++c) {
              const double up = double(u[3 * std::size_t(p) + std::size_t(c)]);
              double sum = 0.0;
              if (idx[a] > 0) sum += up - double(u[3 * std::size_t(p - step[a]) + std::size_t(c)]);
              if (idx[a] + 1 < n[a]) sum -= double(u[3 * std::size_t(p + step[a]) + std::size_t(c)]) - up;
              gradient[3 * std::size_t(p) + std::size_t(c)] += scale[a] * sum;
            }
          }
        }
      }
    }
  });
}

} // namespace

std::vector<Vec3> structurePoints(const NormalisedImage& structure, unsigned count, unsigned seed) {
  std::mt19937_64 random(seed);
  ThreadTeam alone(1);
  return drawStructurePoints(structureVoxels(structure.geometry, structure.values), GridMap(structure.geometry), count,
                             random, alone);
}

InstanceOptimisationResult optimiseField(const VolumeGeometry& grid, std::vector<float> field,
                                         const NormalisedImage& structure,
                                         const std::vector<InstanceLevelInput>& levels,
                                         const InstanceOptimisationOptions& options) {
  if (field.size() != 3 * grid.voxelCount() || structure.values.size() != structure.geometry.voxelCount()) {
    throw std::invalid_argument("instance optimisation: the field or the structure image does not match its grid");
  }
  const unsigned threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  ThreadTeam team(threads);
  const GridMap g(grid);
  const std::vector<std::int64_t> candidates = structureVoxels(structure.geometry, structure.values);
  const GridMap sg(structure.geometry);
  std::mt19937_64 random(options.seed);
  std::vector<PointState> states;
  std::vector<std::vector<double>> partial;
  std::vector<double> gradient(field.size());

  InstanceOptimisationResult result;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const InstanceLevelInput& level = levels[l];
    if (!level.fixed || !level.moving) throw std::invalid_argument("instance optimisation: a level has no images");
    if (level.fixed->values.size() != level.fixed->geometry.voxelCount() ||
        level.moving->values.size() != level.moving->geometry.voxelCount()) {
      throw std::invalid_argument("instance optimisation: image values do not match the grid");
    }
    LevelMaps L{*level.fixed, *level.moving, GridMap(level.fixed->geometry), GridMap(level.moving->geometry), {}, {}};
    for (int r = 0; r < 3; ++r) {
      L.translation[r] = level.movingMap.translation[r];
      for (int c = 0; c < 3; ++c) L.affine[r][c] = level.movingMap.matrix[r][c];
    }
    const std::vector<Vec3> evalPoints = drawStructurePoints(candidates, sg, std::max(level.samples, 20000u), random, team);
    result.nccBefore.push_back(nccAndGradient(L, g, field, evalPoints, team, states, nullptr, partial));

    // Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8), its state new for each level; the
    // step decays linearly to a fifth over the level.
    constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
    std::vector<double> moment(field.size(), 0.0), second(field.size(), 0.0);
    for (unsigned it = 0; it < level.iterations; ++it) {
      const double lr = options.learningRate * (1.0 - 0.8 * double(it) / double(std::max(1u, level.iterations)));
      std::fill(gradient.begin(), gradient.end(), 0.0);
      const std::vector<Vec3> points = drawStructurePoints(candidates, sg, level.samples, random, team);
      nccAndGradient(L, g, field, points, team, states, &gradient, partial);
      addPenaltyGradient(g, grid, field, options.smoothness, gradient, team);
      const double c1 = 1.0 - std::pow(kBeta1, double(it + 1)), c2 = 1.0 - std::pow(kBeta2, double(it + 1));
      const double rootC2 = std::sqrt(c2);
      team.forParts(field.size(), team.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
          moment[j] = kBeta1 * moment[j] + (1.0 - kBeta1) * gradient[j];
          second[j] = kBeta2 * second[j] + (1.0 - kBeta2) * gradient[j] * gradient[j];
          const double denom = std::sqrt(second[j]) / rootC2 + kEps;
          field[j] = float(double(field[j]) - lr / c1 * moment[j] / denom);
        }
      });
      if (options.onIteration) options.onIteration(l, it + 1);
    }
    result.nccAfter.push_back(nccAndGradient(L, g, field, evalPoints, team, states, nullptr, partial));
  }
  result.field = std::move(field);
  return result;
}

} // namespace lightbox::torchimpl
