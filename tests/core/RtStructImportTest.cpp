// SPDX-License-Identifier: Apache-2.0
// DICOM RTSTRUCT onto its source series. Expected voxel counts come from an independent
// rasterisation of the same files, written below in Python (pydicom + numpy): contour points to
// pixel coordinates by dot products with the CT's own Image Orientation and Pixel Spacing, slices
// by Referenced SOP Instance UID, and an even-odd ray test at every pixel centre, edge by edge.
#include "tests/support/TestData.h"
#include "core/segmentation/RtStructImport.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace lightbox;

namespace {

const char* kPhantom = "seg-sr/rt-utils_rtstruct_phantom";
const char* kImageless = "seg-sr/pydicom_rtstruct/rtstruct.dcm";
/// The pydicom RTSTRUCT's frame of reference (its images are not in the shared data).
const char* kImagelessFrame = "1.2.826.0.1.3680043.8.498.2010020400001.2";

const char* kReferenceScript = R"PY(
import sys
import numpy as np
import pydicom

rt = pydicom.dcmread(sys.argv[1])
cts = [pydicom.dcmread(f, stop_before_pixels=True) for f in sys.argv[2:]]
slice_of = {d.SOPInstanceUID: d for d in cts}
for roi in rt.ROIContourSequence:
    per_image = {}
    for c in roi.ContourSequence:
        if c.ContourGeometricType != "CLOSED_PLANAR":
            continue
        ct = slice_of[c.ContourImageSequence[0].ReferencedSOPInstanceUID]
        row = np.array(ct.ImageOrientationPatient[:3], float)
        col = np.array(ct.ImageOrientationPatient[3:], float)
        row_spacing, col_spacing = (float(v) for v in ct.PixelSpacing)
        pts = np.array(c.ContourData, float).reshape(-1, 3) - np.array(ct.ImagePositionPatient, float)
        x = pts @ row / col_spacing
        y = pts @ col / row_spacing
        yy, xx = np.mgrid[0:ct.Rows, 0:ct.Columns].astype(float)
        inside = per_image.setdefault(ct.SOPInstanceUID, np.zeros((ct.Rows, ct.Columns), bool))
        for a in range(len(x)):
            b = a - 1
            if y[a] == y[b]:
                continue
            inside ^= ((y[a] > yy) != (y[b] > yy)) & (xx < (x[b] - x[a]) * (yy - y[a]) / (y[b] - y[a]) + x[a])
    for uid, inside in per_image.items():
        print("slice", roi.ReferencedROINumber, uid, int(inside.sum()))
    print("roi", roi.ReferencedROINumber, sum(int(v.sum()) for v in per_image.values()))
)PY";

/// What the Python rasterisation counts: per ROI number its voxels, and per (ROI, SOP instance).
struct Reference {
  std::map<int, std::size_t> perRoi;
  std::map<std::pair<int, std::string>, std::size_t> perImage;
};

Reference pythonReference(const std::string& rtstruct, const std::vector<std::string>& images) {
  const std::string folder = test::scratchFolder("rtstruct-reference");
  std::ofstream(folder + "/reference.py") << kReferenceScript;
  std::string command = "/usr/bin/python3 " + folder + "/reference.py " + rtstruct;
  for (const std::string& image : images) command += " " + image;
  command += " > " + folder + "/counts.txt 2> " + folder + "/errors.txt";
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
  Reference out;
  std::ifstream in(folder + "/counts.txt");
  std::string kind;
  while (in >> kind) {
    int roi = 0;
    std::size_t n = 0;
    if (kind == "roi") {
      in >> roi >> n;
      out.perRoi[roi] = n;
    } else {
      std::string uid;
      in >> roi >> uid >> n;
      out.perImage[{roi, uid}] = n;
    }
  }
  REQUIRE_FALSE(out.perRoi.empty());
  return out;
}

SegSourceSeries sourceOf(const std::string& folder) {
  const StudyScan scan = scanStudy(folder);
  return segSourceOf(selectSeries(scan, ""));
}

