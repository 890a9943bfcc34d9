// SPDX-License-Identifier: Apache-2.0
// DICOM SEG onto its source series. Expected voxel counts come from an independent decode of the
// same files with pydicom + numpy (bits unpacked LSB first across the whole pixel data, frames
// grouped by Referenced SOP Instance UID, FRACTIONAL thresholded at half the maximum).
#include "tests/support/TestData.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>

using namespace lightbox;
namespace fs = std::filesystem;

namespace {

const char* kLiverCt = "seg-sr/dcmqi_liver_ct3slice/ct";
const char* kLiverSeg = "seg-sr/dcmqi_liver_ct3slice/seg/liver.dcm";
const char* kOverlapSeg = "seg-sr/dcmqi_liver_ct3slice/seg/partial_overlaps.dcm";
const char* kSmallCt = "seg-sr/highdicom_seg_on_pydicom_ct2/ct";
const char* kSmallSegs = "seg-sr/highdicom_seg_on_pydicom_ct2/seg/";

SegSourceSeries sourceOf(const std::string& folder) {
  const StudyScan scan = scanStudy(folder);
  return segSourceOf(selectSeries(scan, ""));
}

/// Voxels of a segment on the slice of the source instance whose SOP Instance UID ends in `tail`.
std::size_t onInstance(const ImportedSegment& s, const SegSourceSeries& series, const std::string& tail) {
  for (const SegSourceSeries::Instance& in : series.instances) {
    if (in.sopInstanceUid.size() < tail.size() || in.sopInstanceUid.compare(in.sopInstanceUid.size() - tail.size(), tail.size(), tail) != 0) continue;
    const auto k = std::size_t(std::lround(series.geometry.lpsToIjk(in.position)[2]));
    std::size_t n = 0;
    for (std::size_t j = 0; j < series.geometry.size[1]; ++j)
      for (std::size_t i = 0; i < series.geometry.size[0]; ++i) n += s.mask.contains(i, j, k) ? 1 : 0;
    return n;
  }
  FAIL("no instance ending in " << tail);
  return 0;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& a, const std::string& b = {}) {
  for (const std::string& w : warnings) {
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  }
  return false;
}

std::string scratchCopy(const std::string& name, const std::string& command) {
  const std::string out = test::scratchFolder("seg-" + name) + "/" + name + ".dcm";
  const int rc = std::system((command + " " + out + " > /dev/null 2>&1").c_str());
  INFO(command);
  REQUIRE(rc == 0);
  return out;
}

} // namespace

TEST_CASE("a binary SEG opens on its 3 CT slices by referenced instance, voxel for voxel, with name, colour and codes", "[seg-import]") {
  const SegSourceSeries series = sourceOf(test::sharedData(kLiverCt));
  REQUIRE(series.instances.size() == 3);
  const ImportedSeg seg = importDicomSeg(test::sharedData(kLiverSeg), series);
  CHECK(seg.segmentationType == "BINARY");
  CHECK(seg.frames == 3);
  CHECK(seg.framesByInstance == 3);
  CHECK(seg.framesNotOnSeries == 0);
  CHECK_FALSE(seg.resampled);
  CHECK(seg.warnings.empty());
  REQUIRE(seg.segments.size() == 1);
  const ImportedSegment& liver = seg.segments.front();
  CHECK(liver.segment.name == "Liver");
  CHECK(liver.segmentNumber == 1);
  // Slicer's liver colour (221, 130, 101), which dcmqi wrote as CIELab (41661, 41167, 40792).
  CHECK(liver.hasColour);
  CHECK(int(liver.segment.rgb[0]) == Approx(221).margin(1));
  CHECK(int(liver.segment.rgb[1]) == Approx(130).margin(1));
  CHECK(int(liver.segment.rgb[2]) == Approx(101).margin(1));
  CHECK(liver.segment.categoryCode == "T-D0050");
  CHECK(liver.segment.categoryMeaning == "Tissue");
  CHECK(liver.segment.categoryScheme == "SRT");
  CHECK(liver.segment.typeCode == "T-62000");
  CHECK(liver.segment.typeMeaning == "Liver");
  CHECK(liver.segment.typeScheme == "SRT");
  CHECK(liver.algorithmType == "SEMIAUTOMATIC");
  CHECK(liver.segment.algorithm == "SlicerEditor");
  CHECK(liver.segment.origin == SegmentOrigin::Imported);
  // pydicom: 107098 voxels; 35220, 35645 and 36233 on the instances ...23431.1, ...23432.1, ...23433.1.
  CHECK(liver.mask.count() == 107098);
  CHECK(onInstance(liver, series, ".23431.1") == 35220);
  CHECK(onInstance(liver, series, ".23432.1") == 35645);
  CHECK(onInstance(liver, series, ".23433.1") == 36233);

  const ImportedLabels labels = segToLabelMap(seg, series.geometry);
  REQUIRE(labels.map.segments.size() == 1);
  CHECK(labels.map.segments[0].label == 1);
  CHECK(labels.map.segments[0].name == "Liver");
  CHECK(labels.map.segments[0].origin == SegmentOrigin::Imported);
  CHECK(labels.map.count(1) == 107098);
  CHECK(labels.warnings.empty());
}

