// SPDX-License-Identifier: Apache-2.0
// The competing geodesic fronts a remove click splits a lesion mask with.
#include "core/segmentation/GeodesicClaim.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace lightbox;

namespace {

struct Bar {
  GeodesicGrid grid;
  std::vector<std::uint8_t> mask;
  std::vector<float> values;
  explicit Bar(std::size_t nx, std::size_t ny = 5, std::size_t nz = 5) {
    grid.size = {nx, ny, nz};
    mask.assign(nx * ny * nz, 1);
    values.assign(mask.size(), 0.0f);
  }
  std::size_t at(std::size_t i, std::size_t j = 2, std::size_t k = 2) const {
    return i + grid.size[0] * (j + grid.size[1] * k);
  }
  /// The first x from which the middle row is claimed; every x beyond it is too, none before.
  long cut(const std::vector<std::uint8_t>& claimed) const {
    long first = -1;
    for (std::size_t i = 0; i < grid.size[0]; ++i) {
      if (claimed[at(i)] && first < 0)
        first = long(i);
      if (first >= 0 && !claimed[at(i)])
        return -2; // not a single cut
    }
    return first;
  }
};

} // namespace

TEST_CASE("a remove click takes the part of the mask nearer to it than to the seed", "[geodesic]") {
  Bar bar(20);
  // Without edges the cut falls halfway between the seed (x = 1) and the click (x = 14).
  const auto plain =
      geodesicClaim(bar.grid, bar.mask, bar.values, 40.0, 1.0, {bar.at(1)}, {bar.at(14)});
  CHECK(bar.cut(plain) == 8);
  // The same with no values at all (lengths only).
  CHECK(geodesicClaim(bar.grid, bar.mask, {}, 40.0, 1.0, {bar.at(1)}, {bar.at(14)}) == plain);
  // Anisotropic voxels: the metric is in mm, so a z spacing changes nothing along x.
  Bar tall(20);
  tall.grid.spacingMm = {1.0, 1.0, 3.3};
  CHECK(tall.cut(geodesicClaim(tall.grid, tall.mask, {}, 40.0, 1.0, {tall.at(1)}, {tall.at(14)})) ==
        8);
  // A large mask is split on cells (here 2 x 2 x 2 voxels): the same cut, every row alike.
  const auto pooled = geodesicClaim(bar.grid, bar.mask, {}, 40.0, 1.0, {bar.at(1)}, {bar.at(14)},
                                    std::numeric_limits<double>::infinity(), 100);
  for (std::size_t q = 0; q < pooled.size(); ++q)
    CHECK(pooled[q] == (q % 20 >= 8 ? 1 : 0));
  // The claim stops at its reach: 3 mm around the click.
  const auto near =
      geodesicClaim(bar.grid, bar.mask, {}, 40.0, 1.0, {bar.at(1)}, {bar.at(14)}, 3.0);
  for (std::size_t i = 0; i < 20; ++i)
    CHECK(near[bar.at(i)] == (i >= 11 && i <= 17 ? 1 : 0));
}

TEST_CASE("the split follows an edge in the image when there is one", "[geodesic]") {
  Bar bar(20);
  for (std::size_t q = 0; q < bar.mask.size(); ++q)
    bar.values[q] = (q % 20) >= 11 ? 100.0f : 0.0f; // an edge between x = 10 and 11
  // A click at x = 18 cuts at x = 10 by distance alone; the edge moves the cut onto it.
  CHECK(bar.cut(geodesicClaim(bar.grid, bar.mask, bar.values, 40.0, 0.0, {bar.at(1)},
                              {bar.at(18)})) == 10);
  CHECK(bar.cut(geodesicClaim(bar.grid, bar.mask, bar.values, 40.0, 1.0, {bar.at(1)},
                              {bar.at(18)})) == 11);
  // An edge does not let the click take the seed's side: a click past the edge but near the seed
  // (x = 12, seed at x = 9) still claims only beyond it.
  CHECK(bar.cut(geodesicClaim(bar.grid, bar.mask, bar.values, 40.0, 1.0, {bar.at(9)},
                              {bar.at(12)})) == 11);
}

TEST_CASE("a remove click never takes a positive click, another component or anything off the mask",
          "[geodesic]") {
  Bar bar(20);
  // Two parts joined nowhere: x 0-7 and x 10-19.
  for (std::size_t q = 0; q < bar.mask.size(); ++q)
    if (q % 20 == 8 || q % 20 == 9)
      bar.mask[q] = 0;
  const auto claimed =
      geodesicClaim(bar.grid, bar.mask, bar.values, 40.0, 1.0, {bar.at(2)}, {bar.at(5)});
  for (std::size_t q = 0; q < claimed.size(); ++q) {
    if (!bar.mask[q] || q % 20 >= 10)
      CHECK(claimed[q] == 0); // off the mask, or the other part
  }
  CHECK(claimed[bar.at(2)] == 0);
  CHECK(claimed[bar.at(5)] == 1);
  // Two positive clicks: the click between them takes only what is nearer to it than to either.
  Bar run(30);
  const auto middle =
      geodesicClaim(run.grid, run.mask, {}, 40.0, 1.0, {run.at(2), run.at(26)}, {run.at(15)});
  for (std::size_t i = 0; i < 30; ++i)
    CHECK(middle[run.at(i)] == (i >= 9 && i <= 20 ? 1 : 0));
  // A click on the seed's own voxel takes nothing; a click off the mask takes nothing.
  CHECK(geodesicClaim(run.grid, run.mask, {}, 40.0, 1.0, {run.at(4)}, {run.at(4)}) ==
        std::vector<std::uint8_t>(run.mask.size(), 0));
  CHECK(geodesicClaim(bar.grid, bar.mask, {}, 40.0, 1.0, {bar.at(2)}, {bar.at(8)}) ==
        std::vector<std::uint8_t>(bar.mask.size(), 0));
  // Without a positive voxel in the mask the click's whole component goes.
  const auto all = geodesicClaim(bar.grid, bar.mask, {}, 40.0, 1.0, {}, {bar.at(12)});
  for (std::size_t q = 0; q < all.size(); ++q)
    CHECK(all[q] == (bar.mask[q] && q % 20 >= 10 ? 1 : 0));
  CHECK_THROWS(geodesicClaim(bar.grid, std::vector<std::uint8_t>(3, 1), {}, 40.0, 1.0, {}, {0}));
}
