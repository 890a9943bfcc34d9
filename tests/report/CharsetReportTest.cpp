// SPDX-License-Identifier: Apache-2.0
// Issue 28: the objects Lightbox writes carry their text in UTF-8 and say so (Specific Character
// Set ISO_IR 192) whenever any text is not ASCII, and say nothing when all of it is. A study whose
// patient name is in GB18030 (the common case in Chinese hospitals) reported with a Chinese
// impression, reader and segment name: every object passes dciodvfy, pydicom reads the same text,
// and Lightbox's own readers too.
#include "core/annotation/AnnotationStore.h"
#include "core/report/MeasurementReportSr.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/LabelMapFile.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace lightbox;
namespace fs = std::filesystem;

namespace {

const char* const kObjects[] = {"seg.dcm", "sr.dcm", "kos.dcm", "report-pdf.dcm"};

/// What pydicom reads from each object: its Specific Character Set, patient name, the SR's text
/// values and the SEG's segment descriptions, as JSON.
nlohmann::json readWithPydicom(const std::string& folder, const std::string& scratch) {
  const std::string script = scratch + "/read.py";
  std::ofstream(script) << R"(import json, sys, pydicom
def texts(ds, out):
    for e in ds:
        if e.VR == "SQ":
            for item in e.value:
                texts(item, out)
        elif e.keyword in ("TextValue", "SegmentDescription", "PersonName", "ObserverType"):
            out.append(str(e.value))
out = {}
for name in sys.argv[2:]:
    d = pydicom.dcmread(sys.argv[1] + "/" + name)
    values = []
    texts(d, values)
    out[name] = {"charset": d.get("SpecificCharacterSet", ""), "patient": str(d.PatientName), "texts": values}
print(json.dumps(out, ensure_ascii=False))
)";
  std::string command = "/usr/bin/python3 '" + script + "' '" + folder + "'";
  for (const char* f : kObjects)
    command += std::string(" ") + f;
  const test::ToolRun run = test::runTool(command);
  INFO(run.output);
  REQUIRE(run.status == 0);
  return nlohmann::json::parse(run.output);
}

bool anyContains(const nlohmann::json& texts, const std::string& needle) {
  for (const auto& t : texts) {
    if (t.get<std::string>().find(needle) != std::string::npos)
      return true;
  }
  return false;
}

} // namespace