TEST_CASE("overlapping SEG segments keep their own masks, and the label map gives shared voxels to the later one and says so", "[seg-import]") {
  const SegSourceSeries series = sourceOf(test::sharedData(kLiverCt));
  const std::string path = test::sharedData(kOverlapSeg);
  const ImportedSeg seg = importDicomSeg(path, series);
  CHECK(seg.frames == 7);
  CHECK(seg.framesByInstance == 7);
  REQUIRE(seg.segments.size() == 5);
  const std::vector<std::string> names = {"GREEN", "ORANGE", "PURPLE", "LIGHT_BLUE", "DARK_BLUE"};
  const std::vector<std::size_t> own = {9602, 11888, 10743, 6693, 4713}; // pydicom
  for (std::size_t s = 0; s < 5; ++s) {
    CHECK(seg.segments[s].segment.name == names[s]);
    CHECK(seg.segments[s].mask.count() == own[s]);
  }
  CHECK(seg.segments[1].segment.typeMeaning == "Artery");
  CHECK(seg.segments[3].segment.categoryCode == "49755003");
  // Slicer's tissue green.
  CHECK(int(seg.segments[0].segment.rgb[0]) == Approx(128).margin(1));
  CHECK(int(seg.segments[0].segment.rgb[1]) == Approx(174).margin(1));
  CHECK(int(seg.segments[0].segment.rgb[2]) == Approx(128).margin(1));

  const ImportedLabels labels = segToLabelMap(seg, series.geometry);
  REQUIRE(labels.map.segments.size() == 5);
  // pydicom, painting segments 1..5 in order: GREEN loses 3017 + 95 - 28 (in all three) voxels.
  const std::vector<std::size_t> shown = {6518, 11838, 10743, 6693, 4713};
  for (std::size_t s = 0; s < 5; ++s) {
    CHECK(labels.map.segments[s].label == s + 1);
    CHECK(labels.map.segments[s].name == names[s]);
    CHECK(labels.map.segments[s].origin == SegmentOrigin::Imported);
    CHECK(labels.map.count(std::uint8_t(s + 1)) == shown[s]);
  }
  // Pairwise overlaps (pydicom): GREEN/ORANGE 3017, GREEN/PURPLE 95, ORANGE/PURPLE 50.
  CHECK(mentions(labels.warnings, "\"GREEN\" (#1) and \"ORANGE\" (#2) overlap in 3017 voxels", "\"ORANGE\""));
  CHECK(mentions(labels.warnings, "\"GREEN\" (#1) and \"PURPLE\" (#3) overlap in 95 voxels"));
  CHECK(mentions(labels.warnings, "\"ORANGE\" (#2) and \"PURPLE\" (#3) overlap in 50 voxels"));
  CHECK(labels.warnings.size() == 3);
  CHECK(mentions(labels.warnings, path));
}

