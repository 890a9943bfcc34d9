// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/LesionModelEngine.h"

#include "ai/runtime/ModelRunner.h"
#include "ai/segmentation/LesionPatch.h"
#include "ai/segmentation/PromptableLesionEngine.h"
#include "core/segmentation/VoxelFlood.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <queue>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr std::size_t kEdge = 32;
constexpr double kFirstSpacingMm = 1.5, kMinSpacingMm = 0.5, kMaxSpacingMm = 2.5;

struct Pass {
  PatchGrid grid;
  std::vector<float> probability; ///< on the patch, x fastest
  std::size_t voxels = 0;         ///< of the component at the click
  bool touchesEdge = false;
};

Pass runPass(const ModelRunner& runner, const Volume& image, const Vec3& seed, double spacing,
             const std::vector<LesionClick>& refinements) {
  Pass p;
  const bool isCt = image.units == "HU";
  p.grid = patchAround(image.geometry, seed, spacing, kEdge);
  const std::vector<float> samples = samplePatch(image, p.grid, isCt ? -1024.0f : 0.0f);
  const double h = double(kEdge) / 2 - 0.5;
  std::vector<PatchClick> clicks{{Vec3{h, h, h}, true}};
  for (const LesionClick& c : refinements) {
    const Vec3 at = p.grid.toPatch(c.lps);
    if (std::min({at[0], at[1], at[2]}) < -0.5 || std::max({at[0], at[1], at[2]}) > double(kEdge) - 0.5) continue;
    clicks.push_back({at, c.positive});
  }
  const Tensor out = runner.run(lesionModelInput(samples, kEdge, patchIntensity(samples, kEdge, isCt), clicks));
  if (out.numel() != p.grid.count()) {
    throw std::runtime_error(runner.path() + ": expected a " + std::to_string(kEdge) + "^3 probability map");
  }
  p.probability.resize(out.data.size());
  std::vector<std::uint8_t> in(out.data.size());
  for (std::size_t q = 0; q < out.data.size(); ++q) {
    p.probability[q] = float(1.0 / (1.0 + std::exp(-double(out.data[q]))));
    in[q] = p.probability[q] >= 0.5f;
  }
  // The click lies between the eight central samples: start from the most probable of them.
  std::size_t seedIndex = 0;
  float best = -1;
  for (std::size_t c = kEdge / 2 - 1; c <= kEdge / 2; ++c)
    for (std::size_t b = kEdge / 2 - 1; b <= kEdge / 2; ++b)
      for (std::size_t a = kEdge / 2 - 1; a <= kEdge / 2; ++a) {
        const std::size_t q = a + kEdge * (b + kEdge * c);
        if (p.probability[q] > best) best = p.probability[q], seedIndex = q;
      }
  const std::vector<std::uint8_t> component = flood6(kEdge, kEdge, kEdge, in, seedIndex);
  for (std::size_t q = 0; q < component.size(); ++q) {
    if (!component[q]) continue;
    ++p.voxels;
    const std::size_t a = q % kEdge, b = (q / kEdge) % kEdge, c = q / (kEdge * kEdge);
    if (a == 0 || b == 0 || c == 0 || a + 1 == kEdge || b + 1 == kEdge || c + 1 == kEdge) p.touchesEdge = true;
  }
  return p;
}


} // namespace

void LesionModelEngine::refineEdge(const Volume& image, const VoxelBox& box, const std::vector<std::uint8_t>& probability,
                                   std::vector<std::uint8_t>& in) const {
  // The lesion's own value (median where the model is sure) and its surroundings' (median where it
  // rules the lesion out); the edge lies halfway, as for the classical engine.
  std::vector<double> core, around;
  std::size_t m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        if (probability[m] >= 230) core.push_back(image.value(i, j, k));
        else if (probability[m] < 13) around.push_back(image.value(i, j, k));
      }
  if (core.size() < 8 || around.size() < 8) return;
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double lesion = median(core), surroundings = median(around);
  const double edge = 0.5 * (lesion + surroundings);
  const bool brighter = lesion > surroundings;
  const std::uint8_t floor = std::uint8_t(std::lround(std::clamp(edgeMinProbability_, 0.0, 0.5) * 255.0));
  m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        if (in[m] || probability[m] < floor) continue;
        const double v = image.value(i, j, k);
        in[m] = brighter ? v >= edge : v <= edge;
      }
}

