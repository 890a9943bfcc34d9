// SPDX-License-Identifier: Apache-2.0
// Internal to core/registration: the float ITK image of a Volume. Included only by the
// registration translation units that already include ITK.
#pragma once

#include "core/volume/Volume.h"

#include <itkImage.h>

namespace lightbox::detail {

using ItkFloatImage = itk::Image<float, 3>;

/// Sizes `image` to `g` (region, spacing, origin, direction: ITK keeps the axis directions as
/// columns, like VolumeGeometry) and allocates it.
template <typename ImageType> void allocateOnGrid(ImageType* image, const VolumeGeometry& g) {
  typename ImageType::RegionType region;
  typename ImageType::SpacingType spacing;
  typename ImageType::PointType origin;
  typename ImageType::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, g.size[a]);
    spacing[a] = g.spacing[a];
    origin[a] = g.origin[a];
    for (unsigned r = 0; r < 3; ++r) direction(r, a) = g.direction[a][r];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
}

/// The volume's voxels as float with its geometry (origin, spacing, direction: LPS).
ItkFloatImage::Pointer toItkFloat(const Volume& volume);

/// The volume averaged over blocks of whole voxels to about `spacingMm` per axis (factor
/// round(spacingMm / spacing), at least 1; the last block of an axis may be partial), as float,
/// each voxel at its block's centre. One pass over the volume, no full-resolution float copy:
/// the first step of every registration pyramid (a 512 x 512 x 141 CT to 2 mm in ~0.2 s).
ItkFloatImage::Pointer blockAverage(const Volume& volume, double spacingMm, unsigned threads);

/// Smoothed (Gaussian, sigma half the new spacing) and shrunk by whole factors to about
/// `spacingMm` per axis; axes already that coarse are left as they are (then the image itself).
ItkFloatImage::Pointer downsample(ItkFloatImage* image, double spacingMm, unsigned threads);

} // namespace lightbox::detail
