// SPDX-License-Identifier: Apache-2.0
// Every command through the exit-code matrix, as a subprocess of the real binary: bad option
// values exit 2 naming the option, unwritable outputs exit 1 naming the path (and write nothing),
// inputs without an image series exit 3.
#include "core/io/ImageFileIO.h"
#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Process = lightbox::test::ProcessResult;
using lightbox::test::fileText;

/// Runs the `lightbox` binary with `args`, stdout and stderr captured.
Process runLightbox(const std::vector<std::string>& args) {
  return lightbox::test::runProgram(LIGHTBOX_BINARY, args);
}

struct Row {
  std::vector<std::string> args;
  int exitCode;
  std::string named; ///< what stderr must name: the option or the path
};

void checkRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    std::string line = "lightbox";
    for (const std::string& a : row.args)
      line += " " + a;
    const Process p = runLightbox(row.args);
    INFO(line << "\n  exit " << p.exitCode << "\n  stderr: " << p.err);
    CHECK(p.exitCode == row.exitCode);
    CHECK(p.err.find(row.named) != std::string::npos);
    // No library internals instead of a reason.
    CHECK(p.err.find("stoul") == std::string::npos);
    CHECK(p.err.find("stoi") == std::string::npos);
    CHECK(p.err.find("stod") == std::string::npos);
  }
}

} // namespace

