// SPDX-License-Identifier: Apache-2.0
// The promptable CT / MR / PET lesion model (issue 23): its golden output from C++ (input built by
// PromptableLesionInput.cpp, output computed by the training script in Python), the real LIDC
// lesion against its readers, and part-solid nodules against the pleura inserted with exact masks
// into two real chest CTs the model never saw (LIDC-IDRI-0001, CPTAC-LUAD contrast).
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "ai/segmentation/LesionModelEngine.h"
#include "ai/segmentation/PromptableLesionEngine.h"
#include "ai/segmentation/PromptedSegmentation.h"
#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

using namespace lightbox;

namespace {

ModelEntry shippedPromptableModel() {
  return findModel(LesionModelEngine::kPromptableModelName,
                   {std::string(LIGHTBOX_SOURCE_DIR) + "/resources/models"});
}

std::size_t countOf(const std::vector<std::uint8_t>& m) {
  return std::size_t(std::count_if(m.begin(), m.end(), [](std::uint8_t v) { return v != 0; }));
}

/// A part-solid nodule inserted against the pleura of a real chest CT: a ground-glass sphere with
/// a solid core, painted only into aerated lung (so it abuts the chest wall without entering it),
/// with partial volume over a millimetre. `mask` is exact: the voxels whose lesion share is at
/// least a half.
struct InsertedNodule {
  std::vector<std::uint8_t> mask;
  Vec3 centreLps{0, 0, 0};
};

/// The value at an LPS point (nearest voxel), `outside` beyond the image.
double valueNear(const Volume& ct, const Vec3& lps, double outside) {
  const VolumeGeometry& g = ct.geometry;
  const Vec3 ijk = g.lpsToIjk(lps);
  long v[3];
  for (int a = 0; a < 3; ++a) {
    v[a] = std::lround(ijk[a]);
    if (v[a] < 0 || v[a] >= long(g.size[a]))
      return outside;
  }
  return ct.value(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2]));
}

/// Paints a sphere of radius `radiusMm` at `c` into the aerated lung (voxels at or below -400 HU)
/// of `ct`, with partial volume over a millimetre: `value(d, q)` is the lesion's value at distance
/// d from the centre, voxel q. The mask is exact: the voxels whose lesion share is at least a half.
InsertedNodule paintIntoLung(Volume& ct, const Vec3& c, double radiusMm,
                             const std::function<double(double, std::size_t)>& value) {
  const VolumeGeometry& g = ct.geometry;
  InsertedNodule out;
  out.centreLps = c;
  out.mask.assign(g.voxelCount(), 0);
  if (ct.voxelType() == VoxelType::Int16) {
    const auto& stored = std::get<std::vector<std::int16_t>>(ct.voxels);
    ct.voxels = std::vector<float>(stored.begin(), stored.end());
  }
  auto& voxels = std::get<std::vector<float>>(ct.voxels);
  const Vec3 lo = g.lpsToIjk(c), reach{radiusMm / g.spacing[0] + 2, radiusMm / g.spacing[1] + 2,
                                       radiusMm / g.spacing[2] + 2};
  for (long z = long(lo[2] - reach[2]); z <= long(lo[2] + reach[2]); ++z)
    for (long y = long(lo[1] - reach[1]); y <= long(lo[1] + reach[1]); ++y)
      for (long x = long(lo[0] - reach[0]); x <= long(lo[0] + reach[0]); ++x) {
        if (x < 0 || y < 0 || z < 0 || x >= long(g.size[0]) || y >= long(g.size[1]) ||
            z >= long(g.size[2]))
          continue;
        const std::size_t q =
            std::size_t(x) + g.size[0] * (std::size_t(y) + g.size[1] * std::size_t(z));
        const double bg = voxels[q];
        if (bg > -400)
          continue; // only aerated lung takes the lesion: it abuts the wall
        const Vec3 p = g.ijkToLps({double(x), double(y), double(z)});
        const double d = std::sqrt((p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]) +
                                   (p[2] - c[2]) * (p[2] - c[2]));
        const double share = std::clamp(radiusMm - d + 0.5, 0.0, 1.0);
        if (share <= 0)
          continue;
        voxels[q] = float(std::round(bg + (value(d, q) - bg) * share));
        out.mask[q] = share >= 0.5;
      }
  return out;
}

InsertedNodule insertPartSolidAtPleura(Volume& ct, double radiusMm, int skip) {
  const VolumeGeometry& g = ct.geometry;
  auto hu = [&](const Vec3& lps) { return valueNear(ct, lps, 0.0); }; // outside: not lung
  // A lung voxel whose ball of 0.7 r is aerated and that has the chest wall (soft tissue for at
  // least r more) 0.9 r away along a row or column: the nodule will touch it.
  const Vec3 axes[4] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
  int found = 0;
  std::vector<Vec3> candidates;
  std::size_t lung = 0, balls = 0;
  for (std::size_t k = g.size[2] / 3; k < 2 * g.size[2] / 3; k += 2)
    for (std::size_t j = g.size[1] / 5; j < 4 * g.size[1] / 5; j += 3)
      for (std::size_t i = g.size[0] / 8; i < 7 * g.size[0] / 8; i += 3) {
        if (ct.value(i, j, k) > -850)
          continue;
        ++lung;
        const Vec3 c = g.ijkToLps({double(i), double(j), double(k)});
        bool aerated = true;
        for (int dz = -1; dz <= 1 && aerated; ++dz)
          for (int dy = -1; dy <= 1 && aerated; ++dy)
            for (int dx = -1; dx <= 1 && aerated; ++dx) {
              const Vec3 d{double(dx), double(dy), double(dz)};
              const double n = std::sqrt(double(dx * dx + dy * dy + dz * dz));
              if (n > 0)
                aerated = hu(c + d * (0.7 * radiusMm / n)) < -650;
            }
        if (!aerated)
          continue;
        ++balls;
        for (const Vec3& a : axes) {
          if (hu(c + a * (0.9 * radiusMm)) > -300 && hu(c + a * (1.5 * radiusMm)) > -300 &&
              hu(c - a * (1.5 * radiusMm)) < -650) {
            candidates.push_back(c);
            ++found;
            break;
          }
        }
      }
  if (!candidates.empty()) {
    const Vec3 c = candidates[std::size_t(skip) * candidates.size() / 7 % candidates.size()];
    return paintIntoLung(ct, c, radiusMm, [&](double d, std::size_t) {
      return d < 0.45 * radiusMm ? 20.0 : -600.0; // solid core, ground glass
    });
  }
  FAIL("no place against the pleura for a "
       << radiusMm << " mm nodule (" << lung << " lung voxels tried, " << balls
       << " with an aerated ball, " << found << " against the wall)");
  return {};
}

