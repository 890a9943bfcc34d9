// SPDX-License-Identifier: Apache-2.0
// The click-to-segment model engine: patch sampling, the shipped model's golden output from C++
// (input built by LesionPatch.cpp, output computed by the training script in Python), and the
// real LIDC lesion against its readers.
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "ai/segmentation/LesionModelEngine.h"
#include "ai/segmentation/LesionPatch.h"
#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace lightbox;

namespace {

const std::string kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";

ModelEntry shippedLesionModel() {
  return findModel(LesionModelEngine::kModelName, {std::string(LIGHTBOX_SOURCE_DIR) + "/resources/models"});
}

} // namespace

TEST_CASE("a lesion patch samples an oblique volume trilinearly along the scan's axes", "[ai][lesion]") {
  Volume v;
  v.geometry.size = {40, 30, 20};
  v.geometry.spacing = {0.7, 0.8, 2.5};
  v.geometry.origin = {-10, 5, 30};
  const double c = std::cos(0.3), s = std::sin(0.3);
  v.geometry.direction = {Vec3{c, s, 0}, Vec3{-s, c, 0}, Vec3{0, 0, 1}};
  std::vector<float> ramp(v.geometry.voxelCount());
  auto linear = [](const Vec3& p) { return 3.0 * p[0] - 2.0 * p[1] + 0.5 * p[2]; };
  for (std::size_t q = 0; q < ramp.size(); ++q) {
    ramp[q] = float(linear(v.geometry.ijkToLps({double(q % 40), double((q / 40) % 30), double(q / 1200)})));
  }
  v.voxels = ramp;
  const Vec3 centre = v.geometry.ijkToLps({20, 15, 10});
  const PatchGrid grid = patchAround(v.geometry, centre, 0.6, 8);
  const std::vector<float> samples = samplePatch(v, grid, -5000.0f);
  // A linear function is reproduced exactly by trilinear interpolation.
  double worst = 0;
  for (std::size_t q = 0; q < samples.size(); ++q) {
    const Vec3 p = grid.toLps({double(q % 8), double((q / 8) % 8), double(q / 64)});
    worst = std::max(worst, std::abs(double(samples[q]) - linear(p)));
  }
  CHECK(worst < 1e-2);
  CHECK(norm(grid.toLps(grid.toPatch(centre + Vec3{1, 2, 3})) - (centre + Vec3{1, 2, 3})) < 1e-9);
  // Outside the volume: the outside value.
  const std::vector<float> far = samplePatch(v, patchAround(v.geometry, centre + Vec3{0, 0, 500}, 1.0, 4), -5000.0f);
  CHECK(far.front() == -5000.0f);
}

TEST_CASE("the shipped lesion model loads hash-verified and reproduces its golden output from C++", "[ai][lesion][model]") {
  const ModelEntry entry = shippedLesionModel();
  CHECK(entry.manifest.task == "click-to-segment-lesion");
  CHECK(entry.manifest.intensityMethod == kClickRelativeIntensity);
  const auto runner = loadVerifiedModel(entry, 2);
  std::ifstream f(std::string(LIGHTBOX_SOURCE_DIR) + "/tests/ai/golden/lightbox-lesion.json");
  REQUIRE(f);
  const nlohmann::json golden = nlohmann::json::parse(f);
  CHECK(golden.at("sha256") == entry.manifest.weightsSha256);
  const std::vector<float> samples = lesionGoldenSamples(32);
  const PatchIntensity in = patchIntensity(samples, 32, true);
  CHECK(in.clickValue == Approx(golden.at("click_value").get<double>()).margin(1e-3));
  const Tensor y = runner->run(lesionModelInput(samples, 32, in, {{Vec3{15.5, 15.5, 15.5}, true}}));
  REQUIRE(y.shape == std::vector<std::int64_t>{1, 1, 32, 32, 32});
  REQUIRE(y.data.size() == 32u * 32u * 32u);
  double sum = 0;
  std::size_t half = 0;
  std::vector<double> p(y.data.size());
  for (std::size_t q = 0; q < p.size(); ++q) {
    p[q] = 1.0 / (1.0 + std::exp(-double(y.data[q])));
    sum += p[q];
    half += p[q] >= 0.5;
  }
  CHECK(sum == Approx(golden.at("sum_probability").get<double>()).epsilon(1e-3));
  CHECK(double(half) == Approx(golden.at("voxels_at_least_half").get<double>()).margin(3));
  for (std::size_t i = 0; i < golden.at("probes_xyz").size(); ++i) {
    const auto& xyz = golden.at("probes_xyz")[i];
    const std::size_t q = xyz[0].get<std::size_t>() + 32 * (xyz[1].get<std::size_t>() + 32 * xyz[2].get<std::size_t>());
    INFO("probe " << i);
    CHECK(p[q] == Approx(golden.at("probe_probability")[i].get<double>()).margin(1e-3));
  }
  // The blob under the click is segmented, the far corner is not.
  CHECK(p[16 + 32 * (16 + 32 * 16)] > 0.5);
  CHECK(p[2 + 32 * (2 + 32 * 2)] < 0.5);
}