bool LesionModelEngine::extendGroundGlass(const Volume& image, LesionMask& lesion) {
  if (image.units != "HU" || lesion.box.empty())
    return false;
  const VolumeGeometry& g = image.geometry;
  const VoxelBox& box = lesion.box;
  // The solid part: its values, volume and centre.
  std::vector<double> values;
  Vec3 centre{0, 0, 0};
  std::size_t m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        if (!lesion.mask[m])
          continue;
        values.push_back(image.value(i, j, k));
        centre = centre + Vec3{double(i), double(j), double(k)};
      }
  const std::size_t solid = std::size_t(
      std::count_if(values.begin(), values.end(), [](double v) { return v > kSolidHu; }));
  if (solid < 8)
    return false; // no solid part (a ground-glass nodule's mask is its ground glass)
  // A solid nodule's mask is solid but for its partial-volume edge; a part-solid nodule's already
  // holds some of its ground glass (the model's edge cut it short). Only the latter is extended:
  // the real LIDC nodule's mask is 84 % solid, and its fuzzy margin is not the readers' nodule.
  if (double(solid) > kMaxSolidShare * double(values.size()))
    return false;
  centre = centre * (1.0 / double(values.size()));
  const double voxelMm3 = g.spacing[0] * g.spacing[1] * g.spacing[2];
  const double solidRadius =
      std::cbrt(3.0 * double(values.size()) * voxelMm3 / (4.0 * 3.14159265358979));
  const double reach = std::clamp(kGroundGlassReach * solidRadius + 2.0, 10.0, 30.0);
  // The work box: the mask's box and the reach around the centre, inside the image.
  VoxelBox work;
  for (int a = 0; a < 3; ++a) {
    const double r = reach / g.spacing[a] + 1.0;
    work.lo[a] = std::min(box.lo[a], std::size_t(std::max(0.0, std::floor(centre[a] - r))));
    work.hi[a] = std::max(
        box.hi[a], std::min(g.size[a], std::size_t(std::max(0.0, std::ceil(centre[a] + r + 1)))));
  }
  const std::size_t nx = work.hi[0] - work.lo[0], ny = work.hi[1] - work.lo[1],
                    nz = work.hi[2] - work.lo[2];
  std::vector<std::uint8_t> mask(nx * ny * nz, 0), candidate(nx * ny * nz, 0);
  std::vector<std::uint8_t> probability(lesion.probability.empty() ? 0 : nx * ny * nz, 0);
  auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return i + nx * (j + ny * k); };
  m = 0;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i, ++m) {
        const std::size_t q = at(i - work.lo[0], j - work.lo[1], k - work.lo[2]);
        mask[q] = lesion.mask[m];
        if (!probability.empty())
          probability[q] = lesion.probability[m];
      }
  std::vector<double> distance(nx * ny * nz, 0);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t q = at(i, j, k);
        const double dx = (double(i + work.lo[0]) - centre[0]) * g.spacing[0],
                     dy = (double(j + work.lo[1]) - centre[1]) * g.spacing[1],
                     dz = (double(k + work.lo[2]) - centre[2]) * g.spacing[2];
        distance[q] = std::sqrt(dx * dx + dy * dy + dz * dz);
        const double v = image.value(i + work.lo[0], j + work.lo[1], k + work.lo[2]);
        candidate[q] = !mask[q] && distance[q] <= reach && v >= kGroundGlassLowHu && v <= kSolidHu;
      }
  // Opening in the slice plane (one voxel, 4-neighbours): the partial-volume rim of a vessel, the
  // wall or the solid part itself is a voxel thick; ground glass is thicker. In-plane because
  // slices are often thicker than the pixels.
  std::vector<std::uint8_t> eroded(candidate.size(), 0), opened(candidate.size(), 0);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 1; j + 1 < ny; ++j)
      for (std::size_t i = 1; i + 1 < nx; ++i) {
        const std::size_t q = at(i, j, k);
        eroded[q] = candidate[q] && candidate[q - 1] && candidate[q + 1] && candidate[q - nx] &&
                    candidate[q + nx];
      }
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 1; j + 1 < ny; ++j)
      for (std::size_t i = 1; i + 1 < nx; ++i) {
        const std::size_t q = at(i, j, k);
        opened[q] = candidate[q] && (eroded[q] || eroded[q - 1] || eroded[q + 1] ||
                                     eroded[q - nx] || eroded[q + nx]);
      }
  // How far each of its voxels lies from the mask through it (mm, 6-neighbour steps): a nodule's
  // ground glass is a halo that closes, so the number of voxels per millimetre of that distance
  // rises and then falls; a leak (into the partial volume along the pleura, or diffuse density)
  // goes on. The extension ends where the count falls below a third of its peak; one that never
  // falls is not taken.
  std::vector<double> along(opened.size(), std::numeric_limits<double>::infinity());
  using Step = std::pair<double, std::size_t>;
  std::priority_queue<Step, std::vector<Step>, std::greater<Step>> queue;
  for (std::size_t q = 0; q < mask.size(); ++q)
    if (mask[q])
      along[q] = 0, queue.push({0.0, q});
  while (!queue.empty()) {
    const auto [d, q] = queue.top();
    queue.pop();
    if (d > along[q])
      continue;
    const std::size_t i = q % nx, j = (q / nx) % ny, k = q / (nx * ny);
    auto visit = [&](bool inside, std::size_t n, double step) {
      if (inside && opened[n] && d + step < along[n])
        along[n] = d + step, queue.push({d + step, n});
    };
    visit(i > 0, q - 1, g.spacing[0]);
    visit(i + 1 < nx, q + 1, g.spacing[0]);
    visit(j > 0, q - nx, g.spacing[1]);
    visit(j + 1 < ny, q + nx, g.spacing[1]);
    visit(k > 0, q - nx * ny, g.spacing[2]);
    visit(k + 1 < nz, q + nx * ny, g.spacing[2]);
  }
  // Counted in steps of the coarsest spacing (a slice 3 mm away is one step, not three).
  const double bin = std::max({1.0, g.spacing[0], g.spacing[1], g.spacing[2]});
  std::vector<std::size_t> perMm(std::size_t(std::ceil(2 * reach / bin)) + 1, 0);
  std::size_t reached = 0;
  for (std::size_t q = 0; q < along.size(); ++q)
    if (!mask[q] && std::isfinite(along[q]))
      ++perMm[std::min(perMm.size() - 1, std::size_t(along[q] / bin))], ++reached;
  if (reached == 0 || reached < solid / 10)
    return false;
  std::size_t peak = 0, cut = perMm.size();
  for (std::size_t b = 0; b < perMm.size(); ++b) {
    peak = std::max(peak, perMm[b]);
    if (b > 0 && 3 * perMm[b] < peak) {
      cut = b;
      break;
    }
  }
  if (cut == perMm.size())
    return false; // never closes: not the nodule's ground glass
  std::vector<std::uint8_t> component(along.size(), 0);
  std::size_t added = 0, atLimit = 0;
  for (std::size_t q = 0; q < along.size(); ++q)
    if (!mask[q] && along[q] < double(cut) * bin) {
      component[q] = 1;
      ++added;
      atLimit += distance[q] > reach - bin;
    }
  if (added < solid / 10)
    return false;
  // Cut by the reach rather than closed (a quarter of it there): diffuse density, not a halo.
  if (4 * atLimit > added)
    return false;
  for (std::size_t q = 0; q < component.size(); ++q)
    if (component[q]) {
      mask[q] = 1;
      if (!probability.empty())
        probability[q] = std::max<std::uint8_t>(probability[q], 128);
    }
  lesion.box = work;
  lesion.mask = std::move(mask);
  if (!lesion.probability.empty())
    lesion.probability = std::move(probability);
  return true;
}

