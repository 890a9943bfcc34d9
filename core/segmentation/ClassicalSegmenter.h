// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/LabelMap.h"
#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

/// A lesion mask from one click, inside a box of the series' grid.
struct LesionMask {
  VoxelBox box;
  std::vector<std::uint8_t> mask; ///< box-sized, x fastest, 1 = lesion
  std::string engine;             ///< "classical" or the model's name
  std::string engineVersion;
  std::string weightsSha256;      ///< model engines: the weights' sha256
  /// Model engines: the probability map on the box (0-255), for the uncertainty band; empty for
  /// the classical engine.
  std::vector<std::uint8_t> probability;
  double threshold = 0;           ///< classical: the boundary value used (series units)
  bool brighter = true;           ///< classical: the lesion is brighter than its surroundings
  double splitRadiusMm = 0;       ///< classical: opening radius that split it from vessels / wall
  double seconds = 0;
  std::string warning;            ///< e.g. the region reached the search limit
  /// The engine refused its own mask as a leak (the mask is empty, `warning` says why).
  bool leakRefused = false;
};

struct ClassicalOptions {
  double searchRadiusMm = 30.0; ///< the lesion is looked for within this distance of the click
};

/// Click-seeded classical segmentation (no model): the boundary value is halfway between the
/// lesion (median around the click) and its surroundings (a low or high percentile of the search
/// region, by whether the lesion is brighter or darker); the region connected to the click is
/// grown on a lightly smoothed image, split from touching vessels and walls by the smallest
/// in-plane opening that keeps it off the search limit, and its holes filled slice by slice.
/// Throws std::invalid_argument when the click is outside the series.
LesionMask segmentClassical(const Volume& image, const Vec3& seedLps, const ClassicalOptions& options = {});

/// The mask on the whole grid (x fastest), for writing as a file.
std::vector<std::uint8_t> fullGridMask(const VolumeGeometry& geometry, const LesionMask& lesion);

/// The segment-table entry of an engine's lesion written as `label` with `voxels` voxels:
/// automatic, with the engine's name, version and weights hash (the SEG export's provenance).
Segment engineSegment(std::uint8_t label, std::string name, const std::uint8_t rgb[3], const LesionMask& lesion,
                      std::size_t voxels);

} // namespace lightbox