/// A soft-tissue mass against the chest wall beside lung (a pleural or peripheral mass): a sphere
/// of 35 HU (+-15 HU of fixed noise) whose centre lies 0.4-0.5 of its radius from the wall (or the
/// mediastinum) along a row or column, painted only into aerated lung, so the wall cuts it and it
/// abuts the wall on a broad base; a vessel inside keeps its values and is not in the mask. `mask`
/// is exact (lesion share at least a half); `centreLps` is its centroid (or the mask voxel nearest
/// it).
InsertedNodule insertMassAtWall(Volume& ct, double radiusMm, int skip) {
  const VolumeGeometry& g = ct.geometry;
  auto hu = [&](const Vec3& lps) { // outside: neither lung nor wall
    return valueNear(ct, lps, std::numeric_limits<double>::quiet_NaN());
  };
  const Vec3 axes[4] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
  std::vector<Vec3> candidates;
  for (std::size_t k = g.size[2] / 3; k < 2 * g.size[2] / 3; k += 2)
    for (std::size_t j = g.size[1] / 5; j < 4 * g.size[1] / 5; j += 3)
      for (std::size_t i = g.size[0] / 8; i < 7 * g.size[0] / 8; i += 3) {
        if (ct.value(i, j, k) > -850)
          continue;
        const Vec3 c = g.ijkToLps({double(i), double(j), double(k)});
        for (const Vec3& a : axes) {
          // The wall (chest wall, or the mediastinum) begins 0.4-0.5 r away and is at least r
          // thick; aerated lung 1.2 r the other way and across the sphere's equator, so most of
          // the sphere lies in lung.
          const Vec3 b = a[0] != 0 ? Vec3{0, 1, 0} : Vec3{1, 0, 0};
          if (hu(c + a * (0.4 * radiusMm)) < -650 && hu(c + a * (0.5 * radiusMm)) > -300 &&
              hu(c + a * (1.5 * radiusMm)) > -300 && hu(c - a * (1.2 * radiusMm)) < -650 &&
              hu(c + b * (0.9 * radiusMm)) < -650 && hu(c - b * (0.9 * radiusMm)) < -650 &&
              hu(c + Vec3{0, 0, 0.9 * radiusMm}) < -650 &&
              hu(c - Vec3{0, 0, 0.9 * radiusMm}) < -650) {
            candidates.push_back(c);
            break;
          }
        }
      }
  if (candidates.empty()) {
    FAIL("no place against the chest wall for a " << 2 * radiusMm << " mm mass");
  }
  const Vec3 c = candidates[std::size_t(skip) * candidates.size() / 7 % candidates.size()];
  InsertedNodule out = paintIntoLung(ct, c, radiusMm, [](double, std::size_t q) {
    return 35.0 + 15.0 * std::sin(double(q) * 12.9898 + 78.233); // fixed noise, +-15 HU
  });
  Vec3 sum{0, 0, 0};
  std::size_t n = 0;
  for (std::size_t q = 0; q < out.mask.size(); ++q) {
    if (out.mask[q]) {
      sum = sum + g.ijkToLps({double(q % g.size[0]), double((q / g.size[0]) % g.size[1]),
                              double(q / (g.size[0] * g.size[1]))});
      ++n;
    }
  }
  REQUIRE(n > 0);
  // The click: the mask's centroid, or the mask voxel nearest it should a vessel the mass left
  // as it was (only aerated lung takes the mass) lie there.
  out.centreLps = sum * (1.0 / double(n));
  double nearest = std::numeric_limits<double>::infinity();
  Vec3 best = out.centreLps;
  for (std::size_t q = 0; q < out.mask.size(); ++q) {
    if (!out.mask[q])
      continue;
    const Vec3 p = g.ijkToLps({double(q % g.size[0]), double((q / g.size[0]) % g.size[1]),
                               double(q / (g.size[0] * g.size[1]))});
    if (const double d = norm(p - out.centreLps); d < nearest) {
      nearest = d;
      best = p;
    }
  }
  out.centreLps = best;
  return out;
}

} // namespace

TEST_CASE("the shipped promptable lesion model loads hash-verified and reproduces its golden "
          "output from C++",
          "[ai][lesion][promptable][model]") {
  const ModelEntry entry = shippedPromptableModel();
  CHECK(entry.manifest.intensityMethod == kPromptableIntensity);
  const auto runner = loadVerifiedModel(entry, 2);
  std::ifstream f(std::string(LIGHTBOX_SOURCE_DIR) +
                  "/tests/ai/golden/lightbox-lesion-prompt.json");
  REQUIRE(f);
  const nlohmann::json golden = nlohmann::json::parse(f);
  CHECK(golden.at("sha256") == entry.manifest.weightsSha256);
  const std::size_t e = PromptableLesionEngine::kEdge;
  const PromptableGoldenCase c = promptableGoldenCase(e);
  const Tensor y =
      runner->run(promptableModelInput(c.samples, c.valid, e, LesionModality::MR, c.clicks));
  REQUIRE(y.data.size() == e * e * e);
  double sum = 0;
  std::vector<double> p(y.data.size());
  for (std::size_t q = 0; q < p.size(); ++q)
    sum += p[q] = 1.0 / (1.0 + std::exp(-double(y.data[q])));
  CHECK(sum / double(p.size()) == Approx(golden.at("probability_mean").get<double>()).margin(1e-4));
  for (const auto& probe : golden.at("probes")) {
    const auto& abc = probe.at("abc");
    const std::size_t q =
        abc[0].get<std::size_t>() + e * (abc[1].get<std::size_t>() + e * abc[2].get<std::size_t>());
    INFO("probe " << abc.dump());
    CHECK(p[q] == Approx(probe.at("probability").get<double>()).margin(1e-3));
  }
  // The blob under the positive click is the lesion; the far corner is not.
  CHECK(p[e / 2 + e * (e / 2 + e * (e / 2))] > 0.5);
  CHECK(p[(e - 3) + e * ((e - 3) + e * (e - 3))] < 0.5);
}

