// SPDX-License-Identifier: Apache-2.0
// The report's TID 1500 Measurement Report SR and Key Object Selection: valid for dciodvfy,
// readable by dcmdump and pydicom, read back by Lightbox's own TID 1500 reader (which also reads
// dcmqi's and highdicom's reports), versions chained by Predecessor Documents.
#include "core/report/MeasurementReportSr.h"
#include "core/report/ReportDicom.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

using namespace lightbox;

namespace {

constexpr double kValueTol = 0.01; ///< measurements are written with 6 significant digits
constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
constexpr const char* kKeyObjectSelectionStorage = "1.2.840.10008.5.1.4.1.1.88.59";

/// The SEG the SR references; the real SEG writer is tested in its own suite.
ExportedObject fabricatedSeg(const ReportContent& content) {
  return ExportedObject{"SEG",
                        "",
                        kSegmentationStorage,
                        newDicomUid(),
                        newDicomUid(),
                        content.source.studyInstanceUid};
}

/// dciodvfy finds no error; its warnings are printed for the record.
void requireValid(const std::string& path, const char* what) {
  const test::Dciodvfy v = test::dciodvfy(path);
  for (const std::string& w : v.warnings)
    std::printf("dciodvfy %s: %s\n", what, w.c_str());
  INFO(v.output);
  CHECK(v.errors.empty());
}

/// dcmdump and pydicom both read the file; returns dcmdump's output.
std::string requireReadable(const std::string& path, const std::string& sopInstanceUid) {
  const test::ToolRun dump = test::runTool("dcmdump '" + path + "'");
  INFO(dump.output);
  CHECK(dump.status == 0);
  const test::ToolRun py =
      test::runTool("/usr/bin/python3 -c \"import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); "
                    "print(d.SOPInstanceUID)\" '" +
                    path + "'");
  INFO(py.output);
  CHECK(py.status == 0);
  CHECK(py.output.find(sopInstanceUid) == 0);
  return dump.output;
}

const SrMeasurementGroup* groupNamed(const SrMeasurementReport& report,
                                     const std::string& trackingId) {
  for (const SrMeasurementGroup& g : report.groups) {
    if (g.trackingId == trackingId)
      return &g;
  }
  return nullptr;
}

/// The SOP Instance UID of a DICOM file, by dcmdump.
std::string sopInstanceUidOf(const std::string& path) {
  const test::ToolRun dump = test::runTool("dcmdump -s +P 0008,0018 '" + path + "'");
  REQUIRE(dump.status == 0);
  const std::size_t open = dump.output.find('['), close = dump.output.find(']');
  REQUIRE(open != std::string::npos);
  REQUIRE(close > open);
  return dump.output.substr(open + 1, close - open - 1);
}

} // namespace

