// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/PromptableLesionEngine.h"

#include "ai/runtime/ModelRunner.h"
#include "core/segmentation/GeodesicClaim.h"
#include "core/segmentation/VoxelFlood.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr std::size_t kE = PromptableLesionEngine::kEdge;

/// A mask or map on a box of the series grid (x fastest).
struct BoxMap {
  VoxelBox box;
  std::vector<std::uint8_t> v;
  std::size_t nx() const { return box.hi[0] - box.lo[0]; }
  std::size_t ny() const { return box.hi[1] - box.lo[1]; }
  std::size_t nz() const { return box.hi[2] - box.lo[2]; }
  bool contains(const long ijk[3]) const {
    for (int a = 0; a < 3; ++a)
      if (ijk[a] < long(box.lo[a]) || ijk[a] >= long(box.hi[a]))
        return false;
    return true;
  }
  std::size_t index(const long ijk[3]) const {
    return std::size_t(ijk[0] - long(box.lo[0])) +
           nx() * (std::size_t(ijk[1] - long(box.lo[1])) +
                   ny() * std::size_t(ijk[2] - long(box.lo[2])));
  }
  /// The same values on a larger box (0 where this one had none).
  BoxMap on(const VoxelBox& to) const {
    BoxMap out;
    out.box = to;
    out.v.assign(to.voxelCount(), 0);
    if (box.empty())
      return out;
    const std::size_t onx = to.hi[0] - to.lo[0], ony = to.hi[1] - to.lo[1];
    std::size_t m = 0;
    for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
      for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
        for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
          if (i < to.lo[0] || j < to.lo[1] || k < to.lo[2] || i >= to.hi[0] || j >= to.hi[1] ||
              k >= to.hi[2])
            continue;
          out.v[(i - to.lo[0]) + onx * ((j - to.lo[1]) + ony * (k - to.lo[2]))] = v[m];
        }
    return out;
  }
};

VoxelBox unionBox(const VoxelBox& a, const VoxelBox& b) {
  if (a.empty())
    return b;
  if (b.empty())
    return a;
  VoxelBox u;
  for (int k = 0; k < 3; ++k)
    u.lo[k] = std::min(a.lo[k], b.lo[k]), u.hi[k] = std::max(a.hi[k], b.hi[k]);
  return u;
}

/// The series voxels whose centres the cube covers.
VoxelBox seriesBoxOf(const VolumeGeometry& g, const PatchGrid& grid) {
  long lo[3], hi[3];
  for (int a = 0; a < 3; ++a)
    lo[a] = long(g.size[a]), hi[a] = -1;
  const double e = double(grid.edge) - 0.5;
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 ijk = g.lpsToIjk(
        grid.toLps({corner & 1 ? e : -0.5, corner & 2 ? e : -0.5, corner & 4 ? e : -0.5}));
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], long(std::floor(ijk[a])));
      hi[a] = std::max(hi[a], long(std::ceil(ijk[a])) + 1);
    }
  }
  VoxelBox box;
  for (int a = 0; a < 3; ++a) {
    box.lo[a] = std::size_t(std::clamp(lo[a], 0L, long(g.size[a])));
    box.hi[a] = std::size_t(std::clamp(hi[a], 0L, long(g.size[a])));
  }
  return box;
}

/// The probability map on the series voxels of the cube (0-255).
BoxMap toSeries(const VolumeGeometry& g, const PatchGrid& grid, const std::vector<float>& map) {
  BoxMap out;
  out.box = seriesBoxOf(g, grid);
  out.v.assign(out.box.voxelCount(), 0);
  std::size_t m = 0;
  for (std::size_t k = out.box.lo[2]; k < out.box.hi[2]; ++k)
    for (std::size_t j = out.box.lo[1]; j < out.box.hi[1]; ++j)
      for (std::size_t i = out.box.lo[0]; i < out.box.hi[0]; ++i, ++m) {
        const float p =
            patchValue(map, kE, grid.toPatch(g.ijkToLps({double(i), double(j), double(k)})));
        out.v[m] = std::uint8_t(std::lround(std::clamp(p, 0.0f, 1.0f) * 255.0f));
      }
  return out;
}

