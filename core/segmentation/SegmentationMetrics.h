// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

/// Dice overlap of two masks on one grid (non-zero = inside); 1 when both are empty.
double diceCoefficient(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b);

/// 95th percentile of the symmetric surface distance in mm (both directions pooled), with exact
/// Euclidean distance transforms on the grid's spacing. Infinity when exactly one mask is empty.
double hausdorff95Mm(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b);

/// Squared distance (mm^2) from every voxel of the grid to the nearest non-zero voxel of `set`
/// (exact, separable; infinity when the set is empty).
std::vector<double> squaredDistanceTo(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& set);

/// One reader's outline of one nodule in an LIDC-IDRI reader XML, rasterised on the series' grid:
/// a voxel is in when its centre lies inside an inclusion polygon of its slice and outside every
/// exclusion polygon. Nodules marked by a single point (under 3 mm) are skipped.
struct ReaderOutline {
  int reader = 0;          ///< reading session index in the file
  std::string noduleId;
  std::vector<std::uint8_t> mask;
  Vec3 centroidLps{0, 0, 0};
};

/// Throws std::runtime_error naming the file when it cannot be read.
std::vector<ReaderOutline> readLidcOutlines(const std::string& xmlPath, const VolumeGeometry& geometry);

/// The readers' consensus of one lesion: the outlines that overlap the largest one (Dice > 0.3:
/// the same lesion), and the voxels at least half of them mark. Empty when there is no outline.
struct ReaderConsensus {
  std::vector<const ReaderOutline*> readers;
  std::vector<std::uint8_t> mask;
};
ReaderConsensus readerConsensus(const std::vector<ReaderOutline>& outlines);

} // namespace lightbox