TEST_CASE(
    "Report SR follows TID 1500, passes dciodvfy and reads back one group per reported finding",
    "[report][sr]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const ReportContent& c = r.content;
  REQUIRE(c.findings.size() == 2); // F1 accepted with a mask, F2 edited without; F3 rejected
  REQUIRE(c.findings[0].id == "F1");
  REQUIRE(c.findings[0].segmentNumber == 1);
  REQUIRE(c.findings[1].id == "F2");
  REQUIRE(c.findings[1].segmentNumber == 0);
  const ExportedObject seg = fabricatedSeg(c);
  const std::string out = test::scratchFolder("report-sr") + "/sr.dcm";
  const ExportedObject sr = writeMeasurementReportSr(c, seg, out);
  CHECK(sr.kind == "SR");
  CHECK(sr.path == out);
  CHECK(sr.sopClassUid == "1.2.840.10008.5.1.4.1.1.88.34"); // Comprehensive 3D SR
  CHECK(sr.studyInstanceUid == c.source.studyInstanceUid);
  CHECK(sr.seriesInstanceUid != c.source.seriesInstanceUid);
  CHECK(sr.sopInstanceUid != sr.seriesInstanceUid);

  requireValid(out, "SR");
  const std::string dump = requireReadable(out, sr.sopInstanceUid);
  CHECK(dump.find("(0040,a491) CS [COMPLETE]") != std::string::npos);
  CHECK(dump.find("(0040,a493) CS [VERIFIED]") != std::string::npos);
  CHECK(dump.find("(0020,0011) IS [902]") != std::string::npos);
  CHECK(dump.find("(0020,0013) IS [1]") != std::string::npos);
  CHECK(dump.find("[Lightbox project]") != std::string::npos);
  CHECK(dump.find(c.source.patientId) != std::string::npos);
  // TID 1002: each Observer Type is followed by its own observer's items (person, then the AI
  // device).
  const test::ToolRun tree = test::runTool("dsrdump '" + out + "'");
  REQUIRE(tree.status == 0);
  const std::size_t person = tree.output.find("\"Observer Type\")=(121006,DCM,\"Person\")");
  const std::size_t device = tree.output.find("\"Observer Type\")=(121007,DCM,\"Device\")");
  const std::size_t personName = tree.output.find("\"Person Observer Name\")=\"Test^Reader\"");
  const std::size_t deviceName = tree.output.find("\"Device Observer Name\")=\"lightbox-nodule\"");
  INFO(tree.output);
  REQUIRE(person != std::string::npos);
  REQUIRE(device != std::string::npos);
  CHECK(person < personName);
  CHECK(personName < device);
  CHECK(device < deviceName);

  const SrMeasurementReport back = readMeasurementReportSr(out);
  CHECK(back.sopInstanceUid == sr.sopInstanceUid);
  CHECK(back.studyInstanceUid == c.source.studyInstanceUid);
  CHECK(back.seriesInstanceUid == sr.seriesInstanceUid);
  CHECK(back.observerPerson == "Test^Reader");
  CHECK(back.observerDevice == "lightbox-nodule");
  CHECK(back.predecessorSopInstanceUids.empty());
  REQUIRE(back.groups.size() == 2);
  CHECK(groupNamed(back, "F3") == nullptr);

  const ReportFinding& f1 = c.findings[0];
  const SrMeasurementGroup* g1 = groupNamed(back, "F1");
  REQUIRE(g1);
  CHECK(g1->trackingUid == f1.trackingUid);
  CHECK(g1->findingCode == "27925004");
  CHECK(g1->findingSiteMeaning == "Lung");
  CHECK(g1->referencedSegUid == seg.sopInstanceUid);
  CHECK(g1->referencedSegmentNumber == 1);
  REQUIRE(g1->find("Long Axis"));
  REQUIRE(g1->find("103340004"));
  REQUIRE(g1->find("Volume"));
  REQUIRE(g1->find("Mean"));
  CHECK(g1->find("Long Axis")->value == Approx(f1.mask.longAxisMm).margin(kValueTol));
  CHECK(g1->find("Long Axis")->unitCode == "mm");
  CHECK(g1->find("103340004")->value == Approx(f1.mask.shortAxisMm).margin(kValueTol));
  CHECK(g1->find("Volume")->value == Approx(f1.mask.volumeMl).margin(kValueTol));
  CHECK(g1->find("Volume")->unitCode == "ml");
  CHECK(g1->find("Mean")->value == Approx(f1.mask.mean).margin(kValueTol));
  CHECK(g1->find("Mean")->unitCode == "[hnsf'U]");
  REQUIRE(g1->find("Standard Deviation"));
  CHECK(g1->find("Standard Deviation")->value == Approx(f1.mask.sd).margin(kValueTol));
  REQUIRE(!f1.lungRadsCategory.empty());
  CHECK(g1->evaluation("Lung-RADS category") == f1.lungRadsCategory);
  CHECK(g1->evaluation("Reader decision") == "accepted");
  CHECK(g1->evaluation("Diameter source") == f1.diameterSource);
  CHECK(!g1->evaluation("AI detection score").empty());
  CHECK(g1->evaluation("AI operating point").find("false positives per scan") != std::string::npos);

  const ReportFinding& f2 = c.findings[1];
  const SrMeasurementGroup* g2 = groupNamed(back, "F2");
  REQUIRE(g2);
  CHECK(g2->trackingUid == f2.trackingUid);
  CHECK(g2->referencedSegUid.empty());
  CHECK(g2->evaluation("Reader decision") == "edited");
  CHECK(g2->evaluation("Nodule type") == "ground-glass");
  REQUIRE(f2.diameterMm > 0);
  REQUIRE(g2->find("Diameter"));
  CHECK(g2->find("Diameter")->value == Approx(f2.diameterMm).margin(kValueTol));
  REQUIRE(g2->sourceImageUids.size() == 1);
  CHECK(g2->sourceImageUids[0] == c.source.slices[f2.keySlice].sopInstanceUid);

  // The overall Lung-RADS category and the impression are report-level evaluations.
  REQUIRE(!c.lungRads.category.empty());
  bool lungRads = false, impression = false;
  for (const auto& [concept, value] : back.evaluations) {
    lungRads = lungRads || (concept == "Lung-RADS category" && value == c.lungRads.category);
    impression = impression || (concept == "Impression" && value == c.impression);
  }
  CHECK(lungRads);
  CHECK(impression);
}

