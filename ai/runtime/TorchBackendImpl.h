// SPDX-License-Identifier: Apache-2.0
#pragma once
// Inside liblightbox_torch.so only: the implementations the backend's table points at.

#include "ai/runtime/TorchBackend.h"

namespace lightbox::torchimpl {

AiRuntimeInfo aiRuntimeInfo();
void setAiThreads(int threads);
std::unique_ptr<ModelRunner> loadTorchScriptModel(const std::string& path, int threads);
std::vector<Vec3> structurePoints(const NormalisedImage& structure, unsigned count, unsigned seed);
InstanceOptimisationResult optimiseField(const VolumeGeometry& grid, std::vector<float> field,
                                         const NormalisedImage& structure,
                                         const std::vector<InstanceLevelInput>& levels,
                                         const InstanceOptimisationOptions& options);

} // namespace lightbox::torchimpl
