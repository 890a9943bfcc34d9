// SPDX-License-Identifier: Apache-2.0
// Issue 28: DICOM text decoded by its Specific Character Set into UTF-8, once, in core.
#include "tests/support/PydicomNames.h"
#include "tests/support/TestData.h"

#include "core/dicom/DcmtkText.h"
#include "core/dicom/DicomHeaderDump.h"
#include "core/dicom/DicomHeaderReader.h"
#include "core/dicom/DicomText.h"
#include "core/index/StudyIndex.h"
#include "core/report/MeasurementReportSr.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;
using namespace lightbox;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

std::vector<std::string> dumpedPatientNames(const std::string& path) {
  std::vector<std::string> names;
  for (const DicomTagLine& line : dumpDicomHeader(path)) {
    if (line.tag == "(0010,0010)") names.push_back(line.value);
  }
  return names;
}

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("every Patient's Name of the pydicom character set files decodes as pydicom decodes it", "[charset]") {
  const std::string folder = test::sharedData("charsets/pydicom");
  const auto reference = test::pydicomPatientNames(folder);
  REQUIRE(reference.size() >= 17);
  std::size_t compared = 0, fromScan = 0;
  for (const auto& [file, expected] : reference) {
    const std::string path = (fs::path(folder) / file).string();
    INFO(file);
    // The tag viewer: top level and nested names, each with the character set in force.
    const std::vector<std::string> dumped = dumpedPatientNames(path);
    REQUIRE(dumped.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(test::withoutEmptyTrailingGroups(dumped[i]) == expected[i]);
      CHECK(isValidUtf8(dumped[i]));
      ++compared;
    }
    // The header scan (what info, the index, the browser and the corner text show).
    const HeaderReadResult header = readDicomHeader(path);
    if (!header.frames.empty()) {
      REQUIRE(expected.size() == 1);
      CHECK(test::withoutEmptyTrailingGroups(header.frames.front().file->patientName) == expected.front());
      CHECK(header.frames.front().file->textWarning.empty());
      ++fromScan;
    }
  }
  CHECK(compared >= 17);
  CHECK(fromScan >= 12);
}

TEST_CASE("a sequence item with its own Specific Character Set decodes its text with it", "[charset]") {
  const std::string folder = test::sharedData("charsets/pydicom");
  const std::string expected = "\xEF\xBE\x94\xEF\xBE\x8F\xEF\xBE\x80\xEF\xBE\x9E^\xEF\xBE\x80\xEF\xBE\x9B\xEF\xBD\xB3="
                               "\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E="
                               "\xE3\x82\x84\xE3\x81\xBE\xE3\x81\xA0^\xE3\x81\x9F\xE3\x82\x8D\xE3\x81\x86"; // ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう
  // chrSQEncoding: ISO_IR 192 outside, ISO 2022 IR 13/87 in the item; chrSQEncoding1: the item inherits.
  for (const char* file : {"chrSQEncoding.dcm", "chrSQEncoding1.dcm"}) {
    INFO(file);
    const std::vector<DicomTagLine> lines = dumpDicomHeader(folder + "/" + file);
    bool found = false;
    for (const DicomTagLine& line : lines) {
      if (line.tag == "(0010,0010)") {
        CHECK(line.depth == 2);
        CHECK(line.value == expected);
        found = true;
      }
      if (line.tag == "(0032,1032)") CHECK(line.value == "Doctor^Who^^MD");
    }
    CHECK(found);
  }
}

TEST_CASE("text decoding: ASCII untouched, every set named, bad bytes replaced and reported", "[charset]") {
  CHECK(decodeDicomText("Doe^John", "") == DecodedText{"Doe^John", false});
  CHECK(decodeDicomText("Buc^J\xE9r\xF4me", "ISO_IR 100") == DecodedText{"Buc^J\xC3\xA9r\xC3\xB4me", false});
  CHECK(decodeDicomText("\xD0\xA1", "GBK") == DecodedText{"\xE5\xB0\x8F", false}); // 小
  CHECK(decodeDicomText("\xD0\xA1", "ISO 2022 IR 58") == DecodedText{"\xE5\xB0\x8F", false}); // first value: initial G1
  CHECK(decodeDicomText("\x1B$)A\xD0\xA1", "\\ISO 2022 IR 58") == DecodedText{"\xE5\xB0\x8F", false});
  CHECK(decodeDicomText("\xB0\xA1", "ISO_IR 166").utf8 == "\xE0\xB8\x90\xE0\xB8\x81"); // Thai
  // Invalid UTF-8 under ISO_IR 192, a high byte with no character set, a truncated GB18030 character.
  CHECK(decodeDicomText("a\xC3(b", "ISO_IR 192") == DecodedText{"a" + kReplacement + "(b", true});
  CHECK(decodeDicomText("J\xE9r\xF4me", "") == DecodedText{"J" + kReplacement + "r" + kReplacement + "me", true});
  CHECK(decodeDicomText("Wang\x81", "GB18030") == DecodedText{"Wang" + kReplacement, true});
  CHECK(decodeDicomText("J\xE9r", "ISO_IR 999").lossy);
  CHECK(sanitizeUtf8("\xED\xA0\x80") == kReplacement + kReplacement + kReplacement); // a surrogate
  CHECK(isValidUtf8("\xE7\x8E\x8B"));
  CHECK_FALSE(isValidUtf8("\xC0\xAF")); // overlong '/'
  // A kanji whose first byte is '=' (0x3D55, 春) or '^' in JIS X 0208 is a character, not a
  // separator: "Yamada^Haruko=山田^春子" (found by a read of the decoder; the pydicom names miss it).
  const DecodedText haruko =
      decodeDicomText("Yamada^Haruko=\x1B$B;3ED\x1B(B^\x1B$B=U;R\x1B(B", "\\ISO 2022 IR 87", TextVr::PersonName);
  CHECK(haruko == DecodedText{"Yamada^Haruko=\xE5\xB1\xB1\xE7\x94\xB0^\xE6\x98\xA5\xE5\xAD\x90", false});
}

