// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/VolumePipeline.h"
#include "app/viewer/VtkViewport.h"

#include <QPoint>

#include <memory>
#include <vector>

namespace lightbox {

class ViewerDocument;

/// The 3D view of a document: volume rendering with presets, the crosshair in 3D.
/// Left drag rotates, wheel zooms, 1-4 choose bone / soft tissue / lung / MIP, Home resets.
class VolumeViewport : public VtkViewport {
  Q_OBJECT
public:
  explicit VolumeViewport(ViewerDocument* document, QWidget* parent = nullptr);
  ~VolumeViewport() override;

  VolumePipeline& pipeline() { return *pipeline_; }
  void setPreset(VolumePreset preset);
  /// The volume drawn in the last frame (null before the first).
  const Volume* shownVolume() const { return shownVolume_; }
  /// 3D frames rendered in full quality and shown so far.
  std::uint64_t framesRendered() const { return framesPainted(); }
  /// True while a 3D frame that was asked for is still being rendered (never: it renders on the
  /// GUI thread, inside the paint).
  bool rendering() const { return false; }
  /// The preset of the frame on screen.
  VolumePreset shownPreset() const { return pipeline_->preset(); }

signals:
  void maximizeRequested(QWidget* view);

protected:
  bool prepareFrame(int width, int height) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;

private:
  /// The segments as the 3D view draws them (colour, visibility).
  std::vector<SegmentSurfaceStyle> segmentStyles() const;
  /// Asks for a frame when the surfaces would change: another label map revision, colour or
  /// visibility (a rename or an opacity drag costs no 3D frame).
  void segmentsChanged();

  ViewerDocument* document_;
  std::unique_ptr<VolumePipeline> pipeline_;
  bool hasVolume_ = false;
  const Volume* shownVolume_ = nullptr;
  QPointF last_;
  std::vector<SegmentSurfaceStyle> shownStyles_; ///< handed to the pipeline at the last frame
  std::uint64_t shownRevision_ = 0;
};

} // namespace lightbox
