// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/RigidAffineRegistration.h"
#include "core/registration/Transform.h"
#include "core/volume/Volume.h"

#include <functional>
#include <string>

namespace lightbox {

/// Levels of the deformable stage (registerBSpline).
constexpr int kDeformableLevels = 4;

struct DeformableOptions {
  unsigned threads = 0;             ///< 0: all cores
  unsigned seed = 121212;           ///< sampling seed
  /// B-spline control-point spacing at the finest level. 24 mm, not elastix's 16: with the same
  /// samples the finer grid ended worse on a 20 mm chest-CT deformation (0.29 vs 0.22 mm mean TRE).
  double finalGridSpacingMm = 24.0;
  unsigned iterations = 500;        ///< gradient steps per level (elastix's default)
  /// Random fixed-image voxels per iteration, drawn anew each time (elastix's 2048 ended at 0.17 mm
  /// mean TRE where 4096 reached 0.13 on a 20 mm chest-CT deformation, for 6 s more).
  unsigned samples = 4096;
  double fieldSpacingMm = 3.0;      ///< the stored displacement field's grid spacing (at least the voxel's)
  /// As RigidAffineOptions::onIteration (stage "deformable").
  std::function<void(const std::string& stage, int level, unsigned iteration)> onIteration;
};

/// The deformable stage: a cubic B-spline displacement u on top of `affine` (current -> prior,
/// e.g. registerRigidAffine's result), composed the ITK way: prior = affine(p + u(p)). Four
/// levels: images smoothed and shrunk to about 8, 4 and 2 mm, then the fixed image's own voxels,
/// the control grid doubling each level up to finalGridSpacingMm. Each level minimises minus the
/// Mattes mutual information (32 bins) of the current and the prior at affine(p + u(p)), on
/// `samples` random current voxels drawn anew at every iteration, by adaptive stochastic gradient
/// descent (elastix's optimiser). The result is `affine` with its `field` set to u sampled on a
/// grid over the fixed image. Deterministic for a seed and a thread count.
RegistrationTransform registerBSpline(const Volume& fixed, const Volume& moving, const RegistrationTransform& affine,
                                      const DeformableOptions& options, RegistrationStage* stage = nullptr);

/// Writes the field as an ITK displacement field image (3-component float vectors, LPS mm, the
/// field's grid), e.g. `deformation.nii.gz`: itk::DisplacementFieldTransform, Slicer's grid
/// transform and ANTs read it. Throws TransformFileError.
void writeDisplacementFieldImage(const DisplacementField& field, const std::string& path);

} // namespace lightbox
