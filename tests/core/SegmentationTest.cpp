// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"
#include "core/util/AtomicFile.h"
#include "core/segmentation/ClassicalSegmenter.h"
#include "core/segmentation/LabelMap.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/segmentation/LabelMapImport.h"
#include "core/io/ImageFileIO.h"
#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

using namespace lightbox;

namespace {

const char* kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";
const char* kSlabXml = "ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml";

VolumeGeometry grid(std::size_t nx, std::size_t ny, std::size_t nz, Vec3 spacing) {
  VolumeGeometry g;
  g.size = {nx, ny, nz};
  g.spacing = spacing;
  return g;
}

test::LidcConsensus lidcConsensus(const Volume& slab) {
  return test::lidcConsensus(test::sharedData(kSlabXml), slab.geometry);
}

} // namespace

TEST_CASE("label deltas: 100 brush strokes on a 512x512x300 map stay small, undo all restores the map exactly", "[segmentation]") {
  LabelMap map(grid(512, 512, 300, {0.7, 0.7, 1.0}));
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> x(20, 340), z(20, 280), r(2, 12);
  const std::vector<std::uint8_t> before = map.labels;
  std::vector<LabelDelta> history;
  std::size_t bytes = 0;
  for (int s = 0; s < 100; ++s) {
    BrushDab dab;
    dab.centerLps = {x(rng), x(rng), z(rng)};
    dab.radiusMm = r(rng);
    dab.label = std::uint8_t(1 + s % 3);
    dab.erase = s % 7 == 6;
    dab.disc = s % 2 == 1;
    history.push_back(paint(map, dab));
    bytes += history.back().bytes();
  }
  INFO("undo history " << bytes << " bytes");
  CHECK(bytes < 50u * 1024 * 1024);
  const bool changed = map.labels != before;
  CHECK(changed);
  const std::vector<std::uint8_t> after = map.labels;
  for (auto it = history.rbegin(); it != history.rend(); ++it) swapDelta(map, *it);
  const bool restored = map.labels == before; // (bools: Catch would print 78 M values)
  CHECK(restored);
  for (auto& d : history) swapDelta(map, d); // redo in order
  const bool redone = map.labels == after;
  CHECK(redone);
}

TEST_CASE("a brush limited to an intensity range, the eraser and keep-component touch only what they should", "[segmentation]") {
  Volume image;
  image.geometry = grid(40, 40, 10, {1, 1, 2});
  std::vector<std::int16_t> v(image.geometry.voxelCount(), -800);
  for (std::size_t k = 0; k < 10; ++k)
    for (std::size_t j = 0; j < 40; ++j)
      for (std::size_t i = 20; i < 40; ++i) v[i + 40 * (j + 40 * k)] = 50; // right half bright
  image.voxels = v;
  LabelMap map(image.geometry);
  BrushDab dab;
  dab.centerLps = {20, 20, 10};
  dab.radiusMm = 6;
  dab.image = &image;
  dab.lo = 0;
  dab.hi = 200;
  LabelDelta d = paint(map, dab);
  for (std::size_t n = 0; n < map.labels.size(); ++n) {
    if (map.labels[n]) REQUIRE(image.value(n) == 50);
  }
  CHECK(map.count(1) > 100);
  // A second island, then keep only the one under the cursor.
  BrushDab island = dab;
  island.centerLps = {34, 34, 4};
  island.radiusMm = 2;
  island.image = nullptr;
  paint(map, island);
  const std::size_t withIsland = map.count(1);
  keepComponent(map, 1, {22, 20, 5});
  CHECK(map.count(1) < withIsland);
  CHECK(map.labels[map.index(34, 34, 2)] == 0);
  // The eraser removes only its own label.
  BrushDab eraser = dab;
  eraser.erase = true;
  eraser.image = nullptr;
  eraser.radiusMm = 30;
  paint(map, eraser);
  CHECK(map.count(1) == 0);
  // Undoing the first stroke now: its box takes the values from before it (all empty), so the map
  // stays empty; swapping again puts back what the box held before this undo (empty too).
  swapDelta(map, d);
  CHECK(map.count(1) == 0);
  CHECK(d.values == std::vector<std::uint8_t>{0}); // the delta now holds the box as it was: one empty run
  swapDelta(map, d);
  CHECK(map.count(1) == 0);
}