TEST_CASE("report objects carry ISO_IR 192 when text is not ASCII: a GB18030 patient, a Chinese "
          "impression and "
          "segment name round trip through SEG, SR, KOS and Encapsulated PDF",
          "[report][charset]") {
  test::ReviewedSeries r = test::lidcReviewedSeries(true);
  const std::string scratch = test::scratchFolder("report-charset");

  // All ASCII: no Specific Character Set at all (the default repertoire).
  const std::string plain = scratch + "/plain";
  const test::ToolRun ascii =
      test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" +
                    plain + "' --reader 'Doe^Jane' --impression 'Stable.'");
  INFO(ascii.output);
  REQUIRE(ascii.status == 0);
  const nlohmann::json p = readWithPydicom(plain + "/v1", scratch);
  for (const char* f : kObjects) {
    INFO(f);
    CHECK(p[f]["charset"] == "");
  }

  // The same series with its patient name in GB18030 ("张^伟"), as a Chinese PACS sends it.
  const std::string study = scratch + "/gb18030";
  fs::create_directories(study);
  for (const fs::path& f : test::sortedDicomFiles(r.folder))
    fs::copy_file(f, study + "/" + f.filename().string());
  test::requireTool("dcmodify");
  const std::string gbName = "\xD5\xC5^\xCE\xB0"; // 张^伟 in GB18030
  const test::ToolRun modify =
      test::runTool("dcmodify -nb -i '(0008,0005)=GB18030' -i '(0010,0010)=" + gbName + "' '" +
                    study + "'/*.dcm");
  INFO(modify.output);
  REQUIRE(modify.status == 0);
  // The reader named the segment in Chinese.
  LabelMap labels = r.labels;
  labels.segments[0].name = "右下叶结节";
  const AnnotationStore store(AnnotationStore::defaultFolder());
  saveLabelMap(labels, store.labelsPathFor(selectSeries(*r.scan, "").header->seriesInstanceUid));

  const std::string out = scratch + "/zh";
  const std::string impression = "右下叶部分实性结节，建议三个月后随访。";
  const test::ToolRun run =
      test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + study + "' -o '" + out +
                    "' --reader '王^芳' --impression '" + impression + "'");
  INFO(run.output);
  REQUIRE(run.status == 0);
  const std::string v1 = out + "/v1";
  const nlohmann::json j = readWithPydicom(v1, scratch);
  for (const char* f : kObjects) {
    INFO(f << ": " << j[f].dump());
    CHECK(j[f]["charset"] == "ISO_IR 192");
    CHECK(j[f]["patient"] == "张^伟");
    const test::Dciodvfy v = test::dciodvfy(v1 + "/" + f);
    INFO(v.output);
    CHECK(v.errors.empty());
  }
  CHECK(anyContains(j["sr.dcm"]["texts"], impression));
  CHECK(anyContains(j["sr.dcm"]["texts"], "王^芳"));
  CHECK(anyContains(j["seg.dcm"]["texts"], "右下叶结节"));

  // The PDF shows the Chinese text (names family name first, no separator: 张伟) in an embedded CJK
  // font (without one the names and the impression came out blank), and gives it back whole: with
  // Noto Sans CJK pdftotext read 月 as the look-alike radical U+2F49 (Qt maps a glyph back to its
  // first code point; Noto gives the radicals the ideographs' glyphs), WenQuanYi Micro Hei has none.
  test::requireTool("pdftotext");
  const test::ToolRun pdf = test::runTool("pdftotext -layout '" + v1 + "/report.pdf' -");
  INFO(pdf.output);
  CHECK(pdf.output.find("张伟") != std::string::npos);
  CHECK(pdf.output.find("王芳") != std::string::npos);
  CHECK(pdf.output.find(impression) != std::string::npos);
  CHECK(pdf.output.find("\xE2\xBD\x89") == std::string::npos); // U+2F49, the radical 月
  const test::ToolRun fonts = test::runTool("pdffonts '" + v1 + "/report.pdf'");
  INFO(fonts.output);
  CHECK(fonts.output.find("WenQuanYiMicroHei") != std::string::npos);

  // Lightbox reads back the same text.
  const SrMeasurementReport sr = readMeasurementReportSr(v1 + "/sr.dcm");
  CHECK(sr.warnings.empty());
  CHECK(sr.observerPerson == "王^芳");
  bool impressionRead = false;
  for (const auto& [concept, value] : sr.evaluations)
    impressionRead |= value.find(impression) != std::string::npos;
  CHECK(impressionRead);
  const ImportedSeg seg = importDicomSeg(v1 + "/seg.dcm", segSourceOf(selectSeries(*r.scan, "")));
  REQUIRE(!seg.segments.empty());
  CHECK(seg.segments[0].description.rfind("右下叶结节; ", 0) ==
        0); // the reader's name, then the engine
  CHECK(seg.warnings.empty());

  // A name GB18030 cannot decode: said before anything is written; the objects carry U+FFFD.
  const test::ToolRun broken =
      test::runTool("dcmodify -nb -m '(0010,0010)=\xD5\xC5^\xFF\xFF' '" + study + "'/*.dcm");
  INFO(broken.output);
  REQUIRE(broken.status == 0);
  const test::ToolRun lossy =
      test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + study + "' -o '" + scratch +
                    "/lossy' --reader 'Doe^Jane'");
  INFO(lossy.output);
  REQUIRE(lossy.status == 0);
  CHECK(lossy.output.find("PatientName hold bytes its Specific Character Set cannot decode") !=
        std::string::npos);
  CHECK(
      readWithPydicom(scratch + "/lossy/v1", scratch)["sr.dcm"]["patient"].get<std::string>().find(
          "\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("lightbox report --language zh_CN: the drafted impression and the PDF in Chinese, the command line in English",
          "[report][charset][i18n]") {
  test::ReviewedSeries r = test::lidcReviewedSeries(true);
  const std::string out = test::scratchFolder("report-zh") + "/reports";
  const test::ToolRun run = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" +
                                          out + "' --reader '张^伟' --language zh_CN");
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("Report version 1 of series") != std::string::npos); // scripts parse it
  std::ifstream in(out + "/v1/report.json");
  REQUIRE(in);
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j["language"] == "zh_CN");
  const std::string impression = j["impression"].get<std::string>();
  INFO(impression);
  CHECK(impression.find("结节 F1") != std::string::npos);
  CHECK(impression.find("Lung-RADS") != std::string::npos);
  CHECK(impression.find("nodule") == std::string::npos);
  test::requireTool("pdftotext");
  const test::ToolRun pdf = test::runTool("pdftotext '" + out + "/v1/report.pdf' -");
  INFO(pdf.output);
  CHECK(pdf.output.find("Lightbox 报告") != std::string::npos);
  CHECK(pdf.output.find("阅片医师") != std::string::npos);
  CHECK(pdf.output.find("张伟") != std::string::npos);
  CHECK(pdf.output.find("Patient ID") == std::string::npos);
  CHECK(pdf.output.find("Impression") == std::string::npos);
  // The SR keeps its coded concepts; the impression text is the Chinese one.
  const SrMeasurementReport sr = readMeasurementReportSr(out + "/v1/sr.dcm");
  CHECK(sr.warnings.empty());

  const test::ToolRun unknown = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" +
                                              out + "' --language fr");
  CHECK(unknown.status == 2);
  CHECK(unknown.output.find("unknown --language fr") != std::string::npos);
}
