// SPDX-License-Identifier: Apache-2.0
// The learned registration engine's pieces: the shipped model's golden output from C++, the
// network grid, the intensity map and the input sampling (the training pipeline's, rebuilt here),
// the halved field grid, and instance optimisation recovering a known shift.
#include "ai/registration/InstanceOptimisation.h"
#include "ai/registration/LearnedRegistration.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace lightbox;

namespace {

ModelEntry shippedModel() {
  return findModel(kRegistrationModelName, {std::string(LIGHTBOX_SOURCE_DIR) + "/resources/models"});
}

Volume linearVolume(const VolumeGeometry& g, const std::string& units, double a, double b, double c, double d) {
  Volume v;
  v.geometry = g;
  v.units = units;
  std::vector<float> values(g.voxelCount());
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
        values[i + g.size[0] * (j + g.size[1] * k)] = float(a * p[0] + b * p[1] + c * p[2] + d);
      }
    }
  }
  v.voxels = std::move(values);
  return v;
}

} // namespace

TEST_CASE("the shipped registration model loads hash-verified and reproduces its golden output from C++",
          "[ai][registration][model]") {
  const ModelEntry entry = shippedModel();
  REQUIRE(entry.usable);
  CHECK(entry.manifest.outputType == "displacement-field");
  CHECK(entry.manifest.inputChannels == 2);
  CHECK(entry.manifest.targetSpacingXyz[0] == 4.0);
  std::ifstream f(std::string(LIGHTBOX_SOURCE_DIR) + "/tests/ai/golden/lightbox-registration.json");
  REQUIRE(f);
  const nlohmann::json golden = nlohmann::json::parse(f);
  CHECK(golden.at("sha256") == entry.manifest.weightsSha256);

  // registration_model.golden_input(), rebuilt: (1, 2, 16, 24, 32).
  Tensor in;
  in.shape = {1, 2, 16, 24, 32};
  in.data.resize(in.numel());
  for (int z = 0; z < 16; ++z) {
    for (int y = 0; y < 24; ++y) {
      for (int x = 0; x < 32; ++x) {
        const std::size_t n = std::size_t(x + 32 * (y + 24 * z));
        in.data[n] = float(0.5 + 0.4 * std::sin(x / 3.0) * std::cos(y / 4.0) * std::sin(z / 2.5 + 0.3));
        in.data[16 * 24 * 32 + n] = float(0.5 + 0.4 * std::sin((x - 1.5) / 3.0) * std::cos((y + 0.7) / 4.0) *
                                                    std::sin((z - 0.5) / 2.5 + 0.3));
      }
    }
  }
  const Tensor out = loadVerifiedModel(entry, 1)->run(in);
  REQUIRE(out.shape == std::vector<std::int64_t>{1, 3, 16, 24, 32});
  double sumAbs = 0;
  for (float v : out.data) sumAbs += std::abs(double(v));
  CHECK(sumAbs == Approx(golden.at("sum_abs").get<double>()).epsilon(1e-3));
  for (std::size_t i = 0; i < golden.at("probes_czyx").size(); ++i) {
    const auto& p = golden.at("probes_czyx")[i];
    const std::size_t n = std::size_t(p[0].get<int>()) * 16 * 24 * 32 +
                          std::size_t(p[3].get<int>() + 32 * (p[2].get<int>() + 24 * p[1].get<int>()));
    CHECK(out.data[n] == Approx(golden.at("probe_mm")[i].get<double>()).margin(1e-3));
  }
}

