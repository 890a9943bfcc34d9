// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/SliceCompositor.h"

#include <memory>
#include <string>
#include <vector>

class vtkRenderer;
class vtkRenderWindow;

namespace lightbox {

/// Transfer-function presets of the 3D view. The CT presets are in HU; MIP works for any modality.
enum class VolumePreset { Bone, SoftTissue, Lung, Mip };
VolumePreset parseVolumePreset(const std::string& name); ///< "bone" | "soft" | "lung" | "mip"; throws otherwise
const char* toString(VolumePreset preset);

/// One segment of a label map as the 3D view draws it.
struct SegmentSurfaceStyle {
  int label = 1;
  Rgba colour{255, 200, 0, 255};
  bool visible = true;
  bool operator==(const SegmentSurfaceStyle& o) const { return label == o.label && colour == o.colour && visible == o.visible; }
};

/// A segment surface as last built (tests, and a check that it lies where the segment is).
struct SegmentSurfaceInfo {
  int label = 0;
  std::size_t points = 0;
  Vec3 lpsMin{0, 0, 0}, lpsMax{0, 0, 0}; ///< bounds of its points, LPS
  std::uint64_t revision = 0;            ///< of the labels it was built from
  bool visible = false;                  ///< drawn in the last frame
};

/// Where the 3D view looks from (LPS millimetres, perspective): a value, so the view's state can be
/// handed to a renderer on another thread.
struct VolumeCamera {
  Vec3 position{0, -1000, 0};
  Vec3 focalPoint{0, 0, 0};
  Vec3 viewUp{0, 0, 1};
  double viewAngleDeg = 30.0;
  bool operator==(const VolumeCamera& o) const {
    return position == o.position && focalPoint == o.focalPoint && viewUp == o.viewUp && viewAngleDeg == o.viewAngleDeg;
  }
};

/// The anterior view of `volume`'s bounding box (patient's left on screen right, superior up),
/// as VolumePipeline::resetCamera gives it.
VolumeCamera anteriorCamera(const Volume& volume);
/// The camera turned about the view-up axis and the screen horizontal axis (degrees).
VolumeCamera rotateCamera(const VolumeCamera& camera, double azimuthDeg, double elevationDeg);
/// The camera zoomed by `factor` (> 1 closer).
VolumeCamera zoomCamera(const VolumeCamera& camera, double factor);

/// Owns the VTK objects of the 3D view: ray-cast volume rendering of an axis-aligned, size-bounded
/// copy of the volume (so it stays interactive on software OpenGL), the crosshair as three lines
/// in the planes' colours, and a camera that starts in the anterior view (patient's left on screen
/// right, superior up). Renders into any vtkRenderWindow; no Qt here.
class VolumePipeline {
public:
  VolumePipeline();
  ~VolumePipeline();
  VolumePipeline(const VolumePipeline&) = delete;
  VolumePipeline& operator=(const VolumePipeline&) = delete;

  /// Resamples `volume` to at most `maxSize` voxels per axis and resets the camera.
  void setVolume(std::shared_ptr<const Volume> volume, std::size_t maxSize = 256);
  void setPreset(VolumePreset preset);
  VolumePreset preset() const;
  /// Window used by the MIP preset (and for non-CT volumes).
  void setWindow(const WindowLevel& window);
  void setCrosshair(const Vec3& lps);
  void setCrosshairVisible(bool visible);
  /// Segments as smooth surfaces (coloured as the segment) in LPS with the volume. `labels` holds
  /// integer labels on its own grid and is edited in place between revisions: it is read only at
  /// the next update() and only when `revision` (or the volume) differs from what the surfaces were
  /// built from, so repainting never copies or scans it. Null: no segments.
  void setSegments(std::shared_ptr<const Volume> labels, std::uint64_t revision,
                   std::vector<SegmentSurfaceStyle> segments);
  /// The segments' surfaces built so far (hidden ones included, marked).
  std::vector<SegmentSurfaceInfo> segmentSurfaces() const;

  /// Anterior view of the whole volume.
  void resetCamera();
  /// Turns the camera about the view-up axis and the screen horizontal axis (degrees).
  void rotate(double azimuthDeg, double elevationDeg);
  void zoom(double factor);
  VolumeCamera camera() const;
  void setCamera(const VolumeCamera& camera);
  /// The "3D <preset>" corner text (on by default; off where the text is drawn elsewhere).
  void setCornerTextVisible(bool visible);

  void attach(vtkRenderWindow* window);
  vtkRenderer* renderer() const;
  /// Prepares the frame (corner text, segment surfaces when their labels changed) for a viewport
  /// of width x height pixels.
  void update(int width, int height);
  /// Projects an LPS point to screen pixels (x right, y down) for a width x height viewport.
  std::pair<double, double> lpsToScreen(const Vec3& lps, int width, int height) const;

  /// Renders offscreen at width x height and writes a PNG. Throws std::runtime_error on failure.
  void renderToPng(const std::string& path, int width, int height);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lightbox
