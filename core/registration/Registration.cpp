// SPDX-License-Identifier: Apache-2.0
#include "core/registration/Registration.h"

#include "core/registration/DeformableRegistration.h"
#include "core/registration/StageGate.h"

#include <algorithm>
#include <chrono>

namespace lightbox {
namespace {

// Share of the whole run per stage (measured on the 141-slice chest CT: the B-spline stage takes
// most of a deformable run) and per level within a stage (the sampling is capped per level, so
// the levels cost about the same).
double stageWeight(RegistrationEngine engine, const std::string& stage) {
  switch (engine) {
  case RegistrationEngine::Rigid:
    return 1.0;
  case RegistrationEngine::Affine:
    return 0.5;
  default:
    return stage == "deformable" ? 0.7 : 0.15;
  }
}

double stageStart(RegistrationEngine engine, const std::string& stage) {
  if (stage == "rigid") return 0.0;
  if (stage == "affine") return engine == RegistrationEngine::Affine ? 0.5 : 0.15;
  return 0.3;
}

} // namespace

const char* registrationEngineName(RegistrationEngine engine) {
  switch (engine) {
  case RegistrationEngine::Rigid:
    return "rigid";
  case RegistrationEngine::Affine:
    return "affine";
  case RegistrationEngine::Deformable:
    return "deformable";
  case RegistrationEngine::Model:
    return "model";
  }
  return "?";
}

RegistrationEngine registrationEngineFromName(const std::string& name) {
  for (RegistrationEngine e : {RegistrationEngine::Rigid, RegistrationEngine::Affine, RegistrationEngine::Deformable,
                               RegistrationEngine::Model}) {
    if (name == registrationEngineName(e)) return e;
  }
  throw std::invalid_argument("registration engine must be rigid, affine, deformable or model, not '" + name + "'");
}

RegistrationResult registerImages(const Volume& fixed, const Volume& moving, const RegistrationOptions& options) {
  if (options.engine == RegistrationEngine::Model) {
    throw std::runtime_error("the learned registration engine (model) is not built yet: use rigid, affine or deformable");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto onIteration = [&options](const std::string& stage, int level, unsigned iteration, unsigned maxIterations,
                                      int levels) {
    if (!options.progress) return;
    const double levelShare = 1.0 / double(levels);
    const double within = std::min(1.0, double(iteration) / double(std::max(1u, maxIterations)));
    const double fraction = stageStart(options.engine, stage) +
                            stageWeight(options.engine, stage) * levelShare * (double(level) + within);
    if (!options.progress(std::clamp(fraction, 0.0, 1.0), stage)) throw RegistrationCancelled();
  };

  RigidAffineOptions linear;
  linear.affine = options.engine != RegistrationEngine::Rigid;
  linear.threads = options.threads;
  linear.init = options.init;
  linear.seed = options.seed;
  linear.checkStages = options.checkStages;
  linear.onIteration = [&](const std::string& stage, int level, unsigned iteration) {
    onIteration(stage, level, iteration, linear.iterations, 3);
  };
  RegistrationResult result = registerRigidAffine(fixed, moving, linear);

  if (options.engine == RegistrationEngine::Deformable) {
    DeformableOptions deformable;
    deformable.threads = options.threads;
    deformable.seed = options.seed;
    if (options.gridSpacingMm > 0) deformable.finalGridSpacingMm = options.gridSpacingMm;
    if (options.samples > 0) deformable.samples = options.samples;
    deformable.onIteration = [&](const std::string& stage, int level, unsigned iteration) {
      onIteration(stage, level, iteration, deformable.iterations, kDeformableLevels);
    };
    RegistrationStage stage;
    const RegistrationTransform bspline = registerBSpline(fixed, moving, result.transform, deformable, &stage);
    // Kept only when held-back points match better and the field is plausible (issue 26): a
    // B-spline stage that diverged leaves the affine result, and says why.
    result.transform = options.checkStages ? gateStage(fixed, moving, result.transform, bspline, stage) : bspline;
    result.stages.push_back(stage);
  }
  if (options.progress && !options.progress(1.0, "done")) throw RegistrationCancelled();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

} // namespace lightbox