TEST_CASE(
    "part-solid nodules against the pleura of unseen chest CTs: never into the lung or the wall",
    "[ai][lesion][promptable][pleura]") {
  std::string why;
  const auto model = loadLesionModel(why, 2);
  REQUIRE(model);
  // The shipped engine: a CT click with aerated lung around it goes to the nodule model, whose
  // mask of a part-solid nodule is extended into its ground glass (extendGroundGlass). The issue's
  // bar: Dice 0.8 for every size. Without the extension the 8 mm nodules and the 18 mm CPTAC one
  // kept only their solid core (0.37-0.51).
  struct Case {
    const char* series;
    double radiusMm, minDice;
  };
  const Case cases[] = {{"ct/chest_lidc-idri-0001_nodule_slab/dicom", 4.0, 0.8},
                        {"ct/chest_lidc-idri-0001_nodule_slab/dicom", 6.0, 0.8},
                        {"ct/chest_lidc-idri-0001_nodule_slab/dicom", 9.0, 0.8},
                        {"ct/chest_cptac-luad_c3n-00247_contrast/dicom", 4.0, 0.8},
                        {"ct/chest_cptac-luad_c3n-00247_contrast/dicom", 6.0, 0.8},
                        {"ct/chest_cptac-luad_c3n-00247_contrast/dicom", 9.0, 0.8}};
  for (const Case& c : cases) {
    LoadedSeries loaded = loadPath(test::sharedData(c.series));
    Volume& ct = loaded.volumes.front();
    const InsertedNodule nodule = insertPartSolidAtPleura(ct, c.radiusMm, int(c.radiusMm));
    const PromptedResult r =
        segmentWithPrompts(ct, {{LesionPrompt::Kind::Seed, nodule.centreLps, {}}}, model.get());
    const double dice = diceCoefficient(r.mask, nodule.mask);
    const double ratio = double(countOf(r.mask)) / double(countOf(nodule.mask));
    INFO(c.series << ", " << 2 * c.radiusMm << " mm nodule at (" << nodule.centreLps[0] << ", "
                  << nodule.centreLps[1] << ", " << nodule.centreLps[2] << "): Dice " << dice
                  << ", mask / truth " << ratio << ", engine " << r.last.engine);
    std::printf("part-solid at the pleura, %s, %.0f mm: Dice %.3f, volume ratio %.2f (%s)\n",
                c.series, 2 * c.radiusMm, dice, ratio, r.last.engine.c_str());
    CHECK(dice >= c.minDice);
    CHECK(ratio < 1.5); // never floods the lung or takes the wall
  }
}

namespace {

/// A "model" that calls every sample of its cube lesion: whatever is clicked floods the field.
class FloodRunner : public ModelRunner {
public:
  Tensor run(const Tensor& input) const override {
    Tensor out;
    out.shape = {1, 1, input.shape[2], input.shape[3], input.shape[4]};
    out.data.assign(out.numel(), 10.0f); // logit: probability ~1
    return out;
  }
  std::string backend() const override { return "test"; }
  std::string path() const override { return "flood"; }
};

Volume uniformVolume(std::size_t nx, std::size_t ny, std::size_t nz, double spacingMm) {
  Volume v;
  v.geometry.size = {nx, ny, nz};
  v.geometry.spacing = {spacingMm, spacingMm, spacingMm};
  v.units = "MR";
  v.voxels = std::vector<std::int16_t>(nx * ny * nz, std::int16_t(100));
  return v;
}

} // namespace

TEST_CASE("a promptable mask that floods past the largest field from one click is refused as a leak",
          "[lesion][promptable][leak]") {
  FloodRunner flood;
  ModelManifest manifest;
  manifest.name = "flood";
  PromptableLesionEngine engine(flood, manifest);
  // 400 x 400 mm in-plane: the largest cube (48 x 8 mm = 384 mm) still meets its faces inside.
  const Volume big = uniformVolume(200, 200, 100, 2.0);
  const Vec3 centre = big.geometry.ijkToLps({99.5, 99.5, 49.5});
  const LesionMask refused = engine.segment(big, centre, {});
  CHECK(refused.leakRefused);
  CHECK(std::none_of(refused.mask.begin(), refused.mask.end(), [](std::uint8_t v) { return v != 0; }));
  CHECK(refused.warning.find("largest field of view (384 mm): a leak, refused") != std::string::npos);
  // A correction click that leaves the flood spanning the field does not make it a lesion.
  const LesionMask clicked = engine.segment(big, centre, {{centre + Vec3{20, 0, 0}, true}});
  CHECK(clicked.leakRefused);
  CHECK(std::none_of(clicked.mask.begin(), clicked.mask.end(), [](std::uint8_t v) { return v != 0; }));
  // A box (the reader sized the field): the outline is the reader's to judge.
  const LesionMask boxed = engine.segment(big, centre, {}, BoxPrompt{centre, 300.0});
  CHECK_FALSE(boxed.leakRefused);
  // The engine says nothing of the box's field: the caller clips the mask to the box and says
  // which of the box's faces it meets.
  CHECK(boxed.warning.empty());
  CHECK(std::any_of(boxed.mask.begin(), boxed.mask.end(), [](std::uint8_t v) { return v != 0; }));
  // A field smaller than the largest cube: the mask ends at the image's edge, which is no leak.
  const Volume small = uniformVolume(100, 100, 50, 2.0);
  const LesionMask whole = engine.segment(small, small.geometry.ijkToLps({49.5, 49.5, 24.5}), {});
  CHECK_FALSE(whole.leakRefused);
  CHECK(whole.warning.empty());
  CHECK(std::count(whole.mask.begin(), whole.mask.end(), std::uint8_t(1)) > 100000);
}

namespace {

/// The mask's extent along x in millimetres on a grid of 2 mm voxels (0 when empty).
double extentMm(const LesionMask& m) {
  std::size_t lo = SIZE_MAX, hi = 0, q = 0;
  for (std::size_t k = m.box.lo[2]; k < m.box.hi[2]; ++k)
    for (std::size_t j = m.box.lo[1]; j < m.box.hi[1]; ++j)
      for (std::size_t i = m.box.lo[0]; i < m.box.hi[0]; ++i, ++q)
        if (m.mask[q])
          lo = std::min(lo, i), hi = std::max(hi, i);
  return hi >= lo ? double(hi - lo + 1) * 2.0 : 0.0;
}

/// A "model" that calls lesion every sample within `radius` samples of its cube's centre (and
/// `inner` or more: a shell), whatever the image: through a window twice as wide it sees 8 times
/// the volume.
class BlobRunner : public ModelRunner {
public:
  explicit BlobRunner(double radius, double inner = 0) : radius_(radius), inner_(inner) {}
  Tensor run(const Tensor& input) const override {
    Tensor out;
    const std::size_t e = std::size_t(input.shape[2]);
    out.shape = {1, 1, input.shape[2], input.shape[3], input.shape[4]};
    out.data.resize(out.numel());
    const double c = double(e) / 2 - 0.5;
    for (std::size_t k = 0, q = 0; k < e; ++k)
      for (std::size_t j = 0; j < e; ++j)
        for (std::size_t i = 0; i < e; ++i, ++q) {
          const double d = std::sqrt((i - c) * (i - c) + (j - c) * (j - c) + (k - c) * (k - c));
          out.data[q] = d <= radius_ && d >= inner_ ? 10.0f : -10.0f;
        }
    return out;
  }
  std::string backend() const override { return "test"; }
  std::string path() const override { return "blob"; }

private:
  double radius_, inner_;
};

} // namespace

