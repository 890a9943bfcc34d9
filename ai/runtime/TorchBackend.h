// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/registration/InstanceOptimisation.h"
#include "ai/runtime/AiRuntime.h"
#include "ai/runtime/ModelRunner.h"

#include <memory>
#include <string>
#include <vector>

namespace lightbox {

/// The LibTorch half of the AI module, built as its own shared library (liblightbox_torch.so) and
/// loaded on first use: LibTorch's start-up (~0.4 s of relocations and operator registration on
/// this machine) is paid by the first model run, not by every launch of the viewer. Everything
/// that touches Torch is behind these entry points; the rest of `ai/` calls the usual functions
/// (loadTorchScriptModel, optimiseField, aiRuntimeInfo ...), which forward here.
struct TorchBackend {
  static constexpr int kAbiVersion = 1;
  int abiVersion = kAbiVersion;
  AiRuntimeInfo (*runtimeInfo)() = nullptr;
  void (*setThreads)(int threads) = nullptr;
  std::unique_ptr<ModelRunner> (*loadModel)(const std::string& path, int threads) = nullptr;
  std::vector<Vec3> (*structurePoints)(const NormalisedImage& structure, unsigned count,
                                       unsigned seed) = nullptr;
  InstanceOptimisationResult (*optimiseField)(const VolumeGeometry& grid, std::vector<float> field,
                                              const NormalisedImage& structure,
                                              const std::vector<InstanceLevelInput>& levels,
                                              const InstanceOptimisationOptions& options) = nullptr;
};

/// The loaded backend (loaded once, thread-safe). Looked for in LIGHTBOX_TORCH_BACKEND (a file),
/// beside the running executable, then where the build put it. Throws std::runtime_error naming
/// the files tried and the loader's reason when none loads.
const TorchBackend& torchBackend();

/// Starts loading the backend on a background thread (the viewer calls it once its first images
/// are up, so the first AI action does not wait); returns at once. Harmless when already loaded.
void preloadTorchBackend();

} // namespace lightbox

/// The one symbol the shared library exports (C linkage: looked up by name).
extern "C" const lightbox::TorchBackend* lightbox_torch_backend();
