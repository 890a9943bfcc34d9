// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/RigidAffineRegistration.h"
#include "core/registration/Transform.h"
#include "core/volume/Volume.h"

#include <string>

namespace lightbox {

/// Whether a registration stage made the map better than the stage before it (issue 26): judged
/// on sample points the optimisers never saw, not on the optimisers' own metric.
struct StageCheck {
  bool kept = true;
  /// Mutual information (nats, 32 x 32 joint histogram) between the current image and the prior
  /// mapped through each transform, over the held-back points both transforms map inside the prior.
  double similarityBefore = 0.0, similarityAfter = 0.0;
  std::size_t points = 0;       ///< held-back points used
  double foldingFraction = 0.0; ///< of the field's grid voxels, after (0 without a field)
  double maxChangeMm = 0.0;     ///< largest |after(p) - before(p)| over the points
  double p99ChangeMm = 0.0;     ///< its 99th percentile (what the bound applies to)
  std::string reason;           ///< why the stage was dropped; "" when kept
};

struct StageGateOptions {
  unsigned points = 30000;     ///< held-back points drawn in the current image's anatomy
  unsigned seed = 0x9e3779b9u; ///< differs from every optimiser's sampling seed
  /// The stage must raise the similarity by at least this fraction of its value before.
  double minGain = 0.0;
  double maxFoldingFraction = 1e-4; ///< folding above this (of the field's grid) is implausible
  /// A stage moving points further than this (99th percentile over the points: a few wild points at
  /// an image edge do not condemn a map that is better everywhere else) is implausible.
  double maxChangeMm = 40.0;
};

/// Compares `after` (a stage's result) with `before` (the previous stage's) for the pair `fixed`
/// (current) / `moving` (prior): kept only when the similarity on held-back points rose and the map
/// stays plausible (no folding, bounded change); otherwise `reason` says which test failed.
StageCheck checkStage(const Volume& fixed, const Volume& moving,
                      const RegistrationTransform& before, const RegistrationTransform& after,
                      const StageGateOptions& options = {});

/// Runs checkStage and records it in `stage` (checked, similarities; kept false and the reason
/// when it fails). Returns the transform to carry on with: `after` when kept, else `before`.
RegistrationTransform gateStage(const Volume& fixed, const Volume& moving,
                                const RegistrationTransform& before,
                                const RegistrationTransform& after, RegistrationStage& stage,
                                const StageGateOptions& options = {});

} // namespace lightbox