TEST_CASE("threshold in a box takes the in-range part through the box's centre, not other segments", "[segmentation]") {
  Volume image;
  image.geometry = grid(40, 40, 10, {1, 1, 2});
  std::vector<std::int16_t> v(image.geometry.voxelCount(), -800);
  auto set = [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, std::int16_t value) {
    for (std::size_t k = 2; k < 8; ++k)
      for (std::size_t j = j0; j < j1; ++j)
        for (std::size_t i = i0; i < i1; ++i) v[i + 40 * (j + 40 * k)] = value;
  };
  set(15, 25, 15, 25, 40); // the "lesion" at the box's centre: 10 x 10 x 6
  set(2, 5, 2, 5, 60);     // a bright blob in the box's corner, not connected
  image.voxels = v;
  LabelMap map(image.geometry);
  map.labels[map.index(16, 16, 4)] = 2; // another segment's voxel inside the lesion stays its own
  VoxelBox box;
  box.lo[0] = 0, box.lo[1] = 0, box.lo[2] = 0;
  box.hi[0] = 40, box.hi[1] = 40, box.hi[2] = 10;
  LabelDelta d = thresholdBox(map, image, box, 0, 200, 1);
  CHECK(map.count(1) == 10 * 10 * 6 - 1);
  CHECK(map.labels[map.index(3, 3, 4)] == 0);   // the corner blob is not connected to the centre
  CHECK(map.labels[map.index(16, 16, 4)] == 2); // never over another segment
  swapDelta(map, d);
  CHECK(map.count(1) == 0);
  // Centre out of range: the largest part in range is taken.
  VoxelBox corner;
  corner.lo[0] = 0, corner.lo[1] = 0, corner.lo[2] = 0;
  corner.hi[0] = 30, corner.hi[1] = 12, corner.hi[2] = 10;
  thresholdBox(map, image, corner, 0, 200, 3);
  CHECK(map.count(3) == 3 * 3 * 6);
  // Nothing in range: no change, nothing to undo.
  CHECK(thresholdBox(map, image, box, 500, 900, 4).box.empty());
}

TEST_CASE("RECIST axes of an ellipse and volume of a ball come out of the mask", "[segmentation]") {
  const VolumeGeometry g = grid(120, 120, 40, {0.5, 0.5, 1.0});
  std::vector<std::uint8_t> ellipse(g.voxelCount(), 0), ball(g.voxelCount(), 0);
  for (std::size_t k = 0; k < 40; ++k)
    for (std::size_t j = 0; j < 120; ++j)
      for (std::size_t i = 0; i < 120; ++i) {
        const double x = double(i) * 0.5 - 30, y = double(j) * 0.5 - 30, z = double(k) - 20;
        // 24 x 12 mm ellipse turned 30 degrees, on slice 20 only.
        const double c = std::cos(0.5236), s = std::sin(0.5236);
        const double u = c * x + s * y, w = -s * x + c * y;
        if (k == 20 && (u * u) / 144.0 + (w * w) / 36.0 <= 1.0) ellipse[i + 120 * (j + 120 * k)] = 1;
        if (x * x + y * y + z * z <= 100.0) ball[i + 120 * (j + 120 * k)] = 1;
      }
  const SegmentStats e = measureMask(g, ellipse);
  CHECK(e.longAxisMm == Approx(24.0).epsilon(0.04));
  CHECK(e.shortAxisMm == Approx(12.0).epsilon(0.08));
  CHECK(e.axisSlice == 20);
  const SegmentStats b = measureMask(g, ball);
  CHECK(b.volumeMl == Approx(4.0 / 3.0 * 3.14159265 * 1000.0 / 1000.0).epsilon(0.05));
  CHECK(b.longAxisMm == Approx(20.0).epsilon(0.05));
  CHECK(b.shortAxisMm == Approx(20.0).epsilon(0.08));
}