/// Voxels of a segment on the slice of the source instance `uid`.
std::size_t onInstance(const ImportedSegment& s, const SegSourceSeries& series, const std::string& uid) {
  for (const SegSourceSeries::Instance& in : series.instances) {
    if (in.sopInstanceUid != uid) continue;
    const auto k = std::size_t(std::lround(series.geometry.lpsToIjk(in.position)[2]));
    std::size_t n = 0;
    for (std::size_t j = 0; j < series.geometry.size[1]; ++j)
      for (std::size_t i = 0; i < series.geometry.size[0]; ++i) n += s.mask.contains(i, j, k) ? 1 : 0;
    return n;
  }
  FAIL("no instance " << uid);
  return 0;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& a, const std::string& b = {}) {
  for (const std::string& w : warnings) {
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  }
  return false;
}

std::size_t ones(const std::vector<std::uint8_t>& v) { return std::size_t(std::count(v.begin(), v.end(), std::uint8_t(1))); }

} // namespace

TEST_CASE("the rt-utils phantom's ROI opens on its 2 CT slices by referenced instance, voxel for voxel as an independent rasterisation", "[rtstruct]") {
  const std::string folder = test::sharedData(kPhantom);
  const std::string rt = folder + "/rt.dcm";
  const SegSourceSeries series = sourceOf(folder);
  REQUIRE(series.instances.size() == 2);
  const ImportedSeg seg = importRtStruct(rt, series);
  CHECK(seg.path == rt);
  CHECK(seg.segmentationType == "RTSTRUCT");
  CHECK(seg.frames == 2);
  CHECK(seg.framesByInstance == 2);
  CHECK(seg.framesByPosition == 0);
  CHECK(seg.framesNotOnSeries == 0);
  // rt-utils wrote a frame of reference of its own, not the CT's: the contours still go onto the
  // images they reference, and the reader is told.
  CHECK(mentions(seg.warnings, rt, "frame of reference differs"));
  CHECK(seg.warnings.size() == 1);

  REQUIRE(seg.segments.size() == 1);
  const ImportedSegment& roi = seg.segments.front();
  CHECK(roi.segmentNumber == 1);
  CHECK(roi.segment.name == "ROI-1");
  CHECK(roi.hasColour);
  CHECK(int(roi.segment.rgb[0]) == 162);
  CHECK(int(roi.segment.rgb[1]) == 136);
  CHECK(int(roi.segment.rgb[2]) == 95);
  CHECK(roi.segment.typeMeaning.empty()); // RT ROI Interpreted Type is present but empty
  CHECK(roi.segment.typeCode.empty());
  CHECK(roi.algorithmType == "MANUAL");
  CHECK(roi.segment.origin == SegmentOrigin::Imported);

  // A 24 mm square with an octagon inside it, both on the image ...893.87: the octagon is a hole.
  // No vertex or edge passes through a pixel centre (0.488281 mm pixels from -125 mm), so centre-on-
  // edge ties cannot arise and the counts must agree exactly.
  const Reference python = pythonReference(rt, {folder + "/ct_1.dcm", folder + "/ct_2.dcm"});
  const std::string imageWithRoi = "2.16.840.1.114362.1.11940992.23790159890.563423471.893.87";
  const std::string imageWithout = "2.16.840.1.114362.1.11940992.23790159890.563423471.985.89";
  REQUIRE(python.perRoi.count(1) == 1);
  CHECK(python.perRoi.at(1) > 1000); // the reference itself found the ring
  CHECK(roi.mask.count() == python.perRoi.at(1));
  CHECK(onInstance(roi, series, imageWithRoi) == python.perImage.at({1, imageWithRoi}));
  CHECK(onInstance(roi, series, imageWithout) == 0);

  // The hole: the square alone holds more, the centre of the octagon is out, the ring's edge in.
  auto at = [&](double x, double y) { // on the image ...893.87, at z = 60 mm
    const Vec3 ijk = series.geometry.lpsToIjk({x, y, 60.0});
    return roi.mask.contains(std::size_t(std::lround(ijk[0])), std::size_t(std::lround(ijk[1])), std::size_t(std::lround(ijk[2])));
  };
  CHECK_FALSE(at(-39.5, -39.5)); // inside the octagon
  CHECK(at(-49.0, -49.0));       // between the square and the octagon
  CHECK_FALSE(at(-20.0, -20.0)); // outside the square

  const ImportedLabels labels = segToLabelMap(seg, series.geometry);
  REQUIRE(labels.map.segments.size() == 1);
  CHECK(labels.map.segments[0].name == "ROI-1");
  CHECK(labels.map.segments[0].origin == SegmentOrigin::Imported);
  CHECK(labels.map.count(1) == python.perRoi.at(1));
}

