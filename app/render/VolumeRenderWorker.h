// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/VolumePipeline.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lightbox {

/// Everything a 3D frame shows, as a value: the view's state handed to the render thread.
struct VolumeScene {
  std::shared_ptr<const Volume> volume;
  VolumePreset preset = VolumePreset::Bone;
  WindowLevel window;
  Vec3 crosshair{0, 0, 0};
  bool crosshairVisible = true;
  VolumeCamera camera;
  /// Segments: a label map nobody writes to any more (the render thread reads it), its revision
  /// and how each segment is drawn. Null: none.
  std::shared_ptr<const Volume> labels;
  std::uint64_t labelsRevision = 0;
  std::vector<SegmentSurfaceStyle> segments;
  int width = 0, height = 0; ///< of the full frame, pixels
  bool operator==(const VolumeScene& o) const;
};

/// One frame from the render thread. A coarse frame (fewer pixels, drawn scaled up) comes first,
/// the full one after it unless a newer scene was asked for meanwhile.
struct VolumeFrame {
  std::uint64_t generation = 0; ///< of the request it answers (larger: newer)
  bool coarse = false;
  VolumeScene scene;
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb; ///< width x height RGB, rows bottom-up (as OpenGL reads them)
  std::vector<SegmentSurfaceInfo> surfaces; ///< the pipeline's segment surfaces after this frame
  double renderMs = 0.0;
  std::chrono::system_clock::time_point finished; ///< when the render ended
  std::string error; ///< non-empty: nothing was rendered, and why
};

/// Renders 3D frames off the GUI thread. Its thread owns an offscreen VTK window on its own X
/// connection (so its own GL context and its own llvmpipe rasterizer: a frame of seconds never
/// holds up the slice views' rendering) and its own VolumePipeline with its own resampled copy of
/// the volume. It runs at a lower CPU priority (nice 5, inherited by the rasterizer's threads), so
/// the slice views win the CPU when they want it. Only the newest request is rendered; older ones that
/// have not started are dropped, and a full frame is skipped when a newer request came during its
/// coarse frame. Frames are handed to `onFrame` on the render thread.
class VolumeRenderWorker {
public:
  using FrameCallback = std::function<void(VolumeFrame)>;
  explicit VolumeRenderWorker(FrameCallback onFrame);
  /// Waits for the frame in progress to end (a ray cast cannot be interrupted).
  ~VolumeRenderWorker();
  VolumeRenderWorker(const VolumeRenderWorker&) = delete;
  VolumeRenderWorker& operator=(const VolumeRenderWorker&) = delete;

  /// Asks for a frame of `scene` (coarse, then full); returns its generation.
  std::uint64_t request(VolumeScene scene);
  /// Renders `scene` in full and waits for it (screenshots, tests). The frame is also handed to
  /// the callback.
  VolumeFrame renderNow(VolumeScene scene);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lightbox