TEST_CASE("a Patient's Name its character set cannot decode shows U+FFFD and a warning naming the file", "[charset]") {
  const std::string work = test::scratchFolder("charset-lossy");
  const fs::path source = fs::path(test::sharedData("charsets/pydicom")) / "chrX2.dcm";
  std::string bytes = readBytes(source);
  const std::string gbName = "Wang^XiaoDong=\xCD\xF5^"; // 王 in GB18030
  const std::size_t at = bytes.find(gbName);
  REQUIRE(at != std::string::npos);
  bytes[at + 14] = '\xFF'; // no GB18030 character starts with 0xFF
  bytes[at + 15] = '\xFF';
  const fs::path damaged = fs::path(work) / "chrX2-damaged.dcm";
  { std::ofstream(damaged, std::ios::binary) << bytes; }

  const HeaderReadResult header = readDicomHeader(damaged.string());
  REQUIRE(!header.frames.empty());
  const DicomFileInfo& info = *header.frames.front().file;
  CHECK(info.patientName == "Wang^XiaoDong=" + kReplacement + kReplacement + "^\xE5\xB0\x8F\xE4\xB8\x9C=");
  CHECK(isValidUtf8(info.patientName));
  CHECK(info.textWarning.find("Patient's Name") != std::string::npos);

  const StudyScan scan = scanStudy(work, 1);
  REQUIRE(scan.series.size() == 1);
  bool warned = false;
  for (const IngestIssue& issue : scan.series.front().issues) {
    if (issue.kind == IssueKind::UndecodableText) {
      CHECK(issue.path == damaged.string());
      CHECK(issue.severity == IssueSeverity::Warning);
      CHECK(issue.message.find("GB18030") != std::string::npos);
      warned = true;
    }
  }
  CHECK(warned);
}

TEST_CASE("the study index stores decoded names and a Chinese name is found by a part of it", "[charset][index]") {
  const std::string work = test::scratchFolder("charset-index");
  const std::string db = work + "/index.sqlite";
  const std::string folder = test::sharedData("charsets/pydicom");
  { StudyIndex(db).import(folder, 2); }
  // An index written before names were decoded (user_version 0, raw bytes) is read again.
  const test::ProcessResult old = test::runProgram(
      "/usr/bin/sqlite3", {db, "UPDATE studies SET patient_name = 'raw'; PRAGMA user_version = 0;"});
  REQUIRE(old.exitCode == 0);
  StudyIndex index(db);
  index.import(folder, 2);
  const std::vector<IndexedStudy> studies = index.studies();
  for (const IndexedStudy& st : studies) CHECK(st.patientName != "raw");
  const std::string part = "\xE5\xB0\x8F\xE4\xB8\x9C"; // 小东, from "Wang^XiaoDong=王^小东="
  std::vector<std::string> found;
  for (const IndexedStudy& st : studies) {
    CHECK(isValidUtf8(st.patientName));
    if (st.patientName.find(part) != std::string::npos) found.push_back(st.patientName);
  }
  REQUIRE(found.size() == 1);
  CHECK(found.front() == "Wang^XiaoDong=\xE7\x8E\x8B^" + part + "=");
}

TEST_CASE("SR text read through DCMTK is UTF-8: an undecodable byte shows U+FFFD and is warned", "[charset]") {
  // The dcmqi SR has no Specific Character Set (default repertoire): a Latin-1 byte is not ASCII.
  const std::string work = test::scratchFolder("charset-sr");
  std::string bytes = readBytes(test::sharedData("seg-sr/dcmqi_qin-headneck_sr_tid1500/sr.dcm"));
  const std::size_t at = bytes.find("primary tumor");
  REQUIRE(at != std::string::npos);
  bytes[at + 4] = '\xE4'; // "prim\xE4ry tumor"
  const std::string path = work + "/sr.dcm";
  { std::ofstream(path, std::ios::binary) << bytes; }
  const SrMeasurementReport sr = readMeasurementReportSr(path);
  bool shown = false;
  for (const SrMeasurementGroup& g : sr.groups) {
    for (const std::string* text : {&g.findingMeaning, &g.findingSiteMeaning, &g.trackingId}) {
      CHECK(isValidUtf8(*text));
      shown = shown || text->find("prim" + kReplacement + "ry tumor") != std::string::npos;
    }
  }
  CHECK(shown);
  REQUIRE(!sr.warnings.empty());
  CHECK(sr.warnings.front().find(path) == 0);
  CHECK(sr.warnings.front().find("U+FFFD") != std::string::npos);
}

TEST_CASE("text for our objects is cut by characters, never inside a UTF-8 sequence", "[charset]") {
  CHECK(truncateUtf8("右下叶结节", 3) == "右下叶");
  CHECK(truncateUtf8("右下叶结节", 5) == "右下叶结节");
  CHECK(truncateUtf8("右下叶结节", 64) == "右下叶结节");
  CHECK(truncateUtf8("F1 nodule", 2) == "F1");
  CHECK(truncateUtf8("Ärger über Öl", 6) == "Ärger ");
  CHECK(truncateUtf8("", 4).empty());
  // 70 CJK characters (210 bytes): an LO keeps 64 characters (192 bytes), valid UTF-8.
  std::string long70;
  for (int i = 0; i < 70; ++i) long70 += "结";
  CHECK(truncateUtf8(long70, 64).size() == 192);
}
