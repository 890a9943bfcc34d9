// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/LabelMap.h"

#include <string>
#include <vector>

namespace lightbox {

/// A label map read from a research file (NIfTI / NRRD / MetaImage, e.g. a TotalSegmentator
/// output) onto a series' grid.
struct ImportedLabels {
  LabelMap map;                      ///< on the series' grid; one "imported" segment per value
  bool resampled = false;            ///< the file's grid differed: nearest neighbour through LPS
  std::size_t voxelsOutside = 0;     ///< file voxels that fell outside the series
  std::vector<std::string> warnings; ///< e.g. the two grids do not overlap
};

/// Reads `path` and puts its non-zero integer values (1..255) on `series`: as is when the grids
/// match, else by nearest neighbour through world (LPS) coordinates. Values outside 0..255 or not
/// whole numbers are refused. Throws std::runtime_error naming the file and the reason.
ImportedLabels importLabelFile(const std::string& path, const VolumeGeometry& series);

} // namespace lightbox
