// SPDX-License-Identifier: Apache-2.0
// Reformats in radiological convention: a bright marker placed at a known LPS point appears at the
// predicted display pixel in all three planes, on the correct side, also for an oblique acquisition.
#include "tests/support/TestData.h"

#include "core/study/StudyLoader.h"
#include "core/volume/SliceSampler.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace lightbox;

namespace {

/// Sets the voxels within 2 mm of `lps` to `value` (int16 or float volumes).
void paintMarker(Volume& v, const Vec3& lps, double value) {
  const VolumeGeometry& g = v.geometry;
  std::visit([&](auto& data) {
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i)
          if (norm(g.ijkToLps({double(i), double(j), double(k)}) - lps) <= 2.0)
            data[i + g.size[0] * (j + g.size[1] * k)] = static_cast<std::decay_t<decltype(data[0])>>(value);
  }, v.voxels);
}

std::pair<double, double> brightestPixel(const std::vector<float>& img, const SlicePlane& p) {
  const auto it = std::max_element(img.begin(), img.end());
  // Centroid of the pixels at the maximum value.
  double sx = 0, sy = 0, n = 0;
  for (std::size_t i = 0; i < img.size(); ++i) {
    if (img[i] >= *it - 1e-3f) {
      sx += double(i % p.width);
      sy += double(i / p.width);
      n += 1;
    }
  }
  return {sx / n, sy / n};
}

} // namespace

TEST_CASE("a marker at a known LPS point appears where predicted in all planes of an oblique MR", "[mpr]") {
  LoadedSeries mr = loadPath(test::sharedData("mr/phantom_ge_3d_t1_mprage_oblique/dicom"));
  Volume& v = mr.volumes.at(0);
  REQUIRE(v.geometry.orthonormalityError() < 1e-6);
  const Vec3 centre = v.geometry.ijkToLps({128, 128, 65});
  const Vec3 marker = centre + Vec3{30, -20, 15}; // patient left, anterior, superior of the centre
  paintMarker(v, marker, 30000);
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    INFO(toString(plane));
    const SlicePlane p = planeThrough(v.geometry, plane, marker);
    const std::vector<float> img = sampleSlice(v, p, Interpolation::Nearest, 0.0f);
    const auto [ex, ey] = p.lpsToPixel(marker);
    const auto [x, y] = brightestPixel(img, p);
    CHECK(std::abs(x - ex) <= 1.5);
    CHECK(std::abs(y - ey) <= 1.5);
    const auto [cx, cy] = p.lpsToPixel(centre);
    if (plane != ViewPlane::Sagittal) {
      CHECK(x > cx); // patient left is on screen right
    } else {
      CHECK(x < cx); // anterior is on screen left
    }
    // Up is anterior in the axial view and superior in the other two; the marker is both.
    CHECK(y < cy);
    // And the other way round: a marker posterior (axial) or inferior (coronal, sagittal) of the
    // centre is below it, so a view flipped upside down fails one of the two.
    Volume below = v;
    const Vec3 down = plane == ViewPlane::Axial ? Vec3{0, 25, 0} : Vec3{0, 0, -25};
    paintMarker(below, centre + down, 30000);
    const auto [bx, by] = brightestPixel(sampleSlice(below, planeThrough(below.geometry, plane, centre + down),
                                                     Interpolation::Nearest, 0.0f),
                                         planeThrough(below.geometry, plane, centre + down));
    const auto [ccx, ccy] = planeThrough(below.geometry, plane, centre + down).lpsToPixel(centre);
    (void)bx;
    (void)ccx;
    CHECK(by > ccy);
  }
}

TEST_CASE("slice scrolling covers the volume from inferior, anterior and right", "[mpr]") {
  Volume v;
  v.geometry.size = {10, 20, 30};
  v.geometry.spacing = {1.0, 0.5, 2.0};
  v.voxels = std::vector<std::int16_t>(v.geometry.voxelCount(), 0);
  CHECK(sliceCount(v.geometry, ViewPlane::Axial) == 30);
  CHECK(sliceCount(v.geometry, ViewPlane::Coronal) == 20);
  CHECK(sliceCount(v.geometry, ViewPlane::Sagittal) == 10);
  CHECK(sliceCenter(v.geometry, ViewPlane::Axial, 0)[2] == Approx(0.0));
  CHECK(sliceCenter(v.geometry, ViewPlane::Axial, 29)[2] == Approx(58.0));
  CHECK(sliceCenter(v.geometry, ViewPlane::Coronal, 19)[1] == Approx(9.5));
}

TEST_CASE("linear sampling interpolates between voxel centres", "[mpr]") {
  Volume v;
  v.geometry.size = {2, 1, 1};
  v.voxels = std::vector<float>{0.0f, 10.0f};
  SlicePlane p;
  p.origin = {0.25, 0, 0};
  p.width = 1;
  p.height = 1;
  CHECK(sampleSlice(v, p, Interpolation::Linear, -1.0f)[0] == Approx(2.5));
  p.origin = {5, 0, 0};
  CHECK(sampleSlice(v, p, Interpolation::Linear, -1.0f)[0] == -1.0f);
}

