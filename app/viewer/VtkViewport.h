// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QImage>
#include <QWidget>

#include <chrono>
#include <cstdint>
#include <memory>

class QTimer;
class vtkRenderWindow;

namespace lightbox {

/// Dynamic property of widgets that hand the keyboard to an image view when the pointer enters it
/// (the study list and its search field); every other focused widget keeps it.
constexpr const char* kYieldsFocusToImages = "lightboxYieldsFocusToImages";

/// With LIGHTBOX_FRAME_LOG set, appends "<epoch microseconds of `at`> <line>" to that file (a frame
/// log event that is not a frame shown, e.g. a 3D frame rendered off the GUI thread).
void logFrameEvent(const QString& line, std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

/// A widget hosting a vtkGenericOpenGLRenderWindow (VTK's Qt module is Qt5-only in Debian, so the
/// hosting is ours). The frame is drawn in a native child window with its own OpenGL context
/// (embedded by QWidget::createWindowContainer): VTK renders into its own framebuffer, which is
/// blitted to the window's back buffer and swapped. A QOpenGLWidget would make Qt compose the
/// whole main window through OpenGL on every frame, which on llvmpipe cost more than the slice
/// itself. The child window never takes the keyboard; its mouse, wheel, enter and drop events are
/// handed to this widget, so subclasses handle input as any widget does. Subclasses attach their
/// pipeline's renderer and prepare each frame.
///
/// Frames are scheduled so input never queues behind rendering: the view the reader is driving
/// (the one handling a key, wheel or mouse event, or its cine) repaints at once; the other views
/// repaint once its input pauses (coalesced to the latest state, at most `maxDeferMs` late). A
/// change that comes from elsewhere (menu, findings panel, opening a series) repaints every view at
/// once. With LIGHTBOX_FRAME_LOG set, each frame shown is appended to that file (benchmarks).
class VtkViewport : public QWidget {
  Q_OBJECT
public:
  explicit VtkViewport(QWidget* parent = nullptr);
  ~VtkViewport() override;

  vtkRenderWindow* renderWindow() const;
  /// Repaints this view at the next turn of the event loop (several calls make one frame).
  void update();
  /// Renders the current state and returns the frame (what the view shows).
  QImage grabFramebuffer();
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
  /// Called by grabFramebuffer before it renders: a view whose frames come from elsewhere makes
  /// the current one there and waits for it.
  virtual void prepareGrab() {}
  /// True when something changed since the last rendered frame (a frame is scheduled).
  bool frameDirty() const { return dirty_; }
  /// Framebuffer size in device pixels and the device position of a widget point.
  int frameWidth() const { return int(width() * devicePixelRatioF()); }
  int frameHeight() const { return int(height() * devicePixelRatioF()); }
  /// How long this view waits for another view's input to pause before it repaints.
  void setDeferral(int settleMs, int maxDeferMs);

  bool event(QEvent* e) override;
  /// A key the view does not use as an image key: the window's menu shortcut for it is
  /// triggered (every shortcut works wherever the pointer is), else the key goes to the parent.
  void keyPressEvent(QKeyEvent* e) override;
  /// Keys with Ctrl, Alt or Meta, and Shift with a letter, are shortcuts, never image keys.
  static bool isShortcutKey(const QKeyEvent* e);
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

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
  class Surface;
  friend class Surface;
  struct Vtk;
  /// Renders the frame into the current context's default framebuffer; false when nothing is
  /// loaded (the frame is then black).
  bool render();
  void initializeVtk();
  bool showLastFrame(); ///< shows VTK's last frame again if nothing changed since; else false
  void blitToWindow(int w, int h); ///< VTK's frame to the window's back buffer
  void frameShown(); ///< frame log: the frame rendered last is on screen
  std::unique_ptr<Vtk> vtk_;
  Surface* surface_ = nullptr;
  QWidget* container_ = nullptr;
  bool dirty_ = true;    ///< something changed since the last rendered frame
  QSize renderedSize_;   ///< size of the last rendered frame (empty when black)
  bool painting_ = false; ///< inside paintGL's Render(): its frame event must not schedule another
  std::uint64_t framesPainted_ = 0;
  QTimer* deferred_;
  qint64 deferredSince_ = -1; ///< ms timestamp of the oldest waiting request, -1 when none
  int settleMs_ = 150, maxDeferMs_ = 1500;
  QString paintedDescription_;
  std::chrono::steady_clock::time_point paintEnd_; ///< frame log: when the last paint ended
  static VtkViewport* inputView_;
};

/// The window as the reader sees it: `window.grab()` with every visible view's frame drawn in
/// (native child windows are not part of QWidget::grab).
QImage grabWindow(QWidget* window);

} // namespace lightbox
