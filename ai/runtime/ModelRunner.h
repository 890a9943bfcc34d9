// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/Tensor.h"

#include <memory>
#include <string>

namespace lightbox {

/// Runs one loaded model on one input tensor. Backend-neutral: no backend type appears here.
/// A runner is loaded once and may be used from any one thread at a time (the GUI runs it on a
/// worker thread, never on its own).
class ModelRunner {
public:
  virtual ~ModelRunner() = default;
  /// Forward pass without gradient tracking. Throws std::runtime_error naming the model when the
  /// backend rejects the input (wrong rank, channels, dtype).
  virtual Tensor run(const Tensor& input) const = 0;
  virtual std::string backend() const = 0;
  virtual std::string path() const = 0;
};

/// Loads a TorchScript file (CPU, eval mode, inference mode) and sets the intra-op thread count
/// (threads <= 0 keeps the current setting). Throws std::runtime_error naming the file and the
/// reason when it cannot be loaded.
std::unique_ptr<ModelRunner> loadTorchScriptModel(const std::string& path, int threads = 0);

} // namespace lightbox