TEST_CASE("the network grid covers the current image along its axes in sides of multiples of 8", "[ai][registration]") {
  VolumeGeometry fixed;
  fixed.size = {100, 90, 41};
  fixed.spacing = {0.8, 0.8, 2.5};
  fixed.origin = {-40, -30, 10};
  fixed.direction = {Vec3{0, 1, 0}, Vec3{-1, 0, 0}, Vec3{0, 0, 1}}; // rotated in-plane
  const VolumeGeometry g = detail::learnedGrid(fixed, 4.0, 8);
  CHECK(g.size == std::array<std::size_t, 3>{24, 24, 32}); // 21, 19 and 26 nodes rounded up
  CHECK(g.direction == fixed.direction);
  const Vec3 a = g.ijkToLps({(g.size[0] - 1) / 2.0, (g.size[1] - 1) / 2.0, (g.size[2] - 1) / 2.0});
  const Vec3 b = fixed.ijkToLps({49.5, 44.5, 20});
  for (int c = 0; c < 3; ++c) CHECK(a[c] == Approx(b[c]).margin(1e-9));

  // The halved grid: node I between nodes 2I and 2I + 1; a linear field averages to itself.
  const VolumeGeometry h = detail::halvedGrid(g);
  CHECK(h.size == std::array<std::size_t, 3>{12, 12, 16});
  std::vector<float> field(3 * g.voxelCount());
  for (std::size_t n = 0; n < g.voxelCount(); ++n) {
    const Vec3 p = g.ijkToLps({double(n % 24), double((n / 24) % 24), double(n / 576)});
    field[3 * n] = float(0.01 * p[0]);
    field[3 * n + 1] = float(-0.02 * p[2]);
    field[3 * n + 2] = 1.5f;
  }
  const std::vector<float> half = detail::halvedField(g, field);
  const std::size_t n = 3 + 12 * (5 + 12 * 7);
  const Vec3 q = h.ijkToLps({3, 5, 7});
  CHECK(half[3 * n] == Approx(0.01 * q[0]).margin(1e-4));
  CHECK(half[3 * n + 1] == Approx(-0.02 * q[2]).margin(1e-4));
  CHECK(half[3 * n + 2] == Approx(1.5).margin(1e-6));
}

TEST_CASE("the model's intensity map and input sampling match the training pipeline", "[ai][registration]") {
  VolumeGeometry g;
  g.size = {40, 30, 20};
  g.spacing = {1, 1, 2};
  const Volume ct = linearVolume(g, "HU", 20, 0, 0, -1000); // -1000 .. -220 HU
  const detail::IntensityMap ctMap = detail::intensityMapOf(ct);
  CHECK(ctMap.ct);
  CHECK(ctMap(-1000) == Approx(0.0));
  CHECK(ctMap(-200) == Approx(0.5));
  CHECK(ctMap(900) == Approx(1.0));

  // MR: divided by the element at floor(0.995 (n - 1)) of the sorted values.
  Volume mr = linearVolume(g, "", 0, 0, 0, 0);
  auto& values = std::get<std::vector<float>>(mr.voxels);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = float(i % 1000);
  const detail::IntensityMap mrMap = detail::intensityMapOf(mr);
  CHECK_FALSE(mrMap.ct);
  CHECK(mrMap.scale == Approx(994.0)); // 24000 values 0..999; index 23879 of the sorted ones
  CHECK(mrMap(2000.0) == Approx(1.5));
  // A research-format CT keeps HU but not its modality: air says CT.
  Volume nifti = linearVolume(g, "", 20, 0, 0, -1000);
  CHECK(detail::isCtLike(nifti));
  CHECK(detail::intensityMapOf(nifti).ct);
  CHECK_FALSE(detail::isCtLike(mr));

  // The mean of eight trilinear samples of a linear image is its value at the centre; through an
  // affine, at the mapped centre.
  const VolumeGeometry grid = detail::learnedGrid(g, 4.0, 8);
  RegistrationTransform shift;
  shift.translation = {3.0, 0, 0};
  const std::vector<float> plain = detail::sampleOnGrid(ct, ctMap, grid, {}, 2);
  const std::vector<float> moved = detail::sampleOnGrid(ct, ctMap, grid, shift, 2);
  const std::size_t i = 6, j = 6, k = 6;
  const std::size_t n = i + grid.size[0] * (j + grid.size[1] * k);
  const Vec3 p = grid.ijkToLps({double(i), double(j), double(k)});
  CHECK(plain[n] == Approx(ctMap(20 * p[0] - 1000)).margin(1e-5));
  CHECK(moved[n] == Approx(ctMap(20 * (p[0] + 3) - 1000)).margin(1e-5));
  // Outside the image: 0 (air after normalisation).
  CHECK(plain[0] == 0.0f);
}