TEST_CASE(
    "exit-code matrix: every command, bad option values 2, unwritable outputs 1, no image series 3",
    "[cli][exit-codes]") {
  const std::string work = lightbox::test::scratchFolder("matrix");
  const std::string slab = lightbox::test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const std::string xml =
      lightbox::test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml");
  const std::string empty = work + "/empty";
  std::filesystem::create_directories(empty);
  { std::ofstream(empty + "/README.txt") << "no images here\n"; }
  // A path under a regular file can never be created, not even by root.
  { std::ofstream(work + "/file") << "x"; }
  const std::string bad = work + "/file/sub";
  const std::string index = work + "/index.sqlite";
  setenv("LIGHTBOX_INDEX", index.c_str(), 1);

  SECTION("bad option values exit 2 and name the option") {
    checkRows({
        {{"info", slab, "--threads", "abc"}, 2, "--threads"},
        {{"info", slab, "--bogus"}, 2, "--bogus"},
        {{"import", slab, "--threads", "-1", "--index", index}, 2, "--threads"},
        {{"import", slab, "--index"}, 2, "--index"},
        {{"list", "--bogus"}, 2, "--bogus"},
        {{"convert", slab, work + "/a.nii.gz", "--threads", "2x"}, 2, "--threads"},
        {{"convert", slab, work + "/a.nii.gz", "--series", "99"}, 2, "--series"},
        {{"convert", slab, work + "/a.nii.gz", "--series", "99999999999999999999999"},
         2,
         "--series"},
        {{"make-phantom", work + "/ph", "--slices", "abc"}, 2, "--slices"},
        {{"make-phantom", work + "/ph", "--matrix", "0"}, 2, "--matrix"},
        {{"models", "--bogus"}, 2, "--bogus"},
        {{"models", "extra"}, 2, "usage"},
        {{"detect", slab, "--threads", "abc"}, 2, "--threads"},
        {{"detect", slab, "--fp-per-scan", "lots"}, 2, "--fp-per-scan"},
        {{"detect", slab, "--fp-per-scan", "nan"}, 2, "--fp-per-scan"},
        {{"detect", slab, "--series", "7"}, 2, "--series"},
        {{"eval-detection", work + "/det.json", xml, "--json"}, 2, "--json"},
        {{"eval-detection", work + "/det.json"}, 2, "usage"},
        {{"make-nodule-dataset", work + "/ds", slab, "--copies", "many"}, 2, "--copies"},
        {{"make-nodule-dataset", work + "/ds", slab, "--every", "0"}, 2, "--every"},
        {{"default-study", "extra"}, 2, "usage"},
        {{"render", slab, "--size", "abc", "-o", work + "/r.png"}, 2, "--size"},
        {{"render", slab, "--plane", "diagonal", "-o", work + "/r.png"}, 2, "--plane"},
        {{"render", slab, "--slab", "avg", "-o", work + "/r.png"}, 2, "--slab"},
        {{"render", slab, "--plane", "3d", "--preset", "glass", "-o", work + "/r.png"},
         2,
         "--preset"},
        {{"render", slab, "--zoom", "0", "-o", work + "/r.png"}, 2, "--zoom"},
        {{"render", slab, "--slice", "400", "-o", work + "/r.png"}, 2, "--slice"},
        {{"segment", slab, "-o", work + "/m.nii.gz"}, 2, "usage"},
        {{"segment", slab, "--seed-lps", "1,2", "-o", work + "/m.nii.gz"}, 2, "--seed-lps"},
        {{"segment", slab, "--seed-lps", "0,0,900", "-o", work + "/m.nii.gz"}, 2, "--seed-lps"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "--engine", "magic", "-o", work + "/m.nii.gz"},
         2,
         "--engine"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "-o", work + "/m.png"}, 2, work + "/m.png"},
        {{"segment", slab, "--box-lps", "1,2,3", "-o", work + "/m.nii.gz"}, 2, "--box-lps"},
        {{"segment", slab, "--box-lps", "900,900,900,901,901,901", "-o", work + "/m.nii.gz"},
         2,
         "--box-lps"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "--add-lps", "0,0,900", "-o",
          work + "/m.nii.gz"},
         2,
         "--add-lps"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "--remove-lps", "x", "-o", work + "/m.nii.gz"},
         2,
         "--remove-lps"},
        {{"eval-segmentation", work + "/m.nii.gz"}, 2, "usage"},
        {{"batch", slab}, 2, "usage"},
        {{"batch", slab, "-o", work + "/b", "--jobs", "x"}, 2, "--jobs"},
        {{"batch", slab, "-o", work + "/b", "--steps", "detect,triage"}, 2, "triage"},
        {{"batch", slab, "-o", work + "/b", "--since", "2025"}, 2, "--since"},
        {{"batch", "status"}, 2, "usage"},
        {{"batch", "run", work + "/b"}, 2, "usage"},
    });
    CHECK_FALSE(std::filesystem::exists(work + "/b/batch.json"));
    CHECK_FALSE(std::filesystem::exists(work + "/m.nii.gz"));
    CHECK_FALSE(std::filesystem::exists(work + "/a.nii.gz"));
    CHECK_FALSE(std::filesystem::exists(work + "/r.png"));
    CHECK_FALSE(std::filesystem::exists(work + "/ph/phantom.json"));
  }

  SECTION("unwritable outputs exit 1 and name the path, before the long work, writing nothing") {
    setenv("LIGHTBOX_DEFAULT_STUDY", (bad + "/study").c_str(), 1);
    checkRows({
        {{"import", slab, "--index", bad + "/index.sqlite"}, 1, bad + "/index.sqlite"},
        {{"list", "--index", bad + "/index.sqlite"}, 1, bad + "/index.sqlite"},
        {{"convert", slab, bad + "/out.nii.gz"}, 1, bad + "/out.nii.gz"},
        {{"convert", slab, "/nonexistent/out.nii.gz"}, 1, "/nonexistent/out.nii.gz"},
        {{"make-phantom", bad + "/ph"}, 1, bad + "/ph"},
        {{"detect", slab, "--json", "/nonexistent/x.json"}, 1, "/nonexistent/x.json"},
        {{"detect", slab, "--json", bad + "/x.json"}, 1, bad + "/x.json"},
        {{"eval-detection", work + "/det.json", xml, "--json", "/nonexistent/x.json"},
         1,
         "/nonexistent/x.json"},
        {{"eval-detection", work + "/det.json", xml, "--json", bad + "/x.json"},
         1,
         bad + "/x.json"},
        {{"make-nodule-dataset", bad + "/ds", slab}, 1, bad + "/ds"},
        {{"default-study"}, 1, bad + "/study"},
        {{"render", slab, "--plane", "axial", "-o", "/nonexistent/a.png"}, 1, "/nonexistent/a.png"},
        {{"render", slab, "--plane", "3d", "-o", bad + "/a.png"}, 1, bad + "/a.png"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "-o", bad + "/m.nii.gz"},
         1,
         bad + "/m.nii.gz"},
        {{"segment", slab, "--seed-lps", "0,0,-120", "-o", work + "/m.nii.gz", "--json",
          bad + "/m.json"},
         1,
         bad + "/m.json"},
        {{"eval-segmentation", work + "/missing.nii.gz", work + "/missing2.nii.gz"},
         1,
         work + "/missing.nii.gz"},
        {{"batch", slab, "-o", bad + "/b"}, 1, bad + "/b"},
        {{"batch", "status", work + "/no-batch-here"}, 1, work + "/no-batch-here"},
    });
    unsetenv("LIGHTBOX_DEFAULT_STUDY");
    CHECK_FALSE(std::filesystem::exists("/nonexistent"));
  }

  SECTION("inputs without an image series exit 3") {
    checkRows({
        {{"info", empty, "--quiet"}, 3, empty},
        {{"import", empty, "--index", index, "--quiet"}, 3, empty},
        {{"convert", empty, work + "/e.nii.gz"}, 3, empty},
        {{"detect", empty}, 3, empty},
        {{"make-nodule-dataset", work + "/ds3", empty, "--copies", "1"}, 3, empty},
        {{"render", empty, "--plane", "axial", "-o", work + "/e.png"}, 3, empty},
        {{"segment", empty, "--seed-lps", "0,0,0", "-o", work + "/e.nii.gz"}, 3, empty},
        {{"batch", empty, "-o", work + "/eb"}, 3, empty},
    });
    CHECK_FALSE(std::filesystem::exists(work + "/e.nii.gz"));
    CHECK_FALSE(std::filesystem::exists(work + "/e.png"));
  }
  unsetenv("LIGHTBOX_INDEX");
}

