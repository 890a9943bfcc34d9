// SPDX-License-Identifier: Apache-2.0
// Internal to core/registration: the float ITK image of a Volume. Included only by the
// registration translation units that already include ITK.
#pragma once

#include "core/volume/Volume.h"

#include <itkImage.h>

namespace lightbox::detail {

using ItkFloatImage = itk::Image<float, 3>;

/// The volume's voxels as float with its geometry (origin, spacing, direction: LPS).
ItkFloatImage::Pointer toItkFloat(const Volume& volume);

/// Smoothed (Gaussian, sigma half the new spacing) and shrunk by whole factors to about
/// `spacingMm` per axis; axes already that coarse are left as they are (then the image itself).
ItkFloatImage::Pointer downsample(ItkFloatImage* image, double spacingMm, unsigned threads);

} // namespace lightbox::detail
