// SPDX-License-Identifier: Apache-2.0
// Geometry contracts, pinned with synthetic series in the manner of ITK's GDCM series-direction
// test: every voxel's value encodes its own LPS position when written, so after loading each voxel
// must sit at the position its value names, whatever the orientation or file order.
#include "tests/support/TestData.h"

#include "core/phantom/DicomSeriesWriter.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace lightbox;

namespace {

/// Value written at an LPS point (mm): distinct for every voxel of the small test grids.
std::int16_t encode(const Vec3& p) { return std::int16_t(std::lround(p[0] * 3 + p[1] * 50 + p[2] * 700) % 30000); }

struct Orientation {
  const char* name;
  Vec3 row, column;
};

void checkContract(const Orientation& o, bool reversed) {
  INFO(o.name << (reversed ? ", files written in reverse order" : ""));
  const Vec3 row = normalized(o.row);
  const Vec3 col = normalized(o.column - row * dot(o.column, row));
  const Vec3 normal = cross(row, col);
  const std::string folder = test::scratchFolder(std::string("geometry-") + o.name + (reversed ? "-rev" : ""));
  DicomSeriesSpec spec;
  spec.folder = folder;
  spec.rows = 6;
  spec.columns = 7;
  spec.spacingX = 1.5;
  spec.spacingY = 1.25;
  spec.rowDirection = row;
  spec.columnDirection = col;
  const Vec3 origin{-10.0, 20.0, 35.0};
  const std::size_t slices = 5;
  const double gap = 2.5;
  for (std::size_t k = 0; k < slices; ++k) {
    spec.slicePositions.push_back(origin + normal * (gap * double(k)));
  }
  if (reversed) {
    std::reverse(spec.slicePositions.begin(), spec.slicePositions.end());
  }
  writeDicomSeries(spec, [&](std::size_t k, std::vector<std::int16_t>& stored) {
    for (unsigned j = 0; j < spec.rows; ++j) {
      for (unsigned i = 0; i < spec.columns; ++i) {
        const Vec3 p = spec.slicePositions[k] + row * (i * spec.spacingX) + col * (j * spec.spacingY);
        stored[i + j * spec.columns] = encode(p);
      }
    }
  });

  const StudyScan scan = scanStudy(folder, 1);
  REQUIRE(scan.series.size() == 1);
  const LoadedSeries loaded = loadSeries(scan.series[0]);
  REQUIRE(loaded.volumes.size() == 1);
  const Volume& v = loaded.volumes[0];
  const VolumeGeometry& g = v.geometry;
  CHECK(g.size == std::array<std::size_t, 3>{7, 6, slices});
  CHECK(g.orthonormalityError() < 1e-9);
  CHECK(g.handedness() == 1);
  CHECK(g.spacing[0] == Approx(1.5));
  CHECK(g.spacing[1] == Approx(1.25));
  CHECK(g.spacing[2] == Approx(gap));
  CHECK(norm(g.origin - origin) < kGeomTolMm); // origin at the first slice along the normal
  CHECK_FALSE(scan.series[0].needsResampling);
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
        REQUIRE(v.value(i, j, k) == encode(p));
      }
    }
  }
  // Round trip of the index mapping.
  const Vec3 ijk{3.25, 1.5, 2.75};
  CHECK(norm(g.lpsToIjk(g.ijkToLps(ijk)) - ijk) < 1e-9);
}

const Orientation kOrientations[] = {
    {"axial", {1, 0, 0}, {0, 1, 0}},
    {"coronal", {1, 0, 0}, {0, 0, -1}},
    {"sagittal", {0, 1, 0}, {0, 0, -1}},
    {"oblique", {0.9, 0.3, 0.2}, {-0.2, 0.8, -0.5}},
    {"axial-feet-first", {-1, 0, 0}, {0, 1, 0}},
};

} // namespace

TEST_CASE("synthetic series in any orientation keep every voxel at its physical point", "[geometry]") {
  for (const Orientation& o : kOrientations) {
    checkContract(o, false);
  }
}

TEST_CASE("reversed slice order keeps physical points", "[geometry]") {
  for (const Orientation& o : kOrientations) {
    checkContract(o, true);
  }
}