TEST_CASE("a first mask filling a third of the window is looked at through one twice as wide, kept "
          "when it holds far more",
          "[lesion][promptable][wider]") {
  ModelManifest manifest;
  manifest.name = "blob";
  const Volume image = uniformVolume(200, 200, 100, 2.0); // 400 x 400 x 200 mm
  const Vec3 centre = image.geometry.ijkToLps({99.5, 99.5, 49.5});
  // 18 samples: a 74 mm blob in the 96 mm first window, fills more than half: the 192 mm window
  // sees 8 times the volume and is kept.
  BlobRunner large(18);
  PromptableLesionEngine wide(large, manifest);
  const LesionMask big = wide.segment(image, centre, {});
  CHECK(wide.lastPasses() == std::vector<double>{2.0, 4.0});
  CHECK(big.box.hi[0] - big.box.lo[0] >= 90); // the 192 mm window's box
  CHECK(extentMm(big) == Approx(148).margin(8));
  // 10 samples: a 42 mm blob, more than a third of the window (0.5 before 2026-12-07): looked at
  // again, and kept wide too (this "model" makes every blob 8 times larger through it).
  BlobRunner medium(10);
  PromptableLesionEngine second(medium, manifest);
  const LesionMask seen = second.segment(image, centre, {});
  CHECK(second.lastPasses() == std::vector<double>{2.0, 4.0});
  CHECK(extentMm(seen) == Approx(84).margin(6));
  // 6 samples: a 26 mm blob, under a third of the window: no wider look, a finer one instead.
  BlobRunner small(6);
  PromptableLesionEngine narrow(small, manifest);
  const LesionMask compact = narrow.segment(image, centre, {});
  const std::vector<double> passes = narrow.lastPasses(); // this "model" shrinks with the samples
  REQUIRE(passes.size() >= 2);
  CHECK(passes[0] == 2.0);
  for (std::size_t k = 1; k < passes.size(); ++k)
    CHECK(passes[k] < passes[k - 1]);
  CHECK(extentMm(compact) < 28);
  // A box sizes the window: no second look either; and a lesion meeting the box's cube's faces
  // does not move the cube off the box (the box bounds the mask).
  PromptableLesionEngine boxed(large, manifest);
  boxed.segment(image, centre, {}, BoxPrompt{centre, 96.0});
  REQUIRE(boxed.lastPasses().size() == 1);
  CHECK(boxed.lastPasses()[0] == Approx(96.0 / (PromptableLesionEngine::kBoxFill * 48)));
  BlobRunner filling(30);
  PromptableLesionEngine boxedFilling(filling, manifest);
  const LesionMask inBox = boxedFilling.segment(image, centre, {}, BoxPrompt{centre, 96.0});
  CHECK(boxedFilling.lastPasses().size() == 1);
  CHECK(inBox.warning.empty());
  // Nor a finer look at a lesion far smaller than the box: the cube stays on the box.
  PromptableLesionEngine boxedSmall(small, manifest);
  boxedSmall.segment(image, centre, {}, BoxPrompt{centre, 96.0});
  CHECK(boxedSmall.lastPasses().size() == 1);
}

TEST_CASE("a prompt box places the first cube on the box, not on the seed",
          "[lesion][promptable][box]") {
  ModelManifest manifest;
  manifest.name = "blob";
  const Volume image = uniformVolume(100, 100, 60, 2.0);
  BlobRunner blob(10); // a ball of 20 mm radius at the cube's centre (2 mm samples below)
  PromptableLesionEngine engine(blob, manifest);
  const Vec3 boxCentre = image.geometry.ijkToLps({49.5, 49.5, 29.5});
  const Vec3 seed = boxCentre + Vec3{10, 0, 0}; // inside the ball, 10 mm off the box's centre
  const LesionMask m = engine.segment(
      image, seed, {}, BoxPrompt{boxCentre, PromptableLesionEngine::kBoxFill * 48 * 2.0});
  REQUIRE(engine.lastPasses().size() == 1);
  CHECK(engine.lastPasses()[0] == Approx(2.0));
  // The mask's middle along x is the box's centre (voxel 49.5), not the seed's (54.5).
  std::size_t lo = SIZE_MAX, hi = 0;
  const VoxelBox& b = m.box;
  for (std::size_t k = b.lo[2], q = 0; k < b.hi[2]; ++k)
    for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
      for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i, ++q)
        if (m.mask[q]) {
          lo = std::min(lo, i);
          hi = std::max(hi, i);
        }
  REQUIRE(hi >= lo);
  CHECK(0.5 * double(lo + hi) == Approx(49.5).margin(0.6));
}

TEST_CASE("on CT the wider look is kept when its mask is as uniform as the first one, not when it "
          "takes in other tissue",
          "[lesion][promptable][wider]") {
  ModelManifest manifest;
  manifest.name = "blob";
  // A CT of 2 mm voxels: a tumour of 40 HU (+-8 HU in a smooth texture, which samples 2 and 4 mm
  // apart see alike) of `radiusMm` round the centre, in 6 mm layers of fat (-100 HU) and muscle
  // (50 HU).
  auto ct = [](double radiusMm) {
    Volume v = uniformVolume(200, 200, 100, 2.0);
    v.units = "HU";
    std::vector<std::int16_t> hu(v.geometry.voxelCount());
    for (std::size_t k = 0, q = 0; k < 100; ++k)
      for (std::size_t j = 0; j < 200; ++j)
        for (std::size_t i = 0; i < 200; ++i, ++q) {
          const double x = 2.0 * (double(i) - 99.5), y = 2.0 * (double(j) - 99.5),
                       z = 2.0 * (double(k) - 49.5);
          const int noise = int(std::lround(8.0 * std::sin(2 * 3.14159265 * x / 37.0) *
                                            std::cos(2 * 3.14159265 * y / 23.0)));
          hu[q] = std::int16_t(std::sqrt(x * x + y * y + z * z) <= radiusMm ? 40 + noise
                               : (i / 3) % 2                                ? -100
                                                                            : 50);
        }
    v.voxels = hu;
    return v;
  };
  // This "model" draws a 42 mm ball through the 96 mm window and an 84 mm one through 192 mm.
  BlobRunner blob(10);
  // A 140 mm tumour: the wide ball is tumour too, as uniform as the first: kept.
  const Volume large = ct(70);
  const Vec3 centre = large.geometry.ijkToLps({99.5, 99.5, 49.5});
  PromptableLesionEngine onLarge(blob, manifest);
  const LesionMask whole = onLarge.segment(large, centre, {});
  CHECK(onLarge.lastPasses() == std::vector<double>{2.0, 4.0});
  CHECK(extentMm(whole) == Approx(84).margin(6));
  // A 60 mm tumour: the wide ball takes in the fat and muscle round it: the first mask stays,
  // although the wide one holds 8 times the volume (the rule MR keeps).
  const Volume medium = ct(30);
  PromptableLesionEngine onMedium(blob, manifest);
  const LesionMask first = onMedium.segment(medium, centre, {});
  CHECK(onMedium.lastPasses() == std::vector<double>{2.0, 4.0});
  CHECK(extentMm(first) == Approx(42).margin(4));
}

