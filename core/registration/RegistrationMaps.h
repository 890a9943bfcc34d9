// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/Transform.h"
#include "core/volume/Volume.h"

#include <memory>

namespace lightbox {

/// One number a reader can trust about a registration (issue 26): the median of the local
/// normalised cross-correlation (9 x 9 x 3 boxes on the map grid) between the current image and the
/// warped prior, over the boxes that hold structure (flat air and water have none to judge by).
struct RegistrationQuality {
  double medianLocalNcc = 0.0;
  std::size_t boxes = 0; ///< map voxels with a defined local NCC
  /// Below this median the alignment should be checked by eye (see kRegistrationQualityThreshold).
  double threshold = 0.0;
  bool checkAlignment = false;
};

/// Median local NCC below which the viewer and `lightbox register` say "check the alignment".
/// Measured on the POPI chest CT against itself moved by a uniform error: 0.98 at 0.5 mm, 0.94 at
/// 1 mm, 0.83 at 2 mm, 0.72 at 3 mm, 0.64 at 4 mm, 0.54 at 5 mm: the threshold stands for about
/// 3 mm everywhere. A median forgives a local error (POPI with a 20 mm synthetic deformation: the
/// rigid map, 4.9 mm mean TRE, scores 0.81): the local map shows where. Real longitudinal pairs
/// (other day, other noise) score lower at the same alignment; not yet measured on them.
inline constexpr double kRegistrationQualityThreshold = 0.7;

/// What the viewer draws over a registered pair and `lightbox register` reports, computed once.
struct RegistrationMaps {
  std::shared_ptr<const Volume> warped; ///< the prior on the current grid, NaN outside it
  std::shared_ptr<const Volume>
      jacobian; ///< Jacobian determinant on the field's grid (with a field)
  std::shared_ptr<const Volume> displacement; ///< |map(p) - p| mm on the field's or a thinned grid
  std::shared_ptr<const Volume> quality; ///< local NCC on the thinned current grid, NaN = undefined
  double displacementMax = 0.0;
  double jacobianDeviation = 0.0; ///< largest |det - 1|
  RegistrationQuality summary;
};

/// The quality number alone (what computeRegistrationMaps' summary holds), without warping the
/// whole prior: for `lightbox register`. On up to `threads` threads (0: every core); the number
/// does not depend on them.
RegistrationQuality registrationQuality(const Volume& current, const Volume& prior,
                                        const RegistrationTransform& t, unsigned threads = 0);

/// The maps of `t` (current LPS -> prior LPS) for the pair current / prior. Uses every core.
RegistrationMaps computeRegistrationMaps(const Volume& current, const Volume& prior,
                                         const RegistrationTransform& t);

} // namespace lightbox