TEST_CASE("surface distance: a ball shifted by 2 mm has HD95 about 2 mm, Dice as computed by hand", "[segmentation]") {
  const VolumeGeometry g = grid(60, 60, 60, {1, 1, 1});
  std::vector<std::uint8_t> a(g.voxelCount(), 0), b(g.voxelCount(), 0);
  for (std::size_t k = 0; k < 60; ++k)
    for (std::size_t j = 0; j < 60; ++j)
      for (std::size_t i = 0; i < 60; ++i) {
        const double x = double(i) - 30, y = double(j) - 30, z = double(k) - 30;
        a[i + 60 * (j + 60 * k)] = x * x + y * y + z * z <= 100;
        b[i + 60 * (j + 60 * k)] = (x - 2) * (x - 2) + y * y + z * z <= 100;
      }
  const double hd = hausdorff95Mm(g, a, b);
  CHECK(hd >= 1.0);
  CHECK(hd <= 2.01);
  CHECK(hausdorff95Mm(g, a, a) == 0.0);
  CHECK(diceCoefficient(a, b) > 0.8);
  CHECK(diceCoefficient(a, b) < 0.9);
}

TEST_CASE("LIDC lesion: one click at the readers' consensus centroid matches the consensus as well as the readers agree", "[segmentation][lidc]") {
  const LoadedSeries loaded = loadPath(test::sharedData(kSlab));
  const Volume& slab = loaded.volumes.front();
  const test::LidcConsensus c = lidcConsensus(slab);
  REQUIRE(c.readers.size() >= 3);
  // The readers' own agreement: each against the consensus of the others.
  const double agreement = test::readersAgreement(c);
  const LesionMask lesion = segmentClassical(slab, c.centroid);
  const std::vector<std::uint8_t> ours = fullGridMask(slab.geometry, lesion);
  const double dice = diceCoefficient(ours, c.mask);
  const SegmentStats mine = measureMask(slab.geometry, ours, &slab), theirs = measureMask(slab.geometry, c.mask, &slab);
  INFO("readers' agreement " << agreement << ", classical Dice " << dice << " (threshold " << lesion.threshold
                             << ", split " << lesion.splitRadiusMm << " mm, " << lesion.seconds << " s), long axis "
                             << mine.longAxisMm << " vs " << theirs.longAxisMm << " mm, volume " << mine.volumeMl
                             << " vs " << theirs.volumeMl << " mL; " << lesion.warning);
  CHECK(agreement > 0.8);
  CHECK(dice >= agreement);
  CHECK(std::abs(mine.longAxisMm - theirs.longAxisMm) <= 0.1 * theirs.longAxisMm);
  std::printf("LIDC lesion: readers' agreement %.3f, classical Dice %.3f, long axis %.1f vs %.1f mm, %.3f s\n",
              agreement, dice, mine.longAxisMm, theirs.longAxisMm, lesion.seconds);
  // Consistency: clicks moved by 2 mm in six directions give nearly the same mask.
  for (const Vec3& d : {Vec3{2, 0, 0}, Vec3{-2, 0, 0}, Vec3{0, 2, 0}, Vec3{0, -2, 0}, Vec3{0, 0, 2}, Vec3{0, 0, -2}}) {
    const std::vector<std::uint8_t> moved = fullGridMask(slab.geometry, segmentClassical(slab, c.centroid + d));
    INFO("click moved by " << d[0] << "," << d[1] << "," << d[2]);
    CHECK(diceCoefficient(moved, ours) >= 0.9);
  }
}