namespace {

/// A "model" that calls lesion where the image is within 0.5 (tanh units) of the clicked value
/// (channel 0): the painted sphere, the same in millimetres whatever the window.
class SameAsClickRunner : public ModelRunner {
public:
  Tensor run(const Tensor& input) const override {
    Tensor out;
    out.shape = {1, 1, input.shape[2], input.shape[3], input.shape[4]};
    out.data.resize(out.numel());
    for (std::size_t q = 0; q < out.data.size(); ++q)
      out.data[q] = std::abs(input.data[q]) < 0.5f ? 10.0f : -10.0f;
    return out;
  }
  std::string backend() const override { return "test"; }
  std::string path() const override { return "same-as-click"; }
};

/// A PET in SUV: 10 inside a sphere of `radiusMm` at the volume's centre, 1 outside.
Volume petSphere(std::array<std::size_t, 3> size, Vec3 spacing, double radiusMm) {
  Volume v;
  v.geometry.size = size;
  v.geometry.spacing = spacing;
  v.units = "SUV";
  std::vector<float> values(v.geometry.voxelCount());
  const Vec3 c = v.geometry.ijkToLps(
      {0.5 * double(size[0] - 1), 0.5 * double(size[1] - 1), 0.5 * double(size[2] - 1)});
  for (std::size_t k = 0, q = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i, ++q)
        values[q] = norm(v.geometry.ijkToLps({double(i), double(j), double(k)}) - c) <= radiusMm
                        ? 10.0f
                        : 1.0f;
  v.voxels = values;
  return v;
}

} // namespace

TEST_CASE("the wider look keeps the first window when the wide one sees the same lesion, and a coarse "
          "image's first "
          "window is not finer than 0.6 of its voxels",
          "[lesion][promptable][wider]") {
  SameAsClickRunner model;
  ModelManifest manifest;
  manifest.name = "same-as-click";
  // An 80 mm sphere fills the 96 mm window; through the 192 mm one it has the same volume: kept
  // from the first window (2 mm samples).
  const Volume ball = petSphere({150, 150, 100}, {2, 2, 2}, 40.0);
  const Vec3 centre = ball.geometry.ijkToLps({74.5, 74.5, 49.5});
  PromptableLesionEngine engine(model, manifest);
  const LesionMask m = engine.segment(ball, centre, {});
  CHECK(engine.lastPasses() == std::vector<double>{2.0, 4.0});
  const std::size_t voxels = std::size_t(std::count(m.mask.begin(), m.mask.end(), std::uint8_t(1)));
  const double expected = 4.0 / 3.0 * 3.14159265 * 40 * 40 * 40 / 8.0; // voxels of 8 mm^3
  INFO("mask voxels " << voxels << ", sphere " << expected);
  CHECK(double(voxels) == Approx(expected).epsilon(0.1));
  // The mask's box is the window it came from: 96 mm (48 voxels), not the 192 mm look.
  CHECK(m.box.hi[0] - m.box.lo[0] <= 50);
  // A PET of 5 mm voxels: the first window samples 3 mm, not 2.
  const Volume coarse = petSphere({60, 60, 40}, {5, 5, 3}, 12.0);
  PromptableLesionEngine onCoarse(model, manifest);
  onCoarse.segment(coarse, coarse.geometry.ijkToLps({29.5, 29.5, 19.5}), {});
  REQUIRE_FALSE(onCoarse.lastPasses().empty());
  CHECK(onCoarse.lastPasses().front() == Approx(3.0));
}

TEST_CASE("a click in a tumour's cold core takes the tumour with its core",
          "[lesion][promptable][core]") {
  BlobRunner shell(10, 5); // a tumour with a cold necrotic core, clicked in the core
  ModelManifest manifest;
  manifest.name = "shell";
  PromptableLesionEngine engine(shell, manifest);
  const Volume image = uniformVolume(100, 100, 60, 2.0);
  // A window sized as by a 91.2 mm box (2 mm samples, as the first window; no wider look, through
  // which this "model" would draw every blob twice as large).
  const Vec3 click = image.geometry.ijkToLps({49.5, 49.5, 29.5});
  const BoxPrompt window{click, PromptableLesionEngine::kBoxFill * 48 * 2.0};
  const LesionMask m = engine.segment(image, click, {}, window);
  // The shell's outer radius is 10 samples of 2 mm: a 20 mm ball of 2 mm voxels, core included.
  const double ball = 4.0 / 3.0 * 3.14159265 * 20 * 20 * 20 / 8.0;
  const double voxels = double(countOf(m.mask));
  INFO("mask voxels " << voxels << ", ball " << ball << "; " << m.warning);
  CHECK(voxels == Approx(ball).epsilon(0.1));
  CHECK(m.warning.empty());
  // The core is lesion in the probability the uncertainty band is drawn from too.
  const VoxelBox& b = m.box;
  const std::size_t centre =
      (50 - b.lo[0]) +
      (b.hi[0] - b.lo[0]) * ((50 - b.lo[1]) + (b.hi[1] - b.lo[1]) * (30 - b.lo[2]));
  REQUIRE(m.mask[centre]);
  CHECK(m.probability[centre] >= 128);
  // On CT an enclosed cavity of air (a cavitating lesion's gas) is not filled: the click in it
  // finds no lesion.
  Volume ct = image;
  ct.units = "HU";
  ct.voxels = std::vector<std::int16_t>(ct.geometry.voxelCount(), std::int16_t(-1000));
  PromptableLesionEngine onCt(shell, manifest);
  const LesionMask air = onCt.segment(ct, click, {}, window);
  CHECK(countOf(air.mask) == 0);
}

