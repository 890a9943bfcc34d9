// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QOpenGLWidget>

#include <memory>

class vtkRenderWindow;

namespace lightbox {

/// A QOpenGLWidget hosting a vtkGenericOpenGLRenderWindow (VTK's Qt module is Qt5-only in Debian,
/// so the hosting is ours): VTK renders into its own framebuffer, which is blitted into the
/// widget's. Subclasses attach their pipeline's renderer and prepare each frame.
class VtkViewport : public QOpenGLWidget {
  Q_OBJECT
public:
  explicit VtkViewport(QWidget* parent = nullptr);
  ~VtkViewport() override;

  vtkRenderWindow* renderWindow() const;

protected:
  /// Called before every VTK render with the framebuffer size in device pixels; return false to
  /// leave the frame black (nothing loaded).
  virtual bool prepareFrame(int width, int height) = 0;
  /// Framebuffer size in device pixels and the device position of a widget point.
  int frameWidth() const { return int(width() * devicePixelRatioF()); }
  int frameHeight() const { return int(height() * devicePixelRatioF()); }

  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;

private:
  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
};

} // namespace lightbox
