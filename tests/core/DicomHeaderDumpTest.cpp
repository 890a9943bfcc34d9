// SPDX-License-Identifier: Apache-2.0
// The tag viewer's data: every header element in file order, names from the dictionary, nested
// sequences indented, no pixel data, and no crash on malformed files.
#include "tests/support/TestData.h"

#include "core/dicom/DicomHeaderDump.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace lightbox;

TEST_CASE("header dump lists named elements in order, up to the pixel data", "[dicom][dump]") {
  const std::string file = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom/-100.000000.dcm");
  const std::vector<DicomTagLine> lines = dumpDicomHeader(file);
  REQUIRE(lines.size() > 50);
  bool meta = false, modality = false, rows = false;
  for (const DicomTagLine& l : lines) {
    CHECK(l.tag != "(7fe0,0010)");
    meta = meta || (l.tag == "(0002,0010)" && l.name == "Transfer Syntax UID");
    modality = modality || (l.tag == "(0008,0060)" && l.vr == "CS" && l.value == "CT");
    rows = rows || (l.tag == "(0028,0010)" && l.value == "512");
  }
  CHECK(meta);
  CHECK(modality);
  CHECK(rows);
  CHECK(lines.front().tag.rfind("(0002,", 0) == 0); // file meta first
}

TEST_CASE("header dump indents sequence items and survives every malformed file", "[dicom][dump][malformed]") {
  const std::string enhanced = test::sharedData("mr/brain_siemens_xa30_enhanced_t1w");
  std::string file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(enhanced)) {
    if (e.path().extension() == ".dcm") file = e.path().string();
  }
  REQUIRE(!file.empty());
  const std::vector<DicomTagLine> lines = dumpDicomHeader(file);
  int nested = 0;
  bool perFrame = false;
  for (const DicomTagLine& l : lines) {
    nested += l.depth > 0;
    perFrame = perFrame || (l.tag == "(5200,9230)" && l.value == "96 item(s)");
  }
  CHECK(perFrame);
  CHECK(nested > 96);
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::sharedData("malformed"))) {
    if (!e.is_regular_file() || e.path().extension() != ".dcm") continue;
    INFO(e.path().string());
    std::vector<DicomTagLine> dumped;
    std::string error;
    try {
      dumped = dumpDicomHeader(e.path().string());
    } catch (const std::runtime_error& ex) {
      error = ex.what();
    }
    if (error.empty()) {
      CHECK_FALSE(dumped.empty());
    } else {
      CHECK_THAT(error, Catch::Contains(e.path().filename().string()) && Catch::Contains("cannot be read"));
    }
  }
}

TEST_CASE("header dump shows every value of multi-valued binary elements", "[dicom][dump]") {
  // The enhanced MR's per-frame Dimension Index Values (UL, several values per frame).
  std::string file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::sharedData("mr/brain_siemens_xa30_enhanced_t1w"))) {
    if (e.path().extension() == ".dcm") file = e.path().string();
  }
  REQUIRE(!file.empty());
  bool multi = false;
  for (const DicomTagLine& l : dumpDicomHeader(file)) {
    if (l.tag == "(0020,9157)" && l.vr == "UL") multi = multi || l.value.find('\\') != std::string::npos;
  }
  CHECK(multi);
}
