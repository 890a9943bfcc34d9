// SPDX-License-Identifier: Apache-2.0
// The model runtime against tiny TorchScript fixtures (ai/training/make_fixture_models.py).
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "ai/runtime/Sha256.h"
#include "ai/runtime/SlidingWindow.h"
#include "ai/runtime/VolumeInference.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace lightbox;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return std::string(LIGHTBOX_AI_FIXTURES) + "/" + name; }

FloatGrid ramp(std::array<std::size_t, 3> size, std::size_t channels = 1) {
  FloatGrid g;
  g.size = size;
  g.channels = channels;
  g.data.resize(channels * g.voxels());
  for (std::size_t c = 0; c < channels; ++c) {
    for (std::size_t k = 0; k < size[2]; ++k) {
      for (std::size_t j = 0; j < size[1]; ++j) {
        for (std::size_t i = 0; i < size[0]; ++i) {
          g.at(c, i, j, k) = float(i + 100 * j + 10000 * k) + 0.5f * float(c);
        }
      }
    }
  }
  return g;
}

} // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[ai][manifest]") {
  CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256Hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("manifests are validated and models whose weights do not match are refused", "[ai][manifest]") {
  const ModelEntry ok = inspectModel(fixture("identity.json"));
  INFO(ok.problem);
  REQUIRE(ok.usable);
  CHECK(ok.manifest.name == "fixture-identity");
  CHECK(ok.manifest.patchXyz == std::array<std::size_t, 3>{16, 12, 8});

  const std::string dir = test::scratchFolder("manifests");
  fs::copy_file(fixture("identity.json"), dir + "/identity.json");
  fs::copy_file(fixture("constant.pt"), dir + "/identity.pt"); // other weights under the same name
  const ModelEntry swapped = inspectModel(dir + "/identity.json");
  CHECK_FALSE(swapped.usable);
  CHECK_THAT(swapped.problem, Catch::Contains("identity.pt") && Catch::Contains("sha256") &&
                                  Catch::Contains("refused"));
  CHECK_THROWS_WITH(findModel("fixture-identity", {dir}), Catch::Contains("refused"));
  CHECK_THROWS_WITH(loadVerifiedModel(swapped), Catch::Contains("does not match"));

  std::ifstream in(fixture("identity.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("\"licence\""), 9, "\"license_\"");
  std::ofstream(dir + "/broken.json") << text;
  const ModelEntry broken = inspectModel(dir + "/broken.json");
  CHECK_FALSE(broken.usable);
  CHECK_THAT(broken.problem, Catch::Contains("broken.json") && Catch::Contains("'licence'"));

  // Multi-scale inputs (issue 24): one scale per channel, positive and small.
  CHECK(ok.manifest.patchScales == std::vector<int>{1});
  auto withInput = [&](const std::string& name, const std::string& channelsAndScales) {
    std::string t = text;
    t.replace(t.find("\"license_\""), 10, "\"licence\"");
    const std::size_t at = t.find("\"channels\"");
    REQUIRE(at != std::string::npos);
    t.replace(at, t.find_first_of(",}", at) - at, channelsAndScales);
    std::ofstream(dir + "/" + name + ".json") << t;
    return inspectModel(dir + "/" + name + ".json");
  };
  const ModelEntry twoScales = withInput("two_scales", "\"channels\": 2, \"scales\": [1, 2]");
  CHECK(twoScales.manifest.patchScales == std::vector<int>{1, 2});
  CHECK(twoScales.manifest.inputChannels == 2);
  CHECK_THAT(withInput("scales_count", "\"channels\": 1, \"scales\": [1, 2]").problem,
             Catch::Contains("one entry per input channel"));
  CHECK_THAT(withInput("scales_zero", "\"channels\": 2, \"scales\": [1, 0]").problem,
             Catch::Contains("integers from 1 to 16"));
  CHECK_THAT(withInput("scales_text", "\"channels\": 1, \"scales\": \"2\"").problem,
             Catch::Contains("list of integers"));
  for (const char* name : {"two_scales", "scales_count", "scales_zero", "scales_text"}) fs::remove(dir + "/" + name + ".json");

  const std::vector<ModelEntry> all = listModels({LIGHTBOX_AI_FIXTURES, dir + "/missing"});
  CHECK(all.size() == 4);
  for (const ModelEntry& e : all) {
    CHECK(e.usable);
  }
  CHECK_THROWS_WITH(loadTorchScriptModel(fixture("identity.json")), Catch::Contains("identity.json") &&
                                                                         Catch::Contains("not a loadable"));
}