namespace {

std::size_t voxelCount(const LesionMask& m) {
  return std::size_t(
      std::count_if(m.mask.begin(), m.mask.end(), [](std::uint8_t v) { return v != 0; }));
}

bool anyVoxel(const LesionMask& m) {
  return std::any_of(m.mask.begin(), m.mask.end(), [](std::uint8_t v) { return v != 0; });
}

/// Voxels of `a` that are in `b` too (each on its own box of the same grid).
std::size_t voxelsInside(const LesionMask& a, const LesionMask& b) {
  const std::size_t anx = a.box.hi[0] - a.box.lo[0], any = a.box.hi[1] - a.box.lo[1];
  const std::size_t bnx = b.box.hi[0] - b.box.lo[0], bny = b.box.hi[1] - b.box.lo[1];
  std::size_t count = 0;
  for (std::size_t k = a.box.lo[2]; k < a.box.hi[2]; ++k)
    for (std::size_t j = a.box.lo[1]; j < a.box.hi[1]; ++j)
      for (std::size_t i = a.box.lo[0]; i < a.box.hi[0]; ++i) {
        if (!a.mask[(i - a.box.lo[0]) + anx * ((j - a.box.lo[1]) + any * (k - a.box.lo[2]))])
          continue;
        if (i < b.box.lo[0] || j < b.box.lo[1] || k < b.box.lo[2] || i >= b.box.hi[0] ||
            j >= b.box.hi[1] || k >= b.box.hi[2])
          continue;
        count +=
            b.mask[(i - b.box.lo[0]) + bnx * ((j - b.box.lo[1]) + bny * (k - b.box.lo[2]))] != 0;
      }
  return count;
}

} // namespace