// A measurement, not run by CTest (a hidden tag): 84 insertions, 7 sizes x 4 places x 3 CTs (POPI
// too), with their Dice, volume ratio and how much of each mask's border is lung. README, issue 23.
TEST_CASE("part-solid nodules against the pleura: a sweep of places and sizes (a measurement, not "
          "run by CTest)",
          "[.pleura-sweep]") {
  std::string why;
  const auto model = loadLesionModel(why, 2);
  REQUIRE(model);
  for (const char* series :
       {"ct/chest_lidc-idri-0001_nodule_slab/dicom", "ct/chest_cptac-luad_c3n-00247_contrast/dicom",
        "ct/chest_4dct_popi_phase00/dicom"}) {
    const LoadedSeries original = loadPath(test::sharedData(series));
    for (double radius : {3.0, 4.0, 5.0, 6.0, 7.5, 9.0, 11.0})
      for (int place = 0; place < 7; place += 2) {
        Volume ct = original.volumes.front();
        const InsertedNodule nodule = insertPartSolidAtPleura(ct, radius, place);
        const PromptedResult r =
            segmentWithPrompts(ct, {{LesionPrompt::Kind::Seed, nodule.centreLps, {}}}, model.get());
        LesionMask whole;
        for (int a = 0; a < 3; ++a)
          whole.box.hi[a] = ct.geometry.size[a];
        whole.mask = r.mask;
        LesionMask truth = whole;
        truth.mask = nodule.mask;
        std::printf("sweep %s %.0f mm place %d: Dice %.3f, volume ratio %.2f lung border %.2f "
                    "(truth %.2f) %s\n",
                    series, 2 * radius, place, diceCoefficient(r.mask, nodule.mask),
                    double(countOf(r.mask)) / double(countOf(nodule.mask)),
                    LesionModelEngine::lungBorderShare(ct, whole),
                    LesionModelEngine::lungBorderShare(ct, truth), r.last.engine.c_str());
        if (std::getenv("SWEEP_DETAIL") &&
            double(countOf(r.mask)) > 3 * double(countOf(nodule.mask))) {
          const VolumeGeometry& g = ct.geometry;
          double lo[3] = {1e9, 1e9, 1e9}, hi[3] = {-1e9, -1e9, -1e9};
          std::vector<double> hu;
          for (std::size_t q = 0; q < r.mask.size(); ++q) {
            if (!r.mask[q])
              continue;
            const Vec3 p = g.ijkToLps({double(q % g.size[0]), double((q / g.size[0]) % g.size[1]),
                                       double(q / (g.size[0] * g.size[1]))});
            for (int a = 0; a < 3; ++a)
              lo[a] = std::min(lo[a], p[a] - nodule.centreLps[a]),
              hi[a] = std::max(hi[a], p[a] - nodule.centreLps[a]);
            hu.push_back(ct.value(q));
          }
          std::sort(hu.begin(), hu.end());
          std::printf("  mask from centre x %.0f..%.0f y %.0f..%.0f z %.0f..%.0f mm; HU p10 %.0f "
                      "p50 %.0f p90 %.0f; warning %s\n",
                      lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], hu[hu.size() / 10],
                      hu[hu.size() / 2], hu[9 * hu.size() / 10], r.last.warning.c_str());
        }
      }
  }
}

TEST_CASE(
    "a soft-tissue mass against the chest wall beside lung keeps the promptable model's outline",
    "[ai][lesion][promptable][wallmass]") {
  // A promptable mask of a CT click that borders lung under 40 % may be swapped for the nodule
  // model's outline (a nodule against the wall that the promptable model ran into the wall with).
  // A mass on a broad base against the wall, of the wall's density, must keep its own outline: the
  // swap needs the nodule outline to be at most a third of the mask and to border lung 60 %. A
  // 20 mm mass goes to the nodule model (lung around the click), a 60 mm one to the promptable
  // model. Measured when written (2026-12-06; three places in each CT): Dice 0.77-0.89 at 20 mm
  // (the nodule model takes some wall at one CPTAC place: 1.57x the volume), 0.92-0.96 at 60 mm.
  std::string why;
  const auto model = loadLesionModel(why, 2);
  REQUIRE(model);
  for (const char* series :
       {"ct/chest_cptac-luad_c3n-00247_contrast/dicom", "ct/chest_4dct_popi_phase00/dicom"}) {
    const LoadedSeries original = loadPath(test::sharedData(series));
    for (double radius : {10.0, 30.0})
      for (int place : {1, 3, 5}) {
        Volume ct = original.volumes.front();
        const InsertedNodule mass = insertMassAtWall(ct, radius, place);
        const PromptedResult r =
            segmentWithPrompts(ct, {{LesionPrompt::Kind::Seed, mass.centreLps, {}}}, model.get());
        const double dice = diceCoefficient(r.mask, mass.mask);
        const double ratio = double(countOf(r.mask)) / double(countOf(mass.mask));
        INFO(series << ", " << 2 * radius << " mm mass at place " << place << ": Dice " << dice
                    << ", mask / truth " << ratio << ", engine " << r.last.engine << ", warning "
                    << r.last.warning);
        std::printf("mass at the wall, %s, %.0f mm, place %d: Dice %.3f, volume ratio %.2f (%s)\n",
                    series, 2 * radius, place, dice, ratio, r.last.engine.c_str());
        CHECK(dice >= (radius > 20 ? 0.85 : 0.7));
        CHECK(ratio < 2.0); // never far into the wall or the lung
        if (radius > 20) {
          // Its outline is the promptable model's, not swapped for a small nodule outline.
          CHECK(r.last.engine == LesionModelEngine::kPromptableModelName);
          CHECK(ratio > 0.8);
        }
      }
  }
}