TEST_CASE("a calibrated score keeps every logit's rank: never 1.0, never a tie at the top",
          "[ai][manifest]") {
  ModelManifest m;
  m.calibration = "platt";
  m.plattA = 1.2324637174606323; // the shipped nodule model's fit
  m.plattB = -2.608175039291382;
  // Below the tail the score is the logistic of the calibrated logit.
  for (double logit : {-10.0, -1.0, 0.0, 2.0, 5.0, 9.0}) {
    const double z = m.plattA * logit + m.plattB;
    CHECK(m.probability(logit) == Approx(1.0 / (1.0 + std::exp(-z))).epsilon(1e-12));
  }
  // The tail starts where the logistic reaches 0.9999, and meets it there.
  const double z0 =
      std::log(ModelManifest::kTailProbability / (1.0 - ModelManifest::kTailProbability));
  const double atTail = (z0 - m.plattB) / m.plattA;
  CHECK(m.probability(atTail - 1e-9) == Approx(ModelManifest::kTailProbability).margin(1e-12));
  CHECK(m.probability(atTail + 1e-9) == Approx(ModelManifest::kTailProbability).margin(1e-12));
  // The phantom's top logits (34.1, 32.3, 31.9, 21.1: the logistic gave 1.0, 1.0, 1 - 2e-16,
  // 1 - 7e-11) and far beyond: strictly increasing, all below one, apart by more than the nine
  // decimals a score is shown with, and never more than 1e-4 from the logistic.
  const std::vector<double> logits{21.09, 31.85, 32.31, 34.11, 60.0, 1000.0};
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double p = m.probability(logits[i]);
    const double logistic = 1.0 / (1.0 + std::exp(-(m.plattA * logits[i] + m.plattB)));
    INFO("logit " << logits[i]);
    CHECK(p < 1.0);
    CHECK(std::abs(p - logistic) < 1e-4);
    if (i > 0)
      CHECK(p - m.probability(logits[i - 1]) > 1e-9);
  }
  // The tail itself, not just any monotone one: the value at the phantom's top logit.
  const double z = m.plattA * 34.11 + m.plattB;
  CHECK(m.probability(34.11) ==
        Approx(1.0 - (1.0 - ModelManifest::kTailProbability) * z0 / z).margin(1e-15));
  // Never decreasing and without jumps from logit 8 to 100 across the switch (which is on the
  // calibrated logit, not the raw one).
  double previous = m.probability(8.0);
  for (double logit = 8.001; logit < 100.0; logit += 0.001) {
    const double p = m.probability(logit);
    REQUIRE(p >= previous);
    REQUIRE(p - previous < 2e-5);
    previous = p;
  }
  CHECK(std::isnan(m.probability(std::nan(""))));
}

TEST_CASE("tile starts cover the axis with the requested overlap", "[ai][sliding]") {
  CHECK(tileStarts(10, 4, 0.5) == std::vector<std::size_t>{0, 2, 4, 6});
  CHECK(tileStarts(4, 8, 0.5) == std::vector<std::size_t>{0});
  CHECK(tileStarts(8, 8, 0.5) == std::vector<std::size_t>{0});
  for (std::size_t n : {17u, 37u, 100u, 513u}) {
    const std::vector<std::size_t> s = tileStarts(n, 16, 0.25);
    CHECK(s.front() == 0);
    CHECK(s.back() == n - 16);
    for (std::size_t t = 1; t < s.size(); ++t) {
      CHECK(s[t] > s[t - 1]);
      CHECK(s[t] - s[t - 1] <= 12);
    }
  }
}