double LesionModelEngine::lungBorderShare(const Volume& image, const LesionMask& lesion) {
  const VolumeGeometry& g = image.geometry;
  const VoxelBox& b = lesion.box;
  const std::size_t nx = b.hi[0] - b.lo[0], ny = b.hi[1] - b.lo[1];
  auto inMask = [&](long i, long j, long k) {
    if (i < long(b.lo[0]) || j < long(b.lo[1]) || k < long(b.lo[2]) || i >= long(b.hi[0]) ||
        j >= long(b.hi[1]) || k >= long(b.hi[2]))
      return false;
    return lesion.mask[std::size_t(i) - b.lo[0] +
                       nx * (std::size_t(j) - b.lo[1] + ny * (std::size_t(k) - b.lo[2]))] != 0;
  };
  std::size_t faces = 0, lung = 0, m = 0;
  const long steps[6][3] = {{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}};
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++m) {
        if (!lesion.mask[m])
          continue;
        for (const auto& s : steps) {
          const long a = long(i) + s[0], c = long(j) + s[1], d = long(k) + s[2];
          if (a < 0 || c < 0 || d < 0 || a >= long(g.size[0]) || c >= long(g.size[1]) ||
              d >= long(g.size[2]))
            continue;
          if (inMask(a, c, d))
            continue;
          ++faces;
          lung += image.value(std::size_t(a), std::size_t(c), std::size_t(d)) <= kSolidHu;
        }
      }
  return faces ? double(lung) / double(faces) : 1.0;
}

LesionModelEngine::LesionModelEngine(const ModelEntry& entry, int threads)
    : manifest_(entry.manifest), runner_(loadVerifiedModel(entry, threads)) {
  if (manifest_.intensityMethod == kPromptableIntensity) {
    const std::size_t e = PromptableLesionEngine::kEdge;
    if (manifest_.inputChannels != 10 || manifest_.patchXyz != std::array<std::size_t, 3>{e, e, e} ||
        manifest_.outputType != "probability-map") {
      throw std::runtime_error(manifest_.manifestPath + ": not a promptable lesion model this version can run (needs " +
                               kPromptableIntensity + ", 10 channels, a 48^3 patch and a probability map)");
    }
    promptable_ = std::make_unique<PromptableLesionEngine>(*runner_, manifest_);
    return;
  }
  if (manifest_.intensityMethod != kClickRelativeIntensity || manifest_.inputChannels != 6 ||
      manifest_.patchXyz != std::array<std::size_t, 3>{kEdge, kEdge, kEdge} || manifest_.outputType != "probability-map") {
    throw std::runtime_error(manifest_.manifestPath + ": not a click-to-segment model this version can run (needs " +
                             kClickRelativeIntensity + ", 6 channels, a 32^3 patch and a probability map)");
  }
}