TEST_CASE("instance optimisation recovers a known smooth shift of a structured image", "[ai][registration]") {
  // The current: a blobby image; the prior: the same image moved by 2.5 mm along x, so the
  // answer is u = (2.5, 0, 0) where there is structure.
  VolumeGeometry g;
  g.size = {48, 48, 32};
  g.spacing = {2, 2, 2};
  const auto blob = [](const Vec3& p) {
    return float(0.5 + 0.4 * std::sin(p[0] / 7.0) * std::cos(p[1] / 9.0) * std::sin(p[2] / 6.0 + 0.4));
  };
  NormalisedImage current{g, std::vector<float>(g.voxelCount())};
  NormalisedImage prior{g, std::vector<float>(g.voxelCount())};
  for (std::size_t n = 0; n < g.voxelCount(); ++n) {
    const Vec3 p = g.ijkToLps({double(n % 48), double((n / 48) % 48), double(n / 2304)});
    current.values[n] = blob(p);
    prior.values[n] = blob({p[0] - 2.5, p[1], p[2]});
  }
  VolumeGeometry fieldGrid = detail::halvedGrid(detail::learnedGrid(g, 4.0, 8));
  InstanceLevelInput level{"full", &current, &prior, RegistrationTransform{}, 150, 20000};
  InstanceOptimisationOptions options;
  options.seed = 5;
  const InstanceOptimisationResult r =
      optimiseField(fieldGrid, std::vector<float>(3 * fieldGrid.voxelCount(), 0.0f), current, {level}, options);
  REQUIRE(r.nccAfter.size() == 1);
  CHECK(r.nccAfter[0] > r.nccBefore[0]);
  CHECK(r.nccAfter[0] > 0.99);
  DisplacementField field;
  field.grid = fieldGrid;
  field.vectors = r.field;
  const Vec3 centre = g.ijkToLps({24, 24, 16});
  const Vec3 u = field.at(centre);
  CHECK(u[0] == Approx(2.5).margin(0.3));
  CHECK(std::abs(u[1]) < 0.3);
  CHECK(std::abs(u[2]) < 0.3);
}

TEST_CASE("instance optimisation draws its points on the structure voxels, within them", "[ai][registration]") {
  // A bright cube at voxels 4..15 of an oblique 24^3 grid: only the cube is not background, and
  // its gradient is largest on its faces, so every point lies within [3.5, 15.5] on every axis.
  VolumeGeometry g;
  g.size = {24, 24, 24};
  g.spacing = {2, 3, 4};
  g.origin = {10, -20, 5};
  g.direction = {Vec3{0, 1, 0}, Vec3{0, 0, 1}, Vec3{1, 0, 0}};
  NormalisedImage s{g, std::vector<float>(g.voxelCount(), 0.0f)};
  for (std::size_t k = 4; k <= 15; ++k) {
    for (std::size_t j = 4; j <= 15; ++j) {
      for (std::size_t i = 4; i <= 15; ++i) s.values[i + 24 * (j + 24 * k)] = 1.0f;
    }
  }
  const std::vector<Vec3> points = structurePoints(s, 5000, 3);
  REQUIRE(points.size() == 5000);
  Vec3 lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
  for (const Vec3& p : points) {
    const Vec3 ijk = g.lpsToIjk(p);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], ijk[a]);
      hi[a] = std::max(hi[a], ijk[a]);
    }
  }
  for (int a = 0; a < 3; ++a) {
    INFO("axis " << a << ": " << lo[a] << " .. " << hi[a]);
    CHECK(lo[a] >= 3.5 - 1e-4);
    CHECK(hi[a] <= 15.5 + 1e-4);
    CHECK(hi[a] - lo[a] > 11.5); // spread over the whole cube
  }
  CHECK(structurePoints(s, 5000, 3)[17] == points[17]); // seeded
}
