// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/Transform.h"
#include "core/volume/Volume.h"

#include <functional>
#include <string>
#include <vector>

namespace lightbox {

/// How the first stage starts. Identity trusts the scanners' patient coordinates (same frame of
/// reference, or a table move the scanner already accounts for); Moments aligns the intensity
/// centres of mass; Geometry aligns the centres of the two grids.
enum class RegistrationInit { Identity, Moments, Geometry };

struct RigidAffineOptions {
  bool affine = false;          ///< add the affine stage after the rigid one
  unsigned threads = 0;         ///< 0: ITK's default
  double samplingFraction = 0.2; ///< random sparse sampling of the fixed image per level
  /// At most this many samples per level: a 512 x 512 x 141 CT at 20 % would be 7 million per
  /// iteration, far more than mutual information needs for 6 or 12 parameters.
  unsigned maxSamplesPerLevel = 30000;
  unsigned iterations = 200;    ///< per level
  RegistrationInit init = RegistrationInit::Identity;
  unsigned seed = 121212;       ///< sampling seed: the same inputs give the same result
  /// Check the affine stage on held-back points and drop it when it made things worse (StageGate.h).
  bool checkStages = true;
  /// Called on the registering thread after each optimiser iteration with the stage's name, the
  /// level (0 coarsest) and the iteration; may throw (e.g. RegistrationCancelled) to stop.
  std::function<void(const std::string& stage, int level, unsigned iteration)> onIteration;
};

/// The optimiser's end state at one resolution level.
struct RegistrationLevel {
  int level = 0;
  int shrink = 1;
  unsigned iterations = 0;
  double metric = 0.0; ///< Mattes mutual information as ITK reports it (negative: lower is better)
};

struct RegistrationStage {
  std::string name; ///< "rigid" or "affine"
  std::vector<RegistrationLevel> levels;
  double seconds = 0.0;
  /// False when the stage was dropped and the previous stage's transform is the result: an affine
  /// stage that ended with a worse metric than the rigid one, or any stage the held-back check
  /// (StageGate.h) found worse or implausible.
  bool kept = true;
  std::string droppedReason; ///< why, when not kept
  /// The held-back check's similarity before and after the stage (mutual information, nats), when
  /// it ran (`checked`).
  bool checked = false;
  double similarityBefore = 0.0, similarityAfter = 0.0;
};

struct RegistrationResult {
  RegistrationTransform transform; ///< current (fixed) LPS -> prior (moving) LPS
  std::vector<RegistrationStage> stages;
  double seconds = 0.0;
};

/// Rigid (versor) then, with options.affine, affine registration of `moving` (prior) to `fixed`
/// (current) with Mattes mutual information (CT-CT, MR-MR and CT-MR), three levels of about
/// 8/4/2 mm (block averages to 2 mm, then Gaussian + shrink by 2 per level), built once for both
/// stages. Throws std::runtime_error when ITK fails.
RegistrationResult registerRigidAffine(const Volume& fixed, const Volume& moving,
                                       const RigidAffineOptions& options = {});

/// `moving` on the grid `fixedGrid` through `transform` (trilinear; 0 outside), as float voxels.
Volume resampleMoving(const Volume& moving, const VolumeGeometry& fixedGrid, const RegistrationTransform& transform);

} // namespace lightbox
