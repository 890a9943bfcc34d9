// SPDX-License-Identifier: Apache-2.0
// Malformed input never crashes or hangs: each bad file yields a clear per-file reason and the
// valid files beside it still load.
#include "tests/support/TestData.h"

#include "core/segmentation/LabelMapFile.h"
#include "core/study/StudyLoader.h"
#include "core/util/JsonNumbers.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

using namespace lightbox;
using lightbox::test::sharedData;

TEST_CASE("every file in malformed/ loads or is reported with its path and a reason", "[malformed]") {
  const std::string root = sharedData("malformed");
  const StudyScan scan = scanStudy(root);
  std::set<std::string> accounted;
  for (const IngestIssue& i : scan.fileIssues) {
    INFO(i.path << ": " << i.message);
    CHECK_FALSE(i.path.empty());
    CHECK(i.message.size() > 10);
    accounted.insert(i.path);
  }
  std::size_t decodeFailures = 0;
  for (const AssembledSeries& s : scan.series) {
    INFO("series " << s.displayName() << " from " << s.header->path);
    LoadedSeries loaded;
    REQUIRE_NOTHROW(loaded = loadSeries(s));
    CHECK_FALSE(loaded.volumes.empty());
    for (const SliceStack& v : s.volumes) {
      for (const DicomFrame& f : v.slices) {
        accounted.insert(f.file->path);
      }
    }
    for (const IngestIssue& i : loaded.issues) {
      if (i.kind == IssueKind::PixelDecodeFailed) {
        ++decodeFailures;
        CHECK_FALSE(i.path.empty());
      }
    }
  }
  for (const IngestIssue& i : scan.assemblyIssues) {
    accounted.insert(i.path);
  }
  // Every DICOM file is either part of a series or has a stated reason.
  std::size_t dicomFiles = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && e.path().extension() == ".dcm") {
      ++dicomFiles;
      INFO(p);
      CHECK(accounted.count(p) == 1);
    }
  }
  CHECK(dicomFiles >= 25);
  CHECK(decodeFailures >= 2); // MR_truncated and the too-short J2K frames at least
}

TEST_CASE("truncated pixel data is reported with the byte counts, the valid file beside it loads", "[malformed]") {
  const StudyScan scan = scanStudy(sharedData("malformed/pydicom/MR_truncated.dcm"));
  REQUIRE(scan.series.size() == 1);
  const LoadedSeries loaded = loadSeries(scan.series.front());
  bool reported = false;
  for (const IngestIssue& i : loaded.issues) {
    if (i.kind == IssueKind::PixelDecodeFailed) {
      reported = true;
      CHECK_THAT(i.message, Catch::Contains("truncated"));
      CHECK_THAT(i.path, Catch::EndsWith("MR_truncated.dcm"));
    }
  }
  CHECK(reported);

  // Trailing padding after the pixel data is harmless: same pixels as the clean MR_small.
  const StudyScan padded = scanStudy(sharedData("malformed/pydicom/MR_small_padded.dcm"));
  const StudyScan clean = scanStudy(sharedData("syntaxes/pydicom/MR_small.dcm"));
  const Volume a = loadSeries(padded.series.at(0)).volumes.at(0);
  const Volume b = loadSeries(clean.series.at(0)).volumes.at(0);
  REQUIRE(a.geometry.voxelCount() == b.geometry.voxelCount());
  for (std::size_t i = 0; i < a.geometry.voxelCount(); ++i) {
    REQUIRE(a.value(i) == b.value(i));
  }
}

TEST_CASE("invalid NumberOfFrames and objects without pixels are rejected with reasons", "[malformed]") {
  const StudyScan bad = scanStudy(sharedData("malformed/pydicom/badVR.dcm"));
  REQUIRE(bad.fileIssues.size() == 1);
  CHECK_THAT(bad.fileIssues[0].message, Catch::Contains("NumberOfFrames") && Catch::Contains("1A"));

  const StudyScan sr = scanStudy(sharedData("malformed/cornerstone/no-pixel-data.dcm"));
  REQUIRE(sr.fileIssues.size() == 1);
  CHECK(sr.fileIssues[0].kind == IssueKind::NoPixelData);
  CHECK_THAT(sr.fileIssues[0].message, Catch::Contains("SR"));
}

TEST_CASE("an image without pixel spacing says measurements are in pixels", "[malformed]") {
  const StudyScan scan = scanStudy(sharedData("malformed/cornerstone/no-pixel-spacing.dcm"));
  REQUIRE(scan.series.size() == 1);
  bool warned = false;
  for (const IngestIssue& i : scan.series[0].issues) {
    warned = warned || (i.kind == IssueKind::MissingGeometry && i.message.find("pixels") != std::string::npos);
  }
  CHECK(warned);
}

TEST_CASE("fuzz findings: JSON numbers read as integers never convert out of range", "[malformed][fuzz]") {
  using nlohmann::json;
  CHECK(jsonInteger<int>(json(3)) == 3);
  CHECK(jsonInteger<int>(json(3.0)) == 3); // a whole number written as a float is fine
  CHECK(jsonInteger<std::size_t>(json(4096u)) == 4096u);
  CHECK_THROWS_WITH(jsonInteger<std::size_t>(json(1e45)), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(jsonInteger<int>(json(2.5)), Catch::Contains("whole number"));
  CHECK_THROWS_WITH(jsonInteger<std::uint8_t>(json(300)), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(jsonInteger<std::size_t>(json(-1)), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(jsonInteger<int>(json("7")), Catch::Contains("expected a number"));
  CHECK(jsonInteger(json::object({{"a", 5}}), "b", 9) == 9);
  CHECK_THROWS(jsonInteger(json::object({{"a", 1e300}}), "a", 0));
}

TEST_CASE("fuzz findings: a label map whose grid size is 1e45 is refused with the file and reason", "[malformed][fuzz]") {
  const std::string path = std::string(LIGHTBOX_SOURCE_DIR) + "/tests/fuzz/regressions/label_map/size-1e45.labels";
  VolumeGeometry grid;
  grid.size = {48, 40, 12};
  CHECK_THROWS_WITH(loadLabelMap(path, grid), Catch::Contains(path) && Catch::Contains("out of range"));
}
