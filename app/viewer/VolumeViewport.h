// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/VolumePipeline.h"
#include "app/viewer/VtkViewport.h"

#include <QPoint>

#include <memory>

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
  ViewerDocument* document_;
  std::unique_ptr<VolumePipeline> pipeline_;
  bool hasVolume_ = false;
  const Volume* shownVolume_ = nullptr;
  QPointF last_;
};

} // namespace lightbox
