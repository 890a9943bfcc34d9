// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace lightbox {

/// A dense float32 tensor in row-major (C) order, as a model sees it. For images the shape is
/// (N, C, D, H, W) with D = z (slices), H = y (rows), W = x (columns): the memory of a volume
/// stored x-fastest is already in that order, so no transpose is ever needed.
struct Tensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;

  std::size_t numel() const {
    return std::accumulate(shape.begin(), shape.end(), std::size_t{1},
                           [](std::size_t a, std::int64_t b) { return a * std::size_t(b); });
  }
};

/// Returns false to stop a long computation; (done, total) in work units.
using ProgressCallback = std::function<bool(std::size_t done, std::size_t total)>;

struct InferenceCancelled : std::runtime_error {
  InferenceCancelled() : std::runtime_error("inference cancelled") {}
};

} // namespace lightbox
