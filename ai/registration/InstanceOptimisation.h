// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"
#include "core/registration/Transform.h"

#include <functional>
#include <string>
#include <vector>

namespace lightbox {

/// A normalised image for the optimiser: float voxels (x fastest) on their grid.
struct NormalisedImage {
  VolumeGeometry geometry;
  std::vector<float> values;
};

/// One level: the current is sampled from `fixed`, the prior from `moving` at
/// movingMap(x + u(x)) (movingMap the affine; identity when `moving` is already on the field's grid
/// through the affine).
struct InstanceLevelInput {
  std::string name;
  const NormalisedImage* fixed = nullptr;
  const NormalisedImage* moving = nullptr;
  RegistrationTransform movingMap; ///< affine only
  unsigned iterations = 0;
  unsigned samples = 20000;
};

struct InstanceOptimisationOptions {
  double learningRate = 0.1; ///< Adam, mm
  double smoothness = 2.0;
  unsigned seed = 1;
  unsigned threads = 0; ///< 0: all cores
  /// Called after each iteration with (level, iteration); may throw to stop.
  std::function<void(std::size_t level, unsigned iteration)> onIteration;
};

struct InstanceOptimisationResult {
  std::vector<float> field; ///< 3 per grid voxel, LPS mm (DisplacementField::vectors)
  std::vector<double> nccBefore, nccAfter; ///< per level, over a fixed evaluation sample
};

/// The random points optimiseField draws per iteration: `count` LPS points on the structure voxels
/// of `structure` (the 40 % largest gradients of its non-background voxels), each jittered within
/// its voxel; the same for the same seed.
std::vector<Vec3> structurePoints(const NormalisedImage& structure, unsigned count, unsigned seed);

/// Optimises the displacement field u on `grid` (initial value `field`, LPS mm, trilinear between
/// the nodes, edge values beyond) so that the prior matches the current: minimises
/// -NCC(current(x), prior(map(x + u(x)))) over random points x drawn each iteration where the
/// current has structure (the 40 % largest gradients of the non-background voxels of `structure`,
/// jittered within their voxel), plus `smoothness` times the mean squared field gradient (mm/mm).
/// Adam with a step decaying linearly to a fifth; the gradient written out (no autograd).
InstanceOptimisationResult optimiseField(const VolumeGeometry& grid, std::vector<float> field,
                                         const NormalisedImage& structure,
                                         const std::vector<InstanceLevelInput>& levels,
                                         const InstanceOptimisationOptions& options);

} // namespace lightbox
