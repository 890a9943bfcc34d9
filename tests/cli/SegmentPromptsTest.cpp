// SPDX-License-Identifier: Apache-2.0
// `lightbox segment` prompts (issue 23's contract): seed, box, correction clicks in order,
// modality of an untagged NIfTI, limit warnings, usage errors.
#include "tests/support/TestData.h"

#include "app/cli/Commands.h"
#include "core/io/ImageFileIO.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace lightbox;

namespace {

const std::string kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";

/// One scratch folder for the run, removed when the process exits (was a folder per run left in /tmp).
std::string workDir() {
  static const std::string dir = test::scratchFolder("segment-prompts");
  return dir;
}

int segment(std::vector<std::string> args) {
  args.insert(args.begin(), {"lightbox", "segment"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return cli::runCommandLine(int(argv.size()), argv.data());
}

nlohmann::json readJson(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

std::string point(const Vec3& p) {
  char s[96];
  std::snprintf(s, sizeof(s), "%.3f,%.3f,%.3f", p[0], p[1], p[2]);
  return s;
}

std::string box(const Vec3& c, double half) {
  return point(c - Vec3{half, half, half}) + "," + point(c + Vec3{half, half, half});
}

std::vector<std::uint8_t> readMask(const std::string& path) {
  const Volume v = readResearchImage(path).front();
  std::vector<std::uint8_t> m(v.geometry.voxelCount());
  for (std::size_t q = 0; q < m.size(); ++q) m[q] = v.value(q) > 0.5;
  return m;
}

struct Slab {
  Volume image;
  test::LidcConsensus truth;
};

const Slab& slab() {
  static const Slab s = [] {
    Slab out;
    out.image = loadPath(test::sharedData(kSlab)).volumes.front();
    out.truth = test::lidcConsensus(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"),
                                    out.image.geometry);
    return out;
  }();
  return s;
}

} // namespace

TEST_CASE("segment: a seed alone on the LIDC slab lists its prompt and the DICOM modality", "[cli][segment-prompts]") {
  const std::string dir = workDir();
  for (const std::string engine : {"classical", "model"}) {
    INFO(engine);
    REQUIRE(segment({test::sharedData(kSlab), "--seed-lps", point(slab().truth.centroid), "--engine", engine, "-o",
                     dir + "/seed.nii.gz", "--json", dir + "/seed.json"}) == 0);
    const nlohmann::json j = readJson(dir + "/seed.json");
    REQUIRE(j.at("prompts").size() == 1);
    CHECK(j["prompts"][0]["kind"] == "seed");
    CHECK(j["prompts"][0]["voxels_changed"].get<long long>() == j["voxels"].get<long long>());
    CHECK(j["modality_handling"]["modality"] == "CT");
    CHECK(j["modality_handling"]["source"].get<std::string>().rfind("DICOM Modality CT", 0) == 0);
    CHECK(j["warning_codes"].empty());
    CHECK(diceCoefficient(readMask(dir + "/seed.nii.gz"), slab().truth.mask) > 0.85);
  }
}

TEST_CASE("segment: a box alone runs the engine at its centre and keeps the mask inside it", "[cli][segment-prompts]") {
  const std::string dir = workDir();
  const Vec3 c = slab().truth.centroid;
  REQUIRE(segment({test::sharedData(kSlab), "--box-lps", box(c, 25), "--engine", "classical", "-o", dir + "/box.nii.gz",
                   "--json", dir + "/box.json"}) == 0);
  const nlohmann::json j = readJson(dir + "/box.json");
  REQUIRE(j.at("prompts").size() == 1);
  CHECK(j["prompts"][0]["kind"] == "box");
  CHECK(j["prompts"][0]["note"].get<std::string>().find("box's centre") != std::string::npos);
  const std::vector<std::uint8_t> mask = readMask(dir + "/box.nii.gz");
  const VoxelBox b = voxelBoxBetween(slab().image.geometry, c - Vec3{25, 25, 25}, c + Vec3{25, 25, 25});
  const VolumeGeometry& g = slab().image.geometry;
  std::size_t outside = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j2 = 0; j2 < g.size[1]; ++j2)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (mask[i + g.size[0] * (j2 + g.size[1] * k)] &&
            (i < b.lo[0] || i >= b.hi[0] || j2 < b.lo[1] || j2 >= b.hi[1] || k < b.lo[2] || k >= b.hi[2]))
          ++outside;
  CHECK(outside == 0);
  CHECK(diceCoefficient(mask, slab().truth.mask) > 0.85);

  // A box reaching far past the series (its corners' midpoint outside it): the engine runs at the
  // centre of the box as clipped to the series, never refused.
  const std::string past = point(c - Vec3{25, 25, 25}) + "," + point(c + Vec3{25, 25, 300});
  REQUIRE(segment({test::sharedData(kSlab), "--box-lps", past, "--engine", "classical", "-o", dir + "/past.nii.gz",
                   "--json", dir + "/past.json"}) == 0);
  CHECK(diceCoefficient(readMask(dir + "/past.nii.gz"), slab().truth.mask) > 0.85);
}

TEST_CASE("segment: seed, add and remove clicks are applied and listed in order", "[cli][segment-prompts]") {
  const std::string dir = workDir();
  const Vec3 c = slab().truth.centroid;
  for (const std::string engine : {"classical", "model"}) {
    INFO(engine);
    REQUIRE(segment({test::sharedData(kSlab), "--seed-lps", point(c), "--remove-lps", point(c), "--add-lps",
                     point(c + Vec3{1, 0, 0}), "--remove-lps", point(c + Vec3{0, 1, 0}), "--engine", engine, "-o",
                     dir + "/clicks.nii.gz", "--json", dir + "/clicks.json"}) == 0);
    const nlohmann::json j = readJson(dir + "/clicks.json");
    REQUIRE(j.at("prompts").size() == 4);
    CHECK(j["prompts"][0]["kind"] == "seed");
    CHECK(j["prompts"][1]["kind"] == "remove");
    CHECK(j["prompts"][2]["kind"] == "add");
    CHECK(j["prompts"][3]["kind"] == "remove");
    CHECK(j["prompts"][1]["lps"][0].get<double>() == Approx(c[0]).margin(1e-3));
    CHECK(j["prompts"][2]["lps"][0].get<double>() == Approx(c[0] + 1).margin(1e-3));
    if (engine == "classical") {
      // Remove at the centre clears the 10 mm around it, add brings the lesion back, remove again.
      CHECK(j["prompts"][1]["voxels_changed"].get<long long>() < 0);
      CHECK(j["prompts"][2]["voxels_changed"].get<long long>() > 0);
      CHECK(j["prompts"][3]["voxels_changed"].get<long long>() < 0);
    }
    long long sum = 0;
    for (const auto& p : j["prompts"]) sum += p["voxels_changed"].get<long long>();
    CHECK(sum == j["voxels"].get<long long>());
  }
}

TEST_CASE("segment: a tiny box forces touches_limit, said with the faces", "[cli][segment-prompts]") {
  const std::string dir = workDir();
  const Vec3 c = slab().truth.centroid;
  for (const std::string engine : {"classical", "model"}) {
    INFO(engine);
    REQUIRE(segment({test::sharedData(kSlab), "--seed-lps", point(c), "--box-lps", box(c, 4), "--engine", engine, "-o",
                     dir + "/tiny.nii.gz", "--json", dir + "/tiny.json"}) == 0);
    const nlohmann::json j = readJson(dir + "/tiny.json");
    CHECK(j["prompts"].size() == 2);
    REQUIRE(j["warning_codes"].size() >= 1);
    CHECK(j["warning_codes"][0] == "touches_limit");
    REQUIRE(j["limits_touched"].contains("prompt box"));
    CHECK(j["limits_touched"]["prompt box"].size() >= 4);
    bool said = false;
    for (const auto& w : j["warnings"]) said = said || w.get<std::string>().rfind("touches_limit: ", 0) == 0;
    CHECK(said);
  }
}

TEST_CASE("segment: the promptable model's mask that floods the lung is refused as leak_refused, nothing written",
          "[cli][segment-prompts]") {
  // A click in the aerated lung of the POPI CT with the promptable model forced (the shipped routing
  // sends it to the nodule model): the model's mask took 3 L, two thirds of it lung, before the guard.
  const std::string dir = workDir();
  setenv("LIGHTBOX_LESION_MODEL", "lightbox-lesion-prompt", 1);
  const int rc = segment({test::sharedData("ct/chest_4dct_popi_phase00"), "--seed-lps", "77.1,64.5,-24.5", "--engine",
                          "model", "-o", dir + "/lung.nii.gz", "--json", dir + "/lung.json"});
  unsetenv("LIGHTBOX_LESION_MODEL");
  REQUIRE(rc == 0);
  const nlohmann::json j = readJson(dir + "/lung.json");
  CHECK(j["model"]["name"] == "lightbox-lesion-prompt");
  CHECK(j["voxels"] == 0);
  REQUIRE(j["warning_codes"].size() >= 1);
  CHECK(j["warning_codes"][0] == "leak_refused");
  const std::vector<std::uint8_t> written = readMask(dir + "/lung.nii.gz");
  CHECK(std::count(written.begin(), written.end(), std::uint8_t(1)) == 0);

  // A soft-tissue click in the same CT keeps its mask (no aerated voxels in it).
  setenv("LIGHTBOX_LESION_MODEL", "lightbox-lesion-prompt", 1);
  REQUIRE(segment({test::sharedData("ct/chest_4dct_popi_phase00"), "--seed-lps", "8.79,29.36,-24.5", "--engine", "model",
                   "-o", dir + "/soft.nii.gz", "--json", dir + "/soft.json"}) == 0);
  unsetenv("LIGHTBOX_LESION_MODEL");
  const nlohmann::json soft = readJson(dir + "/soft.json");
  CHECK(soft["voxels"].get<long>() > 1000);
  for (const auto& code : soft["warning_codes"]) CHECK(code != "leak_refused");
}

TEST_CASE("segment: an untagged sarcoma CT and PET are recognised and said in the JSON", "[cli][segment-prompts][sarcoma]") {
  const std::string dir = workDir();
  for (const auto& [file, modality] : std::vector<std::pair<std::string, std::string>>{{"CT", "CT"}, {"PET", "PT"}}) {
    INFO(file);
    const std::string image = test::sharedData("lesions/sarcoma_ibsi_sts/STS_001/" + file + "_image.nii.gz");
    const Volume m = readResearchImage(test::sharedData("lesions/sarcoma_ibsi_sts/STS_001/" + file + "_mask.nii.gz")).front();
    std::vector<std::uint8_t> truth(m.geometry.voxelCount());
    for (std::size_t q = 0; q < truth.size(); ++q) truth[q] = m.value(q) > 0.5;
    const std::size_t centre = mostInteriorVoxel(m.geometry, truth);
    const Vec3 seed = m.geometry.ijkToLps({double(centre % m.geometry.size[0]),
                                           double((centre / m.geometry.size[0]) % m.geometry.size[1]),
                                           double(centre / (m.geometry.size[0] * m.geometry.size[1]))});
    for (const std::string engine : {"classical", "model"}) {
      REQUIRE(segment({image, "--seed-lps", point(seed), "--engine", engine, "-o", dir + "/sts.nii.gz", "--json",
                       dir + "/sts.json"}) == 0);
      const nlohmann::json j = readJson(dir + "/sts.json");
      CHECK(j["modality_handling"]["modality"] == modality);
      CHECK(j["modality_handling"]["source"] == "recognised from values");
      CHECK(j["modality_handling"].contains("normalisation"));
      CHECK(j["units"] == (modality == "CT" ? "HU" : ""));
      CHECK(j["prompts"][0]["kind"] == "seed");
    }
  }
}

TEST_CASE("segment: prompt usage errors exit 2", "[cli][segment-prompts]") {
  const std::string dir = workDir(), slabPath = test::sharedData(kSlab), c = point(slab().truth.centroid);
  CHECK(segment({slabPath, "-o", dir + "/u.nii.gz"}) == 2);                                        // neither seed nor box
  CHECK(segment({slabPath, "--box-lps", "1,2,3", "-o", dir + "/u.nii.gz"}) == 2);                  // three numbers
  CHECK(segment({slabPath, "--seed-lps", c, "--add-lps", "0,0,900", "-o", dir + "/u.nii.gz"}) == 2); // outside
  CHECK(segment({slabPath, "--seed-lps", c, "--seed-lps", c, "-o", dir + "/u.nii.gz"}) == 2);     // two seeds
  CHECK(segment({slabPath, "--seed-lps", c, "--box-lps", "900,900,900,901,901,901", "-o", dir + "/u.nii.gz"}) == 2);
  CHECK(segment({slabPath, "--seed-lps", c, "--remove-lps", "a,b,c", "-o", dir + "/u.nii.gz"}) == 2);
}

TEST_CASE("eval-clicks: the LIDC lesion from its most interior point, with a simulated correction", "[cli][segment-prompts]") {
  const std::string dir = workDir();
  const std::string slabPath = test::sharedData(kSlab);
  std::vector<std::string> args{"lightbox", "eval-clicks",
                                slabPath + "=" + test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"),
                                "--engine", "classical", "--clicks", "1", "--json", dir + "/eval.json"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  REQUIRE(cli::runCommandLine(int(argv.size()), argv.data()) == 0);
  const nlohmann::json j = readJson(dir + "/eval.json");
  const nlohmann::json& s = j.at("summary").at("CT (readers' consensus)");
  CHECK(s["cases"] == 1);
  REQUIRE(s["mean_dice"].size() == 2);
  CHECK(s["mean_dice"][0].get<double>() > 0.85); // the README's 0.902 with one click
  const nlohmann::json& steps = j["cases"][0]["steps"];
  CHECK(steps[0]["prompt"]["kind"] == "seed");
  CHECK((steps[1]["prompt"]["kind"] == "add" || steps[1]["prompt"]["kind"] == "remove"));
  CHECK(argv.size() == 9);
}

TEST_CASE("eval-clicks --box-margin: a reader's box around a sarcoma with the first click",
          "[cli][segment-prompts][sarcoma]") {
  const std::string dir = workDir();
  const std::string root = test::sharedData("lesions/sarcoma_ibsi_sts/STS_005/");
  std::vector<std::string> args{
      "lightbox", "eval-clicks", root + "CT_image.nii.gz=" + root + "CT_mask.nii.gz",
      "--clicks", "0",           "--box-margin",
      "0.1",      "--json",      dir + "/box.json"};
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  REQUIRE(cli::runCommandLine(int(argv.size()), argv.data()) == 0);
  const nlohmann::json j = readJson(dir + "/box.json");
  const nlohmann::json& step = j["cases"][0]["steps"][0];
  CHECK(j["box_margin"].get<double>() == Approx(0.1));
  CHECK(step["prompt"]["kind"] == "seed+box");
  REQUIRE(step["prompt"]["box_lps"].size() == 6);
  // The shipped model (trained on this case) measured 0.83 with a box 10 % looser than the tumour.
  CHECK(step["dice"].get<double>() > 0.75);
  std::vector<std::string> bad{"lightbox", "eval-clicks",
                               root + "CT_image.nii.gz=" + root + "CT_mask.nii.gz", "--box-margin",
                               "-1"};
  std::vector<char*> badArgv;
  for (std::string& a : bad)
    badArgv.push_back(a.data());
  CHECK(cli::runCommandLine(int(badArgv.size()), badArgv.data()) == 2);
}