TEST_CASE("oblique axes stay orthonormal and reduce to the standard planes at zero angles", "[mpr]") {
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const auto [r0, d0] = screenAxes(plane);
    const auto [r, d] = obliqueAxes(plane, 0, 0);
    CHECK(norm(r - r0) < 1e-12);
    CHECK(norm(d - d0) < 1e-12);
    const auto [ro, dd] = obliqueAxes(plane, 33, -21);
    CHECK(norm(ro) == Approx(1.0));
    CHECK(norm(dd) == Approx(1.0));
    CHECK(dot(ro, dd) == Approx(0.0).margin(1e-12));
  }
  // Yaw of an axial view about its vertical axis tilts screen-right from patient left toward superior
  // or inferior by exactly the angle.
  const auto [r, d] = obliqueAxes(ViewPlane::Axial, 30, 0);
  CHECK(std::abs(r[0]) == Approx(std::cos(30 * 3.14159265358979 / 180)));
  CHECK(std::abs(r[2]) == Approx(0.5));
  CHECK(norm(d - Vec3{0, 1, 0}) < 1e-12);
}

TEST_CASE("a marker lands at its predicted pixel on an oblique reformat", "[mpr]") {
  LoadedSeries mr = loadPath(test::sharedData("mr/phantom_ge_3d_t1_mprage_oblique/dicom"));
  Volume& v = mr.volumes.at(0);
  const Vec3 marker = v.geometry.ijkToLps({128, 128, 65}) + Vec3{-25, 10, 20};
  paintMarker(v, marker, 30000);
  const auto [right, down] = obliqueAxes(ViewPlane::Coronal, -20, 35);
  const SlicePlane p = planeThrough(v.geometry, right, down, marker);
  const std::vector<float> img = sampleSlice(v, p, Interpolation::Nearest, 0.0f);
  const auto [ex, ey] = p.lpsToPixel(marker);
  const auto [x, y] = brightestPixel(img, p);
  CHECK(std::abs(x - ex) <= 1.5);
  CHECK(std::abs(y - ey) <= 1.5);
}

TEST_CASE("thick-slab MIP, MinIP and mean combine the slices around the plane", "[mpr][slab]") {
  Volume v;
  v.geometry.size = {8, 8, 20};
  v.geometry.spacing = {1, 1, 1};
  std::vector<std::int16_t> data(v.geometry.voxelCount(), 0);
  // Slice k holds the value 10 * k everywhere, so slabs along z have predictable results.
  for (std::size_t k = 0; k < 20; ++k)
    for (std::size_t i = 0; i < 64; ++i) data[k * 64 + i] = std::int16_t(10 * k);
  v.voxels = data;
  const SlicePlane p = planeThrough(v.geometry, ViewPlane::Axial, {3, 3, 10});
  CHECK(sampleSlab(v, p, SlabMode::Mip, 6.0, Interpolation::Linear, -1)[20] == Approx(130.0));
  CHECK(sampleSlab(v, p, SlabMode::MinIp, 6.0, Interpolation::Linear, -1)[20] == Approx(70.0));
  CHECK(sampleSlab(v, p, SlabMode::Mean, 6.0, Interpolation::Linear, -1)[20] == Approx(100.0));
  CHECK(sampleSlab(v, p, SlabMode::None, 6.0, Interpolation::Linear, -1)[20] == Approx(100.0));
  // At the edge of the volume only samples inside count: slice 0 and 1 give 0 and 10 for MIP at z=0.
  const SlicePlane edge = planeThrough(v.geometry, ViewPlane::Axial, {3, 3, 0});
  CHECK(sampleSlab(v, edge, SlabMode::Mip, 4.0, Interpolation::Linear, -1)[20] == Approx(20.0));
  CHECK(sampleSlab(v, edge, SlabMode::MinIp, 4.0, Interpolation::Linear, -1)[20] == Approx(0.0));
  CHECK_THROWS_WITH(parseSlabMode("avg"), "unknown slab mode 'avg' (none, mip, minip or mean)");
}

TEST_CASE("MIP and MinIP slabs of a real chest CT bound the thin slice", "[mpr][slab]") {
  // Real CT (the LIDC slab): a thin MinIP through lung is at most the thin slice; a MIP at least.
  LoadedSeries ct = loadPath(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"));
  const Volume& v = ct.volumes.at(0);
  const VolumeGeometry& g = v.geometry;
  const Vec3 c = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
  const SlicePlane p = planeThrough(g, ViewPlane::Axial, c);
  const auto thin = sampleSlice(v, p, Interpolation::Linear, -1024);
  const auto mip = sampleSlab(v, p, SlabMode::Mip, 10.0, Interpolation::Linear, -1024);
  const auto minip = sampleSlab(v, p, SlabMode::MinIp, 10.0, Interpolation::Linear, -1024);
  std::size_t higher = 0;
  for (std::size_t i = 0; i < thin.size(); ++i) {
    REQUIRE(mip[i] >= thin[i] - 1e-3f);
    REQUIRE(minip[i] <= thin[i] + 1e-3f);
    higher += mip[i] > thin[i] + 50 ? 1 : 0;
  }
  // Vessels coming into the slab from neighbouring slices make many pixels brighter.
  CHECK(higher > thin.size() / 100);
}
