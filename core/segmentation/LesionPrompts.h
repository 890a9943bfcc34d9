// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/ClassicalSegmenter.h"

#include <string>
#include <optional>
#include <vector>

namespace lightbox {

/// The voxels whose centres lie between two LPS corners (in index space, clamped to the grid);
/// empty when the two corners span no voxel of the series.
VoxelBox voxelBoxBetween(const VolumeGeometry& geometry, const Vec3& cornerA, const Vec3& cornerB);

/// A box bounds an engine's lesion: voxels outside `clip` are dropped, and of the rest only what
/// stays 6-connected to `seedLps` is kept (when the seed voxel is not in what is left, all of it).
/// The viewer's box tool and `lightbox segment --box-lps` both use it.
void keepInBoxConnected(const VolumeGeometry& geometry, LesionMask& lesion, const VoxelBox& clip, const Vec3& seedLps);

/// The faces of `limit` that the mask (whole grid, x fastest) touches: "x-", "x+", "y-", ... (a
/// voxel on the box's first or last layer along that axis). Empty when it touches none.
std::vector<std::string> touchedFaces(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& mask,
                                      const VoxelBox& limit);

/// The same for an engine's mask on its own box (no whole-grid copy).
std::vector<std::string> touchedFaces(const LesionMask& lesion, const VoxelBox& limit);

/// `faces` of `limit` less those lying on the image's edge (there the image ends, not the box).
std::vector<std::string> facesInsideImage(const VolumeGeometry& geometry,
                                          std::vector<std::string> faces, const VoxelBox& limit);

/// A prompt box reduced to where it is and how large: its centre and its largest side (the
/// promptable engine places and sizes its first cube by them). `largestSideMm` 0: no box.
struct BoxPrompt {
  Vec3 centreLps{0, 0, 0};
  double largestSideMm = 0;
  bool given() const { return largestSideMm > 0; }
  bool operator==(const BoxPrompt& o) const {
    return centreLps == o.centreLps && largestSideMm == o.largestSideMm;
  }
};

/// The box's centre (LPS) and its largest side in millimetres.
BoxPrompt boxPromptOf(const VolumeGeometry& geometry, const VoxelBox& box);

/// The whole grid as a box.
VoxelBox wholeGrid(const VolumeGeometry& geometry);

/// Classical remove click: clears the part of the mask (whole grid) 6-connected to the voxel at
/// `lps` through mask voxels within `radiusMm` of it. Returns the number of voxels cleared (0 when
/// the point is not in the mask).
std::size_t removeConnectedAround(const VolumeGeometry& geometry, std::vector<std::uint8_t>& mask, const Vec3& lps,
                                  double radiusMm);

/// The most interior voxel of a mask (the maximum of its Euclidean distance transform in mm; the
/// first such voxel in x-fastest order), as a linear index; the mask must not be empty.
std::size_t mostInteriorVoxel(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& mask);

/// A simulated reader's correction of `predicted` against `reference` (whole grids): at the most
/// interior voxel of the largest 6-connected region where they disagree; `add` when the reference
/// has that region (missed), else a remove click. Empty when they agree everywhere.
struct CorrectionClick {
  bool add = true;
  Vec3 lps{0, 0, 0};
};
std::optional<CorrectionClick> nextCorrection(const VolumeGeometry& geometry, const std::vector<std::uint8_t>& predicted,
                                              const std::vector<std::uint8_t>& reference);

} // namespace lightbox
