// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace lightbox;

namespace {

struct Run {
  int exitCode;
  std::string out;
};

/// Runs `lightbox ARGS...` in-process, capturing what goes to std::cout.
Run lightboxCli(std::vector<std::string> args) {
  args.insert(args.begin(), "lightbox");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  const int code = cli::runCommandLine(int(argv.size()), argv.data());
  std::cout.rdbuf(old);
  return {code, captured.str()};
}

} // namespace

TEST_CASE("exit codes: usage 2, nothing loadable 3, success 0", "[cli]") {
  CHECK(lightboxCli({}).exitCode == cli::kExitUsage);
  CHECK(lightboxCli({"frobnicate"}).exitCode == cli::kExitUsage);
  CHECK(lightboxCli({"info"}).exitCode == cli::kExitUsage);
  CHECK(lightboxCli({"info", "x", "--bogus"}).exitCode == cli::kExitUsage);
  CHECK(lightboxCli({"info", "/nonexistent/lightbox"}).exitCode == cli::kExitFailure);
  const std::string empty = test::scratchFolder("cli-empty");
  CHECK(lightboxCli({"info", empty, "--quiet"}).exitCode == cli::kExitNoImages);
  CHECK(lightboxCli({"convert", empty, empty + "/out.nii.gz"}).exitCode == cli::kExitNoImages);
}

TEST_CASE("info --json lists the series with geometry, syntax and rejected files", "[cli]") {
  const Run run = lightboxCli({"info", test::sharedData("ct/head_ge_gantry_tilt_variable_spacing"), "--json"});
  REQUIRE(run.exitCode == cli::kExitOk);
  const nlohmann::json j = nlohmann::json::parse(run.out);
  CHECK(j["series_count"] == 1);
  const auto& series = j["patients"][0]["studies"][0]["series"][0];
  CHECK(series["modality"] == "CT");
  CHECK(series["frames"] == 28);
  CHECK(series["tilt_degrees"].get<double>() == Approx(18.5).margin(0.2));
  CHECK(series["transfer_syntaxes"][0] == "Explicit VR Little Endian (1.2.840.10008.1.2.1)");
  CHECK(series["issues"].size() >= 2);

  const Run bad = lightboxCli({"info", test::sharedData("malformed/pydicom"), "--json"});
  const nlohmann::json jb = nlohmann::json::parse(bad.out);
  bool namesTruncated = false;
  for (const auto& r : jb["rejected_files"]) {
    CHECK_FALSE(r["file"].get<std::string>().empty());
    namesTruncated = namesTruncated || r["file"].get<std::string>().find("rtplan_truncated.dcm") != std::string::npos;
  }
  CHECK(namesTruncated);
}

TEST_CASE("convert writes what the loader loads, and import/list use the given index", "[cli]") {
  const std::string work = test::scratchFolder("cli-convert");
  const std::string slab = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  REQUIRE(lightboxCli({"convert", slab, work + "/slab.nrrd"}).exitCode == cli::kExitOk);
  const std::vector<Volume> written = readResearchImage(work + "/slab.nrrd");
  const LoadedSeries loaded = loadPath(slab);
  REQUIRE(written.size() == 1);
  CHECK(sameGrid(written[0].geometry, loaded.volumes[0].geometry));
  CHECK(written[0].value(12345) == loaded.volumes[0].value(12345));

  const std::string db = work + "/index.sqlite";
  CHECK(lightboxCli({"import", slab, "--index", db, "--quiet"}).exitCode == cli::kExitOk);
  const Run list = lightboxCli({"list", "--index", db, "--json"});
  REQUIRE(list.exitCode == cli::kExitOk);
  const nlohmann::json j = nlohmann::json::parse(list.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["patient_id"] == "LIDC-IDRI-0001");
  CHECK(j[0]["series"][0]["files"] == 16);
}

TEST_CASE("render writes slab, oblique and 3D views and refuses unknown modes", "[cli][render]") {
  const std::string out = test::scratchFolder("cli-render");
  const std::string slab = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const Run mip = lightboxCli({"render", slab, "--plane", "coronal", "--slab", "mip", "--thickness", "12", "--yaw",
                               "15", "--size", "256", "-o", out + "/mip.png"});
  CHECK(mip.exitCode == cli::kExitOk);
  CHECK(std::filesystem::file_size(out + "/mip.png") > 5000);
  const Run vr = lightboxCli({"render", slab, "--plane", "3d", "--preset", "lung", "--azimuth", "30", "--size",
                              "256", "-o", out + "/vr.png"});
  CHECK(vr.exitCode == cli::kExitOk);
  CHECK(std::filesystem::file_size(out + "/vr.png") > 2000);
  CHECK(lightboxCli({"render", slab, "--plane", "3d", "--preset", "glass", "-o", out + "/x.png"}).exitCode != cli::kExitOk);
  CHECK(lightboxCli({"render", slab, "--slab", "avg", "-o", out + "/x.png"}).exitCode != cli::kExitOk);
  CHECK_FALSE(std::filesystem::exists(out + "/x.png"));
}