LesionModelEngine::~LesionModelEngine() = default;

bool LesionModelEngine::inAeratedLung(const Volume& image, const Vec3& seedLps) {
  return aeratedShareAround(image, seedLps) >= kLungShare;
}

double LesionModelEngine::aeratedShareAround(const Volume& image, const Vec3& seedLps) {
  if (image.units != "HU")
    return 0.0;
  const VolumeGeometry& g = image.geometry;
  const Vec3 c = g.lpsToIjk(seedLps);
  long lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    const double reach = kLungRadiusMm / g.spacing[a];
    lo[a] = std::max(0L, long(std::ceil(c[a] - reach)));
    hi[a] = std::min(long(g.size[a]) - 1, long(std::floor(c[a] + reach)));
  }
  std::size_t inside = 0, air = 0;
  // Every other voxel in-plane is enough for a share.
  for (long k = lo[2]; k <= hi[2]; ++k)
    for (long j = lo[1]; j <= hi[1]; j += 2)
      for (long i = lo[0]; i <= hi[0]; i += 2) {
        const Vec3 d = g.ijkToLps({double(i), double(j), double(k)}) - seedLps;
        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > kLungRadiusMm * kLungRadiusMm) continue;
        ++inside;
        air += image.value(std::size_t(i), std::size_t(j), std::size_t(k)) <= -600.0;
      }
  return inside > 0 ? double(air) / double(inside) : 0.0;
}

double LesionModelEngine::aeratedShare(const Volume& image, const LesionMask& lesion) {
  std::size_t inside = 0, aerated = 0, q = 0;
  const VoxelBox& b = lesion.box;
  for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q) {
        if (!lesion.mask[q]) continue;
        ++inside;
        aerated += image.value(i, j, k) <= -600.0;
      }
  return inside ? double(aerated) / double(inside) : 0.0;
}

void LesionModelEngine::refuseAeratedLeak(const Volume& image, LesionMask& lesion) {
  if (image.units != "HU") return;
  const double share = aeratedShare(image, lesion);
  if (share <= kMaxAeratedShare) return;
  char what[200];
  std::snprintf(what, sizeof(what),
                "the model's mask took in aerated lung or air (%.0f %% of it at or below -600 HU): refused, nothing "
                "of it is kept; click inside the lesion or draw a box around it",
                100.0 * share);
  lesion.warning = what;
  lesion.leakRefused = true;
  std::fill(lesion.mask.begin(), lesion.mask.end(), std::uint8_t(0));
}

