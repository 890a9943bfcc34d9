// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"
#include "core/volume/Volume.h"

#include <vector>

namespace lightbox {

/// Resamples a stack of parallel slices (same row/column directions and pixel spacing, sorted along
/// the normal, each at its own position: uneven gaps, missing slices or gantry-tilt shear) onto the
/// regular `target` grid. Bilinear within a slice, linear between the two slices that bracket a
/// target plane; target voxels outside the stack get `padding`.
/// `stack.geometry` gives size, in-plane spacing and directions; slicePositions[k] is slice k's IPP.
Volume resampleStack(const Volume& stack, const std::vector<Vec3>& slicePositions,
                     const VolumeGeometry& target, double padding, unsigned threads = 0);

} // namespace lightbox
