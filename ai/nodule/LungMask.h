// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <array>
#include <cstdint>
#include <vector>

namespace lightbox {

/// Binary mask on a grid (x fastest), 1 inside.
using Mask = std::vector<std::uint8_t>;

/// The air inside the lungs on the volume's own grid: voxels below -400 HU that are not connected
/// (within their slice) to the air around the body, restricted to the largest one or two 3D
/// components (the two lungs, or one when they touch). Vessels and nodules are holes in it.
Mask lungAirMask(const Volume& hu, unsigned threads = 0);

/// Squared Euclidean distance (mm^2) from every voxel to the nearest voxel of `mask` (0 inside),
/// exact, with anisotropic spacing (Felzenszwalb & Huttenlocher separable transform). Voxels
/// outside the grid are never sources.
std::vector<float> squaredDistanceTo(const Mask& mask, const std::array<std::size_t, 3>& size,
                                     const Vec3& spacing, unsigned threads = 0);

/// Morphological closing with a ball of `radiusMm`, then 2D hole filling in every k-slice: turns
/// the lung air into the whole lung, vessels, fissures and nodules (also those on the pleura,
/// up to about the radius) included.
Mask closeLungMask(const Mask& air, const std::array<std::size_t, 3>& size, const Vec3& spacing,
                   double radiusMm, unsigned threads = 0);

} // namespace lightbox
