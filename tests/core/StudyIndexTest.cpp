// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/index/StudyIndex.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace lightbox;

TEST_CASE("study index lists imported studies and re-imports only new or changed files", "[index]") {
  const std::string work = test::scratchFolder("index");
  const fs::path studyDir = fs::path(work) / "study";
  fs::create_directories(studyDir);
  const fs::path source = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  std::vector<fs::path> copies;
  for (const auto& e : fs::directory_iterator(source)) {
    copies.push_back(studyDir / e.path().filename());
    fs::copy_file(e.path(), copies.back());
  }
  std::sort(copies.begin(), copies.end());
  { std::ofstream(studyDir / "notes.txt") << "not a DICOM file\n"; }
  const std::string db = work + "/index.sqlite";

  {
    StudyIndex index(db);
    const ImportStats first = index.import(studyDir.string(), 2);
    CHECK(first.filesSeen == 17);
    CHECK(first.scanned == 17);
    CHECK(first.unchanged == 0);
    CHECK(first.notDicom == 1);
    CHECK(first.rejected == 0);
  }
  // Reopened: the study is listed without any scan.
  StudyIndex index(db);
  std::vector<IndexedStudy> studies = index.studies();
  REQUIRE(studies.size() == 1);
  REQUIRE(studies[0].series.size() == 1);
  CHECK(studies[0].series[0].files == 16);
  CHECK(studies[0].patientId == "LIDC-IDRI-0001");
  CHECK(studies[0].series[0].folder == studyDir.string());

  const ImportStats again = index.import(studyDir.string(), 2);
  CHECK(again.scanned == 0);
  CHECK(again.unchanged == 17);

  // One file changes (touched), one disappears, a broken one arrives.
  fs::last_write_time(copies[0], fs::last_write_time(copies[0]) + std::chrono::seconds(5));
  fs::remove(copies[1]);
  { std::ofstream(studyDir / "broken.dcm", std::ios::binary) << std::string(128, '\0') << "DICM" << "garbage"; }
  const ImportStats third = index.import(studyDir.string(), 2);
  CHECK(third.scanned == 2);
  CHECK(third.removed == 1);
  CHECK(third.rejected == 1);
  studies = index.studies();
  CHECK(studies.at(0).series.at(0).files == 15);
  const std::vector<std::string> files = index.seriesFiles(studies[0].series[0].seriesInstanceUid);
  CHECK(files.size() == 15);
  CHECK(std::find(files.begin(), files.end(), copies[1].string()) == files.end());
  CHECK(std::find(files.begin(), files.end(), copies[0].string()) != files.end());
  const auto rejected = index.rejectedFiles();
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].first == (studyDir / "broken.dcm").string());
  CHECK_FALSE(rejected[0].second.empty());
}

TEST_CASE("an index that cannot be created names its path", "[index]") {
  const std::string work = test::scratchFolder("index-bad");
  { std::ofstream(work + "/file") << "x"; }
  CHECK_THROWS_WITH(StudyIndex(work + "/file/sub/index.sqlite"), Catch::Contains(work + "/file/sub/index.sqlite"));
}