TEST_CASE("a label map is saved crash-safe and reopened voxel for voxel, damaged or foreign files are refused by name", "[segmentation]") {
  const std::string dir = test::scratchFolder("labels");
  const LoadedSeries loaded = loadPath(test::sharedData(kSlab));
  const Volume& slab = loaded.volumes.front();
  LabelMap map(slab.geometry);
  const LesionMask lesion = segmentClassical(slab, lidcConsensus(slab).centroid);
  writeMask(map, lesion.box, lesion.mask, 1);
  Segment s;
  s.label = 1;
  s.name = "Nodule 1";
  s.origin = SegmentOrigin::Automatic;
  s.algorithm = "classical";
  s.automaticVoxels = map.count(1);
  s.typeScheme = "SRT"; // as an imported SEG's code may say
  s.prompts = {{true, true, {10.5, -20.25, 30.0}}, {false, true, {11, -21, 30}}, {false, false, {12, -19, 27.5}}};
  map.segments.push_back(s);
  BrushDab dab;
  dab.centerLps = slab.geometry.ijkToLps({100, 100, 5});
  dab.label = 2;
  paint(map, dab);
  const std::string path = dir + "/series.labels";
  saveLabelMap(map, path);
  CHECK(std::filesystem::file_size(path) < 200000); // runs, not 4 MB of voxels
  CHECK_FALSE(atomicTemporaryLeft(path));
  const LabelMap back = loadLabelMap(path, slab.geometry);
  const bool same = back.labels == map.labels;
  CHECK(same);
  REQUIRE(back.segments.size() == 1);
  CHECK(back.segments[0].name == "Nodule 1");
  CHECK(back.segments[0].origin == SegmentOrigin::Automatic);
  CHECK(back.segments[0].automaticVoxels == s.automaticVoxels);
  CHECK(back.segments[0].typeScheme == "SRT");
  CHECK(back.segments[0].categoryScheme == "SCT");
  CHECK(back.segments[0].prompts == s.prompts); // seed, add, remove: in order, for replaying the edit
  // Another grid, a truncated copy and a foreign file: refused, naming the file.
  VolumeGeometry other = slab.geometry;
  other.spacing[0] *= 2;
  CHECK_THROWS_WITH(loadLabelMap(path, other), Catch::Contains(path) && Catch::Contains("another grid"));
  std::filesystem::copy_file(path, dir + "/cut.labels");
  std::filesystem::resize_file(dir + "/cut.labels", std::filesystem::file_size(path) - 7);
  CHECK_THROWS_WITH(loadLabelMap(dir + "/cut.labels", slab.geometry), Catch::Contains("cut.labels") && Catch::Contains("truncated"));
  { std::ofstream(dir + "/foreign.labels") << "{\"format\":\"something-else\"}\n"; }
  CHECK_THROWS_WITH(loadLabelMap(dir + "/foreign.labels", slab.geometry), Catch::Contains("foreign.labels") && Catch::Contains("unknown"));
}

TEST_CASE("fill between slices morphs one drawn disc into the next, islands go, smoothing removes a spike", "[segmentation]") {
  LabelMap map(grid(60, 60, 12, {1, 1, 2}));
  // Discs of radius 6 mm on slice 2 and 10 mm on slice 10, drawn by the brush.
  BrushDab dab;
  dab.disc = true;
  dab.centerLps = {30, 30, 4};
  dab.radiusMm = 6;
  paint(map, dab);
  dab.centerLps = {30, 30, 20};
  dab.radiusMm = 10;
  paint(map, dab);
  std::vector<LabelDelta> undo;
  undo.push_back(fillBetweenSlices(map, 1));
  auto sliceCount = [&](std::size_t k) {
    std::size_t n = 0;
    for (std::size_t j = 0; j < 60; ++j)
      for (std::size_t i = 0; i < 60; ++i) n += map.labels[map.index(i, j, k)] == 1;
    return n;
  };
  // Radius grows linearly: on slice 6 (half way) about 8 mm, area about pi * 64.
  CHECK(double(sliceCount(6)) == Approx(3.14159 * 64).epsilon(0.12));
  for (std::size_t k = 3; k < 10; ++k) CHECK(sliceCount(k) >= sliceCount(k - 1)); // half a millimetre a slice
  CHECK(sliceCount(9) > sliceCount(3) + 100);
  CHECK(sliceCount(0) == 0);
  CHECK(sliceCount(11) == 0);
  // An island far away goes, the body stays.
  const std::size_t body = map.count(1);
  BrushDab island = dab;
  island.centerLps = {5, 5, 10};
  island.radiusMm = 1.5;
  paint(map, island);
  CHECK(map.count(1) > body);
  removeIslands(map, 1);
  CHECK(map.count(1) == body);
  // A one-voxel spike is smoothed away.
  map.labels[map.index(45, 30, 6)] = 1;
  smoothSegment(map, 1);
  CHECK(map.labels[map.index(45, 30, 6)] == 0);
  CHECK(double(map.count(1)) == Approx(double(body)).epsilon(0.1));
}