TEST_CASE(
    "without its LibTorch backend, segment falls back and names the library it could not load",
    "[cli][segmentation]") {
  // LibTorch lives in liblightbox_torch.so, loaded on first use; a broken install must say which
  // file failed and why, and the classical engine still answers.
  const std::string work = lightbox::test::scratchFolder("segment-no-backend");
  const std::string slab = lightbox::test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const lightbox::VolumeGeometry g = lightbox::loadPath(slab).volumes.front().geometry;
  const lightbox::Vec3 c = g.ijkToLps({g.size[0] / 2.0, g.size[1] / 2.0, g.size[2] / 2.0});
  const std::string seed =
      std::to_string(c[0]) + "," + std::to_string(c[1]) + "," + std::to_string(c[2]);
  const std::string missing = work + "/absent/liblightbox_torch.so";
  setenv("LIGHTBOX_TORCH_BACKEND", missing.c_str(), 1);
  const Process p = runLightbox({"segment", slab, "--seed-lps", seed, "-o", work + "/mask.nii.gz",
                                 "--json", work + "/mask.json"});
  unsetenv("LIGHTBOX_TORCH_BACKEND");
  INFO(p.err);
  REQUIRE(p.exitCode == 0);
  CHECK(p.err.find("used the classical engine") != std::string::npos);
  CHECK(p.err.find(missing) != std::string::npos);
  CHECK(nlohmann::json::parse(fileText(work + "/mask.json"))["engine"] == "classical");
}