TEST_CASE("BINARY, FRACTIONAL with binary values and true FRACTIONAL SEGs give the voxels an independent decode gives", "[seg-import]") {
  const SegSourceSeries series = sourceOf(test::sharedData(kSmallCt));
  const std::string dir = test::sharedData(kSmallSegs);
  const ImportedSeg binary = importDicomSeg(dir + "seg_image_ct_binary.dcm", series);
  const ImportedSeg fractional = importDicomSeg(dir + "seg_image_ct_binary_fractional.dcm", series);
  // Values 0, 64 and 128 of 255: 638 voxels at 128, 23 more at 64 (below half, left out).
  const ImportedSeg truly = importDicomSeg(dir + "seg_image_ct_true_fractional.dcm", series);
  CHECK(binary.segmentationType == "BINARY");
  CHECK(fractional.segmentationType == "FRACTIONAL");
  for (const ImportedSeg* s : {&binary, &fractional, &truly}) {
    INFO(s->path);
    CHECK(s->framesByInstance == 3);
    REQUIRE(s->segments.size() == 1);
    CHECK(s->segments[0].segment.name == "first segment");
    CHECK(s->segments[0].segment.typeMeaning == "Bone");
    CHECK_FALSE(s->segments[0].hasColour); // highdicom wrote none: a stand-in colour
    CHECK(s->segments[0].mask.count() == 638);
    CHECK(onInstance(s->segments[0], series, ".0.94") == 127);
    CHECK(onInstance(s->segments[0], series, ".0.95") == 256);
    CHECK(onInstance(s->segments[0], series, ".0.96") == 255);
  }
  CHECK(binary.segments[0].mask.inside == fractional.segments[0].mask.inside);
  CHECK(binary.segments[0].mask.inside == truly.segments[0].mask.inside);
}

TEST_CASE("two overlapping highdicom segments: 64 and 16 voxels, all 16 shared", "[seg-import]") {
  const SegSourceSeries series = sourceOf(test::sharedData(kSmallCt));
  const ImportedSeg seg = importDicomSeg(test::sharedData(kSmallSegs) + "seg_image_ct_binary_overlap.dcm", series);
  REQUIRE(seg.segments.size() == 2);
  // Instance ...0.93 lies 200 mm from the other three: the series shown is those three, and the two
  // frames on ...0.93 are left out, said in a warning.
  const std::size_t perSlice = series.instances.size();
  CHECK(perSlice == 3);
  CHECK(seg.framesByInstance == 2 * perSlice);
  CHECK(seg.framesNotOnSeries == 8 - 2 * perSlice);
  if (perSlice == 3) CHECK(mentions(seg.warnings, "2 of 8 frames belong to images outside this series"));
  CHECK(seg.segments[0].mask.count() == 16 * perSlice);
  CHECK(seg.segments[1].mask.count() == 4 * perSlice);
  const ImportedLabels labels = segToLabelMap(seg, series.geometry);
  CHECK(labels.map.count(1) == 12 * perSlice);
  CHECK(labels.map.count(2) == 4 * perSlice);
  CHECK(mentions(labels.warnings, "\"first segment\" (#1) and \"second segment\" (#2) overlap in " + std::to_string(4 * perSlice) + " voxels"));
}

TEST_CASE("a SEG of another series, another frame of reference or not a SEG at all is refused by name and reason", "[seg-import]") {
  const SegSourceSeries small = sourceOf(test::sharedData(kSmallCt));
  const std::string liver = test::sharedData(kLiverSeg);
  CHECK_THROWS_WITH(importDicomSeg(liver, small), Catch::Contains(liver) && Catch::Contains("another frame of reference") &&
                                                      Catch::Contains("references none of its images"));
  const std::string ct = test::sharedData(kLiverCt) + "/01.dcm";
  CHECK_THROWS_WITH(importDicomSeg(ct, small), Catch::Contains(ct) && Catch::Contains("not a DICOM Segmentation"));
  const std::string text = test::sharedData("seg-sr/highdicom_seg_on_pydicom_ct2/LICENSE-highdicom");
  CHECK_THROWS_WITH(importDicomSeg(text, small), Catch::Contains(text) && Catch::Contains("not a readable DICOM file"));

  // Same frame of reference, but the series holds only the image no frame is on.
  const std::string folder = test::scratchFolder("seg-one-image");
  fs::copy_file(test::sharedData(kSmallCt) + "/17106", folder + "/17106");
  const std::string binary = test::sharedData(kSmallSegs) + "seg_image_ct_binary.dcm";
  CHECK_THROWS_WITH(importDicomSeg(binary, sourceOf(folder)),
                    Catch::Contains(binary) && Catch::Contains("none of the SEG's 3 frames lies on this series"));
}

