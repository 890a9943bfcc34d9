// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"
#include "core/geometry/VolumeGeometry.h"

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lightbox {

/// A dense displacement field u on a grid in the current (fixed) image's LPS space: three floats
/// (LPS millimetres) per grid voxel, i fastest. Between grid points u is trilinear; beyond the
/// grid the nearest edge value holds (continuous, so linked reading never jumps at the edge).
struct DisplacementField {
  VolumeGeometry grid;
  std::vector<float> vectors; ///< 3 * grid.voxelCount()

  Vec3 at(const Vec3& currentLps) const;
  /// The displacement stored at grid voxel (i, j, k).
  Vec3 atVoxel(std::size_t i, std::size_t j, std::size_t k) const;
  /// det(I + du/dx) at grid voxel (i, j, k) by central differences (one-sided at the edges).
  double jacobianDeterminantAtVoxel(std::size_t i, std::size_t j, std::size_t k) const;
  bool operator==(const DisplacementField& other) const { return grid == other.grid && vectors == other.vectors; }
};

/// The result of registering a prior (moving) image to a current (fixed) one: the map from a
/// point of the current image to the same anatomy in the prior, both in LPS millimetres:
///   currentLpsToPriorLps(p) = matrix * (p + u(p)) + translation
/// with u the optional displacement field of a deformable stage (zero when there is none). This is
/// ITK's registration convention (fixed physical points to moving physical points, a composite
/// whose deformable part is applied first), and ITK is LPS too. A plain value type: no ITK here.
struct RegistrationTransform {
  std::array<Vec3, 3> matrix{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}; ///< rows
  Vec3 translation{0, 0, 0};
  /// The deformable stage; null for rigid and affine results. Shared: copies are cheap.
  std::shared_ptr<const DisplacementField> field;

  /// The prior-image (moving) LPS point of current-image (fixed) LPS point `currentLps`.
  Vec3 apply(const Vec3& currentLps) const;
  /// The affine part alone (no field).
  Vec3 applyAffine(const Vec3& p) const;
  /// The current-image point whose prior point is `priorLps`: exact for an affine transform,
  /// fixed-point iteration through the field otherwise (converges where the field does not fold:
  /// |du/dx| < 1). For a click in the prior.
  Vec3 applyInverse(const Vec3& priorLps) const;
  /// Determinant of the affine matrix.
  double determinant() const;
  /// Jacobian determinant of the whole map at a current-image point (affine determinant times
  /// det(I + du/dx)); <= 0 where the map folds.
  double jacobianDeterminant(const Vec3& currentLps) const;
  /// The fraction of field grid voxels where the map folds (Jacobian determinant <= 0); for an
  /// affine map 0 or 1 (the sign of its determinant).
  double foldingFraction() const;
  bool deformable() const { return field != nullptr; }

  bool operator==(const RegistrationTransform& other) const;
};

/// A transform file that cannot be read or written; the message names the file.
struct TransformFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// JSON text {"frame": "currentLpsToPriorLps", "matrix": [[...],[...],[...]], "translation": [...],
/// and with a field "field": {"size", "spacing", "origin", "direction", "data": FILE}}; FILE holds
/// the field's floats (little-endian float32, i fastest, 3 per voxel) beside the JSON.
std::string transformToJson(const RegistrationTransform& transform, const std::string& fieldDataName = {});
/// `folder` is where the field's data file lies (the JSON's folder).
RegistrationTransform transformFromJson(const std::string& text, const std::string& folder = {});

/// Saves as JSON (and the field's data as `<path>.field.f32` beside it), crash-safe (temporary
/// files + rename, data before JSON). Throws TransformFileError.
void saveTransform(const RegistrationTransform& transform, const std::string& path);
RegistrationTransform loadTransform(const std::string& path);

/// The affine part as an ITK text transform file ("#Insight Transform File V1.0",
/// AffineTransform_double_3_3: 9 matrix values row-major then 3 translation values, fixed
/// parameters (centre) 0 0 0), readable by itk::TransformFileReader. Throws TransformFileError.
std::string itkTransformText(const RegistrationTransform& transform);
void writeItkTransformFile(const RegistrationTransform& transform, const std::string& path);

} // namespace lightbox