TEST_CASE("segment from one click on the LIDC lesion writes a mask on the series' grid and "
          "eval-segmentation scores it",
          "[cli][segmentation]") {
  const std::string work = lightbox::test::scratchFolder("segment-cli");
  const std::string slab = lightbox::test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const std::string xml =
      lightbox::test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml");
  const lightbox::LoadedSeries loaded = lightbox::loadPath(slab);
  const lightbox::Volume& image = loaded.volumes.front();
  // The readers' consensus (at least half of those who outlined the largest lesion).
  const lightbox::test::LidcConsensus consensusOf =
      lightbox::test::lidcConsensus(xml, image.geometry);
  REQUIRE(consensusOf.readers.size() >= 3);
  const std::vector<std::uint8_t>& consensus = consensusOf.mask;
  const lightbox::Vec3 c = consensusOf.centroid;
  lightbox::Volume ref;
  ref.geometry = image.geometry;
  ref.voxels = std::vector<std::int16_t>(consensus.begin(), consensus.end());
  lightbox::writeResearchImage({ref}, work + "/consensus.nii.gz");

  const std::string seed =
      std::to_string(c[0]) + "," + std::to_string(c[1]) + "," + std::to_string(c[2]);
  // The classical engine, asked for by name: no model provenance.
  const Process classical =
      runLightbox({"segment", slab, "--seed-lps", seed, "--engine", "classical", "-o",
                   work + "/classical.nii.gz", "--json", work + "/classical.json"});
  INFO(classical.err);
  REQUIRE(classical.exitCode == 0);
  const nlohmann::json jc = nlohmann::json::parse(fileText(work + "/classical.json"));
  CHECK(jc["engine"] == "classical");
  CHECK(jc["model"].is_null());
  // Without the model (an empty models folder) the default engine falls back and says so.
  const std::string noModels = lightbox::test::scratchFolder("segment-cli-no-models");
  setenv("LIGHTBOX_MODELS_BUILTIN", noModels.c_str(), 1);
  setenv("LIGHTBOX_MODELS", noModels.c_str(), 1);
  const Process fallback =
      runLightbox({"segment", slab, "--seed-lps", seed, "-o", work + "/fallback.nii.gz", "--json",
                   work + "/fallback.json"});
  unsetenv("LIGHTBOX_MODELS_BUILTIN");
  unsetenv("LIGHTBOX_MODELS");
  INFO(fallback.err);
  REQUIRE(fallback.exitCode == 0);
  CHECK(fallback.err.find("used the classical engine") != std::string::npos);
  const nlohmann::json jf = nlohmann::json::parse(fileText(work + "/fallback.json"));
  CHECK(jf["engine"] == "classical");
  CHECK(jf["engine_requested"] == "model");
  // The model engine, the default: the shipped model ran, with its provenance.
  const Process p = runLightbox({"segment", slab, "--seed-lps", seed, "-o", work + "/mask.nii.gz",
                                 "--json", work + "/mask.json"});
  INFO(p.err);
  REQUIRE(p.exitCode == 0);
  CHECK(p.err.find("used the classical engine") == std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(fileText(work + "/mask.json"));
  for (const char* field :
       {"engine", "model", "volume_ml", "long_axis_mm", "short_axis_mm", "mean", "sd", "seconds"}) {
    INFO(field);
    CHECK(j.contains(field));
  }
  CHECK(j["engine"] == "lightbox-lesion");
  CHECK(j["engine_requested"] == "model");
  CHECK(j["model"]["name"] == "lightbox-lesion");
  CHECK(j["model"]["sha256"].get<std::string>().size() == 64);
  const std::vector<lightbox::Volume> mask = lightbox::readResearchImage(work + "/mask.nii.gz");
  REQUIRE(mask.size() == 1);
  CHECK(lightbox::sameGrid(mask.front().geometry, image.geometry, 1e-3));
  std::vector<std::uint8_t> ours(image.geometry.voxelCount());
  for (std::size_t n = 0; n < ours.size(); ++n)
    ours[n] = mask.front().value(n) > 0.5;
  const double dice = lightbox::diceCoefficient(ours, consensus);
  CHECK(dice > 0.88);
  const lightbox::SegmentStats st = lightbox::measureMask(image.geometry, ours, &image);
  CHECK(j["volume_ml"].get<double>() == Approx(st.volumeMl));
  CHECK(j["long_axis_mm"].get<double>() == Approx(st.longAxisMm));
  CHECK(j["mean"].get<double>() == Approx(st.mean));
  CHECK(j["mean"].get<double>() > -300); // a solid lesion in HU, not lung

  const Process e =
      runLightbox({"eval-segmentation", work + "/mask.nii.gz", work + "/consensus.nii.gz",
                   work + "/consensus.nii.gz", work + "/consensus.nii.gz"});
  INFO(e.out << e.err);
  REQUIRE(e.exitCode == 0);
  char expected[32];
  std::snprintf(expected, sizeof(expected), "%7.3f", dice);
  CHECK(e.out.find(std::string("1    ") + expected) != std::string::npos);
  CHECK(e.out.find("2      1.000      0.00") != std::string::npos); // a mask against itself
  CHECK(e.out.find("mean") != std::string::npos);
}
