// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the label-map file (JSON header line, then run-length voxels) read against a fixed
// 48x40x12 grid (the seed corpus is written by scripts/fuzz.sh with saveLabelMap on that grid).
#include "core/segmentation/LabelMapFile.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

lightbox::VolumeGeometry fuzzLabelGrid() {
  lightbox::VolumeGeometry g;
  g.size = {48, 40, 12};
  g.spacing = {0.75, 0.75, 2.5};
  g.origin = {-18, -15, 30};
  return g;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  static const lightbox::VolumeGeometry grid = fuzzLabelGrid();
  const std::string path = lightbox::fuzz::writeInput(data, size, ".labels");
  try {
    (void)lightbox::loadLabelMap(path, grid);
  } catch (const std::exception&) {
  }
  return 0;
}