TEST_CASE("a SEG without its instances in the series is placed by position in the same frame of reference", "[seg-import]") {
  SegSourceSeries series = sourceOf(test::sharedData(kLiverCt));
  for (SegSourceSeries::Instance& in : series.instances) in.sopInstanceUid += ".renamed";
  const ImportedSeg seg = importDicomSeg(test::sharedData(kLiverSeg), series);
  CHECK(seg.framesByInstance == 0);
  CHECK(seg.framesByPosition == 3);
  CHECK(seg.segments.at(0).mask.count() == 107098);

  series.frameOfReferenceUid = "1.2.3.4";
  CHECK_THROWS_WITH(importDicomSeg(test::sharedData(kLiverSeg), series), Catch::Contains("another frame of reference"));
}

TEST_CASE("deflated and RLE SEGs open as the plain ones do, JPEG-LS is refused by its name", "[seg-import]") {
  const std::string overlaps = test::sharedData(kOverlapSeg);
  const std::string fractional = test::sharedData(kSmallSegs) + "seg_image_ct_true_fractional.dcm";
  const SegSourceSeries liverCt = sourceOf(test::sharedData(kLiverCt));
  const SegSourceSeries smallCt = sourceOf(test::sharedData(kSmallCt));

  const ImportedSeg deflated = importDicomSeg(scratchCopy("deflated", "dcmconv +td " + overlaps), liverCt);
  const ImportedSeg plain = importDicomSeg(overlaps, liverCt);
  REQUIRE(deflated.segments.size() == plain.segments.size());
  for (std::size_t s = 0; s < plain.segments.size(); ++s) CHECK(deflated.segments[s].mask.inside == plain.segments[s].mask.inside);

  const ImportedSeg rle = importDicomSeg(scratchCopy("rle", "dcmcrle " + fractional), smallCt);
  CHECK(rle.segments.at(0).mask.count() == 638);

  const std::string jls = scratchCopy("jpegls", "dcmcjpls " + fractional);
  CHECK_THROWS_WITH(importDicomSeg(jls, smallCt), Catch::Contains(jls) && Catch::Contains("unsupported transfer syntax") &&
                                                      Catch::Contains("1.2.840.10008.1.2.4.80"));
}

TEST_CASE("1-bit SEG frames are unpacked LSB first and may start inside a byte", "[seg-import]") {
  // Three 3x3 frames in 27 bits: frame 0 ends in bit 8, frame 1 starts in bit 9, frame 2 ends in bit 26.
  const std::uint8_t packed[4] = {0x00, 0x03, 0x00, 0x04};
  CHECK(unpackBinaryFrame(packed, 4, 0, 9) == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(unpackBinaryFrame(packed, 4, 1, 9) == std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(unpackBinaryFrame(packed, 4, 2, 9) == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK_THROWS_WITH(unpackBinaryFrame(packed, 3, 2, 9), Catch::Contains("frame 3"));
}

TEST_CASE("DICOM CIELab colours convert to sRGB: white, red, and a SEG's own", "[seg-import]") {
  std::uint8_t rgb[3];
  const std::uint16_t white[3] = {65535, 32896, 32896};
  dicomLabToRgb(white, rgb);
  CHECK((int(rgb[0]) >= 254 && int(rgb[1]) >= 254 && int(rgb[2]) >= 254));
  const std::uint16_t red[3] = {34891, 53480, 50166}; // L* 53.24, a* 80.09, b* 67.20
  dicomLabToRgb(red, rgb);
  CHECK(int(rgb[0]) >= 253);
  CHECK(int(rgb[1]) <= 2);
  CHECK(int(rgb[2]) <= 2);
}
