// SPDX-License-Identifier: Apache-2.0
// Model inference with LibTorch, inside liblightbox_torch.so (loaded on first use: see
// TorchBackend.h). With registration/InstanceOptimisation.cpp, the only code that includes Torch.
#include "ai/runtime/TorchBackend.h"
#include "ai/runtime/TorchBackendImpl.h"

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace lightbox::torchimpl {

AiRuntimeInfo aiRuntimeInfo() {
  return {"LibTorch", TORCH_VERSION, at::get_num_threads()};
}

void setAiThreads(int threads) {
  at::set_num_threads(std::max(1, threads));
}

namespace {

/// 0 when OMP_NUM_THREADS is set (LibTorch follows it), else the CPUs of this process's affinity
/// mask (a container's or taskset's limit, not the host's).
int defaultAiThreads() {
  if (const char* omp = std::getenv("OMP_NUM_THREADS"); omp && *omp) return 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

class TorchModelRunner final : public ModelRunner {
public:
  TorchModelRunner(std::string path, torch::jit::Module module)
      : path_(std::move(path)), module_(std::move(module)) {}

  Tensor run(const Tensor& input) const override {
    if (input.data.size() != input.numel()) {
      throw std::runtime_error(path_ + ": input data size does not match its shape");
    }
    c10::InferenceMode guard;
    // Copied into a tensor Torch allocated itself (64-byte aligned, like Python's inputs) rather
    // than running on the vector's memory; the copy is about 2 MB per detector batch.
    at::Tensor x =
        torch::from_blob(const_cast<float*>(input.data.data()), input.shape, torch::kFloat32)
            .clone();
    at::Tensor y;
    try {
      y = module_.forward({x}).toTensor();
    } catch (const std::exception& e) {
      std::string what = e.what();
      what = what.substr(0, what.find('\n'));
      throw std::runtime_error(std::filesystem::path(path_).filename().string() +
                               ": the model rejected the input: " + what);
    }
    y = y.to(torch::kFloat32).contiguous();
    Tensor out;
    out.shape.assign(y.sizes().begin(), y.sizes().end());
    out.data.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
    return out;
  }

  std::string backend() const override { return "LibTorch " TORCH_VERSION; }
  std::string path() const override { return path_; }

private:
  std::string path_;
  mutable torch::jit::Module module_; // forward() is not const in the TorchScript API
};

} // namespace

std::unique_ptr<ModelRunner> loadTorchScriptModel(const std::string& path, int threads) {
  // 0: the CPUs this process may run on, set explicitly (LibTorch's own default ran the two-core
  // machine's batches of nodule patches 1.7 times slower than set_num_threads(2):
  // bench/detect_benchmark.sh), unless the user chose with OMP_NUM_THREADS. Set only when it
  // changes anything.
  const int wanted = threads > 0 ? threads : defaultAiThreads();
  if (wanted > 0 && at::get_num_threads() != wanted) setAiThreads(wanted);
  if (!std::filesystem::is_regular_file(path)) {
    throw std::runtime_error(path + ": model file not found");
  }
  try {
    torch::jit::Module module = torch::jit::load(path, torch::kCPU);
    module.eval();
    return std::make_unique<TorchModelRunner>(path, std::move(module));
  } catch (const c10::Error& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    throw std::runtime_error(path + ": not a loadable TorchScript model: " + what);
  }
}

} // namespace lightbox::torchimpl

extern "C" __attribute__((visibility("default"))) const lightbox::TorchBackend*
lightbox_torch_backend() {
  static const lightbox::TorchBackend backend = [] {
    lightbox::TorchBackend b;
    b.runtimeInfo = &lightbox::torchimpl::aiRuntimeInfo;
    b.setThreads = &lightbox::torchimpl::setAiThreads;
    b.loadModel = &lightbox::torchimpl::loadTorchScriptModel;
    b.structurePoints = &lightbox::torchimpl::structurePoints;
    b.optimiseField = &lightbox::torchimpl::optimiseField;
    return b;
  }();
  return &backend;
}