TEST_CASE("sliding window with the identity model round-trips every voxel exactly", "[ai][sliding]") {
  const auto runner = loadTorchScriptModel(fixture("identity.pt"), 1);
  for (std::array<std::size_t, 3> size : {std::array<std::size_t, 3>{37, 23, 11}, {5, 5, 3}, {16, 12, 8}}) {
    const FloatGrid in = ramp(size);
    SlidingWindowOptions o;
    o.patchXyz = {16, 12, 8};
    o.overlap = 0.5;
    o.blend = BlendMode::Constant;
    o.padValue = -1e6f; // padding must never leak into the result
    const FloatGrid out = slidingWindowInference(in, *runner, o);
    REQUIRE(out.size == in.size);
    REQUIRE(out.channels == 1);
    CHECK(out.data == in.data);

    o.blend = BlendMode::Gaussian;
    const FloatGrid blended = slidingWindowInference(in, *runner, o);
    double worst = 0;
    for (std::size_t v = 0; v < in.data.size(); ++v) {
      worst = std::max(worst, std::abs(double(blended.data[v]) - in.data[v]) / (1.0 + std::abs(in.data[v])));
    }
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("sliding window blends a constant model to the constant with no seams", "[ai][sliding]") {
  const auto runner = loadTorchScriptModel(fixture("constant.pt"), 1);
  SlidingWindowOptions o;
  o.patchXyz = {16, 12, 8};
  o.overlap = 0.3;
  const FloatGrid out = slidingWindowInference(ramp({41, 30, 19}), *runner, o);
  for (float v : out.data) {
    REQUIRE(std::abs(v - 7.0f) < 1e-5f);
  }
}

TEST_CASE("channels keep their order into and out of the model", "[ai][sliding]") {
  const auto runner = loadTorchScriptModel(fixture("channel_echo.pt"), 1);
  SlidingWindowOptions o;
  o.patchXyz = {16, 12, 8};
  o.blend = BlendMode::Constant;
  const FloatGrid in = ramp({20, 14, 9}, 2);
  const FloatGrid out = slidingWindowInference(in, *runner, o);
  REQUIRE(out.channels == 4);
  for (std::size_t v = 0; v < in.voxels(); v += 7) {
    const std::size_t n = in.voxels();
    CHECK(out.data[v] == in.data[n + v]);               // flipped: channel 1 first
    CHECK(out.data[n + v] == in.data[v]);
    CHECK(out.data[2 * n + v] == 10.0f * in.data[v]);   // then 10 x, in order
    CHECK(out.data[3 * n + v] == 10.0f * in.data[n + v]);
  }
}

TEST_CASE("tensor D, H, W are the volume's z, y, x", "[ai][sliding]") {
  const auto runner = loadTorchScriptModel(fixture("axis_probe.pt"), 1);
  Tensor t;
  t.shape = {1, 1, 3, 4, 5}; // z = 3, y = 4, x = 5
  FloatGrid g;
  g.size = {5, 4, 3};
  g.data.resize(g.voxels());
  for (std::size_t k = 0; k < 3; ++k) {
    for (std::size_t j = 0; j < 4; ++j) {
      for (std::size_t i = 0; i < 5; ++i) {
        g.at(0, i, j, k) = float(1 * i + 10 * j + 100 * k);
      }
    }
  }
  t.data = g.data; // the grid's memory is used as is
  const Tensor y = runner->run(t);
  REQUIRE(y.data.size() == 3);
  CHECK(y.data[0] == 100.0f); // one step along D is one step in z
  CHECK(y.data[1] == 10.0f);  // H is y
  CHECK(y.data[2] == 1.0f);   // W is x
}

TEST_CASE("a dense model runs through resampling to its spacing and back", "[ai][sliding]") {
  const ModelEntry entry = inspectModel(fixture("identity.json"));
  const auto runner = loadVerifiedModel(entry, 1);
  Volume v;
  v.geometry.size = {40, 30, 12};
  v.geometry.spacing = {0.7, 0.8, 2.5}; // model wants 1 mm isotropic
  v.geometry.origin = {-10, 5, 30};
  v.geometry.direction = {Vec3{0, 1, 0}, Vec3{1, 0, 0}, Vec3{0, 0, -1}};
  std::vector<float> vox(v.geometry.voxelCount());
  for (std::size_t k = 0; k < 12; ++k) {
    for (std::size_t j = 0; j < 30; ++j) {
      for (std::size_t i = 0; i < 40; ++i) {
        const Vec3 p = v.geometry.ijkToLps({double(i), double(j), double(k)});
        vox[i + 40 * (j + 30 * k)] = float(3 * p[0] - 2 * p[1] + 5 * p[2]); // linear in LPS
      }
    }
  }
  v.voxels = vox;
  std::size_t tiles = 0;
  const std::vector<Volume> out = runDenseModel(v, entry.manifest, *runner, [&](std::size_t d, std::size_t) {
    tiles = d;
    return true;
  });
  CHECK(tiles > 1);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].geometry == v.geometry);
  // Trilinear resampling of a linear function is exact except where the coarser model grid
  // stops short of the last original voxel (there it clamps); compare the interior.
  double worst = 0;
  for (std::size_t k = 0; k < 11; ++k) {
    for (std::size_t j = 0; j < 29; ++j) {
      for (std::size_t i = 0; i < 39; ++i) {
        const std::size_t q = i + 40 * (j + 30 * k);
        worst = std::max(worst, std::abs(out[0].value(q) - double(vox[q])));
      }
    }
  }
  CHECK(worst < 0.05);
  CHECK_THROWS_AS(runDenseModel(v, entry.manifest, *runner, [](std::size_t, std::size_t) { return false; }),
                  InferenceCancelled);
}

TEST_CASE("pre-flight flags scans outside the model's intended use", "[ai][preflight]") {
  ModelManifest m = readModelManifest(fixture("identity.json"));
  m.minCoverageMm = 100;
  Volume v;
  v.geometry.size = {64, 64, 20};
  v.geometry.spacing = {0.7, 0.7, 2.5};
  CHECK(preflightWarnings(m, v, {"CT", 2.5}).size() == 1); // only coverage: 47.5 mm < 100 mm
  CHECK_THAT(preflightWarnings(m, v, {"CT", 2.5}).front(), Catch::Contains("47.5 mm along z"));
  m.minCoverageMm = 0;
  CHECK(preflightWarnings(m, v, {"CT", 2.5}).empty());
  CHECK_THAT(preflightWarnings(m, v, {"MR", 2.5}).front(), Catch::Contains("modality MR"));
  CHECK_THAT(preflightWarnings(m, v, {"CT", 7.0}).front(), Catch::Contains("slice thickness 7 mm"));
}