struct Cube {
  PatchGrid grid;
  std::vector<float> probability, valid;
  std::vector<std::uint8_t> component; ///< the lesion at the anchor click, on the patch
  std::size_t voxels = 0;
  bool touches = false; ///< the component reaches a face of the cube inside the image
  double extentMm = 0;
  Vec3 middleLps{0, 0, 0};
  double spread = 0; ///< the standard deviation of the image's samples in the component
};

} // namespace

struct PromptableLesionEngine::State {
  const void* data = nullptr;
  std::array<std::size_t, 3> size{0, 0, 0};
  Vec3 origin{0, 0, 0}, seed{0, 0, 0};
  std::vector<LesionClick> clicks; ///< correction clicks applied, in order
  BoxPrompt box;
  LesionModality modality = LesionModality::MR;
  PatchGrid grid;
  BoxMap mask, probability;
  std::vector<double> passes;
  bool touches = false, found = false;
  /// The state after 0, 1, ... correction clicks, so that a call repeating a prefix of the clicks
  /// (an undo, a replay) starts from there.
  struct Snapshot {
    PatchGrid grid;
    BoxMap mask, probability;
    std::vector<double> passes;
    bool found = false;
  };
  std::vector<Snapshot> snapshots;
  void keep() { snapshots.push_back({grid, mask, probability, passes, found}); }
  std::size_t at = 0; ///< correction clicks the current state reflects (a prefix of `clicks`)
  void restore(std::size_t k) {
    const Snapshot& s = snapshots[k];
    grid = s.grid, mask = s.mask, probability = s.probability, passes = s.passes, found = s.found;
    at = k; // later snapshots stay until a different click arrives
  }
};

PromptableLesionEngine::PromptableLesionEngine(const ModelRunner& runner,
                                               const ModelManifest& manifest)
    : runner_(runner), manifest_(manifest) {}
PromptableLesionEngine::~PromptableLesionEngine() = default;

std::vector<double> PromptableLesionEngine::lastPasses() const {
  return cache_ ? cache_->passes : std::vector<double>{};
}

