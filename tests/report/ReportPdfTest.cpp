// SPDX-License-Identifier: Apache-2.0
// The PDF report read back by poppler (pdftotext, pdftoppm) and its Encapsulated PDF object
// checked by dciodvfy, dcmdump and pydicom.
#include "app/report/ReportPdf.h"
#include "core/report/EncapsulatedPdf.h"
#include "core/report/ReportDicom.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <QImage>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>

namespace lightbox {
namespace {

using Catch::Matchers::Contains;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

int pdfPages(const std::string& pdf) {
  const test::ToolRun info = test::runTool("pdfinfo " + quoted(pdf));
  REQUIRE(info.status == 0);
  const std::size_t at = info.output.find("Pages:");
  REQUIRE(at != std::string::npos);
  return std::stoi(info.output.substr(at + 6));
}

std::string pageText(const std::string& pdf, int page) {
  const test::ToolRun text = test::runTool("pdftotext -layout -f " + std::to_string(page) + " -l " +
                                           std::to_string(page) + " " + quoted(pdf) + " -");
  REQUIRE(text.status == 0);
  return text.output;
}

QImage renderPage(const std::string& pdf, int page, const std::string& prefix) {
  const test::ToolRun run =
      test::runTool("pdftoppm -png -r 100 -singlefile -f " + std::to_string(page) + " -l " +
                    std::to_string(page) + " " + quoted(pdf) + " " + quoted(prefix));
  INFO(run.output);
  REQUIRE(run.status == 0);
  QImage image(QString::fromStdString(prefix + ".png"));
  REQUIRE(!image.isNull());
  return image.convertToFormat(QImage::Format_RGB32);
}

/// Pixels near the report's outline green (0, 230, 0) and marker yellow (255, 220, 0), and the
/// distinct grey levels of a rendered page.
struct PageColours {
  std::size_t outline = 0, marker = 0, greys = 0;
};
PageColours coloursOf(const QImage& page) {
  PageColours c;
  std::set<int> greys;
  for (int y = 0; y < page.height(); ++y) {
    const QRgb* row = reinterpret_cast<const QRgb*>(page.constScanLine(y));
    for (int x = 0; x < page.width(); ++x) {
      const int r = qRed(row[x]), g = qGreen(row[x]), b = qBlue(row[x]);
      if (g > 170 && r < 90 && b < 90)
        ++c.outline;
      if (r > 200 && g > 170 && b < 90)
        ++c.marker;
      if (r == g && g == b)
        greys.insert(r);
    }
  }
  c.greys = greys.size();
  return c;
}

} // namespace

TEST_CASE("the PDF report states the patient, the findings, Lung-RADS and the AI's provenance",
          "[report][pdf]") {
  test::requireTool("pdftotext");
  test::requireTool("pdftoppm");
  const test::ReviewedSeries r = test::lidcReviewedSeries();
  const ReportContent& c = r.content;
  REQUIRE(c.findings.size() == 2);
  const ReportFinding& f1 = c.findings[0];
  REQUIRE(f1.id == "F1");
  REQUIRE(f1.segmentLabel != 0);
  REQUIRE(c.findings[1].segmentLabel == 0);

  const std::string folder = test::scratchFolder("report-pdf");
  const std::string pdf = folder + "/report.pdf";
  writeReportPdf(c, r.image, r.labels, pdf);

  const int pages = pdfPages(pdf);
  REQUIRE(pages >= 3);
  std::string text;
  int keyImagePage = 0;
  for (int p = 1; p <= pages; ++p) {
    const std::string page = pageText(pdf, p);
    CHECK_THAT(page, Contains("Page " + std::to_string(p) + " of " + std::to_string(pages)));
    CHECK_THAT(page, Contains("Patient ID " + c.source.patientId));
    CHECK_THAT(page, Contains(std::string("Lightbox ") + kReportSoftwareVersion));
    if (!keyImagePage && page.find("Key images") != std::string::npos)
      keyImagePage = p;
    text += page;
  }
  INFO(text);
  CHECK_THAT(text, Contains("Lightbox report"));
  CHECK_THAT(text, Contains(c.source.patientId));
  CHECK_THAT(text, Contains("F1"));
  CHECK_THAT(text, Contains(fmt("%.1f mm", f1.diameterMm)));
  CHECK_THAT(text, Contains(fmt("%.1f", f1.mask.longAxisMm) + " x " +
                            fmt("%.1f mm", f1.mask.shortAxisMm)));
  CHECK_THAT(text, Contains(fmt("%.2f mL", f1.mask.volumeMl)));
  CHECK_THAT(text, Contains("ground-glass (AI: solid)"));
  CHECK_THAT(text, Contains("Lung-RADS"));
  REQUIRE(!c.lungRads.category.empty());
  CHECK_THAT(text, Contains("Category " + c.lungRads.category));
  CHECK_THAT(text, Contains(c.run.model));
  CHECK_THAT(text, Contains(c.run.modelSha256.substr(0, 16)));
  CHECK_THAT(text, Contains(fmt("score threshold %.2f", c.run.threshold())));
  CHECK_THAT(text, Contains("Rejected AI proposals: 1 (F3)"));
  CHECK_THAT(text, Contains("Undecided AI proposals (not reported): 1"));
  CHECK_THAT(text, Contains("Test, Reader"));
  CHECK_THAT(text, Contains("decision support"));

  // The key images: CT greys, F1's outline in green, F2's marker in yellow; no green elsewhere.
  REQUIRE(keyImagePage > 0);
  const QImage keyPage = renderPage(pdf, keyImagePage, folder + "/key");
  const PageColours key = coloursOf(keyPage);
  CHECK(key.greys > 100);
  CHECK(key.outline > 40);
  CHECK(key.marker > 20);
  const PageColours first = coloursOf(renderPage(pdf, 1, folder + "/first"));
  CHECK(first.outline == 0);
}

TEST_CASE("the Encapsulated PDF wraps the report byte for byte in the source study",
          "[report][pdf]") {
  test::requireTool("dcmdump");
  test::requireTool("python3");
  test::ReviewedSeries r = test::lidcReviewedSeries();
  r.content.version = 2;
  const std::string folder = test::scratchFolder("report-encapsulated-pdf");
  const std::string pdf = folder + "/report.pdf";
  writeReportPdf(r.content, r.image, r.labels, pdf);

  ExportedObject sr;
  sr.kind = "SR";
  sr.sopClassUid = "1.2.840.10008.5.1.4.1.1.88.34"; // Comprehensive 3D SR
  sr.sopInstanceUid = newDicomUid();
  const std::string path = folder + "/report-pdf.dcm";
  const ExportedObject out = writeEncapsulatedPdf(r.content, pdf, sr, path);
  CHECK(out.kind == "PDF");
  CHECK(out.path == path);
  CHECK(out.sopClassUid == "1.2.840.10008.5.1.4.1.1.104.1");
  CHECK(out.studyInstanceUid == r.content.source.studyInstanceUid);
  CHECK(out.seriesInstanceUid != r.content.source.seriesInstanceUid);

  const test::Dciodvfy verdict = test::dciodvfy(path);
  for (const std::string& w : verdict.warnings)
    WARN(w);
  INFO(verdict.output);
  CHECK(verdict.errors.empty());

  const test::ToolRun dump = test::runTool("dcmdump " + quoted(path));
  REQUIRE(dump.status == 0);
  CHECK_THAT(dump.output, Contains("[DOC]"));
  CHECK_THAT(dump.output, Contains("[application/pdf]"));
  CHECK_THAT(dump.output, Contains("[" + std::to_string(kPdfSeriesNumber) + "]"));
  CHECK_THAT(dump.output, Contains("[" + sr.sopInstanceUid + "]"));
  CHECK_THAT(dump.output, Contains("[" + r.content.source.patientId + "]"));

  const std::string script = folder + "/extract.py";
  std::ofstream(script)
      << "import sys, pydicom\n"
         "ds = pydicom.dcmread(sys.argv[1])\n"
         "doc = bytes(ds.EncapsulatedDocument)\n"
         "pdf = open(sys.argv[2], 'rb').read()\n"
         "if len(pdf) % 2 and len(doc) == len(pdf) + 1 and doc[-1] == 0: doc = doc[:-1]\n"
         "print('length', ds.EncapsulatedDocumentLength, len(pdf))\n"
         "print('instance', ds.InstanceNumber, 'modality', ds.Modality)\n"
         "print('same' if doc == pdf else 'different')\n";
  const test::ToolRun py =
      test::runTool("/usr/bin/python3 " + quoted(script) + " " + quoted(path) + " " + quoted(pdf));
  INFO(py.output);
  REQUIRE(py.status == 0);
  CHECK_THAT(py.output, Contains("same"));
  std::ifstream in(pdf, std::ios::binary | std::ios::ate);
  const auto bytes = std::to_string(std::size_t(in.tellg()));
  CHECK_THAT(py.output, Contains("length " + bytes + " " + bytes));
  CHECK_THAT(py.output, Contains("instance 2 modality DOC"));

  const std::string missing = folder + "/no-such-folder/report-pdf.dcm";
  CHECK_THROWS_WITH(writeEncapsulatedPdf(r.content, pdf, sr, missing), Contains(missing));
}

TEST_CASE("a PDF report into a folder that cannot take it names the path", "[report][pdf]") {
  const std::string folder = test::scratchFolder("report-pdf-unwritable");
  std::ofstream(folder + "/plain-file") << "not a folder";
  ReportContent content;
  Volume image;
  LabelMap labels;
  for (const std::string& path :
       {folder + "/missing/report.pdf", folder + "/plain-file/report.pdf"}) {
    CHECK_THROWS_AS(writeReportPdf(content, image, labels, path), std::runtime_error);
    CHECK_THROWS_WITH(writeReportPdf(content, image, labels, path), Contains(path));
  }
}

} // namespace lightbox