TEST_CASE("an RTSTRUCT whose instances are not in the series is placed by position in the same frame of reference", "[rtstruct]") {
  const std::string folder = test::sharedData(kPhantom);
  const std::string rt = folder + "/rt.dcm";
  const std::size_t byInstance = importRtStruct(rt, sourceOf(folder)).segments.at(0).mask.count();
  SegSourceSeries series = sourceOf(folder);
  for (SegSourceSeries::Instance& in : series.instances) in.sopInstanceUid += ".renamed";
  series.frameOfReferenceUid = "1.2.826.0.1.3680043.8.498.41321784967516118556817630335498661397"; // the RTSTRUCT's
  const ImportedSeg seg = importRtStruct(rt, series);
  CHECK(seg.framesByInstance == 0);
  CHECK(seg.framesByPosition == 2);
  CHECK(seg.warnings.empty());
  CHECK(seg.segments.at(0).mask.count() == byInstance);

  series.frameOfReferenceUid.clear();
  const ImportedSeg unchecked = importRtStruct(rt, series);
  CHECK(unchecked.segments.at(0).mask.count() == byInstance);
  CHECK(mentions(unchecked.warnings, rt, "2 contours placed by position without a frame of reference"));

  series.frameOfReferenceUid = "1.2.3.4";
  CHECK_THROWS_WITH(importRtStruct(rt, series), Catch::Contains(rt) && Catch::Contains("another frame of reference") &&
                                                    Catch::Contains("references none of its images"));
}

TEST_CASE("an RTSTRUCT of images that are not this series is refused by name and reason", "[rtstruct]") {
  // pydicom's structure set references no image at all and is on its own frame of reference: on the
  // phantom CT it would be drawn at coordinates that mean nothing there, so it is refused.
  const std::string folder = test::sharedData(kPhantom);
  const std::string imageless = test::sharedData(kImageless);
  CHECK_THROWS_WITH(importRtStruct(imageless, sourceOf(folder)),
                    Catch::Contains(imageless) && Catch::Contains("another frame of reference") &&
                        Catch::Contains(kImagelessFrame) && Catch::Contains("references none of its images"));
}

TEST_CASE("an image-less RTSTRUCT on its own frame of reference fills its closed contours by position and skips its points", "[rtstruct]") {
  // A stand-in grid on pydicom's frame of reference: 2 mm pixels from -250.5 mm (no centre on an
  // edge), slices at z = -200, -190 and -180 mm where its three contours lie.
  SegSourceSeries series;
  series.frameOfReferenceUid = kImagelessFrame;
  series.geometry.size = {251, 251, 3};
  series.geometry.spacing = {2.0, 2.0, 10.0};
  series.geometry.origin = {-250.5, -250.5, -200.0};
  const std::string path = test::sharedData(kImageless);
  const ImportedSeg seg = importRtStruct(path, series);
  CHECK(seg.frames == 5);
  CHECK(seg.framesByPosition == 3);
  CHECK(seg.framesByInstance == 0);
  CHECK(mentions(seg.warnings, path, "2 POINT contours skipped"));
  REQUIRE(seg.segments.size() == 3);
  CHECK(seg.segments[0].segment.name == "patient");
  CHECK(seg.segments[0].segment.typeMeaning == "EXTERNAL");
  CHECK(seg.segments[1].segment.name == "Isocenter 1");
  CHECK(seg.segments[1].segment.typeMeaning == "ISOCENTER");
  CHECK(int(seg.segments[0].segment.rgb[0]) == 220);
  CHECK(int(seg.segments[0].segment.rgb[1]) == 160);
  CHECK(int(seg.segments[0].segment.rgb[2]) == 120);
  // The 400 x 300 mm rectangle holds centres i = 26..225 and j = 51..200 on each slice: 200 x 150.
  CHECK(seg.segments[0].mask.count() == 3 * 200 * 150);
  CHECK(seg.segments[0].mask.box.lo[0] == 26);
  CHECK(seg.segments[0].mask.box.hi[0] == 226);
  CHECK(seg.segments[0].mask.box.lo[1] == 51);
  CHECK(seg.segments[0].mask.box.hi[1] == 201);
  CHECK(seg.segments[1].mask.count() == 0);
  CHECK(seg.segments[2].mask.count() == 0);

  // The isocentres mark no voxel: the label map leaves them out and says so.
  const ImportedLabels labels = segToLabelMap(seg, series.geometry);
  REQUIRE(labels.map.segments.size() == 1);
  CHECK(labels.map.count(1) == 90000);
  CHECK(mentions(labels.warnings, "\"Isocenter 1\" (#2) has no voxel"));

  // Only the middle slice: the other two contours lie beyond the grid and are said to.
  series.geometry.size[2] = 1;
  series.geometry.origin[2] = -190.0;
  const ImportedSeg one = importRtStruct(path, series);
  CHECK(one.framesByPosition == 1);
  CHECK(one.framesNotOnSeries == 2);
  CHECK(one.segments[0].mask.count() == 200 * 150);
  CHECK(mentions(one.warnings, "2 closed contours of 5 on images outside this series left out"));
}