namespace {

/// Marks as lesion the samples of `in` (a cube of kE^3) that the outside cannot reach: cavities
/// closed in 3D (not 6-connected to the cube's faces through background), except, on CT, air
/// (a cavitating lesion's gas, a bowel loop's: at or below -600 HU, which the aerated-leak guard
/// counts). Not slice by slice: a tumour that encases a bone or a vessel in a slice does not take
/// it in. Returns the samples it added.
std::vector<std::uint8_t> fillEnclosed(std::vector<std::uint8_t>& in,
                                       const std::vector<float>& samples, bool ct) {
  const std::size_t n = kE;
  std::vector<std::uint8_t> added(in.size(), 0);
  std::vector<std::uint8_t> background(in.size());
  for (std::size_t q = 0; q < in.size(); ++q)
    background[q] = !in[q];
  std::vector<int> outside(in.size(), 0);
  for (std::size_t z = 0; z < n; ++z)
    for (std::size_t y = 0; y < n; ++y)
      for (std::size_t x = 0; x < n; ++x) {
        if (x != 0 && y != 0 && z != 0 && x + 1 != n && y + 1 != n && z + 1 != n)
          continue;
        floodComponent(n, n, n, background, x + n * (y + n * z), outside, 1);
      }
  for (std::size_t q = 0; q < in.size(); ++q)
    if (!in[q] && !outside[q] && !(ct && samples[q] <= -600.0f))
      in[q] = 1, added[q] = 1;
  return added;
}

Cube runCube(const ModelRunner& runner, const Volume& image, LesionModality modality,
             const PatchGrid& grid, const Vec3& seedLps, const std::vector<LesionClick>& clicks) {
  Cube cube;
  cube.grid = grid;
  const std::vector<float> samples = samplePatch(image, grid, 0.0f);
  cube.valid = patchValidity(image.geometry, grid);
  std::vector<PatchClick> patchClicks{{grid.toPatch(seedLps), true}};
  for (const LesionClick& c : clicks)
    patchClicks.push_back({grid.toPatch(c.lps), c.positive});
  const Tensor out =
      runner.run(promptableModelInput(samples, cube.valid, kE, modality, patchClicks));
  if (out.numel() != grid.count())
    throw std::runtime_error(runner.path() + ": expected a 48^3 probability map");
  cube.probability.resize(out.data.size());
  std::vector<std::uint8_t> in(out.data.size());
  for (std::size_t q = 0; q < out.data.size(); ++q) {
    cube.probability[q] = float(1.0 / (1.0 + std::exp(-double(out.data[q]))));
    in[q] = cube.probability[q] >= 0.5f;
  }
  // A tumour's necrotic core is part of it (a GTV includes it), and a click there lands in it.
  const std::vector<std::uint8_t> filled =
      fillEnclosed(in, samples, modality == LesionModality::CT);
  // The component at the anchor click (or at the nearest lesion sample within 2 samples).
  const Vec3 at = patchClicks.front().at;
  long c0[3];
  for (int a = 0; a < 3; ++a)
    c0[a] = std::lround(at[a]);
  long best = -1;
  double bestD = 1e9;
  for (long dz = -2; dz <= 2; ++dz)
    for (long dy = -2; dy <= 2; ++dy)
      for (long dx = -2; dx <= 2; ++dx) {
        const long x = c0[0] + dx, y = c0[1] + dy, z = c0[2] + dz;
        if (x < 0 || y < 0 || z < 0 || x >= long(kE) || y >= long(kE) || z >= long(kE))
          continue;
        const long q = x + long(kE) * (y + long(kE) * z);
        const double d = double(dx * dx + dy * dy + dz * dz);
        if (in[std::size_t(q)] && d < bestD)
          bestD = d, best = q;
      }
  if (best < 0) {
    cube.component.assign(in.size(), 0);
    return cube;
  }
  cube.component = flood6(kE, kE, kE, in, std::size_t(best));
  // The lesion's filled core counts as lesion everywhere after this: in the mask on the series
  // grid, in the probability the uncertainty band is drawn from, and in what a correction changes.
  for (std::size_t q = 0; q < filled.size(); ++q)
    if (filled[q] && cube.component[q])
      cube.probability[q] = 1.0f;
  std::size_t lo[3] = {kE, kE, kE}, hi[3] = {0, 0, 0};
  double sum = 0, sum2 = 0, n = 0; // the image inside the component, for its spread
  for (std::size_t q = 0; q < cube.component.size(); ++q) {
    if (!cube.component[q])
      continue;
    ++cube.voxels;
    if (cube.valid[q] > 0.5f) {
      const double v = samples[q];
      sum += v, sum2 += v * v, n += 1;
    }
    const std::size_t p[3] = {q % kE, (q / kE) % kE, q / (kE * kE)};
    for (int a = 0; a < 3; ++a)
      lo[a] = std::min(lo[a], p[a]), hi[a] = std::max(hi[a], p[a]);
    if ((p[0] == 0 || p[1] == 0 || p[2] == 0 || p[0] + 1 == kE || p[1] + 1 == kE ||
         p[2] + 1 == kE) &&
        cube.valid[q] > 0.5f) {
      cube.touches = true;
    }
  }
  Vec3 mid{0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    mid[a] = 0.5 * double(lo[a] + hi[a]);
    cube.extentMm = std::max(cube.extentMm, double(hi[a] - lo[a] + 1) * grid.spacingMm);
  }
  cube.middleLps = grid.toLps(mid);
  if (n > 1) {
    const double mean = sum / n;
    cube.spread = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
  }
  return cube;
}

/// The component dilated by one sample (so the trilinear edge is not cut) times the probability.
std::vector<float> componentProbability(const Cube& cube) {
  std::vector<float> out(cube.probability.size(), 0.0f);
  const long n = long(kE);
  for (long z = 0; z < n; ++z)
    for (long y = 0; y < n; ++y)
      for (long x = 0; x < n; ++x) {
        bool near = false;
        for (long dz = -1; dz <= 1 && !near; ++dz)
          for (long dy = -1; dy <= 1 && !near; ++dy)
            for (long dx = -1; dx <= 1 && !near; ++dx) {
              const long a = x + dx, b = y + dy, c = z + dz;
              if (a < 0 || b < 0 || c < 0 || a >= n || b >= n || c >= n)
                continue;
              near = cube.component[std::size_t(a + n * (b + n * c))] != 0;
            }
        const std::size_t q = std::size_t(x + n * (y + n * z));
        if (near)
          out[q] = cube.probability[q];
      }
  return out;
}

/// The voxel of `inside` (a predicate on box voxels) nearest `ijk` within one slice and two voxels
/// in-plane (where a click looks for the lesion); -1 when there is none.
template <typename Inside>
long nearestVoxel(const BoxMap& box, const long ijk[3], const Inside& inside) {
  long best = -1;
  double bestD = 1e9;
  for (long dk = -1; dk <= 1; ++dk)
    for (long dj = -2; dj <= 2; ++dj)
      for (long di = -2; di <= 2; ++di) {
        const long p[3] = {ijk[0] + di, ijk[1] + dj, ijk[2] + dk};
        if (!box.contains(p))
          continue;
        const std::size_t q = box.index(p);
        const double d = double(di * di + dj * dj + 4 * dk * dk);
        if (inside(q) && d < bestD)
          bestD = d, best = long(q);
      }
  return best;
}

/// The 6-connected part of `allowed` (a box map) that holds the voxel nearest `ijk` among those
/// within one voxel (in-plane two); empty when none is allowed there.
std::vector<std::uint8_t> componentAt(const BoxMap& allowed, const long ijk[3]) {
  const long best = nearestVoxel(allowed, ijk, [&](std::size_t q) { return allowed.v[q] != 0; });
  if (best < 0)
    return std::vector<std::uint8_t>(allowed.v.size(), 0);
  return flood6(allowed.nx(), allowed.ny(), allowed.nz(), allowed.v, std::size_t(best));
}

/// The distance (mm) from voxel `c` of the box to the nearest box voxel where `outside` holds
/// (and, with `facesCount`, to the box's faces), searched in growing shells; +inf when none.
template <typename Outside>
double distanceToNearest(const BoxMap& box, const std::array<double, 3>& spacing, const long c[3],
                         bool facesCount, const Outside& outside) {
  double best = std::numeric_limits<double>::infinity();
  if (facesCount)
    for (int a = 0; a < 3; ++a) {
      best = std::min(best, (double(c[a]) - double(box.box.lo[a]) + 1) * spacing[a]);
      best = std::min(best, (double(box.box.hi[a]) - double(c[a])) * spacing[a]);
    }
  const double step = std::min({spacing[0], spacing[1], spacing[2]});
  const long reachAll = long(std::max({box.nx(), box.ny(), box.nz()}));
  for (long r = 1; r <= reachAll && double(r) * step < best; ++r) {
    // The voxels of the shell at Chebyshev radius r (in voxels).
    for (long dk = -r; dk <= r; ++dk)
      for (long dj = -r; dj <= r; ++dj) {
        const bool face = std::abs(dk) == r || std::abs(dj) == r;
        for (long di = -r; di <= r; di += face ? 1 : 2 * r) {
          const long p[3] = {c[0] + di, c[1] + dj, c[2] + dk};
          if (!box.contains(p) || !outside(box.index(p)))
            continue;
          const double d[3] = {double(di) * spacing[0], double(dj) * spacing[1],
                               double(dk) * spacing[2]};
          best = std::min(best, std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]));
        }
      }
  }
  return best;
}

