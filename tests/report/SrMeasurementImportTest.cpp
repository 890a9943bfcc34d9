// SPDX-License-Identifier: Apache-2.0
// Reading what others write: a TID 1500 SR opens as text notes on its source images, at the
// centroid of the segment it references when that SEG lies beside it. Lightbox's own export and
// highdicom's SR; an SR whose images are not the open series says so and places nothing.
#include "core/report/DicomSegExport.h"
#include "core/report/MeasurementReportSr.h"
#include "core/report/SrMeasurementImport.h"
#include "core/segmentation/SegmentTools.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

using namespace lightbox;

TEST_CASE("Lightbox's own SR re-opens as notes at its segment's centroid and its key image", "[report][sr-import]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const std::string folder = test::scratchFolder("sr-import-own");
  const ExportedObject seg = writeDicomSeg(r.content, r.labels, folder + "/seg.dcm");
  writeMeasurementReportSr(r.content, seg, folder + "/sr.dcm");
  CHECK(isStructuredReportClass(sopClassUidOf(folder + "/sr.dcm")));
  CHECK_FALSE(isStructuredReportClass(sopClassUidOf(folder + "/seg.dcm")));
  CHECK(sopClassUidOf(test::sharedData("seg-sr/pydicom_rtstruct/rtstruct.dcm")) == "1.2.840.10008.5.1.4.1.1.481.3");

  const SrOnSeries placed =
      placeSrMeasurements(readMeasurementReportSr(folder + "/sr.dcm"), segSourceOf(selectSeries(*r.scan, "")));
  INFO(placed.warnings.size() << " warnings");
  for (const Measurement& m : placed.notes) std::printf("SR note: %s\n", m.label.c_str());
  REQUIRE(placed.notes.size() == 2);
  CHECK(placed.bySegment == 1);
  CHECK(placed.byImage == 1);
  const SegmentStats f1 = measureSegment(r.labels, 1, &r.image);
  CHECK(norm(placed.notes[0].points[0] - f1.centroidLps) < 0.5);
  CHECK(placed.notes[0].kind == MeasurementKind::Text);
  CHECK(placed.notes[0].label.rfind("F1", 0) == 0);
  CHECK(placed.notes[0].label.find("Long Axis 29.") != std::string::npos); // DCMTK CID 7470 spells it so
  // F2 (no mask) sits on its key slice.
  const Vec3 ijk = r.image.geometry.lpsToIjk(placed.notes[1].points[0]);
  CHECK(std::abs(ijk[2] - double(r.content.findings[1].keySlice)) < 0.01);
}

TEST_CASE("Third-party SRs: highdicom's on its CT image, dcmqi's on a series it does not reference", "[report][sr-import]") {
  const std::string dir = test::sharedData("seg-sr/highdicom_sr_tid1500_ct_image");
  const StudyScan scan = scanStudy(dir + "/ct_image.dcm");
  const AssembledSeries& ct = selectSeries(scan, "");
  const SrOnSeries placed = placeSrMeasurements(readMeasurementReportSr(dir + "/sr_document.dcm"), segSourceOf(ct));
  REQUIRE(placed.notes.size() == 1);
  CHECK(placed.byImage + placed.bySegment == 1);
  CHECK(placed.notes[0].label.find("Area") != std::string::npos);

  const StudyScan lidc = scanStudy(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"));
  const std::string qin = test::sharedData("seg-sr/dcmqi_qin-headneck_sr_tid1500/sr.dcm");
  const SrOnSeries elsewhere = placeSrMeasurements(readMeasurementReportSr(qin), segSourceOf(selectSeries(lidc, "")));
  CHECK(elsewhere.notes.empty());
  REQUIRE(!elsewhere.warnings.empty());
  CHECK(elsewhere.warnings.back().find(qin) != std::string::npos);
}