namespace {

/// A synthetic chest slab: 0.7 x 0.7 x 2.5 mm voxels of lung at -860 HU (a fixed +-20 HU pattern
/// for texture), the chest wall (+40 HU) for x below `wallX`.
Volume lungSlab(long wallX = -1) {
  Volume v;
  v.geometry.size = {96, 96, 24};
  v.geometry.spacing = {0.7, 0.7, 2.5};
  v.units = "HU";
  std::vector<float> voxels(v.geometry.voxelCount());
  for (std::size_t q = 0; q < voxels.size(); ++q) {
    const long x = long(q % 96);
    voxels[q] = x < wallX ? 40.0f : float(-860 + int((q * 2654435761u) % 41) - 20);
  }
  v.voxels = std::move(voxels);
  return v;
}

/// Paints a sphere of `radiusMm` at `centre` (voxel indices): solid (+20 HU) within `coreMm`, the
/// rest at `ggoHu`, each voxel by its share of the sphere (partial volume over a millimetre), only
/// into lung. Returns the exact mask (share >= 0.5).
std::vector<std::uint8_t> paintNodule(Volume& v, const Vec3& centre, double radiusMm, double coreMm,
                                      double ggoHu) {
  const VolumeGeometry& g = v.geometry;
  auto& voxels = std::get<std::vector<float>>(v.voxels);
  std::vector<std::uint8_t> truth(voxels.size(), 0);
  for (std::size_t q = 0; q < voxels.size(); ++q) {
    const double dx = (double(q % g.size[0]) - centre[0]) * g.spacing[0];
    const double dy = (double((q / g.size[0]) % g.size[1]) - centre[1]) * g.spacing[1];
    const double dz = (double(q / (g.size[0] * g.size[1])) - centre[2]) * g.spacing[2];
    const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
    const double share = std::clamp(radiusMm - d + 0.5, 0.0, 1.0);
    if (share <= 0 || voxels[q] > -400)
      continue;
    const double value = d < coreMm ? 20.0 : ggoHu;
    voxels[q] = float(voxels[q] + (value - voxels[q]) * share);
    truth[q] = share >= 0.5;
  }
  return truth;
}

/// The whole-grid mask of the voxels of `truth` above `hu` (what a model outlining the solid part
/// with its edge halfway to the lung gives), as a LesionMask on the whole grid.
LesionMask maskAbove(const Volume& v, const std::vector<std::uint8_t>& truth, double hu) {
  LesionMask m;
  for (int a = 0; a < 3; ++a)
    m.box.hi[a] = v.geometry.size[a];
  m.mask.assign(truth.size(), 0);
  for (std::size_t q = 0; q < truth.size(); ++q)
    m.mask[q] = truth[q] && v.value(q) > hu;
  return m;
}

/// The voxels of `truth` within `mm` of `centre`: a model's mask whose edge cut the ground glass
/// short.
LesionMask maskWithin(const Volume& v, const std::vector<std::uint8_t>& truth, const Vec3& centre,
                      double mm) {
  const VolumeGeometry& g = v.geometry;
  LesionMask m = maskAbove(v, truth, -2000);
  for (std::size_t q = 0; q < truth.size(); ++q) {
    const double dx = (double(q % g.size[0]) - centre[0]) * g.spacing[0];
    const double dy = (double((q / g.size[0]) % g.size[1]) - centre[1]) * g.spacing[1];
    const double dz = (double(q / (g.size[0] * g.size[1])) - centre[2]) * g.spacing[2];
    m.mask[q] = m.mask[q] && dx * dx + dy * dy + dz * dz <= mm * mm;
  }
  return m;
}

std::vector<std::uint8_t> wholeGrid(const VolumeGeometry& g, const LesionMask& m) {
  return fullGridMask(g, m);
}

} // namespace

TEST_CASE("the ground glass of a part-solid nodule joins its solid part's mask, while a solid nodule, "
          "diffuse density and a wall are left out",
          "[lesion][groundglass]") {
  const Vec3 centre{48, 48, 12};
  SECTION("a 16 mm part-solid nodule in lung: its mask from the solid part grows to the nodule") {
    Volume v = lungSlab();
    const std::vector<std::uint8_t> truth = paintNodule(v, centre, 8.0, 3.6, -600);
    LesionMask m =
        maskWithin(v, truth, centre, 5.0); // the solid part and a little of the ground glass
    const std::size_t before = countOf(m.mask);
    REQUIRE(diceCoefficient(m.mask, truth) < 0.6);
    REQUIRE(LesionModelEngine::extendGroundGlass(v, m));
    const std::vector<std::uint8_t> after = wholeGrid(v.geometry, m);
    INFO("mask " << before << " -> " << countOf(after) << " voxels, truth " << countOf(truth));
    CHECK(diceCoefficient(after, truth) >= 0.9);
    CHECK(countOf(after) <= 1.1 * double(countOf(truth)));
    CHECK(LesionModelEngine::lungBorderShare(v, m) > 0.9);
  }
  SECTION("a solid nodule is not extended (its partial-volume rim is not ground glass)") {
    Volume v = lungSlab();
    const std::vector<std::uint8_t> truth = paintNodule(v, centre, 6.0, 6.0, 20);
    LesionMask m = maskAbove(v, truth, -420);
    const std::vector<std::uint8_t> before = m.mask;
    CHECK_FALSE(LesionModelEngine::extendGroundGlass(v, m));
    CHECK(m.mask == before);
  }
  SECTION("ground glass everywhere around (diffuse density) is not taken") {
    Volume v = lungSlab();
    auto& voxels = std::get<std::vector<float>>(v.voxels);
    for (float& x : voxels)
      x += 260.0f; // -600 HU lung: an infection, oedema, dependent density
    // A part-solid nodule in it (ground glass at -450 HU): its mask holds ground glass, so it is
    // a candidate for the extension, which must not take the density all around.
    const std::vector<std::uint8_t> truth = paintNodule(v, centre, 5.0, 2.5, -450);
    LesionMask m = maskWithin(v, truth, centre, 3.5);
    REQUIRE(countOf(m.mask) > 8);
    const std::vector<std::uint8_t> before = m.mask;
    CHECK_FALSE(LesionModelEngine::extendGroundGlass(v, m));
    CHECK(m.mask == before);
  }
  SECTION("the border share: a nodule in lung borders lung, a mask into the wall borders it less") {
    Volume v = lungSlab(40);
    const std::vector<std::uint8_t> truth = paintNodule(v, Vec3{52, 48, 12}, 6.0, 6.0, 20);
    LesionMask nodule = maskAbove(v, truth, -420);
    const double alone = LesionModelEngine::lungBorderShare(v, nodule);
    // The same nodule and the wall behind it, 20 mm deep, as a flooded mask would be.
    LesionMask flooded = nodule;
    for (std::size_t q = 0; q < flooded.mask.size(); ++q) {
      const long x = long(q % 96), y = long((q / 96) % 96), z = long(q / (96 * 96));
      if (x >= 12 && x < 40 && std::abs(y - 48) <= 14 && std::abs(z - 12) <= 4)
        flooded.mask[q] = 1;
    }
    const double wall = LesionModelEngine::lungBorderShare(v, flooded);
    INFO("nodule " << alone << ", with the wall " << wall);
    CHECK(alone >= 0.7);
    CHECK(wall < LesionModelEngine::kMinLungBorderShare);
  }
}