/// The region a correction click at `at` claims, on the box of `old` (the mask before it):
/// - remove: the mask voxels whose geodesic distance to the click (through the mask, edges in the
///   image costing more) is shorter than to the seed and every positive click, out to
///   kRemoveReach times the click's depth in the mask (its distance to the nearest voxel outside
///   the mask, or to the box's faces, which the mask may run to);
/// - add: the voxels outside the mask nearer to the click than to any remove click, out to
///   kAddReach times the click's distance to the mask.
/// The seed and the clicks are taken at the nearest voxel of the region they belong to (the
/// lesion is looked for around a click the same way). Only voxels within twice the reach of the
/// click are looked at: a front that gets to a claimable voxel first has come no farther than the
/// reach. The edge cost's unit: CT 40 HU; MR a tenth of the 5-95 % spread of the mask's values
/// there (at least a fiftieth of all the values' spread there); PET 15 % of their median SUV (at
/// least 0.3).
std::vector<std::uint8_t> claimedByClick(const Volume& image, LesionModality modality,
                                         const std::vector<LesionClick>& clicks, const BoxMap& old,
                                         const long seedVoxel[3], const long at[3], bool positive) {
  using E = PromptableLesionEngine;
  const VolumeGeometry& g = image.geometry;
  std::vector<std::uint8_t> out(old.v.size(), 0);
  auto inDomain = [&](std::size_t q) { return positive ? !old.v[q] : old.v[q] != 0; };
  const long best = nearestVoxel(old, at, inDomain);
  if (best < 0)
    return out;
  const long c[3] = {long(std::size_t(best) % old.nx()) + long(old.box.lo[0]),
                     long((std::size_t(best) / old.nx()) % old.ny()) + long(old.box.lo[1]),
                     long(std::size_t(best) / (old.nx() * old.ny())) + long(old.box.lo[2])};
  const std::array<double, 3> spacing{g.spacing[0], g.spacing[1], g.spacing[2]};
  const double depth = distanceToNearest(old, spacing, c, !positive, [&](std::size_t q) {
    return positive ? old.v[q] != 0 : !old.v[q];
  });
  if (!std::isfinite(depth))
    return out;
  const double reach = (positive ? E::kAddReach : E::kRemoveReach) * depth;
  // The crop: the box's voxels within twice the reach of the click along each axis.
  BoxMap crop;
  for (int a = 0; a < 3; ++a) {
    const long r = long(std::ceil(2 * reach / spacing[a]));
    crop.box.lo[a] = std::size_t(std::max(long(old.box.lo[a]), c[a] - r));
    crop.box.hi[a] = std::size_t(std::min(long(old.box.hi[a]), c[a] + r + 1));
  }
  crop.v.resize(crop.box.voxelCount());
  std::vector<float> values(crop.v.size());
  std::vector<float> lesion, all;
  std::visit(
      [&](const auto& voxels) {
        std::size_t m = 0;
        for (std::size_t k = crop.box.lo[2]; k < crop.box.hi[2]; ++k)
          for (std::size_t j = crop.box.lo[1]; j < crop.box.hi[1]; ++j)
            for (std::size_t i = crop.box.lo[0]; i < crop.box.hi[0]; ++i, ++m) {
              const long p[3] = {long(i), long(j), long(k)};
              const std::size_t q = old.index(p);
              values[m] = float(voxels[i + g.size[0] * (j + g.size[1] * k)]);
              crop.v[m] = inDomain(q);
              if (old.v[q])
                lesion.push_back(values[m]);
            }
      },
      image.voxels);
  double scale = 40.0;
  if (modality != LesionModality::CT) {
    if (lesion.empty())
      return out;
    auto quantile = [](std::vector<float>& v, double f) {
      const std::size_t n = std::min(v.size() - 1, std::size_t(f * double(v.size())));
      std::nth_element(v.begin(), v.begin() + long(n), v.end());
      return double(v[n]);
    };
    if (modality == LesionModality::PT) {
      scale = std::max(0.15 * quantile(lesion, 0.5), 0.3);
    } else {
      const double spread = quantile(lesion, 0.95) - quantile(lesion, 0.05);
      all = values;
      const double wide = quantile(all, 0.95) - quantile(all, 0.05);
      scale = std::max({0.1 * spread, 0.02 * wide, 1e-6});
    }
  }
  // The fronts' sources on the crop: the click; against it the seed and the positive clicks
  // (remove) or the remove clicks (add), each at the nearest voxel of the domain.
  std::vector<std::size_t> keep;
  auto keepAt = [&](const long v[3]) {
    const long q = nearestVoxel(crop, v, [&](std::size_t r) { return crop.v[r] != 0; });
    if (q >= 0)
      keep.push_back(std::size_t(q));
  };
  if (!positive)
    keepAt(seedVoxel);
  for (const LesionClick& k : clicks) {
    if (k.positive == positive)
      continue;
    const Vec3 ijk = g.lpsToIjk(k.lps);
    const long v[3] = {std::lround(ijk[0]), std::lround(ijk[1]), std::lround(ijk[2])};
    keepAt(v);
  }
  GeodesicGrid grid;
  grid.size = {crop.nx(), crop.ny(), crop.nz()};
  grid.spacingMm = spacing;
  BoxMap claimed;
  claimed.box = crop.box;
  claimed.v = geodesicClaim(grid, crop.v, values, scale, E::kClaimContrastWeight, keep,
                            {crop.index(c)}, reach, E::kClaimMaxVoxels);
  return claimed.on(old.box).v;
}

} // namespace

