// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/phantom/DicomSeriesWriter.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

using namespace lightbox;
using lightbox::test::sharedData;

namespace {

bool hasIssue(const std::vector<IngestIssue>& issues, IssueKind kind, const std::string& text = {}) {
  for (const IngestIssue& i : issues) {
    if (i.kind == kind && i.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

/// A small axial CT series; value of slice k = 100 * k so slices can be told apart after loading.
DicomSeriesSpec axialSpec(const std::string& folder, std::vector<double> zs) {
  DicomSeriesSpec spec;
  spec.folder = folder;
  spec.rows = 8;
  spec.columns = 10;
  spec.spacingX = 0.8;
  spec.spacingY = 0.6;
  for (double z : zs) {
    spec.slicePositions.push_back({-4.0, -2.4, z});
  }
  return spec;
}

void fillBySlice(std::size_t k, std::vector<std::int16_t>& stored) {
  std::fill(stored.begin(), stored.end(), std::int16_t(100 * k));
}

} // namespace

TEST_CASE("gantry-tilted head CT with uneven gaps is detected and resampled", "[assembly][tilt]") {
  const StudyScan scan = scanStudy(sharedData("ct/head_ge_gantry_tilt_variable_spacing/dicom"));
  REQUIRE(scan.series.size() == 1);
  const AssembledSeries& s = scan.series[0];
  CHECK(s.frameCount() == 28);
  CHECK(s.volumes.size() == 1); // acquisition number differs per slice, yet positions never repeat
  CHECK(s.needsResampling);
  CHECK(s.tiltDegrees == Approx(18.5).margin(0.2));
  CHECK(hasIssue(s.issues, IssueKind::GantryTilt, "18.5"));
  CHECK(hasIssue(s.issues, IssueKind::UnevenSpacing));
  CHECK(s.geometry.orthonormalityError() < 1e-6);
  const LoadedSeries loaded = loadSeries(s);
  REQUIRE(loaded.volumes.size() == 1);
  CHECK(loaded.volumes[0].geometry == s.geometry);
  // The resampled grid holds brain-range values, not only padding.
  const auto [lo, hi] = loaded.volumes[0].range();
  CHECK(lo <= -1000);
  CHECK(hi > 1000);
}

TEST_CASE("Philips dual echo series splits into echo x magnitude/phase parts", "[assembly]") {
  const StudyScan scan =
      scanStudy(sharedData("registration/mr_philips_table_shift_60mm/fixed_1301_Dual-echo_iso/dicom"));
  REQUIRE(scan.series.size() == 4);
  CHECK(scan.series[0].partLabel == "echo 1, magnitude");
  CHECK(scan.series[1].partLabel == "echo 1, phase");
  CHECK(scan.series[2].partLabel == "echo 2, magnitude");
  CHECK(scan.series[3].partLabel == "echo 2, phase");
  for (const AssembledSeries& s : scan.series) {
    CHECK(s.frameCount() == 30);
    CHECK(s.geometry.size[2] == 30);
  }
}

TEST_CASE("enhanced EPI in 4 files becomes 4 time points of 6 slices", "[assembly][enhanced]") {
  const StudyScan scan = scanStudy(sharedData("mr/brain_siemens_xa10_enhanced_epi/dicom"));
  REQUIRE(scan.series.size() == 1);
  CHECK(scan.series[0].volumes.size() == 4);
  CHECK(scan.series[0].geometry.size == std::array<std::size_t, 3>{64, 64, 6});
}

TEST_CASE("localizers never join the volume", "[assembly][synthetic]") {
  const std::string folder = test::scratchFolder("localizer");
  DicomSeriesSpec axial = axialSpec(folder, {0, 1, 2, 3});
  writeDicomSeries(axial, fillBySlice);
  DicomSeriesSpec scout = axialSpec(folder, {0});
  scout.filePrefix = "SCOUT";
  scout.seriesInstanceUid = axial.seriesInstanceUid;
  scout.studyInstanceUid = axial.studyInstanceUid;
  scout.imageType = {"ORIGINAL", "PRIMARY", "LOCALIZER"};
  scout.rowDirection = {0, 1, 0};
  scout.columnDirection = {0, 0, -1};
  writeDicomSeries(scout, fillBySlice);
  const StudyScan scan = scanStudy(folder);
  REQUIRE(scan.series.size() == 1);
  CHECK(scan.series[0].frameCount() == 4);
  CHECK(hasIssue(scan.assemblyIssues, IssueKind::Localizer, "1 localizer"));
}

TEST_CASE("a missing slice is reported with its position and filled on a uniform grid", "[assembly][synthetic]") {
  const std::string folder = test::scratchFolder("missing");
  DicomSeriesSpec spec = axialSpec(folder, {0, 2, 4, 8, 10}); // 6 is missing
  writeDicomSeries(spec, fillBySlice);
  const StudyScan scan = scanStudy(folder);
  REQUIRE(scan.series.size() == 1);
  const AssembledSeries& s = scan.series[0];
  CHECK(hasIssue(s.issues, IssueKind::MissingSlices, "1 slice missing between 4.00 and 8.00 mm"));
  const LoadedSeries loaded = loadSeries(s);
  const Volume& v = loaded.volumes.at(0);
  REQUIRE(v.geometry.size[2] == 6);
  CHECK(v.geometry.spacing[2] == Approx(2.0));
  CHECK(v.value(0, 0, 2) == 200);
  CHECK(v.value(0, 0, 3) == 250); // interpolated between z=4 (200) and z=8 (300)
  CHECK(v.value(0, 0, 4) == 300);
}

TEST_CASE("slices far apart split into blocks instead of being interpolated", "[assembly][synthetic]") {
  const std::string folder = test::scratchFolder("blocks");
  DicomSeriesSpec spec = axialSpec(folder, {0, 1, 2, 50, 51, 52});
  writeDicomSeries(spec, fillBySlice);
  const StudyScan scan = scanStudy(folder);
  REQUIRE(scan.series.size() == 2);
  CHECK(scan.series[0].partLabel == "block 1 of 2");
  CHECK(scan.series[0].geometry.size[2] == 3);
  CHECK(scan.series[1].geometry.origin[2] == Approx(50));
}

TEST_CASE("repeated positions with distinct acquisition numbers become time points", "[assembly][synthetic]") {
  const std::string folder = test::scratchFolder("dynamic");
  DicomSeriesSpec spec = axialSpec(folder, {0, 1, 2, 0, 1, 2});
  spec.acquisitionNumbers = {1, 1, 1, 2, 2, 2};
  writeDicomSeries(spec, fillBySlice);
  const StudyScan scan = scanStudy(folder);
  REQUIRE(scan.series.size() == 1);
  REQUIRE(scan.series[0].volumes.size() == 2);
  const LoadedSeries loaded = loadSeries(scan.series[0]);
  CHECK(loaded.volumes[0].value(0, 0, 1) == 100);
  CHECK(loaded.volumes[1].value(0, 0, 1) == 400);
}

namespace {

/// Writes one file per position into `folder`, all in series `seriesUid`; file k carries the frame
/// of reference `frames[k]`. Slice k holds the value 100 * k.
void writeSlicesWithFrames(const std::string& folder, const std::string& seriesUid, const std::string& prefix,
                           const std::vector<Vec3>& positions, const std::vector<std::string>& frames,
                           const Vec3& row = {1, 0, 0}, const Vec3& column = {0, 1, 0}) {
  for (std::size_t k = 0; k < positions.size(); ++k) {
    DicomSeriesSpec spec = axialSpec(folder, {});
    spec.seriesInstanceUid = seriesUid;
    spec.studyInstanceUid = seriesUid + ".1";
    spec.frameOfReferenceUid = frames[k];
    spec.filePrefix = prefix + std::to_string(k) + "_";
    spec.rowDirection = row;
    spec.columnDirection = column;
    spec.slicePositions = {positions[k]};
    writeDicomSeries(spec, [k](std::size_t, std::vector<std::int16_t>& s) {
      std::fill(s.begin(), s.end(), std::int16_t(100 * k));
    });
  }
}

std::vector<std::string> framePerSlice(const std::string& root, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(root + "." + std::to_string(k + 1));
  return out;
}

} // namespace

TEST_CASE("a chest CT whose every slice has its own frame of reference loads as one volume, voxel for voxel",
          "[assembly][frame-of-reference]") {
  for (const std::string series : {"ct/chest_lidc-idri-0001_nodule_slab/dicom", "ct/chest_4dct_popi_phase00/dicom"}) {
    INFO(series);
    const std::string original = sharedData(series);
    const std::string copy = test::scratchFolder("for-per-slice");
    const std::size_t files = test::copyWithFrameOfReferencePerSlice(original, copy);
    const StudyScan scan = scanStudy(copy);
    REQUIRE(scan.series.size() == 1);
    const AssembledSeries& s = scan.series[0];
    CHECK(s.frameCount() == files);
    CHECK(hasIssue(s.issues, IssueKind::FrameOfReferenceDiffers,
                   "frame of reference differs between slices: assembled by position"));
    CHECK_FALSE(hasIssue(s.issues, IssueKind::SplitDistinctGeometry));
    const Volume ours = loadSeries(s).volumes.at(0);
    const Volume reference = loadPath(original).volumes.at(0);
    CHECK(ours.geometry == reference.geometry);
    CHECK(ours.units == reference.units);
    REQUIRE(ours.voxelType() == reference.voxelType());
    CHECK(ours.voxels == reference.voxels); // every voxel identical
    CHECK(ours.geometry.size[2] == files);
  }
}

TEST_CASE("stacks at different angles in one series with a frame of reference per slice still split",
          "[assembly][frame-of-reference][synthetic]") {
  const std::string folder = test::scratchFolder("for-two-angles");
  const std::string uid = generateUid();
  writeSlicesWithFrames(folder, uid, "AX", {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 3}}, framePerSlice(uid + ".7", 4));
  // A coronal stack: rows along x, columns along -z, stepping along y.
  writeSlicesWithFrames(folder, uid, "COR", {{0, 0, 0}, {0, 1, 0}, {0, 2, 0}}, framePerSlice(uid + ".8", 3),
                        {1, 0, 0}, {0, 0, -1});
  const StudyScan scan = scanStudy(folder);
  REQUIRE(scan.series.size() == 2);
  std::vector<std::size_t> counts{scan.series[0].frameCount(), scan.series[1].frameCount()};
  std::sort(counts.begin(), counts.end());
  CHECK(counts == std::vector<std::size_t>{3, 4});
  CHECK(hasIssue(scan.series[0].issues, IssueKind::SplitDistinctGeometry, "image orientation differs"));
}

TEST_CASE("overlapping or uneven positions under different frames of reference are not assembled by position",
          "[assembly][frame-of-reference][synthetic]") {
  SECTION("two acquisitions over the same positions, one frame of reference each") {
    const std::string folder = test::scratchFolder("for-overlap");
    const std::string uid = generateUid();
    const std::vector<Vec3> z{{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 3}};
    writeSlicesWithFrames(folder, uid, "A", z, std::vector<std::string>(4, uid + ".11"));
    writeSlicesWithFrames(folder, uid, "B", z, std::vector<std::string>(4, uid + ".12"));
    const StudyScan scan = scanStudy(folder);
    REQUIRE(scan.series.size() == 2);
    for (const AssembledSeries& s : scan.series) {
      CHECK(s.frameCount() == 4);
      CHECK(s.volumes.size() == 1);
      CHECK(hasIssue(s.issues, IssueKind::SplitDistinctGeometry, "frame of reference differs"));
      CHECK_FALSE(hasIssue(s.issues, IssueKind::FrameOfReferenceDiffers));
    }
  }
  SECTION("uneven gaps, a frame of reference per slice") {
    const std::string folder = test::scratchFolder("for-uneven");
    const std::string uid = generateUid();
    writeSlicesWithFrames(folder, uid, "U", {{0, 0, 0}, {0, 0, 1}, {0, 0, 2.5}, {0, 0, 3}}, framePerSlice(uid + ".9", 4));
    const StudyScan scan = scanStudy(folder);
    CHECK(scan.series.size() == 4);
  }
  SECTION("two slices, a frame of reference each: one gap is no evidence of one stack") {
    const std::string folder = test::scratchFolder("for-two");
    const std::string uid = generateUid();
    writeSlicesWithFrames(folder, uid, "T", {{0, 0, 0}, {0, 0, 40}}, framePerSlice(uid + ".13", 2));
    CHECK(scanStudy(folder).series.size() == 2);
  }
  SECTION("two stations of an even stack, one frame of reference each (a table move), stay apart") {
    const std::string folder = test::scratchFolder("for-two-stations");
    const std::string uid = generateUid();
    writeSlicesWithFrames(folder, uid, "S1", {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}}, std::vector<std::string>(3, uid + ".21"));
    writeSlicesWithFrames(folder, uid, "S2", {{0, 0, 3}, {0, 0, 4}, {0, 0, 5}}, std::vector<std::string>(3, uid + ".22"));
    const StudyScan scan = scanStudy(folder);
    REQUIRE(scan.series.size() == 2);
    for (const AssembledSeries& s : scan.series) {
      CHECK(s.frameCount() == 3);
      CHECK_FALSE(hasIssue(s.issues, IssueKind::FrameOfReferenceDiffers));
    }
  }
  SECTION("an even stack, a frame of reference per slice, becomes one volume in position order") {
    const std::string folder = test::scratchFolder("for-even");
    const std::string uid = generateUid();
    writeSlicesWithFrames(folder, uid, "E", {{0, 0, 2}, {0, 0, 0}, {0, 0, 3}, {0, 0, 1}}, framePerSlice(uid + ".10", 4));
    const StudyScan scan = scanStudy(folder);
    REQUIRE(scan.series.size() == 1);
    const Volume v = loadSeries(scan.series[0]).volumes.at(0);
    REQUIRE(v.geometry.size[2] == 4);
    CHECK(v.value(0, 0, 0) == 100); // written second, at z = 0
    CHECK(v.value(0, 0, 1) == 300);
    CHECK(v.value(0, 0, 2) == 0);
    CHECK(v.value(0, 0, 3) == 200);
  }
}

TEST_CASE("uneven spacing: a gap 1.5 % off the others is flagged and resampled, 0.75 % is not", "[assembly][synthetic][reference]") {
  // Issue 25: the tolerance is 1 % of the nominal (median) gap; both sides of it.
  const std::string off = test::scratchFolder("uneven-off");
  DicomSeriesSpec offSpec = axialSpec(off, {0, 2, 4, 6.03, 8.03, 10.03});
  writeDicomSeries(offSpec, fillBySlice);
  const StudyScan a = scanStudy(off);
  REQUIRE(a.series.size() == 1);
  CHECK(hasIssue(a.series[0].issues, IssueKind::UnevenSpacing));
  CHECK(a.series[0].needsResampling);
  const std::string within = test::scratchFolder("uneven-within");
  DicomSeriesSpec withinSpec = axialSpec(within, {0, 2, 4, 6.015, 8.015, 10.015});
  writeDicomSeries(withinSpec, fillBySlice);
  const StudyScan b = scanStudy(within);
  REQUIRE(b.series.size() == 1);
  CHECK_FALSE(hasIssue(b.series[0].issues, IssueKind::UnevenSpacing));
  CHECK_FALSE(b.series[0].needsResampling);
}

TEST_CASE("fuzz findings: impossible geometry never reaches a grid", "[assembly][fuzz]") {
  // Frames as the header reader could give them before it refused non-finite DS values, and as a
  // damaged file still can: positions 1 km away in-plane with 1e-7 mm pixels asked for a grid of
  // 1e90 columns (undefined size_t conversion); NaN and infinite values reached the grid.
  auto file = std::make_shared<DicomFileInfo>();
  file->path = "/fuzz/0.dcm";
  file->modality = "CT";
  file->seriesInstanceUid = "1.2.9";
  file->hasPixelData = true;
  file->bitsAllocated = file->bitsStored = 16;
  std::vector<DicomFrame> frames;
  for (int k = 0; k < 4; ++k) {
    DicomFrame f;
    f.file = file;
    f.rows = f.columns = 8;
    f.hasPosition = f.hasOrientation = f.hasPixelSpacing = true;
    f.spacingX = f.spacingY = 1e-7;
    f.position = {k == 2 ? 9.0e5 : 0.0, 0.0, 1.0 * k + (k == 3 ? 0.7 : 0.0)}; // sheared and uneven
    frames.push_back(f);
  }
  AssemblyResult r = assembleSeries(frames);
  REQUIRE(r.series.size() == 1);
  const AssembledSeries& s = r.series[0];
  CHECK_FALSE(s.needsResampling);
  CHECK(hasIssue(s.issues, IssueKind::UnevenSpacing, "cannot be placed on one grid"));
  CHECK(s.geometry.size[0] == 8);
  // A NaN position, an infinite spacing and an orientation of zeros are treated as absent.
  frames[1].position = {std::nan(""), 0, 1};
  for (DicomFrame& f : frames) {
    f.spacingX = std::numeric_limits<double>::infinity();
    f.rowDirection = {0, 0, 0};
  }
  r = assembleSeries(frames);
  for (const AssembledSeries& part : r.series) {
    for (int a = 0; a < 3; ++a) {
      CHECK(std::isfinite(part.geometry.spacing[a]));
      CHECK(part.geometry.spacing[a] > 0);
      CHECK(std::isfinite(part.geometry.origin[a]));
    }
  }
}
