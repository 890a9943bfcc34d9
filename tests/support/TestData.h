// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <string>

namespace lightbox::test {

/// Absolute path of `relative` inside the shared test data. A missing file fails the test
/// loudly (it never skips): the suite must run against ../shared/data.
std::string sharedData(const std::string& relative);

/// A fresh empty folder under the system temp dir, removed when the process exits.
std::string scratchFolder(const std::string& name);

/// Voxel-by-voxel comparison in world space: every voxel of `ours` is mapped through its LPS point
/// to the reference grid.
struct WorldComparison {
  std::size_t voxels = 0;
  std::size_t outside = 0;    ///< voxels whose LPS point falls outside the reference grid
  std::size_t mismatches = 0; ///< values differing by more than the tolerance
  double maxIndexErrorMm = 0; ///< distance from the mapped point to the nearest reference voxel centre
  double maxAbsDifference = 0;
};
/// Values match within `valueTolerance` plus 1e-6 of their magnitude (float32 rescale rounding).
WorldComparison compareInWorld(const Volume& ours, const Volume& reference, double valueTolerance);

} // namespace lightbox::test
