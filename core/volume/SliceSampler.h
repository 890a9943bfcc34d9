// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

/// The standard reading planes, shown in radiological convention.
enum class ViewPlane { Axial, Coronal, Sagittal };

ViewPlane parseViewPlane(const std::string& name); ///< "axial" | "coronal" | "sagittal"; throws otherwise
const char* toString(ViewPlane plane);

/// A planar grid of display pixels in LPS: pixel (x, y) is at origin + right*x*pixelMm + down*y*pixelMm.
struct SlicePlane {
  Vec3 origin{0, 0, 0};  ///< centre of the top-left display pixel
  Vec3 right{1, 0, 0};   ///< unit LPS direction of screen +x
  Vec3 down{0, 1, 0};    ///< unit LPS direction of screen +y (rows go down)
  double pixelMm = 1.0;
  std::size_t width = 0, height = 0;

  Vec3 normal() const { return cross(right, down); }
  Vec3 pixelToLps(double x, double y) const { return origin + right * (x * pixelMm) + down * (y * pixelMm); }
  /// Continuous display pixel of an LPS point projected onto the plane.
  std::pair<double, double> lpsToPixel(const Vec3& p) const {
    const Vec3 d = p - origin;
    return {dot(d, right) / pixelMm, dot(d, down) / pixelMm};
  }
};

/// Screen axes of a view plane in radiological convention: axial and coronal show the patient's
/// left on screen right; axial shows anterior up, coronal and sagittal superior up; sagittal shows
/// anterior on screen left.
std::pair<Vec3, Vec3> screenAxes(ViewPlane plane);

/// The standard plane whose normal is closest to `normal` (the acquisition plane of a slice).
ViewPlane nearestViewPlane(const Vec3& normal);

/// Screen axes of an oblique reformat: `plane`'s axes turned by `yawDeg` about the screen's
/// vertical axis, then by `pitchDeg` about the screen's horizontal axis. Zero angles give
/// screenAxes(plane); the result stays orthonormal.
std::pair<Vec3, Vec3> obliqueAxes(ViewPlane plane, double yawDeg, double pitchDeg);

/// The plane through `centerLps` covering the whole volume in `plane`'s orientation, with square
/// pixels of the volume's finest in-plane spacing.
SlicePlane planeThrough(const VolumeGeometry& g, ViewPlane plane, const Vec3& centerLps);
/// The same for any orthonormal screen axes (oblique reformats); the field of view covers the
/// volume's bounding box seen along the plane normal, pixels are the volume's finest spacing.
SlicePlane planeThrough(const VolumeGeometry& g, const Vec3& right, const Vec3& down, const Vec3& centerLps);

/// The same field of view (same centre, same extent to within a pixel) in square pixels of
/// `pixelMm`: finer pixels for an image fused over a coarser one (a CT under a PET).
SlicePlane withPixelMm(const SlicePlane& plane, double pixelMm);

/// Distance between adjacent slices along an arbitrary normal: the volume's sampling along it.
double sliceSpacingAlong(const VolumeGeometry& g, const Vec3& normal);

/// Number of distinct slices along the plane's normal and the LPS centre of slice `index`
/// (0 = most inferior for axial, most anterior for coronal, patient right for sagittal).
std::size_t sliceCount(const VolumeGeometry& g, ViewPlane plane);
Vec3 sliceCenter(const VolumeGeometry& g, ViewPlane plane, double index);
double sliceSpacing(const VolumeGeometry& g, ViewPlane plane);

enum class Interpolation { Nearest, Linear };

/// Samples the volume on the plane; pixels outside the volume get `outside`.
std::vector<float> sampleSlice(const Volume& v, const SlicePlane& plane, Interpolation interp,
                               float outside);

/// Thick-slab projection modes.
enum class SlabMode { None, Mip, MinIp, Mean };
SlabMode parseSlabMode(const std::string& name); ///< "none" | "mip" | "minip" | "mean"; throws otherwise
const char* toString(SlabMode mode);

/// Projects a slab of `thicknessMm` centred on the plane: planes spaced at most half the volume's
/// finest spacing apart (and never fewer than two) are sampled and combined per pixel (maximum,
/// minimum or mean). Pixels are combined only over samples inside the volume. SlabMode::None or a
/// thickness below one sampling step is a plain sampleSlice.
std::vector<float> sampleSlab(const Volume& v, const SlicePlane& plane, SlabMode mode, double thicknessMm,
                              Interpolation interp, float outside);

} // namespace lightbox
