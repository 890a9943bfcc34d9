// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/SlicePipeline.h"

#include <QOpenGLWidget>
#include <QPoint>

#include <memory>

class vtkGenericOpenGLRenderWindow;

namespace lightbox {

class ViewerDocument;

/// Hosts a SlicePipeline in a QOpenGLWidget (VTK's Qt module is Qt5-only in Debian, so the
/// hosting is ours). Mouse and keys become commands on the document.
class SliceViewport : public QOpenGLWidget {
  Q_OBJECT
public:
  SliceViewport(ViewerDocument* document, ViewPlane plane, QWidget* parent = nullptr);
  ~SliceViewport() override;

  ViewPlane plane() const { return plane_; }
  SlicePipeline& pipeline() { return *pipeline_; }

signals:
  /// Value under the cursor, for the status bar ("-850 HU at (x, y, z)").
  void probed(const QString& text);
  void maximizeRequested(SliceViewport* view);

protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;

private:
  void syncFromDocument();
  Vec3 lpsAt(const QPoint& p) const;

  ViewerDocument* document_;
  ViewPlane plane_;
  std::unique_ptr<SlicePipeline> pipeline_;
  vtkGenericOpenGLRenderWindow* window_ = nullptr; // owned through a vtkSmartPointer in the .cpp
  struct VtkHandles;
  std::unique_ptr<VtkHandles> vtk_;
  QPoint dragStart_;
  WindowLevel dragWindow_;
  double zoom_ = 1.0;
};

} // namespace lightbox
