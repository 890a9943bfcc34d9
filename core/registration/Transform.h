// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <array>
#include <stdexcept>
#include <string>

namespace lightbox {

/// The result of registering a prior (moving) image to a current (fixed) one: the map from a
/// point of the current image to the same anatomy in the prior, both in LPS millimetres:
/// currentLpsToPriorLps(p) = matrix * p + translation. This is ITK's registration convention
/// (the transform maps fixed physical points to moving physical points), and ITK is LPS too, so
/// the numbers are ITK's own. A plain value type: no ITK here.
struct RegistrationTransform {
  std::array<Vec3, 3> matrix{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}; ///< rows
  Vec3 translation{0, 0, 0};

  /// The prior-image (moving) LPS point of current-image (fixed) LPS point `currentLps`.
  Vec3 apply(const Vec3& currentLps) const;
  double determinant() const;

  bool operator==(const RegistrationTransform& other) const {
    return matrix == other.matrix && translation == other.translation;
  }
};

/// A transform file that cannot be read or written; the message names the file.
struct TransformFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// JSON text {"frame": "currentLpsToPriorLps", "matrix": [[...],[...],[...]], "translation": [...]}.
std::string transformToJson(const RegistrationTransform& transform);
RegistrationTransform transformFromJson(const std::string& text);

/// Saves as JSON, crash-safe (temporary file + rename). Throws TransformFileError.
void saveTransform(const RegistrationTransform& transform, const std::string& path);
RegistrationTransform loadTransform(const std::string& path);

/// The same map as an ITK text transform file ("#Insight Transform File V1.0",
/// AffineTransform_double_3_3: 9 matrix values row-major then 3 translation values, fixed
/// parameters (centre) 0 0 0), readable by itk::TransformFileReader. Throws TransformFileError.
std::string itkTransformText(const RegistrationTransform& transform);
void writeItkTransformFile(const RegistrationTransform& transform, const std::string& path);

} // namespace lightbox
