// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <array>
#include <cstddef>

namespace lightbox {

/// Tolerance for geometric comparisons of DICOM/NIfTI positions, in millimetres.
constexpr double kGeomTolMm = 1e-3;

/// Regular voxel grid in LPS millimetres. Index (i,j,k) maps to
/// ijkToLps(i,j,k) = origin + D * diag(spacing) * (i,j,k), where the columns of D are the
/// unit directions of the i, j and k axes (the full 3x3 DICOM direction, never assumed axial).
struct VolumeGeometry {
  std::array<std::size_t, 3> size{0, 0, 0};
  Vec3 spacing{1.0, 1.0, 1.0};
  Vec3 origin{0.0, 0.0, 0.0};
  /// direction[c] is the LPS unit vector of index axis c (i: along a row, j: down a column, k: slices).
  std::array<Vec3, 3> direction{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};

  std::size_t voxelCount() const { return size[0] * size[1] * size[2]; }
  Vec3 ijkToLps(const Vec3& ijk) const;
  /// Continuous index of an LPS point (inverse of ijkToLps; the direction may be non-orthogonal).
  Vec3 lpsToIjk(const Vec3& lps) const;
  /// Largest deviation from orthonormality of the direction columns.
  double orthonormalityError() const;
  /// +1 when (i, j, k) form a right-handed frame, -1 when left-handed.
  int handedness() const;

  bool operator==(const VolumeGeometry& other) const;
  bool operator!=(const VolumeGeometry& other) const { return !(*this == other); }
};

/// True when both grids have the same size and map every voxel to the same LPS point within tolMm.
bool sameGrid(const VolumeGeometry& a, const VolumeGeometry& b, double tolMm = kGeomTolMm);

} // namespace lightbox
