// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/RigidAffineRegistration.h"

#include <functional>
#include <stdexcept>
#include <string>

namespace lightbox {

/// The engines of `lightbox register --engine` and the viewer's Registration menu.
enum class RegistrationEngine { Rigid, Affine, Deformable, Model };

/// "rigid", "affine", "deformable", "model".
const char* registrationEngineName(RegistrationEngine engine);
/// Throws std::invalid_argument naming the text when it is none of the names.
RegistrationEngine registrationEngineFromName(const std::string& name);

/// Thrown out of registerImages when the progress callback asks to stop.
struct RegistrationCancelled : std::runtime_error {
  RegistrationCancelled() : std::runtime_error("registration cancelled") {}
};

struct RegistrationOptions {
  RegistrationEngine engine = RegistrationEngine::Affine;
  unsigned threads = 0; ///< 0: ITK's default
  RegistrationInit init = RegistrationInit::Identity;
  unsigned seed = 121212;
  double gridSpacingMm = 0.0;   ///< deformable: final B-spline control spacing; 0: the engine's default
  unsigned samples = 0;         ///< deformable: random samples per iteration; 0: the engine's default
  /// Keep a stage only when held-back points match better and the map stays plausible
  /// (StageGate.h); false keeps every stage's result as it came (`register --keep-all-stages`).
  bool checkStages = true;
  /// Called from the registering thread after each optimiser iteration with the overall
  /// fraction done (0..1) and the stage's name; return false to cancel (registerImages then
  /// throws RegistrationCancelled). May be empty.
  std::function<bool(double fraction, const std::string& stage)> progress;
};

/// Registers `moving` (prior) to `fixed` (current) with the chosen engine: rigid; rigid then
/// affine; rigid, affine then a deformable B-spline stage (result with a displacement field);
/// Model is the learned engine. Thread-safe for distinct inputs; run it off the GUI thread.
/// Throws std::runtime_error on failure, RegistrationCancelled on cancel.
RegistrationResult registerImages(const Volume& fixed, const Volume& moving, const RegistrationOptions& options);

} // namespace lightbox