TEST_CASE("LIDC lesion, model engine: one click at the consensus centroid comes within 0.01 of the readers' agreement",
          "[ai][lesion][lidc]") {
  const LesionModelEngine engine(shippedLesionModel(), 2);
  const LoadedSeries loaded = loadPath(test::sharedData(kSlab));
  const Volume& slab = loaded.volumes.front();
  const test::LidcConsensus c =
      test::lidcConsensus(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"), slab.geometry);
  REQUIRE(c.readers.size() >= 3);
  const double agreement = test::readersAgreement(c);
  const LesionMask lesion = engine.segment(slab, c.centroid);
  CHECK(lesion.engine == "lightbox-lesion");
  CHECK(lesion.weightsSha256 == engine.manifest().weightsSha256);
  const std::vector<std::uint8_t> ours = fullGridMask(slab.geometry, lesion);
  const double dice = diceCoefficient(ours, c.mask);
  const SegmentStats mine = measureMask(slab.geometry, ours, &slab), theirs = measureMask(slab.geometry, c.mask, &slab);
  INFO("readers' agreement " << agreement << ", model Dice " << dice << ", long axis " << mine.longAxisMm << " vs "
                             << theirs.longAxisMm << " mm, volume " << mine.volumeMl << " vs " << theirs.volumeMl
                             << " mL; " << lesion.warning);
  // The bound: Dice at least the readers' own agreement, long axis within 10 % of the
  // consensus mask's. The network alone reaches Dice 0.899 and a long axis 18 % short (at 1.5 mm
  // sampling it loses the spicules the readers drew); the edge refinement at the series'
  // resolution (its probability floor chosen on a validation set of the training backgrounds,
  // MODEL_CARD.md) brings them back.
  CHECK(engine.edgeMinProbability() == LesionModelEngine::kEdgeMinProbability);
  CHECK(dice >= agreement);
  CHECK(std::abs(mine.longAxisMm - theirs.longAxisMm) <= 0.1 * theirs.longAxisMm);
  std::printf("LIDC lesion: readers' agreement %.3f, model Dice %.3f, long axis %.1f vs %.1f mm, %.3f s\n", agreement,
              dice, mine.longAxisMm, theirs.longAxisMm, lesion.seconds);
  // The probability map covers the box and has an uncertainty band (0.3-0.7) along the edge.
  REQUIRE(lesion.probability.size() == lesion.mask.size());
  std::size_t band = 0;
  for (std::uint8_t v : lesion.probability) band += v > 76 && v < 179;
  CHECK(band > 0);
  CHECK(band < lesion.mask.size() / 4);
  for (const Vec3& d : {Vec3{2, 0, 0}, Vec3{-2, 0, 0}, Vec3{0, 2, 0}, Vec3{0, -2, 0}, Vec3{0, 0, 2}, Vec3{0, 0, -2}}) {
    const std::vector<std::uint8_t> moved = fullGridMask(slab.geometry, engine.segment(slab, c.centroid + d));
    INFO("click moved by " << d[0] << "," << d[1] << "," << d[2]);
    CHECK(diceCoefficient(moved, ours) >= 0.9);
  }
}
