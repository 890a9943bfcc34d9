// SPDX-License-Identifier: Apache-2.0
// `lightbox review`: a detection run imported into the saved review, findings accepted and
// rejected from the command line, each saved at once in the viewer's store format.
#include "tests/support/TestData.h"

#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "core/annotation/AnnotationStore.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace lightbox;

namespace {

struct Run {
  int exitCode;
  std::string out;
};

Run runLightbox(std::vector<std::string> args) {
  args.insert(args.begin(), "lightbox");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  // The commands print with printf: capture file descriptor 1 in a file.
  const std::string file = test::scratchFolder("review-out") + "/stdout.txt";
  std::fflush(stdout);
  const int saved = ::dup(1);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  const int code = cli::runCommandLine(int(argv.size()), argv.data());
  std::fflush(stdout);
  ::dup2(saved, 1);
  ::close(saved);
  ::close(fd);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return {code, ss.str()};
}

} // namespace

TEST_CASE("review imports a detection run, records accept and reject, and prints both", "[cli][review]") {
  const std::string store = test::scratchFolder("review-store");
  setenv("LIGHTBOX_ANNOTATIONS", store.c_str(), 1);
  const std::string slab = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const std::string det = test::scratchFolder("review-det") + "/det.json";
  REQUIRE(runLightbox({"detect", slab, "--json", det}).exitCode == cli::kExitOk);

  // Nothing reviewed yet.
  const Run empty = runLightbox({"review", slab});
  REQUIRE(empty.exitCode == cli::kExitOk);
  CHECK_THAT(empty.out, Catch::Contains("no detection run"));

  REQUIRE(runLightbox({"review", slab, "--import", det}).exitCode == cli::kExitOk);
  REQUIRE(runLightbox({"review", slab, "--accept", "F1"}).exitCode == cli::kExitOk);
  REQUIRE(runLightbox({"review", slab, "--reject", "F2", "--reason", "vessel"}).exitCode == cli::kExitOk);
  const Run shown = runLightbox({"review", slab, "--json"});
  REQUIRE(shown.exitCode == cli::kExitOk);
  const nlohmann::json j = nlohmann::json::parse(shown.out);
  const StudyScan scan = scanStudy(slab);
  CHECK(j["series"] == scan.series.at(0).header->seriesInstanceUid);
  CHECK(j["model"]["name"] == "lightbox-nodule");
  CHECK(j["operating_point"]["fp_per_scan"] == 1.0);
  std::map<std::string, nlohmann::json> byId;
  for (const nlohmann::json& f : j["findings"]) byId[f["id"].get<std::string>()] = f;
  REQUIRE(byId.count("F1"));
  REQUIRE(byId.count("F2"));
  CHECK(byId["F1"]["state"] == "accepted");
  CHECK(byId["F2"]["state"] == "rejected");
  CHECK(byId["F2"]["reason"] == "vessel");
  // The readers' nodule (F1, 21.7 mm solid) sets the suggested Lung-RADS category.
  CHECK(j["lung_rads"]["nodule"] == "F1");
  CHECK(j["brock"].size() == 1);
  // Saved in the viewer's store, as the viewer saves it.
  const SeriesAnnotations saved =
      AnnotationStore(store).load(scan.series.at(0).header->seriesInstanceUid);
  REQUIRE(saved.hasFindingsRun);
  bool accepted = false;
  for (const Finding& f : saved.findings) accepted = accepted || (f.id == "F1" && f.state == FindingState::Accepted);
  CHECK(accepted);

  // Errors: an unknown finding is a usage error naming it, and nothing is changed before that is
  // known (F2 stays rejected); a new run never replaces decisions without --replace; a run from
  // another series is refused.
  CHECK(runLightbox({"review", slab, "--accept", "F2,F99"}).exitCode == cli::kExitUsage);
  CHECK(AnnotationStore(store).load(scan.series.at(0).header->seriesInstanceUid).findings.at(1).state ==
        FindingState::Rejected);
  CHECK(runLightbox({"review", slab, "--import", det}).exitCode == cli::kExitFailure);
  CHECK(nlohmann::json::parse(runLightbox({"review", slab, "--json"}).out)["findings"][0]["state"] == "accepted");
  CHECK(runLightbox({"review", slab, "--fp-per-scan", "2"}).exitCode == cli::kExitUsage);
  const std::string other = test::sharedData("ct/head_ge_gantry_tilt_variable_spacing");
  CHECK(runLightbox({"review", other, "--import", det}).exitCode == cli::kExitFailure);
  unsetenv("LIGHTBOX_ANNOTATIONS");
}
