// SPDX-License-Identifier: Apache-2.0
// Finds and loads liblightbox_torch.so (see TorchBackend.h) and forwards the AI runtime's public
// functions to it. No Torch header is included here.
#include "ai/runtime/TorchBackend.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace lightbox {
namespace {

constexpr const char* kLibraryName = "liblightbox_torch.so";

std::string executableFolder() {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0)
    return {};
  const std::string path(self, std::size_t(n));
  return path.substr(0, path.rfind('/') + 1);
}

const TorchBackend* load(std::string& failure) {
  std::vector<std::string> candidates;
  if (const char* forced = std::getenv("LIGHTBOX_TORCH_BACKEND"); forced && *forced) {
    candidates.push_back(forced); // when set, the only place looked at
  } else {
    if (const std::string folder = executableFolder(); !folder.empty())
      candidates.push_back(folder + kLibraryName);
#ifdef LIGHTBOX_TORCH_BACKEND_BUILD_PATH
    candidates.push_back(LIGHTBOX_TORCH_BACKEND_BUILD_PATH);
#endif
  }
  for (const std::string& path : candidates) {
    // RTLD_LOCAL: LibTorch's symbols stay inside; the library is never unloaded (its runners
    // and their vtables live there).
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
      const char* error = ::dlerror(); // read once: reading clears it
      const std::string why = error ? error : "";
      // dlerror() usually starts with the path already
      failure +=
          "\n  " +
          (why.rfind(path, 0) == 0 ? why : path + ": " + (why.empty() ? "cannot be loaded" : why));
      continue;
    }
    using Entry = const TorchBackend* (*)();
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "lightbox_torch_backend"));
    const TorchBackend* backend = entry ? entry() : nullptr;
    if (!backend || backend->abiVersion != TorchBackend::kAbiVersion) {
      failure += "\n  " + path + ": not a Lightbox Torch backend of this version";
      continue;
    }
    return backend;
  }
  return nullptr;
}

struct Loaded {
  std::once_flag once;
  const TorchBackend* backend = nullptr;
  std::string failure;
};

Loaded& loaded() {
  static Loaded state;
  return state;
}

/// The background preload, joined at exit so the process never ends in the middle of a dlopen.
struct Preloader {
  std::mutex mutex;
  std::thread thread;
  ~Preloader() {
    if (thread.joinable())
      thread.join();
  }
};

Preloader& preloader() {
  static Preloader state;
  return state;
}

} // namespace

const TorchBackend& torchBackend() {
  Loaded& state = loaded();
  std::call_once(state.once, [&state] { state.backend = load(state.failure); });
  if (!state.backend) {
    throw std::runtime_error("the AI runtime (LibTorch) could not be loaded:" + state.failure);
  }
  return *state.backend;
}

void preloadTorchBackend() {
  Loaded& state = loaded(); // constructed before the preloader: destroyed after its join
  (void)state;
  Preloader& p = preloader();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.thread.joinable())
    return;
  p.thread = std::thread([] {
    try {
      torchBackend();
    } catch (const std::exception&) {
      // said again, with the reason, by the first AI action that needs the backend
    }
  });
}

AiRuntimeInfo aiRuntimeInfo() {
  return torchBackend().runtimeInfo();
}

void setAiThreads(int threads) {
  torchBackend().setThreads(threads);
}

std::unique_ptr<ModelRunner> loadTorchScriptModel(const std::string& path, int threads) {
  return torchBackend().loadModel(path, threads);
}

std::vector<Vec3> structurePoints(const NormalisedImage& structure, unsigned count, unsigned seed) {
  return torchBackend().structurePoints(structure, count, seed);
}

InstanceOptimisationResult optimiseField(const VolumeGeometry& grid, std::vector<float> field,
                                         const NormalisedImage& structure,
                                         const std::vector<InstanceLevelInput>& levels,
                                         const InstanceOptimisationOptions& options) {
  return torchBackend().optimiseField(grid, std::move(field), structure, levels, options);
}

} // namespace lightbox