LesionMask PromptableLesionEngine::segment(const Volume& image, const Vec3& seedLps,
                                           const std::vector<LesionClick>& clicks,
                                           const BoxPrompt& box) const {
  const auto t0 = std::chrono::steady_clock::now();
  const VolumeGeometry& g = image.geometry;
  auto voxelOf = [&](const Vec3& lps, long out[3]) {
    const Vec3 ijk = g.lpsToIjk(lps);
    for (int a = 0; a < 3; ++a) {
      out[a] = std::lround(ijk[a]);
      if (out[a] < 0 || out[a] >= long(g.size[a]))
        throw std::invalid_argument("the click lies outside the series");
    }
  };
  long seedVoxel[3];
  voxelOf(seedLps, seedVoxel);
  const void* data =
      std::visit([](const auto& v) { return static_cast<const void*>(v.data()); }, image.voxels);
  // Reuse the cached sequence from the longest prefix of clicks it shares with this call.
  const bool reuse = cache_ && cache_->data == data && cache_->size == g.size &&
                     cache_->origin == g.origin && cache_->seed == seedLps && cache_->box == box;
  if (reuse) {
    std::size_t common = 0;
    while (common < cache_->clicks.size() && common < clicks.size() &&
           cache_->clicks[common].lps == clicks[common].lps &&
           cache_->clicks[common].positive == clicks[common].positive) {
      ++common;
    }
    cache_->restore(common);
  }
  if (!reuse) {
    auto st = std::make_unique<State>();
    st->data = data;
    st->size = g.size;
    st->origin = g.origin;
    st->seed = seedLps;
    st->box = box;
    st->modality = lesionModalityOf(image);
    double spacing = box.given() ? std::clamp(box.largestSideMm / (kBoxFill * double(kE)),
                                              kMinSpacingMm, kMaxSpacingMm)
                                 : kFirstSpacingMm;
    // A coarse image (a PET's 4-5.5 mm voxels) is not sampled much finer than it is: at 2 mm its
    // voxels are smooth blobs and the first cube holds too little of a large lesion.
    if (!box.given())
      spacing =
          std::min(kMaxSpacingMm,
                   std::max(spacing, kCoarseImageFactor * std::max(g.spacing[0], g.spacing[1])));
    Vec3 centre = box.given() ? box.centreLps : seedLps;
    Cube cube;
    // The first window's mask when the wider look replaced it: it comes back if the wide one then
    // grows into a leak at the largest field (a partial outline is better than a refusal).
    std::optional<Cube> beforeWider;
    for (int pass = 0; pass < 7; ++pass) {
      cube =
          runCube(runner_, image, st->modality, patchAround(g, centre, spacing, kE), seedLps, {});
      st->passes.push_back(spacing);
      if (cube.voxels == 0)
        break;
      // A lesion that fills a third of the first window without reaching its faces may still be a
      // part of a larger one (a 15 cm mass seen through 96 mm: the model outlines a central blob).
      // A window twice as wide looks again. On CT and PET its mask is kept when it holds more and
      // is about as uniform as the first one (the same tissue, more of it; a leak takes in fat,
      // bone or bowel); on MR, whose tumours are rarely uniform, when it holds more than
      // kWiderLookRatio times the volume.
      if (pass == 0 && !box.given() && !cube.touches &&
          cube.extentMm >= kWiderLookMinFill * double(kE) * spacing &&
          spacing * 2 <= kMaxSpacingMm) {
        const double wideSpacing = spacing * 2;
        Cube wide = runCube(runner_, image, st->modality, patchAround(g, seedLps, wideSpacing, kE),
                            seedLps, {});
        st->passes.push_back(wideSpacing);
        const bool keepWide =
            st->modality == LesionModality::MR
                ? double(wide.voxels) * 8.0 >
                      kWiderLookRatio * double(cube.voxels) // 8: voxel volume ratio
                : double(wide.voxels) * 8.0 > kWiderLookUniformRatio * double(cube.voxels) &&
                      wide.spread <= kWiderLookSpreadRatio * cube.spread;
        if (keepWide) {
          beforeWider = std::move(cube);
          cube = std::move(wide);
          spacing = wideSpacing;
          centre = seedLps;
        }
      }
      // With a box the cube stays on it: the box bounds the mask, a wider cube would only see the
      // lesion smaller (the model outlines it best when it fills most of the cube).
      if (cube.touches && spacing < kMaxSpacingMm && !box.given()) {
        spacing = std::min(kMaxSpacingMm, spacing * 2);
        centre = cube.middleLps;
        continue;
      }
      const bool once = std::count(st->passes.begin(), st->passes.end(), spacing) == 1;
      if (!box.given() && !cube.touches && cube.extentMm < 0.3 * double(kE) * spacing &&
          spacing > kMinSpacingMm && once) {
        const double finer = std::max(kMinSpacingMm, cube.extentMm / (0.55 * double(kE)));
        if (finer < 0.8 * spacing) {
          spacing = finer;
          centre = cube.middleLps;
          continue;
        }
      }
      break;
    }
    if (beforeWider && cube.touches && cube.grid.spacingMm >= kMaxSpacingMm - 1e-9)
      cube = std::move(*beforeWider);
    st->grid = cube.grid;
    st->touches = cube.touches;
    st->found = cube.voxels > 0;
    st->probability = toSeries(g, cube.grid, cube.probability);
    BoxMap lesion = toSeries(g, cube.grid, componentProbability(cube));
    for (std::uint8_t& v : lesion.v)
      v = v >= 128;
    st->mask = lesion;
    if (st->found)
      st->mask.v = componentAt(lesion, seedVoxel);
    st->keep();
    cache_ = std::move(st);
  }
  State& st = *cache_;
  // Correction clicks not applied yet.
  for (std::size_t k = st.at; k < clicks.size(); ++k) {
    if (k < st.clicks.size()) {
      if (st.clicks[k].lps == clicks[k].lps && st.clicks[k].positive == clicks[k].positive) {
        st.restore(k + 1); // the same click as before: its snapshot
        continue;
      }
      st.clicks.resize(k); // a different click: the old continuation goes
      st.snapshots.resize(k + 1);
    }
    const LesionClick& c = clicks[k];
    long at[3];
    voxelOf(c.lps, at);
    st.clicks.push_back(c);
    // A click outside the cube's inner 80 % makes the cube larger so that it takes the click in.
    const Vec3 p = st.grid.toPatch(c.lps);
    double reach = 0;
    for (int a = 0; a < 3; ++a)
      reach = std::max(reach, std::abs(p[a] - (double(kE) / 2 - 0.5)) * st.grid.spacingMm);
    if (reach > 0.4 * double(kE) * st.grid.spacingMm) {
      const double spacing = std::min(kMaxSpacingMm, reach / (0.4 * double(kE)));
      st.grid = patchAround(g, st.grid.centreLps, spacing, kE);
      st.passes.push_back(spacing);
    }
    const Cube cube = runCube(runner_, image, st.modality, st.grid, seedLps, st.clicks);
    BoxMap fresh = toSeries(g, st.grid, cube.probability);
    const VoxelBox box = unionBox(st.mask.box, fresh.box);
    BoxMap old = st.mask.on(box), prob = st.probability.on(box), now = fresh.on(box);
    const BoxMap freshProb = now;
    for (std::uint8_t& v : now.v)
      v = v >= 128;
    BoxMap change;
    change.box = box;
    change.v.resize(old.v.size());
    for (std::size_t q = 0; q < old.v.size(); ++q) {
      change.v[q] = c.positive ? (now.v[q] && !old.v[q]) : (old.v[q] && !now.v[q]);
    }
    std::vector<std::uint8_t> part = componentAt(change, at);
    {
      // Besides what the model changes there, the region the click claims.
      const std::vector<std::uint8_t> claimed =
          claimedByClick(image, st.modality, st.clicks, old, seedVoxel, at, c.positive);
      for (std::size_t q = 0; q < part.size(); ++q)
        part[q] |= claimed[q];
    }
    const bool any = std::any_of(part.begin(), part.end(), [](std::uint8_t v) { return v != 0; });
    if (!any) {
      // The model does not follow the click: the click's own 3x3x3 voxels change.
      for (long dk = -1; dk <= 1; ++dk)
        for (long dj = -1; dj <= 1; ++dj)
          for (long di = -1; di <= 1; ++di) {
            const long q3[3] = {at[0] + di, at[1] + dj, at[2] + dk};
            if (old.contains(q3))
              part[old.index(q3)] = 1;
          }
    }
    for (std::size_t q = 0; q < old.v.size(); ++q) {
      if (!part[q])
        continue;
      old.v[q] = c.positive ? 1 : 0;
    }
    // The probability shown for the band: the latest run where it saw the voxel.
    const VoxelBox freshBox = fresh.box;
    std::size_t m = 0;
    for (std::size_t kk = box.lo[2]; kk < box.hi[2]; ++kk)
      for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
        for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
          if (i >= freshBox.lo[0] && j >= freshBox.lo[1] && kk >= freshBox.lo[2] &&
              i < freshBox.hi[0] && j < freshBox.hi[1] && kk < freshBox.hi[2]) {
            prob.v[m] = freshProb.v[m];
          }
        }
    st.mask = std::move(old);
    st.probability = std::move(prob);
    st.found = true;
    st.keep();
    st.at = k + 1;
  }
  LesionMask out;
  out.engine = manifest_.name;
  out.engineVersion = manifest_.version;
  out.weightsSha256 = manifest_.weightsSha256;
  out.box = st.mask.box;
  out.mask = st.mask.v;
  out.probability = st.probability.on(st.mask.box).v;
  const double fieldMm = double(kE) * st.grid.spacingMm;
  // Grown past the largest field (the cube doubled to 8 mm voxels and the mask still meets its
  // faces inside the image): far beyond a 20 cm mass, a leak into the surroundings, not a lesion.
  // Refused, as the classical engine's leaks are, and so are correction clicks that leave it
  // spanning the field (a click on the flood does not make it a lesion); with a box the reader
  // sized the field, and the outline is theirs to judge (the warning below).
  double spanMm = 0;
  {
    std::size_t lo[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, hi[3] = {0, 0, 0}, q = 0;
    const VoxelBox& b = out.box;
    for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
      for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
        for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q) {
          if (!out.mask[q]) continue;
          const std::size_t at[3] = {i, j, k};
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], at[a]);
            hi[a] = std::max(hi[a], at[a] + 1);
          }
        }
    for (int a = 0; a < 3; ++a) {
      if (hi[a] > lo[a]) spanMm = std::max(spanMm, double(hi[a] - lo[a]) * g.spacing[a]);
    }
  }
  const bool largest = st.grid.spacingMm >= kMaxSpacingMm - 1e-9;
  if (st.touches && largest && !st.box.given() && (clicks.empty() || spanMm >= 0.9 * fieldMm)) {
    out.warning = "the model's mask reaches the edge of its largest field of view (" +
                  std::to_string(int(std::lround(fieldMm))) +
                  " mm): a leak, refused, nothing of it is kept; draw a box around the lesion";
    out.leakRefused = true;
    std::fill(out.mask.begin(), out.mask.end(), std::uint8_t(0));
  } else if (st.touches && !st.box.given()) {
    out.warning = "the lesion reaches the edge of the model's largest field of view (" +
                  std::to_string(int(std::lround(fieldMm))) + " mm): check its outline";
  }
  // With a box the cube's faces lie just outside the box's, and the caller, which clips the mask
  // to the box, says which of the box's faces it meets (touches_limit, the viewer's message).
  if (!out.leakRefused && std::none_of(out.mask.begin(), out.mask.end(), [](std::uint8_t v) { return v != 0; })) {
    out.warning = "the model found no lesion at the click";
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

} // namespace lightbox