LesionMask LesionModelEngine::segment(const Volume& image, const Vec3& seedLps,
                                      const std::vector<LesionClick>& refinements,
                                      const BoxPrompt& box) const {
  if (promptable_) {
    // The share of lung around the click, measured once for the routing and the check below.
    const double lungAround = lungNodule_ ? aeratedShareAround(image, seedLps) : 0.0;
    if (lungAround >= kLungShare)
      return lungNodule_->segment(image, seedLps, refinements);
    LesionMask out = promptable_->segment(image, seedLps, refinements, box);
    refuseAeratedLeak(image, out);
    // A CT click with some lung around it whose mask borders soft tissue far more than a lung
    // nodule does: a nodule against the wall whose mask ran into the wall. The nodule model's
    // outline replaces it only when that one is a nodule's (its border mostly on lung), lies
    // inside it and is a third of it or less; never after a box or correction clicks (the
    // reader's).
    if (lungNodule_ && !box.given() && refinements.empty() && !out.leakRefused && anyVoxel(out) &&
        lungAround >= kLungNearShare) {
      const double share = lungBorderShare(image, out);
      if (share < kMinLungBorderShare) {
        LesionMask nodule = lungNodule_->segment(image, seedLps, refinements);
        const std::size_t noduleVoxels = voxelCount(nodule), inside = voxelsInside(nodule, out);
        if (!nodule.leakRefused && noduleVoxels > 0 &&
            lungBorderShare(image, nodule) >= kNoduleLungBorderShare &&
            10 * inside >= 8 * noduleVoxels && 3 * noduleVoxels <= voxelCount(out)) {
          char what[256];
          std::snprintf(what, sizeof what,
                        "the promptable model's mask ran into the chest wall or the mediastinum "
                        "(%.0f %% of its "
                        "border on lung): the nodule model's outline instead, check it",
                        100.0 * share);
          nodule.warning =
              nodule.warning.empty() ? std::string(what) : nodule.warning + "; " + what;
          return nodule;
        }
        out.warning = (out.warning.empty() ? "" : out.warning + "; ") +
                      "little of the mask's border is on lung: check it has not run into the wall";
      }
    }
    return out;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const VolumeGeometry& g = image.geometry;
  const Vec3 seedIjk = g.lpsToIjk(seedLps);
  long seedVoxel[3];
  for (int a = 0; a < 3; ++a) {
    seedVoxel[a] = std::lround(seedIjk[a]);
    if (seedVoxel[a] < 0 || seedVoxel[a] >= long(g.size[a])) throw std::invalid_argument("the click lies outside the series");
  }
  // First pass at 1.5 mm; a small lesion is looked at again 12 samples wide, one that reached the
  // cube's edge at a coarser spacing.
  Pass pass = runPass(*runner_, image, seedLps, kFirstSpacingMm, refinements);
  const double diameter = 2.0 * std::cbrt(3.0 * double(pass.voxels) / (4.0 * 3.14159265358979)) * kFirstSpacingMm;
  if (pass.touchesEdge) {
    Pass coarse = runPass(*runner_, image, seedLps, kMaxSpacingMm, refinements);
    if (coarse.voxels > 0) pass = std::move(coarse);
  } else if (pass.voxels > 0 && diameter < 12.0 * kFirstSpacingMm * 0.8) {
    const double spacing = std::clamp(diameter / 12.0, kMinSpacingMm, kFirstSpacingMm);
    if (spacing < 0.8 * kFirstSpacingMm) {
      Pass fine = runPass(*runner_, image, seedLps, spacing, refinements);
      if (fine.voxels > 0 && !fine.touchesEdge) pass = std::move(fine);
    }
  }
  // Back to the series grid: the voxels whose centres lie in the cube.
  long lo[3], hi[3];
  for (int a = 0; a < 3; ++a) lo[a] = long(g.size[a]), hi[a] = -1;
  for (int corner = 0; corner < 8; ++corner) {
    const double e = double(kEdge) - 0.5;
    const Vec3 ijk = g.lpsToIjk(pass.grid.toLps({corner & 1 ? e : -0.5, corner & 2 ? e : -0.5, corner & 4 ? e : -0.5}));
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], long(std::floor(ijk[a])));
      hi[a] = std::max(hi[a], long(std::ceil(ijk[a])) + 1);
    }
  }
  LesionMask out;
  out.engine = manifest_.name;
  out.engineVersion = manifest_.version;
  out.weightsSha256 = manifest_.weightsSha256;
  for (int a = 0; a < 3; ++a) {
    out.box.lo[a] = std::size_t(std::clamp(lo[a], 0L, long(g.size[a])));
    out.box.hi[a] = std::size_t(std::clamp(hi[a], 0L, long(g.size[a])));
  }
  const std::size_t nx = out.box.hi[0] - out.box.lo[0], ny = out.box.hi[1] - out.box.lo[1], nz = out.box.hi[2] - out.box.lo[2];
  out.probability.assign(nx * ny * nz, 0);
  std::vector<std::uint8_t> in(out.probability.size(), 0);
  std::size_t m = 0;
  for (std::size_t k = out.box.lo[2]; k < out.box.hi[2]; ++k)
    for (std::size_t j = out.box.lo[1]; j < out.box.hi[1]; ++j)
      for (std::size_t i = out.box.lo[0]; i < out.box.hi[0]; ++i, ++m) {
        const float p = patchValue(pass.probability, kEdge, pass.grid.toPatch(g.ijkToLps({double(i), double(j), double(k)})));
        out.probability[m] = std::uint8_t(std::lround(std::clamp(p, 0.0f, 1.0f) * 255.0f));
        in[m] = p >= 0.5f;
      }
  // The lesion: the part connected to the click (or to the most probable voxel next to it).
  const std::size_t si = std::size_t(seedVoxel[0]) - out.box.lo[0], sj = std::size_t(seedVoxel[1]) - out.box.lo[1],
                    sk = std::size_t(seedVoxel[2]) - out.box.lo[2];
  std::size_t seed = si + nx * (sj + ny * sk);
  if (!in[seed]) {
    int best = -1;
    for (long dk = -1; dk <= 1; ++dk)
      for (long dj = -2; dj <= 2; ++dj)
        for (long di = -2; di <= 2; ++di) {
          const long i = long(si) + di, j = long(sj) + dj, k = long(sk) + dk;
          if (i < 0 || j < 0 || k < 0 || i >= long(nx) || j >= long(ny) || k >= long(nz)) continue;
          const std::size_t q = std::size_t(i) + nx * (std::size_t(j) + ny * std::size_t(k));
          if (in[q] && out.probability[q] > best) best = out.probability[q], seed = q;
        }
  }
  if (edgeMinProbability_ > 0 && in[seed]) refineEdge(image, out.box, out.probability, in);
  out.mask = flood6(nx, ny, nz, in, seed);
  const bool anyMask = anyVoxel(out);
  // A lung nodule borders lung over most of its surface; a mask that borders soft tissue instead
  // may have run into the chest wall or the mediastinum (or be a hilar node): said, not changed.
  const double border = anyMask && image.units == "HU" && inAeratedLung(image, seedLps)
                            ? lungBorderShare(image, out)
                            : 1.0;
  // The ground glass of a part-solid nodule (CT only), not after the reader removed some.
  const bool removed = std::any_of(refinements.begin(), refinements.end(),
                                   [](const LesionClick& c) { return !c.positive; });
  if (!removed)
    extendGroundGlass(image, out);
  if (pass.touchesEdge) out.warning = "the lesion reaches the edge of the model's field of view (80 mm): check its outline";
  if (!anyMask) {
    out.warning = "the model found no lesion at the click";
  } else if (border < kMinLungBorderShare) {
    char what[200];
    std::snprintf(
        what, sizeof what,
        "only %.0f %% of the mask's border is on lung: check it has not run into the wall",
        100.0 * border);
    out.warning = out.warning.empty() ? std::string(what) : out.warning + "; " + what;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::unique_ptr<LesionModelEngine> loadLesionModel(std::string& why, int threads) {
  // LIGHTBOX_LESION_MODEL names the one model to use (benchmarks compare the two side by side).
  if (const char* name = std::getenv("LIGHTBOX_LESION_MODEL"); name && *name) {
    try {
      return std::make_unique<LesionModelEngine>(findModel(name, defaultModelFolders()), threads);
    } catch (const std::exception& e) {
      why = e.what();
      return nullptr;
    }
  }
  try {
    auto engine = std::make_unique<LesionModelEngine>(
        findModel(LesionModelEngine::kPromptableModelName, defaultModelFolders()), threads);
    try {
      engine->setLungNoduleEngine(
          std::make_unique<LesionModelEngine>(findModel(LesionModelEngine::kModelName, defaultModelFolders()), threads));
    } catch (const std::exception&) {
      // Without the nodule model the promptable model segments lung nodules too.
    }
    return engine;
  } catch (const std::exception& e) {
    why = std::string(e.what()) + "; ";
  }
  try {
    return std::make_unique<LesionModelEngine>(findModel(LesionModelEngine::kModelName, defaultModelFolders()), threads);
  } catch (const std::exception& e) {
    why += e.what();
    return nullptr;
  }
}

} // namespace lightbox
