// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

namespace lightbox {

/// Resamples `v` (trilinear) onto a grid aligned with the LPS axes (identity direction) that
/// covers its bounding box, with isotropic spacing chosen so that no axis exceeds `maxSize`
/// voxels and never finer than the volume's finest spacing. Outside the volume gets `outside`.
/// Used where a consumer cannot handle a direction matrix (3D rendering) and to bound its cost.
Volume resampleAxisAligned(const Volume& v, std::size_t maxSize, float outside);

} // namespace lightbox
