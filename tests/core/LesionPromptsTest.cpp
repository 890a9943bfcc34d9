// SPDX-License-Identifier: Apache-2.0
// The box, limit and correction helpers shared by the viewer's segment tool and `lightbox segment`.
#include "core/segmentation/LesionPrompts.h"

#include <catch2/catch.hpp>

using namespace lightbox;

namespace {

VolumeGeometry grid(std::size_t n) {
  VolumeGeometry g;
  g.size = {n, n, n};
  return g;
}

std::size_t at(const VolumeGeometry& g, std::size_t i, std::size_t j, std::size_t k) {
  return i + g.size[0] * (j + g.size[1] * k);
}

} // namespace

TEST_CASE("a box keeps only the part of the lesion inside it that stays connected to the click", "[prompts]") {
  const VolumeGeometry g = grid(20);
  LesionMask lesion;
  lesion.box = wholeGrid(g);
  lesion.mask.assign(g.voxelCount(), 0);
  for (std::size_t i = 2; i < 18; ++i) lesion.mask[at(g, i, 10, 10)] = 1; // a line along x
  lesion.mask[at(g, 12, 12, 10)] = 1;                                    // an island in the box
  const VoxelBox clip = voxelBoxBetween(g, {5, 9, 9}, {14, 13, 11});
  CHECK(clip.lo[0] == 5);
  CHECK(clip.hi[0] == 15);
  keepInBoxConnected(g, lesion, clip, {10, 10, 10});
  std::size_t n = 0;
  for (auto v : lesion.mask) n += v;
  CHECK(n == 10); // x 5..14 of the line, not the island
  CHECK(touchedFaces(g, std::vector<std::uint8_t>(lesion.mask), clip) == std::vector<std::string>{"x-", "x+"});
  CHECK(touchedFaces(g, lesion.mask, wholeGrid(g)).empty());
  lesion.mask[at(g, 12, 12, 10)] = 1;
  keepInBoxConnected(g, lesion, clip, {12, 13, 10}); // a click off the mask keeps all that is in the box
  n = 0;
  for (auto v : lesion.mask) n += v;
  CHECK(n == 11);
  CHECK(voxelBoxBetween(g, {30, 30, 30}, {40, 40, 40}).empty());
}

TEST_CASE("a remove click clears the connected part of the mask within its radius", "[prompts]") {
  const VolumeGeometry g = grid(30);
  std::vector<std::uint8_t> mask(g.voxelCount(), 0);
  for (std::size_t i = 0; i < 30; ++i) mask[at(g, i, 15, 15)] = 1;
  mask[at(g, 12, 17, 15)] = 1; // near, not connected
  CHECK(removeConnectedAround(g, mask, {10, 15, 15}, 5.0) == 11); // x 5..15
  CHECK(mask[at(g, 4, 15, 15)] == 1);
  CHECK(mask[at(g, 16, 15, 15)] == 1);
  CHECK(mask[at(g, 12, 17, 15)] == 1);
  CHECK(removeConnectedAround(g, mask, {10, 20, 15}, 5.0) == 0); // not on the mask
}

TEST_CASE("the most interior voxel of a mask is the maximum of its distance transform", "[prompts]") {
  const VolumeGeometry g = grid(30);
  std::vector<std::uint8_t> mask(g.voxelCount(), 0);
  // An L: a 12^3 block at 2..13 and a thin bar; the block's centre is the most interior.
  for (std::size_t k = 2; k < 15; ++k)
    for (std::size_t j = 2; j < 15; ++j)
      for (std::size_t i = 2; i < 15; ++i) mask[at(g, i, j, k)] = 1;
  for (std::size_t i = 15; i < 28; ++i) mask[at(g, i, 8, 8)] = 1;
  CHECK(mostInteriorVoxel(g, mask) == at(g, 8, 8, 8));
}