TEST_CASE("a CT image, a SEG or a text file given as an RTSTRUCT is refused by name and reason", "[rtstruct]") {
  const std::string folder = test::sharedData(kPhantom);
  const SegSourceSeries series = sourceOf(folder);
  const std::string ct = folder + "/ct_1.dcm";
  CHECK_THROWS_WITH(importRtStruct(ct, series), Catch::Contains(ct) && Catch::Contains("not a DICOM RT Structure Set") &&
                                                    Catch::Contains("modality CT"));
  const std::string seg = test::sharedData("seg-sr/dcmqi_liver_ct3slice/seg/liver.dcm");
  CHECK_THROWS_WITH(importRtStruct(seg, series), Catch::Contains(seg) && Catch::Contains("not a DICOM RT Structure Set"));
  const std::string text = folder + "/LICENSE";
  CHECK_THROWS_WITH(importRtStruct(text, series), Catch::Contains(text) && Catch::Contains("not a readable DICOM file"));
}

TEST_CASE("contours fill by the even-odd rule: a contour inside another cuts a hole, centres on edges go one way", "[rtstruct]") {
  const SliceContour outer = {{1.5, 1.5}, {7.5, 1.5}, {7.5, 7.5}, {1.5, 7.5}}; // centres 2..7: 36
  const SliceContour inner = {{3.5, 3.5}, {5.5, 3.5}, {5.5, 5.5}, {3.5, 5.5}}; // centres 4..5: 4
  CHECK(ones(fillContours({outer}, 10, 10)) == 36);
  CHECK(ones(fillContours({outer, inner}, 10, 10)) == 32);
  CHECK(fillContours({outer, inner}, 10, 10)[4 * 10 + 4] == 0);
  // Two overlapping squares: the shared part is even, so out.
  const SliceContour shifted = {{4.5, 1.5}, {10.5, 1.5}, {10.5, 7.5}, {4.5, 7.5}}; // centres 5..10 (cut at 9)
  CHECK(ones(fillContours({outer, shifted}, 10, 10)) == 6 * 3 + 6 * 2);
  // A square with corners on centres (2, 2)..(5, 5): its first row and column are in, its last out.
  const SliceContour onCentres = {{2, 2}, {5, 2}, {5, 5}, {2, 5}};
  const std::vector<std::uint8_t> tie = fillContours({onCentres}, 8, 8);
  CHECK(ones(tie) == 9);
  CHECK(tie[2 * 8 + 2] == 1);
  CHECK(tie[5 * 8 + 4] == 0);
  CHECK(tie[4 * 8 + 5] == 0);
  // Clockwise or counter-clockwise makes no difference; beyond the slice is cut.
  const SliceContour reversed(outer.rbegin(), outer.rend());
  CHECK(fillContours({reversed}, 10, 10) == fillContours({outer}, 10, 10));
  const SliceContour big = {{-5, -5}, {20, -5}, {20, 20}, {-5, 20}};
  CHECK(ones(fillContours({big}, 10, 10)) == 100);
}
