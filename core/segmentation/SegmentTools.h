// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/LabelMap.h"
#include "core/volume/Volume.h"

#include <limits>
#include <optional>

namespace lightbox {

/// A brush dab: a sphere (or, with `disc`, a disc in the slice through the centre, k constant) in
/// millimetres. With `erase` it clears voxels of `label`; otherwise it writes `label`, optionally
/// only where the image lies in [lo, hi] (threshold brush) and never over another segment.
struct BrushDab {
  Vec3 centerLps{0, 0, 0};
  double radiusMm = 5.0;
  std::uint8_t label = 1;
  bool erase = false;
  bool disc = false;
  const Volume* image = nullptr; ///< with a range: the series the map lies on
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
};

/// Applies one dab; returns the undo record of the box it touched (empty box when it missed).
LabelDelta paint(LabelMap& map, const BrushDab& dab);

/// Writes an engine's mask (box-sized, x fastest, non-zero = inside) as `label` inside `box`:
/// voxels of `label` outside the mask are cleared, other segments are left alone. Voxels listed in
/// `protect` (reader edits, same box layout, non-zero = keep as is) are not changed.
LabelDelta writeMask(LabelMap& map, const VoxelBox& box, const std::vector<std::uint8_t>& mask, std::uint8_t label,
                     const std::vector<std::uint8_t>* protect = nullptr);

/// Threshold in a box: the voxels of `box` whose value in `image` (on the map's grid) lies in
/// [lo, hi] and that no other segment holds, as `label` - the 6-connected part through the box's
/// centre when the centre qualifies, else the largest part (a box drawn around a lesion takes the
/// lesion, not the vessels that cross a corner). Adds only: `label`'s other voxels stay.
LabelDelta thresholdBox(LabelMap& map, const Volume& image, const VoxelBox& box, double lo, double hi,
                        std::uint8_t label);

/// Keeps only the 6-connected part of `label` that contains `seed` (index); the rest is cleared.
LabelDelta keepComponent(LabelMap& map, std::uint8_t label, const std::array<std::size_t, 3>& seed);

/// Keeps only the largest 6-connected part of `label` (removes the islands).
LabelDelta removeIslands(LabelMap& map, std::uint8_t label);

/// Smooths `label` by a 3x3x3 majority vote (a median of the binary mask), never taking voxels of
/// another segment.
LabelDelta smoothSegment(LabelMap& map, std::uint8_t label);

/// Fills the slices (k) between slices where `label` was drawn by interpolating their signed
/// distance maps: a slice between two drawn ones gets the shape morphing from one to the other.
/// Slices that already hold the label are left as they are.
LabelDelta fillBetweenSlices(LabelMap& map, std::uint8_t label);

/// Measurements of one segment. Axes follow RECIST on the slices of the grid (k constant): the
/// long axis is the longest in-plane diameter over all slices (edge to edge of the voxels), the
/// short axis the longest diameter perpendicular to it on the same slice.
struct SegmentStats {
  std::size_t voxels = 0;
  double volumeMl = 0;
  double mean = 0, sd = 0, min = 0, max = 0; ///< of the image under the segment (its units)
  double longAxisMm = 0, shortAxisMm = 0;
  std::size_t axisSlice = 0;                 ///< k of the slice the axes are measured on
  Vec3 longA{0, 0, 0}, longB{0, 0, 0};       ///< long axis end points (LPS)
  Vec3 shortA{0, 0, 0}, shortB{0, 0, 0};     ///< short axis end points (LPS)
  Vec3 centroidLps{0, 0, 0};
};

/// Measures `label` (statistics from `image` when given; it must share the map's grid).
SegmentStats measureSegment(const LabelMap& map, std::uint8_t label, const Volume* image = nullptr);

/// Same on a plain mask (non-zero = inside) on `geometry`.
SegmentStats measureMask(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& mask,
                         const Volume* image = nullptr);

} // namespace lightbox

namespace lightbox {

/// SUVpeak (PERCIST): the largest mean of the image in a 1 mL sphere (radius 6.2 mm) centred on a
/// voxel of the mask; the centres tried are the mask's 500 highest voxels. 0 for an empty mask.
double suvPeak(const Volume& image, const std::vector<std::uint8_t>& mask);

} // namespace lightbox