TEST_CASE("a label map file opens on its series: same grid as is, another grid by nearest neighbour, with warnings", "[segmentation]") {
  const std::string dir = test::scratchFolder("label-import");
  const LoadedSeries loaded = loadPath(test::sharedData(kSlab));
  const Volume& slab = loaded.volumes.front();
  const LesionMask lesion = segmentClassical(slab, lidcConsensus(slab).centroid);
  const std::vector<std::uint8_t> mask = fullGridMask(slab.geometry, lesion);
  Volume file;
  file.geometry = slab.geometry;
  std::vector<std::int16_t> v(mask.size());
  for (std::size_t n = 0; n < v.size(); ++n) v[n] = mask[n] ? 3 : 0;
  file.voxels = v;
  writeResearchImage({file}, dir + "/same.nii.gz");
  const ImportedLabels same = importLabelFile(dir + "/same.nii.gz", slab.geometry);
  CHECK_FALSE(same.resampled);
  REQUIRE(same.map.segments.size() == 1);
  CHECK(same.map.segments[0].label == 3);
  CHECK(same.map.segments[0].origin == SegmentOrigin::Imported);
  std::vector<std::uint8_t> back(mask.size());
  for (std::size_t n = 0; n < back.size(); ++n) back[n] = same.map.labels[n] == 3;
  const bool identical = back == mask;
  CHECK(identical);
  // The same mask on a grid of half the resolution in-plane: resampled, nearly the same lesion.
  Volume coarse;
  coarse.geometry = slab.geometry;
  coarse.geometry.size = {slab.geometry.size[0] / 2, slab.geometry.size[1] / 2, slab.geometry.size[2]};
  coarse.geometry.spacing = {slab.geometry.spacing[0] * 2, slab.geometry.spacing[1] * 2, slab.geometry.spacing[2]};
  coarse.geometry.origin = slab.geometry.ijkToLps({0.5, 0.5, 0});
  std::vector<std::int16_t> c(coarse.geometry.voxelCount(), 0);
  for (std::size_t k = 0; k < coarse.geometry.size[2]; ++k)
    for (std::size_t j = 0; j < coarse.geometry.size[1]; ++j)
      for (std::size_t i = 0; i < coarse.geometry.size[0]; ++i)
        c[i + coarse.geometry.size[0] * (j + coarse.geometry.size[1] * k)] =
            mask[(2 * i) + slab.geometry.size[0] * ((2 * j) + slab.geometry.size[1] * k)] ? 3 : 0;
  coarse.voxels = c;
  writeResearchImage({coarse}, dir + "/coarse.nrrd");
  const ImportedLabels resampled = importLabelFile(dir + "/coarse.nrrd", slab.geometry);
  CHECK(resampled.resampled);
  for (std::size_t n = 0; n < back.size(); ++n) back[n] = resampled.map.labels[n] == 3;
  CHECK(diceCoefficient(back, mask) > 0.85);
  // Far away: no overlap, said so.
  coarse.geometry.origin = coarse.geometry.origin + Vec3{0, 0, 500};
  writeResearchImage({coarse}, dir + "/far.nii.gz");
  const ImportedLabels far = importLabelFile(dir + "/far.nii.gz", slab.geometry);
  REQUIRE_FALSE(far.warnings.empty());
  CHECK(far.warnings.front().find("does not overlap") != std::string::npos);
  // Not a label map: the CT itself.
  writeResearchImage({slab}, dir + "/ct.nii.gz");
  CHECK_THROWS_WITH(importLabelFile(dir + "/ct.nii.gz", slab.geometry), Catch::Contains("ct.nii.gz") && Catch::Contains("not a label map"));
}
