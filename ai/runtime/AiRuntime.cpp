// SPDX-License-Identifier: Apache-2.0
// The only translation unit of lightbox_ai that includes Torch headers so far.
#include "ai/runtime/AiRuntime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>

namespace lightbox {

AiRuntimeInfo aiRuntimeInfo() {
  return {"LibTorch", TORCH_VERSION, at::get_num_threads()};
}

void setAiThreads(int threads) { at::set_num_threads(std::max(1, threads)); }

} // namespace lightbox
