// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QOpenGLWidget>

#include <chrono>
#include <cstdint>
#include <memory>

class QTimer;
class vtkRenderWindow;

namespace lightbox {

/// Dynamic property of widgets that hand the keyboard to an image view when the pointer enters it
/// (the study list and its search field); every other focused widget keeps it.
constexpr const char* kYieldsFocusToImages = "lightboxYieldsFocusToImages";

/// A QOpenGLWidget hosting a vtkGenericOpenGLRenderWindow (VTK's Qt module is Qt5-only in Debian,
/// so the hosting is ours): VTK renders into its own framebuffer, which is blitted into the
/// widget's. Subclasses attach their pipeline's renderer and prepare each frame.
///
/// Frames are scheduled so input never queues behind rendering: the view the reader is driving
/// (the one handling a key, wheel or mouse event, or its cine) repaints at once; the other views
/// repaint once its input pauses (coalesced to the latest state, at most `maxDeferMs` late). A
/// change that comes from elsewhere (menu, findings panel, opening a series) repaints every view at
/// once. With LIGHTBOX_FRAME_LOG set, each frame shown is appended to that file (benchmarks).
class VtkViewport : public QOpenGLWidget {
  Q_OBJECT
public:
  explicit VtkViewport(QWidget* parent = nullptr);
  ~VtkViewport() override;

  vtkRenderWindow* renderWindow() const;
  /// Asks for a frame after a document change, at once or deferred (see the class comment).
  void requestFrame();
  /// Frames painted so far (tests: idle means this stops growing).
  std::uint64_t framesPainted() const { return framesPainted_; }
  /// True while a frame request is waiting for the reader's input to pause.
  bool framePending() const;
  /// The view whose input is being handled right now, or null.
  static VtkViewport* inputView() { return inputView_; }

signals:
  /// A folder or file (and, from the study browser, a Series Instance UID) was dropped here.
  void seriesDropped(const QString& path, const QString& seriesUid);

protected:
  /// Called before every VTK render with the framebuffer size in device pixels; return false to
  /// leave the frame black (nothing loaded).
  virtual bool prepareFrame(int width, int height) = 0;
  /// One line describing what the frame shows (frame log).
  virtual QString frameDescription() const { return objectName(); }
  /// Framebuffer size in device pixels and the device position of a widget point.
  int frameWidth() const { return int(width() * devicePixelRatioF()); }
  int frameHeight() const { return int(height() * devicePixelRatioF()); }
  /// How long this view waits for another view's input to pause before it repaints.
  void setDeferral(int settleMs, int maxDeferMs);

  bool event(QEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;

  /// Marks this view as the one driving changes for the scope's lifetime (input events, cine).
  class InputScope {
  public:
    explicit InputScope(VtkViewport* view) : previous_(inputView_) { inputView_ = view; }
    ~InputScope() { inputView_ = previous_; }
    InputScope(const InputScope&) = delete;
    InputScope& operator=(const InputScope&) = delete;

  private:
    VtkViewport* previous_;
  };

private:
  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
  bool painting_ = false; ///< inside paintGL's Render(): its frame event must not schedule another
  std::uint64_t framesPainted_ = 0;
  QTimer* deferred_;
  qint64 deferredSince_ = -1; ///< ms timestamp of the oldest waiting request, -1 when none
  int settleMs_ = 150, maxDeferMs_ = 1500;
  QString paintedDescription_;
  std::chrono::steady_clock::time_point paintEnd_; ///< frame log: when the last paint ended
  static VtkViewport* inputView_;
};

} // namespace lightbox