namespace {

/// A "model" that calls lesion every sample inside the image at least as bright as the clicked
/// value (channel 0, the contrast against it, >= 0; channel 7, inside the image), whatever the
/// correction clicks say: it never follows a click, so what a click changes is the engine's own.
class BrightRunner : public ModelRunner {
public:
  Tensor run(const Tensor& input) const override {
    Tensor out;
    const std::size_t n = std::size_t(input.shape[2] * input.shape[3] * input.shape[4]);
    out.shape = {1, 1, input.shape[2], input.shape[3], input.shape[4]};
    out.data.resize(n);
    for (std::size_t q = 0; q < n; ++q)
      out.data[q] = input.data[q] >= -1e-3f && input.data[7 * n + q] > 0.5f ? 10.0f : -10.0f;
    return out;
  }
  std::string backend() const override { return "test"; }
  std::string path() const override { return "bright"; }
};

/// 64^3 voxels of 1 mm, 0 outside what `value` paints.
Volume paintedVolume(const std::function<std::int16_t(double, double, double)>& value) {
  Volume v;
  v.geometry.size = {64, 64, 64};
  v.geometry.spacing = {1, 1, 1};
  std::vector<std::int16_t> voxels(64 * 64 * 64);
  for (std::size_t k = 0, q = 0; k < 64; ++k)
    for (std::size_t j = 0; j < 64; ++j)
      for (std::size_t i = 0; i < 64; ++i, ++q)
        voxels[q] = value(double(i), double(j), double(k));
  v.voxels = std::move(voxels);
  return v;
}

std::size_t maskCount(const LesionMask& m, const VolumeGeometry& g,
                      const std::function<bool(double, double, double)>& where) {
  std::size_t n = 0, q = 0;
  for (std::size_t k = m.box.lo[2]; k < m.box.hi[2]; ++k)
    for (std::size_t j = m.box.lo[1]; j < m.box.hi[1]; ++j)
      for (std::size_t i = m.box.lo[0]; i < m.box.hi[0]; ++i, ++q)
        n += m.mask[q] && where(double(i), double(j), double(k));
  (void)g;
  return n;
}

} // namespace

TEST_CASE("a remove click on a leak takes the leak off and leaves the lesion, even when the model "
          "does not follow it",
          "[lesion][promptable][correction]") {
  BrightRunner bright;
  ModelManifest manifest;
  manifest.name = "bright";
  PromptableLesionEngine engine(bright, manifest);
  // A 10 mm ball (centre x = 24) and, touching it, a slab as bright (x 34-55): the model takes
  // both.
  auto ball = [](double x, double y, double z) { return std::hypot(x - 24, y - 32, z - 32) <= 10; };
  auto slab = [](double x, double y, double z) {
    return x >= 34 && x <= 55 && std::abs(y - 32) <= 10 && std::abs(z - 32) <= 10;
  };
  const Volume v = paintedVolume([&](double x, double y, double z) {
    return std::int16_t(ball(x, y, z) || slab(x, y, z) ? 1000 : 0);
  });
  const Vec3 seed = v.geometry.ijkToLps({24, 32, 32});
  const LesionMask first = engine.segment(v, seed, {});
  const std::size_t ballVoxels = maskCount(first, v.geometry, ball);
  const std::size_t slabVoxels = maskCount(first, v.geometry, slab);
  REQUIRE(ballVoxels > 3500);
  REQUIRE(slabVoxels > 8000); // the leak
  // A remove click in the middle of the slab.
  const LesionMask removed = engine.segment(v, seed, {{v.geometry.ijkToLps({46, 32, 32}), false}});
  INFO("ball " << maskCount(removed, v.geometry, ball) << " of " << ballVoxels << ", slab "
               << maskCount(removed, v.geometry, slab) << " of " << slabVoxels);
  CHECK(maskCount(removed, v.geometry, ball) == ballVoxels);     // the lesion stays whole
  CHECK(maskCount(removed, v.geometry, slab) * 10 < slabVoxels); // 90 % of the leak goes
  CHECK(maskCount(removed, v.geometry, [](double x, double, double) { return x >= 40; }) == 0);
  // Replayed from nothing (a reopened segment's saved prompts), the sequence gives the same mask.
  PromptableLesionEngine fresh(bright, manifest);
  const LesionMask replayed = fresh.segment(v, seed, {{v.geometry.ijkToLps({46, 32, 32}), false}});
  for (int a = 0; a < 3; ++a)
    CHECK((replayed.box.lo[a] == removed.box.lo[a] && replayed.box.hi[a] == removed.box.hi[a]));
  CHECK(replayed.mask == removed.mask);
  // A seed a voxel off the lesion (the engine takes the lesion voxel nearest a click) still holds
  // the lesion against the remove click's claim, from the lesion's edge: the claim stops halfway
  // (x = 30; without a seed in the mask it would take the ball, which lies within its reach).
  PromptableLesionEngine off(bright, manifest);
  const Vec3 beside = v.geometry.ijkToLps({13, 32, 32}); // the ball's edge is at x = 14
  const LesionMask offFirst = off.segment(v, beside, {});
  REQUIRE(maskCount(offFirst, v.geometry, ball) > 3500);
  const LesionMask offRemoved =
      off.segment(v, beside, {{v.geometry.ijkToLps({46, 32, 32}), false}});
  CHECK(maskCount(offRemoved, v.geometry, [&](double x, double y, double z) {
          return ball(x, y, z) && x <= 29;
        }) == maskCount(offFirst, v.geometry, [&](double x, double y, double z) {
          return ball(x, y, z) && x <= 29;
        }));
  CHECK(maskCount(offRemoved, v.geometry, ball) * 10 > maskCount(offFirst, v.geometry, ball) * 8);
}

TEST_CASE("an add click takes the tissue around it up to an edge, not the background",
          "[lesion][promptable][correction]") {
  BrightRunner bright;
  ModelManifest manifest;
  manifest.name = "bright";
  PromptableLesionEngine engine(bright, manifest);
  // A bright 6 mm core in a dimmer rim out to 12 mm: the model (brighter than the click) takes
  // the core only.
  const Volume v = paintedVolume([](double x, double y, double z) {
    const double r = std::hypot(x - 32, y - 32, z - 32);
    return std::int16_t(r <= 6 ? 1000 : r <= 12 ? 600 : 0);
  });
  auto rim = [](double x, double y, double z) {
    const double r = std::hypot(x - 32, y - 32, z - 32);
    return r > 6 && r <= 12;
  };
  auto background = [](double x, double y, double z) {
    return std::hypot(x - 32, y - 32, z - 32) > 12;
  };
  const Vec3 seed = v.geometry.ijkToLps({32, 32, 32});
  const LesionMask first = engine.segment(v, seed, {});
  REQUIRE(maskCount(first, v.geometry, rim) == 0);
  const LesionMask added = engine.segment(v, seed, {{v.geometry.ijkToLps({41, 32, 32}), true}});
  INFO("rim " << maskCount(added, v.geometry, rim) << ", background "
              << maskCount(added, v.geometry, background));
  CHECK(maskCount(added, v.geometry, rim) > 300);
  CHECK(maskCount(added, v.geometry, background) == 0);
  // Undone (the click sequence without it) the mask is the first one again.
  const LesionMask undone = engine.segment(v, seed, {});
  CHECK(undone.mask == first.mask);
}
