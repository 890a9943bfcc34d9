// SPDX-License-Identifier: Apache-2.0
// The report's DICOM SEG: valid for dciodvfy, readable by dcmdump and pydicom, and read back by
// Lightbox's own SEG import voxel for voxel, with the segment's codes, colour and tracking UID.
#include "core/report/DicomSegExport.h"
#include "core/segmentation/DicomSegImport.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace lightbox;

TEST_CASE("Report SEG of the LIDC nodule passes dciodvfy and reads back voxel for voxel", "[report][seg]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  REQUIRE(r.content.findings.size() == 2); // F1 accepted, F2 edited; F3 rejected, F4 undecided left out
  REQUIRE(r.content.findings[0].segmentNumber == 1);
  REQUIRE(r.content.findings[1].segmentNumber == 0);
  CHECK(r.content.rejected == 1);
  CHECK(r.content.undecided == 1);
  // Give the segment a colour to check the CIELab round trip.
  r.labels.segment(1)->rgb[0] = 230;
  r.labels.segment(1)->rgb[1] = 60;
  r.labels.segment(1)->rgb[2] = 20;
  const std::string out = test::scratchFolder("report-seg") + "/seg.dcm";
  const ExportedObject seg = writeDicomSeg(r.content, r.labels, out);
  CHECK(seg.kind == "SEG");
  CHECK(seg.studyInstanceUid == r.content.source.studyInstanceUid);
  CHECK(seg.seriesInstanceUid != r.content.source.seriesInstanceUid);

  const test::Dciodvfy v = test::dciodvfy(out);
  for (const std::string& w : v.warnings) std::printf("dciodvfy SEG: %s\n", w.c_str());
  INFO(v.output);
  CHECK(v.errors.empty());

  const test::ToolRun dump = test::runTool("dcmdump '" + out + "'");
  CHECK(dump.status == 0);
  CHECK(dump.output.find(r.content.findings[0].trackingUid) != std::string::npos);
  CHECK(dump.output.find("(0062,0008) CS [AUTOMATIC]") != std::string::npos);
  CHECK(dump.output.find(r.content.source.frameOfReferenceUid) != std::string::npos);
  const test::ToolRun py = test::runTool("/usr/bin/python3 -c \"import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); "
                                         "print(d.Modality, d.NumberOfFrames, len(d.SegmentSequence), "
                                         "d.StudyInstanceUID)\" '" + out + "'");
  INFO(py.output);
  REQUIRE(py.status == 0);
  CHECK(py.output.find("SEG") == 0);
  CHECK(py.output.find(r.content.source.studyInstanceUid) != std::string::npos);

  // Read back through Lightbox's SEG import: frames placed by their referenced instances.
  const ImportedSeg back = importDicomSeg(out, segSourceOf(selectSeries(*r.scan, "")));
  REQUIRE(back.segments.size() == 1);
  CHECK(back.framesByInstance == back.frames);
  CHECK(back.framesByPosition == 0);
  CHECK(back.segments[0].algorithmType == "AUTOMATIC");
  CHECK(back.segments[0].segment.typeCode == r.labels.segment(1)->typeCode);
  CHECK(back.segments[0].segment.categoryCode == r.labels.segment(1)->categoryCode);
  for (int c = 0; c < 3; ++c) CHECK(std::abs(int(back.segments[0].segment.rgb[c]) - int(r.labels.segment(1)->rgb[c])) <= 2);
  const ImportedLabels merged = segToLabelMap(back, r.image.geometry);
  std::size_t differ = 0, inside = 0;
  for (std::size_t n = 0; n < r.labels.labels.size(); ++n) {
    differ += (merged.map.labels[n] != 0) != (r.labels.labels[n] == 1);
    inside += r.labels.labels[n] == 1;
  }
  CHECK(inside > 100);
  CHECK(differ == 0);
}

TEST_CASE("Report SEG refuses what cannot be a valid object, naming the file", "[report][seg]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const std::string out = test::scratchFolder("report-seg-refused") + "/seg.dcm";
  ReportContent noMask = r.content;
  for (ReportFinding& f : noMask.findings) f.segmentNumber = 0;
  CHECK_THROWS_WITH(writeDicomSeg(noMask, r.labels, out), Catch::Contains(out) && Catch::Contains("no finding has a mask"));
  ReportContent blocked = r.content;
  blocked.blockers.push_back("the series has no Study Instance UID");
  CHECK_THROWS_WITH(writeDicomSeg(blocked, r.labels, out), Catch::Contains("Study Instance UID"));
}
