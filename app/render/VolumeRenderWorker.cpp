// SPDX-License-Identifier: Apache-2.0
#include "app/render/VolumeRenderWorker.h"

#include "app/render/OffscreenPng.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkTimerLog.h>
#include <vtkUnsignedCharArray.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace lightbox {

bool VolumeScene::operator==(const VolumeScene& o) const {
  return volume == o.volume && preset == o.preset && window == o.window && crosshair == o.crosshair &&
         crosshairVisible == o.crosshairVisible && camera == o.camera && labels == o.labels &&
         labelsRevision == o.labelsRevision && segments == o.segments && width == o.width && height == o.height;
}

namespace {

/// The coarse frame's pixels: at most this many on its longer side (a sixteenth of a quadrant of
/// a 1600x1000 window), so it comes in a fraction of the full frame's time.
constexpr int kCoarseMaxSide = 256;

/// The render thread's nice value: under contention it gets about a third of what a thread at
/// nice 0 gets (CFS weights 335 vs 1024).
constexpr int kNice = 5;

struct Job {
  VolumeScene scene;
  std::uint64_t generation = 0;
  bool sync = false; ///< renderNow: the full frame only, a waiter wants it
};

} // namespace

struct VolumeRenderWorker::Impl {
  FrameCallback onFrame;
  std::mutex mutex;
  std::condition_variable wake;     ///< the thread: a job or stop
  std::condition_variable finished; ///< renderNow: a full frame was delivered
  std::optional<Job> pending;
  std::uint64_t generation = 0;
  std::optional<VolumeFrame> lastFull; ///< for renderNow's waiter
  bool stop = false;
  std::thread thread;

  bool hasPending() {
    std::lock_guard<std::mutex> lock(mutex);
    return pending.has_value();
  }

  void run() {
    // A lower priority before any GL object exists (Mesa's rasterizer threads, created with this
    // thread's first context, inherit it): the GUI thread and its rasterizer win the CPU whenever
    // they want it. Nice, not SCHED_IDLE: an idle-class thread gets nothing at all while anything
    // else runs (a build, a detection), and the 3D view would never come.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), kNice);
    std::unique_ptr<OffscreenDisplay> x;
    std::string error;
    try {
      x = std::make_unique<OffscreenDisplay>();
    } catch (const std::exception& e) {
      error = e.what();
    }
    vtkNew<vtkRenderWindow> window;
    if (x) x->attach(window);
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    VolumePipeline pipeline;
    pipeline.setCornerTextVisible(false); // text is drawn on the GUI thread (FreeType is not shared)
    pipeline.attach(window);
    std::optional<VolumeScene> applied; // what the pipeline holds now
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stop || pending; });
        if (stop) break;
        job = std::move(*pending);
        pending.reset();
      }
      if (!error.empty()) {
        VolumeFrame failed;
        failed.generation = job.generation;
        failed.scene = job.scene;
        failed.error = error;
        deliver(std::move(failed));
        continue;
      }
      try {
        apply(pipeline, applied, job.scene);
        const int w = job.scene.width, h = job.scene.height;
        const int k = (std::max(w, h) + kCoarseMaxSide - 1) / kCoarseMaxSide;
        bool superseded = false;
        if (k > 1 && !job.sync) {
          deliver(render(window, pipeline, job, std::max(1, w / k), std::max(1, h / k), true));
          superseded = hasPending();
        }
        if (!superseded) deliver(render(window, pipeline, job, w, h, false));
      } catch (const std::exception& e) {
        VolumeFrame failed;
        failed.generation = job.generation;
        failed.scene = job.scene;
        failed.error = e.what();
        std::fprintf(stderr, "lightbox: 3D view: %s\n", e.what());
        deliver(std::move(failed));
      }
    }
    window->Finalize(); // releases the GL context on this thread, while the display is open
  }

  /// Hands the pipeline what differs from the scene it holds (the volume is resampled only when it
  /// is another one; transfer functions are rebuilt only when the preset or window changes).
  static void apply(VolumePipeline& pipeline, std::optional<VolumeScene>& applied, const VolumeScene& scene) {
    if (!applied || !(scene.window == applied->window)) pipeline.setWindow(scene.window);
    if (!applied || scene.preset != applied->preset) pipeline.setPreset(scene.preset);
    if (!applied || scene.volume != applied->volume) pipeline.setVolume(scene.volume);
    pipeline.setCrosshair(scene.crosshair);
    pipeline.setCrosshairVisible(scene.crosshairVisible);
    pipeline.setSegments(scene.labels, scene.labelsRevision, scene.segments);
    pipeline.setCamera(scene.camera);
    applied = scene;
  }

  VolumeFrame render(vtkRenderWindow* window, VolumePipeline& pipeline, const Job& job, int w, int h, bool coarse) {
    const auto start = std::chrono::steady_clock::now();
    window->SetSize(w, h);
    pipeline.update(w, h);
    window->Render();
    vtkNew<vtkUnsignedCharArray> pixels;
    window->GetPixelData(0, 0, w - 1, h - 1, 0, pixels, 0);
    VolumeFrame frame;
    frame.generation = job.generation;
    frame.coarse = coarse;
    frame.scene = job.scene;
    frame.width = w;
    frame.height = h;
    frame.rgb.resize(std::size_t(w) * std::size_t(h) * 3);
    if (pixels->GetNumberOfValues() >= vtkIdType(frame.rgb.size())) {
      std::memcpy(frame.rgb.data(), pixels->GetPointer(0), frame.rgb.size());
    }
    frame.surfaces = pipeline.segmentSurfaces();
    frame.renderMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    frame.finished = std::chrono::system_clock::now();
    return frame;
  }

  void deliver(VolumeFrame frame) {
    const bool full = !frame.coarse;
    if (full) {
      std::lock_guard<std::mutex> lock(mutex);
      lastFull = frame;
    }
    if (onFrame) onFrame(std::move(frame));
    if (full) finished.notify_all();
  }
};

VolumeRenderWorker::VolumeRenderWorker(FrameCallback onFrame) : impl_(std::make_unique<Impl>()) {
  // vtkTimerLog keeps its event log in static members that every VTK render writes (the CPU ticks,
  // a circular buffer and its index); with the slice views rendering on the GUI thread and this
  // worker on its own, both wrote them at once (ThreadSanitizer, vtkTimerLog::MarkEventInternal).
  // Nothing reads that log: it is off, once, before the first worker's thread starts.
  static std::once_flag loggingOff;
  std::call_once(loggingOff, [] { vtkTimerLog::LoggingOff(); });
  impl_->onFrame = std::move(onFrame);
  impl_->thread = std::thread([this] { impl_->run(); });
}

VolumeRenderWorker::~VolumeRenderWorker() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

std::uint64_t VolumeRenderWorker::request(VolumeScene scene) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::uint64_t generation = ++impl_->generation;
  impl_->pending = Job{std::move(scene), generation, false};
  impl_->wake.notify_all();
  return generation;
}

VolumeFrame VolumeRenderWorker::renderNow(VolumeScene scene) {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  const std::uint64_t generation = ++impl_->generation;
  impl_->pending = Job{std::move(scene), generation, true};
  impl_->wake.notify_all();
  impl_->finished.wait(lock, [&] { return impl_->lastFull && impl_->lastFull->generation >= generation; });
  return *impl_->lastFull;
}

} // namespace lightbox