TEST_CASE("detect writes the findings JSON and eval-detection scores it against the LIDC readers", "[cli][ai]") {
  const std::string slab = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab");
  const std::string out = test::scratchFolder("cli-detect");
  REQUIRE(lightboxCli({"detect", slab + "/dicom", "--json", out + "/det.json", "--fp-per-scan", "8"}).exitCode == 0);
  std::ifstream f(out + "/det.json");
  REQUIRE(f);
  const nlohmann::json j = nlohmann::json::parse(f);
  CHECK(j.at("model").at("name") == "lightbox-nodule");
  CHECK(j.at("model").at("sha256").get<std::string>().size() == 64);
  CHECK(j.at("warnings").size() == 1); // 37.5 mm of coverage: outside the intended use
  REQUIRE(!j.at("findings").empty());
  for (const auto& finding : j.at("findings")) {
    CHECK(finding.at("center_lps").size() == 3);
    CHECK(finding.at("diameter_mm").get<double>() > 0);
    CHECK(finding.at("volume_mm3").get<double>() >= 0);
    CHECK(finding.contains("type"));
    CHECK(finding.at("score").get<double>() <= 1.0);
    // Issue 24: the score is the calibrated probability; the raw logit is kept; sizes say where
    // they come from, and findings at the operating point are measured on the lesion engine's mask.
    CHECK(finding.at("score") == finding.at("probability"));
    CHECK(finding.at("logit").is_number());
    const std::string source = finding.at("size_source");
    CHECK((source == "mask" || source == "profile"));
    if (!finding.at("at_operating_point").get<bool>()) CHECK(source == "profile");
  }
  CHECK(std::any_of(j.at("findings").begin(), j.at("findings").end(),
                    [](const nlohmann::json& f) { return f.at("size_source") == "mask"; }));
  CHECK(j.at("series").at("geometry").at("size").at(2) == 16);
  CHECK(j.at("merged_findings").get<int>() >= 0);
  // Where the time went: the detector's two steps, and sizing on masks (a finding was sized).
  CHECK(j.at("timing_s").at("prepare").get<double>() > 0);
  CHECK(j.at("timing_s").at("inference").get<double>() > 0);
  CHECK(j.at("timing_s").at("sizing").get<double>() > 0);
  // The same CT as NIfTI (no modality, no units in the file): named CT with --modality, or
  // recognised from its values, it is read in HU, so its findings are sized on masks as from the
  // DICOM (the lesion engine once took it for an MR and its masks flooded: every size "profile").
  REQUIRE(lightboxCli({"convert", slab + "/dicom", out + "/slab.nii.gz"}).exitCode == 0);
  const auto maskSized = [](const nlohmann::json& det) {
    return std::count_if(det.at("findings").begin(), det.at("findings").end(),
                         [](const nlohmann::json& f) { return f.at("size_source") == "mask"; });
  };
  for (const std::vector<std::string>& modality :
       {std::vector<std::string>{"--modality", "CT"}, std::vector<std::string>{}}) {
    std::vector<std::string> command{
        "detect", out + "/slab.nii.gz", "--json", out + "/det-nii.json", "--fp-per-scan", "8"};
    command.insert(command.end(), modality.begin(), modality.end());
    REQUIRE(lightboxCli(command).exitCode == 0);
    const nlohmann::json nii = nlohmann::json::parse(std::ifstream(out + "/det-nii.json"));
    INFO((modality.empty() ? "recognised" : "--modality CT"));
    REQUIRE(!nii.at("findings").empty());
    CHECK(maskSized(nii) == maskSized(j));
    CHECK(nii.at("findings").size() == j.at("findings").size());
  }
  REQUIRE(lightboxCli({"eval-detection", out + "/det.json", slab + "/annotations/069.xml", "--json", out + "/froc.json"}).exitCode == 0);
  const nlohmann::json froc = nlohmann::json::parse(std::ifstream(out + "/froc.json"));
  CHECK(froc.at("nodules") == 1);
  CHECK(froc.at("froc").size() == 7);
  CHECK(froc.at("max_sensitivity") == 1.0);
  // Wrong input gets a clear error and a failing exit code.
  CHECK(lightboxCli({"detect", slab + "/dicom", "--model", "no-such-model"}).exitCode == 1);
  CHECK(lightboxCli({"eval-detection", out + "/det.json"}).exitCode == 2);
  CHECK(lightboxCli({"eval-detection", out + "/det.json", slab + "/dicom/-100.000000.dcm"}).exitCode == 1);
}

TEST_CASE("the light front hands exactly the heavy commands to lightbox-full", "[cli]") {
  // isHeavyCommand lives in the light library (no Torch); the table of heavy commands in the full
  // one. A command added to one and not the other would be "unknown" in the front, or run there
  // without its libraries.
  for (const cli::Command& c : cli::heavyCommands()) {
    INFO(c.name);
    CHECK(cli::isHeavyCommand(c.name));
  }
  for (const cli::Command& c : cli::lightCommands()) {
    INFO(c.name);
    CHECK_FALSE(cli::isHeavyCommand(c.name));
  }
  CHECK_FALSE(cli::isHeavyCommand("view")); // the viewer is exec'd by the front's own rule
  CHECK_FALSE(cli::isHeavyCommand("frobnicate"));
}
