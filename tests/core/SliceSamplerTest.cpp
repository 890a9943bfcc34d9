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
    if (plane == ViewPlane::Axial) {
      CHECK(y < cy); // anterior is up
    } else {
      CHECK(y < cy); // superior is up
    }
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
