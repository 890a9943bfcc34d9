// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/Tensor.h"

#include <array>
#include <cstddef>
#include <vector>

namespace lightbox {

class ModelRunner;

/// Channels of a 3D grid, each stored x-fastest (the memory order of a tensor (C, z, y, x)).
struct FloatGrid {
  std::array<std::size_t, 3> size{0, 0, 0}; ///< (x, y, z)
  std::size_t channels = 1;
  std::vector<float> data; ///< channel-major

  std::size_t voxels() const { return size[0] * size[1] * size[2]; }
  float& at(std::size_t c, std::size_t i, std::size_t j, std::size_t k) {
    return data[c * voxels() + i + size[0] * (j + size[1] * k)];
  }
  float at(std::size_t c, std::size_t i, std::size_t j, std::size_t k) const {
    return data[c * voxels() + i + size[0] * (j + size[1] * k)];
  }
};

enum class BlendMode {
  Constant, ///< plain average where tiles overlap
  Gaussian, ///< centre-weighted (sigma = 1/8 of the patch), which hides tile seams
};

struct SlidingWindowOptions {
  std::array<std::size_t, 3> patchXyz{32, 32, 32};
  double overlap = 0.5; ///< fraction of the patch shared by neighbouring tiles, in [0, 1)
  BlendMode blend = BlendMode::Gaussian;
  float padValue = 0.0f; ///< fills patches that stick out of a grid smaller than the patch
  ProgressCallback progress; ///< (tiles done, tiles total); false cancels
};

/// Start offsets along one axis: first at 0, last at n - p, evenly spaced with a step of at most
/// p * (1 - overlap); a single 0 when n <= p (the patch is then padded).
std::vector<std::size_t> tileStarts(std::size_t n, std::size_t p, double overlap);

/// Runs `runner` on every tile of `input` as a (1, C, pz, py, px) tensor and blends the
/// (1, C', pz, py, px) outputs into a grid the size of `input`. Throws std::runtime_error when the
/// model's output is not patch-shaped, InferenceCancelled when the progress callback says stop.
FloatGrid slidingWindowInference(const FloatGrid& input, const ModelRunner& runner,
                                 const SlidingWindowOptions& options);

} // namespace lightbox
