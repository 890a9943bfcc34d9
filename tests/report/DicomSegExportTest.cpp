// SPDX-License-Identifier: Apache-2.0
// The report's DICOM SEG: valid for dciodvfy, readable by dcmdump and pydicom, and read back by
// Lightbox's own SEG import voxel for voxel, with the segment's codes, colour and tracking UID.
#include "core/phantom/DicomSeriesWriter.h"
#include "core/report/DicomSegExport.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/SegmentTools.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

using namespace lightbox;

namespace {

/// A label map with one manual segment, a ball of `radiusMm` at `centre`, and a review whose one
/// finding (F1, accepted) is linked to it.
struct OneLesion {
  LabelMap labels;
  ReadingSession session;
};

OneLesion oneLesion(const VolumeGeometry& g, const Vec3& centre, double radiusMm) {
  OneLesion out{LabelMap(g), ReadingSession()};
  Segment s;
  s.label = 1;
  s.name = "lesion";
  s.origin = SegmentOrigin::Manual;
  out.labels.segments.push_back(s);
  BrushDab dab;
  dab.centerLps = centre;
  dab.radiusMm = radiusMm;
  paint(out.labels, dab);
  Finding f;
  f.id = "F1";
  f.centerLps = centre;
  f.diameterMm = 2 * radiusMm;
  f.type = "solid";
  out.session.applyDetection(FindingsRun{}, {f});
  out.session.setFindingState("F1", FindingState::Accepted);
  out.session.setFindingMask("F1", 1, 2 * radiusMm, 2 * radiusMm, 4.19 * radiusMm * radiusMm * radiusMm);
  return out;
}

} // namespace

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

TEST_CASE("Report SEG of a resampled series (gantry tilt, uneven gaps): frames placed by position, no false derivation",
          "[report][seg]") {
  const StudyScan scan = scanStudy(test::sharedData("ct/head_ge_gantry_tilt_variable_spacing/dicom"));
  const AssembledSeries& series = selectSeries(scan, "");
  REQUIRE(series.needsResampling);
  LoadedSeries loaded = loadSeries(series);
  const Volume& image = loaded.volumes.front();
  const VolumeGeometry& g = image.geometry;
  OneLesion lesion = oneLesion(g, g.ijkToLps({g.size[0] / 2.0, g.size[1] / 2.0, g.size[2] / 2.0}), 8);
  const LabelMap& labels = lesion.labels;
  REQUIRE(labels.count(1) > 100);
  ReadingSession& session = lesion.session;
  const ReportSource source = reportSourceOf(series, g);
  CHECK(source.resampled);
  CHECK(std::none_of(source.slices.begin(), source.slices.end(), [](const SourceImage& i) { return i.exact; }));
  const ReportContent content = buildReportContent(session, labels, image, source);
  CHECK(std::any_of(content.warnings.begin(), content.warnings.end(),
                    [](const std::string& w) { return w.find("resampled") != std::string::npos; }));
  const std::string out = test::scratchFolder("report-seg-tilt") + "/seg.dcm";
  writeDicomSeg(content, labels, out);
  const test::Dciodvfy v = test::dciodvfy(out);
  for (const std::string& w : v.warnings) std::printf("dciodvfy SEG (tilted series): %s\n", w.c_str());
  INFO(v.output);
  CHECK(v.errors.empty());
  const ImportedSeg back = importDicomSeg(out, segSourceOf(series));
  REQUIRE(back.segments.size() == 1);
  CHECK(back.framesByInstance == 0);
  CHECK(back.framesByPosition == back.frames);
  const ImportedLabels merged = segToLabelMap(back, g);
  std::size_t differ = 0;
  for (std::size_t n = 0; n < labels.labels.size(); ++n) differ += (merged.map.labels[n] != 0) != (labels.labels[n] == 1);
  CHECK(differ == 0);
}

TEST_CASE("Report SEG on non-square pixels: Pixel Spacing row spacing first, as pydicom reads it from the source",
          "[report][seg][reference]") {
  // The source: 0.6 mm between columns, 0.9 mm between rows (every shared series has square
  // pixels, so swapping the two went unnoticed: issue 25's mutation test).
  const std::string scratch = test::scratchFolder("report-seg-nonsquare");
  DicomSeriesSpec spec;
  spec.folder = scratch + "/ct";
  spec.rows = 30;
  spec.columns = 40;
  spec.spacingX = 0.6;
  spec.spacingY = 0.9;
  for (int k = 0; k < 8; ++k) spec.slicePositions.push_back({-12.0, -13.5, 2.5 * k});
  spec.sliceThickness = 2.5;
  const std::vector<std::string> files = writeDicomSeries(spec, [](std::size_t, std::vector<std::int16_t>& s) {
    std::fill(s.begin(), s.end(), std::int16_t(40));
  });
  const StudyScan scan = scanStudy(spec.folder);
  const AssembledSeries& series = selectSeries(scan, "");
  LoadedSeries loaded = loadSeries(series);
  const Volume& image = loaded.volumes.front();
  const VolumeGeometry& g = image.geometry;
  REQUIRE(g.spacing[0] == Approx(0.6));
  REQUIRE(g.spacing[1] == Approx(0.9));
  OneLesion lesion = oneLesion(g, g.ijkToLps({20, 15, 4}), 4);
  const LabelMap& labels = lesion.labels;
  REQUIRE(labels.count(1) > 20);
  const ReportContent content = buildReportContent(lesion.session, labels, image, reportSourceOf(series, g));
  const std::string out = scratch + "/seg.dcm";
  writeDicomSeg(content, labels, out);
  const test::Dciodvfy v = test::dciodvfy(out);
  INFO(v.output);
  CHECK(v.errors.empty());
  // pydicom, field by field: the SEG's shared Pixel Measures against the source file's own.
  const test::ToolRun py = test::runTool(
      "/usr/bin/python3 -c \"import pydicom,sys; s=pydicom.dcmread(sys.argv[1]); d=pydicom.dcmread(sys.argv[2]); "
      "m=s.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]; "
      "print(' '.join('%g' % float(x) for x in list(m.PixelSpacing) + list(d.PixelSpacing)), float(m.SliceThickness))\" '" +
      out + "' '" + files.front() + "'");
  INFO(py.output);
  REQUIRE(py.status == 0);
  CHECK(py.output.find("0.9 0.6 0.9 0.6 2.5") == 0);
  // And back through Lightbox's import onto the same grid, voxel for voxel.
  const ImportedSeg back = importDicomSeg(out, segSourceOf(series));
  const ImportedLabels merged = segToLabelMap(back, g);
  std::size_t differ = 0;
  for (std::size_t n = 0; n < labels.labels.size(); ++n) differ += (merged.map.labels[n] != 0) != (labels.labels[n] == 1);
  CHECK(differ == 0);
}