TEST_CASE("Report SR version 2 references version 1 as its predecessor", "[report][sr]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const ExportedObject seg = fabricatedSeg(r.content);
  const std::string folder = test::scratchFolder("report-sr-versions");
  const ExportedObject first = writeMeasurementReportSr(r.content, seg, folder + "/sr-v1.dcm");

  ReportContent second = r.content;
  second.version = 2;
  second.previous = {first};
  second.reader.clear(); // an unverified revision
  const std::string out = folder + "/sr-v2.dcm";
  const ExportedObject sr = writeMeasurementReportSr(second, seg, out);
  CHECK(sr.sopInstanceUid != first.sopInstanceUid);
  CHECK(sr.seriesInstanceUid != first.seriesInstanceUid);
  requireValid(out, "SR v2");
  const std::string dump = requireReadable(out, sr.sopInstanceUid);
  CHECK(dump.find("(0040,a360) SQ") != std::string::npos); // Predecessor Documents Sequence
  CHECK(dump.find("(0040,a493) CS [UNVERIFIED]") != std::string::npos);
  CHECK(dump.find("(0020,0013) IS [2]") != std::string::npos);

  const SrMeasurementReport back = readMeasurementReportSr(out);
  REQUIRE(back.predecessorSopInstanceUids.size() == 1);
  CHECK(back.predecessorSopInstanceUids[0] == first.sopInstanceUid);
  CHECK(back.observerPerson.empty());
  CHECK(back.groups.size() == 2);
}

TEST_CASE("TID 1500 reader reads dcmqi's and highdicom's measurement reports", "[report][sr]") {
  SECTION("dcmqi, QIN-HEADNECK: one volumetric group of 22 PET measurements on segment 1") {
    const SrMeasurementReport r =
        readMeasurementReportSr(test::sharedData("seg-sr/dcmqi_qin-headneck_sr_tid1500/sr.dcm"));
    CHECK(r.observerPerson == "User2");
    REQUIRE(r.groups.size() == 1);
    const SrMeasurementGroup& g = r.groups[0];
    CHECK(g.trackingId == "primary tumor");
    CHECK(g.trackingUid == "2.25.318774060119084600392715520575818119084");
    CHECK(g.findingMeaning == "Neoplasm, Primary");
    CHECK(g.findingSiteMeaning == "pharyngeal tonsil (adenoid)");
    CHECK(g.referencedSegUid ==
          sopInstanceUidOf(test::sharedData("seg-sr/dcmqi_qin-headneck_sr_tid1500/seg.dcm")));
    CHECK(g.referencedSegmentNumber == 1);
    CHECK(g.measurements.size() == 22);
    REQUIRE(g.find("Volume"));
    CHECK(g.find("Volume")->value == Approx(33.5824).margin(1e-4));
    CHECK(g.find("Volume")->unitCode == "ml");
    REQUIRE(g.find("Maximum"));
    CHECK(g.find("Maximum")->conceptMeaning == "SUVbw");
    CHECK(g.find("Maximum")->value == Approx(10.3814).margin(1e-4));
  }
  SECTION("highdicom, CT: one planar group with an area on one source image") {
    const SrMeasurementReport r = readMeasurementReportSr(
        test::sharedData("seg-sr/highdicom_sr_tid1500_ct_image/sr_document.dcm"));
    CHECK(r.observerPerson == "Foo");
    CHECK(r.observerDevice == "1.2.826.0.1.3680043.8.498.21942475928007893653780457882384425166");
    REQUIRE(r.groups.size() == 1);
    const SrMeasurementGroup& g = r.groups[0];
    CHECK(g.trackingId == "Planar ROI Measurements");
    CHECK(g.trackingUid == "1.2.826.0.1.3680043.8.498.95005499519195632686309166061552196996");
    CHECK(g.findingMeaning == "Spinal cord");
    CHECK(g.findingSiteMeaning == "Cervico-thoracic spine");
    CHECK(g.referencedSegUid.empty());
    REQUIRE(g.measurements.size() == 1);
    CHECK(g.measurements[0].conceptMeaning == "Area of defined region");
    CHECK(g.measurements[0].value == Approx(1.7));
    CHECK(g.measurements[0].unitCode == "cm2");
    REQUIRE(g.sourceImageUids.size() == 1);
    CHECK(g.sourceImageUids[0] ==
          sopInstanceUidOf(test::sharedData("seg-sr/highdicom_sr_tid1500_ct_image/ct_image.dcm")));
  }
}

