// SPDX-License-Identifier: Apache-2.0
// Issue 25, item 0: expected values that do not come from the code under test. Each case here was
// written against a bug a mutation test planted that the suite did not catch: a sign flipped in one
// Brock coefficient, `<` for `<=` at a Lung-RADS boundary, one pixel spacing for the other, a long
// axis measured centre-to-centre, a save written in place.
#include "core/clinical/Brock.h"
#include "core/clinical/LungRads.h"
#include "core/segmentation/SegmentTools.h"
#include "core/util/AtomicFile.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace lightbox;

TEST_CASE("Brock: every term against the published model on six patients", "[clinical][reference]") {
  // Probabilities computed outside this code base from McWilliams et al., NEJM 2013 (full model
  // with spiculation, table 3): logit = -6.7892 + 0.0287 (age - 62) + 0.6011 female + 0.2961
  // family history + 0.2953 emphysema - 5.3854 ((size / 10)^-0.5 - 1.58113883) - 0.1276 GGN
  // + 0.3770 part-solid + 0.6581 upper lobe - 0.0824 (count - 4) + 0.7729 spiculation.
  // Together the patients move every term away from its reference value, in both directions.
  struct Patient {
    int age;
    bool female, family, emphysema;
    double sizeMm;
    const char* type;
    bool upper;
    int count;
    bool spiculated;
    double expected;
  };
  const Patient patients[] = {
      {50, false, false, false, 4, "solid", false, 1, false, 0.001021},
      {75, true, true, true, 25, "part-solid", true, 1, true, 0.874422},
      {62, false, true, false, 8, "ground-glass", false, 7, false, 0.012445},
      {68, true, false, true, 15, "solid", false, 2, false, 0.191871},
      {55, false, false, true, 6, "part-solid", true, 10, true, 0.021486},
      {80, true, true, false, 3, "ground-glass", true, 4, false, 0.002103},
  };
  for (const Patient& p : patients) {
    BrockFactors f;
    f.ageYears = p.age;
    f.female = p.female;
    f.familyHistory = p.family;
    f.emphysema = p.emphysema;
    f.noduleSizeMm = p.sizeMm;
    f.type = p.type;
    f.upperLobe = p.upper;
    f.noduleCount = p.count;
    f.spiculation = p.spiculated;
    INFO(p.age << " y, " << p.sizeMm << " mm " << p.type << ", " << p.count << " nodules");
    CHECK(brockProbability(f) == Approx(p.expected).epsilon(2e-3));
  }
}

TEST_CASE("Lung-RADS v2022: both sides of every size boundary", "[clinical][reference]") {
  // The v2022 baseline table (sizes are mean diameters to 0.1 mm).
  struct Row {
    const char* type;
    double total, solid;
    const char* category;
  };
  const Row rows[] = {
      {"solid", 5.9, 5.9, "2"},          {"solid", 6.0, 6.0, "3"},          {"solid", 7.9, 7.9, "3"},
      {"solid", 8.0, 8.0, "4A"},         {"solid", 14.9, 14.9, "4A"},       {"solid", 15.0, 15.0, "4B"},
      {"part-solid", 5.9, 3.0, "2"},     {"part-solid", 6.0, 3.0, "3"},     {"part-solid", 10.0, 5.9, "3"},
      {"part-solid", 10.0, 6.0, "4A"},   {"part-solid", 10.0, 7.9, "4A"},   {"part-solid", 10.0, 8.0, "4B"},
      {"ground-glass", 29.9, 0.0, "2"},  {"ground-glass", 30.0, 0.0, "3"},
  };
  for (const Row& r : rows) {
    INFO(r.type << " " << r.total << " mm, solid " << r.solid << " mm");
    CHECK(suggestLungRads({{"F1", r.type, r.total, r.solid}}).category == r.category);
  }
}

TEST_CASE("mask axes and volume on non-square pixels and an oblique grid against the rectangle's geometry",
          "[segmentation][reference]") {
  // A 30 x 8 voxel rectangle on 3 slices; pixels 0.6 mm wide (x) and 1.4 mm high (y), 2.5 mm
  // slices, the grid turned 30 degrees about z and tilted.
  VolumeGeometry g;
  g.size = {64, 32, 5};
  g.spacing = {0.6, 1.4, 2.5};
  g.origin = {-12.0, 40.0, -100.0};
  // Turned 30 degrees about z, then tilted 12 degrees about x: orthonormal, not axial.
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6), ct = std::cos(M_PI / 15), st_ = std::sin(M_PI / 15);
  g.direction = {Vec3{c, s * ct, s * st_}, Vec3{-s, c * ct, c * st_}, Vec3{0.0, -st_, ct}};
  std::vector<std::uint8_t> mask(g.voxelCount(), 0);
  for (std::size_t k = 1; k <= 3; ++k)
    for (std::size_t j = 10; j < 18; ++j)
      for (std::size_t i = 5; i < 35; ++i) mask[i + g.size[0] * (j + g.size[1] * k)] = 1;
  const SegmentStats st = measureMask(g, mask);
  // Edge to edge: the diagonal of 30 x 0.6 = 18 mm by 8 x 1.4 = 11.2 mm. (Centre to centre would be
  // 19.97 mm; the spacings swapped, 42.27 mm.)
  CHECK(st.longAxisMm == Approx(std::hypot(18.0, 11.2)).margin(1e-6));
  CHECK(st.voxels == 30u * 8u * 3u);
  CHECK(st.volumeMl == Approx(30 * 8 * 3 * 0.6 * 1.4 * 2.5 / 1000.0).epsilon(1e-9));
  // The end points lie that far apart in LPS, whatever the grid's directions.
  CHECK(norm(st.longA - st.longB) == Approx(st.longAxisMm).margin(1e-6));
  // The short axis crosses the long one at a right angle and is shorter.
  const Vec3 along = st.longB - st.longA, across = st.shortB - st.shortA;
  CHECK(std::abs(dot(along, across)) < 1e-6 * norm(along) * norm(across) + 1e-9);
  CHECK(st.shortAxisMm < st.longAxisMm);
  CHECK(st.shortAxisMm > 0.0);
}

TEST_CASE("a save killed at any moment leaves the old file or the new one, whole", "[io][reference]") {
  const std::string folder = (std::filesystem::temp_directory_path() / ("lightbox-kill-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(folder);
  const std::string path = folder + "/review.json";
  const std::string a(1 << 20, 'a'), b((1 << 20) + 4096, 'b'); // two whole files of different sizes
  REQUIRE(writeFileAtomically(path, a).empty());
  std::mt19937 rng(25);
  int checked = 0;
  for (int round = 0; round < 40; ++round) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      for (int n = 0;; ++n) writeFileAtomically(path, n % 2 ? a : b); // saving again and again
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(200, 20000)(rng)));
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    std::ifstream in(path, std::ios::binary);
    const std::string now((std::istreambuf_iterator<char>(in)), {});
    INFO("round " << round << ": " << now.size() << " bytes");
    CHECK((now == a || now == b));
    ++checked;
  }
  CHECK(checked == 40);
  std::filesystem::remove_all(folder);
}