TEST_CASE("TID 1500 reader refuses a file that is not an SR, naming it", "[report][sr]") {
  const std::string ct = test::sharedData("seg-sr/highdicom_sr_tid1500_ct_image/ct_image.dcm");
  try {
    readMeasurementReportSr(ct);
    FAIL("a CT image was read as an SR");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(ct) != std::string::npos);
    CHECK(std::string(e.what()).find("not a DICOM Structured Report") != std::string::npos);
  }
  CHECK_THROWS_AS(readMeasurementReportSr(test::scratchFolder("report-sr-missing") + "/none.dcm"),
                  std::runtime_error);
}

TEST_CASE("Report KOS selects every key image and the version's documents, and passes dciodvfy",
          "[report][sr]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const ReportContent& c = r.content;
  const std::string folder = test::scratchFolder("report-kos");
  const ExportedObject seg = fabricatedSeg(c);
  const ExportedObject sr = writeMeasurementReportSr(c, seg, folder + "/sr.dcm");
  const std::string out = folder + "/kos.dcm";
  const ExportedObject kos = writeKeyObjectSelection(c, {sr, seg}, out);
  CHECK(kos.kind == "KOS");
  CHECK(kos.sopClassUid == kKeyObjectSelectionStorage);
  CHECK(kos.studyInstanceUid == c.source.studyInstanceUid);
  CHECK(kos.seriesInstanceUid != sr.seriesInstanceUid);

  requireValid(out, "KOS");
  const std::string dump = requireReadable(out, kos.sopInstanceUid);
  CHECK(dump.find("(0008,0060) CS [KO]") != std::string::npos);
  CHECK(dump.find("(0020,0011) IS [903]") != std::string::npos);
  CHECK(dump.find("(0040,a375) SQ") != std::string::npos); // Current Requested Procedure Evidence
  CHECK(dump.find("[113000]") != std::string::npos);       // Of Interest
  CHECK(dump.find("F1") != std::string::npos);             // the description names the findings
  CHECK(dump.find("F2") != std::string::npos);

  // The SOP instances the content tree references, by pydicom.
  const std::string script = folder + "/refs.py";
  std::ofstream(script) << "import pydicom, sys\n"
                           "def walk(items):\n"
                           "    for it in items:\n"
                           "        for ref in it.get('ReferencedSOPSequence', []):\n"
                           "            print(ref.ReferencedSOPInstanceUID)\n"
                           "        walk(it.get('ContentSequence', []))\n"
                           "walk(pydicom.dcmread(sys.argv[1]).ContentSequence)\n";
  const test::ToolRun py = test::runTool("/usr/bin/python3 '" + script + "' '" + out + "'");
  INFO(py.output);
  REQUIRE(py.status == 0);
  std::set<std::string> referenced;
  std::istringstream lines(py.output);
  for (std::string line; std::getline(lines, line);)
    referenced.insert(line);
  std::set<std::string> expected = {sr.sopInstanceUid, seg.sopInstanceUid};
  for (const ReportFinding& f : c.findings) {
    REQUIRE(f.keySlice < c.source.slices.size());
    expected.insert(c.source.slices[f.keySlice].sopInstanceUid);
  }
  CHECK(referenced == expected);
}
