// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/VtkViewport.h"

#include "app/viewer/StudyBrowser.h"

#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QMenu>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QUrl>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QPainter>
#include <QResizeEvent>
#include <QSurfaceFormat>
#include <QWindow>
#include <QTimer>

#include <vtkCallbackCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLState.h>
#include <vtkSmartPointer.h>

#include <algorithm>
#include <chrono>

namespace lightbox {
namespace {

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

/// LIGHTBOX_FRAME_LOG: one line per frame shown, "<epoch microseconds> <description>".
QFile* frameLog() {
  static QFile* log = [] {
    const QByteArray path = qgetenv("LIGHTBOX_FRAME_LOG");
    if (path.isEmpty()) return static_cast<QFile*>(nullptr);
    auto* f = new QFile(QString::fromLocal8Bit(path));
    return f->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered) ? f : nullptr;
  }();
  return log;
}

bool isInput(QEvent::Type t) {
  switch (t) {
  case QEvent::KeyPress:
  case QEvent::KeyRelease:
  case QEvent::MouseButtonPress:
  case QEvent::MouseButtonRelease:
  case QEvent::MouseButtonDblClick:
  case QEvent::MouseMove:
  case QEvent::Wheel: return true;
  default: return false;
  }
}

} // namespace

void logFrameEvent(const QString& line, std::chrono::system_clock::time_point at) {
  if (!frameLog()) return;
  const long long us = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  frameLog()->write(QString("%1 %2\n").arg(us).arg(line).toUtf8());
}

VtkViewport* VtkViewport::inputView_ = nullptr;

struct VtkViewport::Vtk {
  vtkNew<vtkGenericOpenGLRenderWindow> window;
  vtkSmartPointer<vtkCallbackCommand> makeCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> isCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> frame = vtkSmartPointer<vtkCallbackCommand>::New();
};

/// The native window the frame is drawn in, with its own context. It never takes the keyboard
/// (keys go to the focused widget, and the window's shortcuts keep working); pointer, wheel, enter,
/// leave and drop events go to the VtkViewport, whose geometry it shares.
class VtkViewport::Surface : public QWindow {
public:
  explicit Surface(VtkViewport* owner) : owner_(owner) {
    setSurfaceType(QSurface::OpenGLSurface);
    QSurfaceFormat format = QSurfaceFormat::defaultFormat();
    format.setAlphaBufferSize(0); // an opaque window: nothing composes it with alpha
    // Not forward compatible: VTK draws 2-pixel lines (measurements, crosshair) with glLineWidth,
    // which a forward-compatible core context refuses (lines would be 1 pixel).
    format.setOption(QSurfaceFormat::DeprecatedFunctions);
    setFormat(format);
    setFlag(Qt::WindowDoesNotAcceptFocus);
  }

  QOpenGLContext* context() const { return context_; }

  /// One frame at the next turn of the event loop, however many changes come before it.
  void scheduleFrame() {
    if (pending_) return;
    pending_ = true;
    QCoreApplication::postEvent(this, new QEvent(QEvent::UpdateRequest));
  }

  /// Makes the context current on this window, creating both when needed; false if OpenGL fails.
  bool makeCurrent() {
    if (!handle()) create();
    if (!context_) {
      context_ = new QOpenGLContext(this);
      context_->setFormat(requestedFormat());
      if (!context_->create()) {
        delete context_;
        context_ = nullptr;
        return false;
      }
      fresh_ = true;
    }
    if (!context_->makeCurrent(this)) return false;
    if (fresh_) {
      fresh_ = false;
      owner_->initializeVtk();
    }
    return true;
  }

  /// Renders (or, when nothing changed, shows the last frame again) and, when the window is on
  /// screen, shows the frame.
  void paint() {
    pending_ = false;
    if (!isExposed() || !makeCurrent()) return;
    if (!owner_->showLastFrame()) owner_->render();
    context_->swapBuffers(this);
    owner_->frameShown();
  }

protected:
  void exposeEvent(QExposeEvent*) override {
    // Mapping, resizing and showing each expose the window: one frame answers them all.
    if (isExposed()) scheduleFrame();
  }

  bool event(QEvent* e) override {
    switch (e->type()) {
    case QEvent::UpdateRequest:
      paint();
      return true;
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
      // A native window gets the second press of a double click as well as the double click;
      // widgets never see that press (Qt drops it for them): drop it here too.
      if (e->type() == QEvent::MouseButtonPress &&
          (static_cast<QMouseEvent*>(e)->flags() & Qt::MouseEventCreatedDoubleClick)) {
        return true;
      }
      // A click activates the main window (without a window manager nothing else does, and the
      // window's shortcuts need it active), and gives click focus as a widget gets it (a
      // forwarded event is not spontaneous, so Qt gives none).
      if (!owner_->window()->isActiveWindow()) owner_->window()->activateWindow();
      if ((owner_->focusPolicy() & Qt::ClickFocus) && !owner_->hasFocus()) {
        owner_->setFocus(Qt::MouseFocusReason);
      }
      [[fallthrough]];
    case QEvent::MouseButtonRelease:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::Enter:
    case QEvent::Leave:
    case QEvent::DragEnter:
    case QEvent::DragMove:
    case QEvent::DragLeave:
    case QEvent::Drop:
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
      // Keys reach this window only when X delivers them to the window under the pointer: they
      // belong to whichever widget has the keyboard.
      const bool key = e->type() == QEvent::KeyPress || e->type() == QEvent::KeyRelease;
      QWidget* target = key && QApplication::focusWidget() ? QApplication::focusWidget() : owner_;
      QCoreApplication::sendEvent(target, e);
      return true;
    }
    default: return QWindow::event(e);
    }
  }

private:
  VtkViewport* owner_;
  QOpenGLContext* context_ = nullptr;
  bool pending_ = false;
  bool fresh_ = false;
};

VtkViewport::VtkViewport(QWidget* parent)
    : QWidget(parent), vtk_(std::make_unique<Vtk>()), deferred_(new QTimer(this)) {
  setAcceptDrops(true);
  surface_ = new Surface(this);
  container_ = QWidget::createWindowContainer(surface_, this);
  container_->setFocusPolicy(Qt::NoFocus);
  // Events Qt itself routes to this area (tests' synthetic events) come to this widget.
  container_->setAttribute(Qt::WA_TransparentForMouseEvents);
  deferred_->setSingleShot(true);
  connect(deferred_, &QTimer::timeout, this, [this] {
    deferredSince_ = -1;
    update();
  });
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  window->SetReadyForRendering(false);
  window->SetFrameBlitModeToNoBlit();
  window->SetMultiSamples(0);
  // VTK asks to make its context current: make the context current on the surface directly; never
  // through a Qt helper that rebinds framebuffers behind VTK's state cache.
  vtk_->makeCurrent->SetClientData(this);
  vtk_->makeCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    auto* self = static_cast<VtkViewport*>(client);
    if (QOpenGLContext* ctx = self->surface_->context()) {
      ctx->makeCurrent(self->surface_);
    }
  });
  window->AddObserver(vtkCommand::WindowMakeCurrentEvent, vtk_->makeCurrent);
  vtk_->isCurrent->SetClientData(this);
  vtk_->isCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void* callData) {
    auto* self = static_cast<VtkViewport*>(client);
    QOpenGLContext* ctx = self->surface_->context();
    *static_cast<bool*>(callData) = ctx && QOpenGLContext::currentContext() == ctx;
  });
  window->AddObserver(vtkCommand::WindowIsCurrentEvent, vtk_->isCurrent);
  vtk_->frame->SetClientData(this);
  // A render VTK starts by itself (outside our frame) asks for a frame. A render from our frame
  // also fires this event: asking again there would paint forever (both cores busy while idle).
  vtk_->frame->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    auto* self = static_cast<VtkViewport*>(client);
    if (!self->painting_) {
      self->update();
    }
  });
  window->AddObserver(vtkCommand::WindowFrameEvent, vtk_->frame);
}

VtkViewport::~VtkViewport() {
  if (surface_->context() && surface_->makeCurrent()) {
    vtk_->window->Finalize();
    surface_->context()->doneCurrent();
  }
}

vtkRenderWindow* VtkViewport::renderWindow() const { return vtk_->window; }

void VtkViewport::update() {
  dirty_ = true;
  surface_->scheduleFrame();
}

void VtkViewport::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void VtkViewport::dropEvent(QDropEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  e->acceptProposedAction();
  emit seriesDropped(urls.front().toLocalFile(), QString::fromUtf8(e->mimeData()->data(kSeriesMimeType)));
}

void VtkViewport::setDeferral(int settleMs, int maxDeferMs) {
  settleMs_ = settleMs;
  maxDeferMs_ = maxDeferMs;
}

bool VtkViewport::framePending() const { return deferred_->isActive(); }

void VtkViewport::requestFrame() {
  if (!isVisible()) {
    dirty_ = true; // rendered with the current state when shown
    return;
  }
  if (inputView_ == nullptr || inputView_ == this) {
    deferred_->stop();
    deferredSince_ = -1;
    update();
    return;
  }
  // Another view is being driven: wait until its input pauses, but not forever (cine).
  const qint64 now = nowMs();
  if (deferredSince_ < 0) {
    deferredSince_ = now;
  }
  const qint64 waited = now - deferredSince_;
  deferred_->start(int(std::max<qint64>(0, std::min<qint64>(settleMs_, maxDeferMs_ - waited))));
}

bool VtkViewport::event(QEvent* e) {
  if (e->type() == QEvent::Show) {
    // A view shown again (layout change, maximise): a frame now, rendered if anything changed
    // while it was hidden.
    surface_->scheduleFrame();
  }
  if (e->type() == QEvent::CursorChange) {
    surface_->setCursor(cursor()); // the native window shows its own cursor
  }
  if (e->type() == QEvent::Enter) {
    // Image keys work whenever the pointer is over the image area: it takes the keyboard from
    // another view or from the study list and its search field (which get it back when clicked),
    // never from an editor the reader is typing in (a note, the age, a reject reason).
    QWidget* focused = QApplication::focusWidget();
    const bool yields = !focused || qobject_cast<VtkViewport*>(focused) ||
                        focused->property(kYieldsFocusToImages).toBool();
    if (QApplication::activeModalWidget() == nullptr && focused != this && yields) {
      setFocus(Qt::MouseFocusReason);
    }
  }
  if (isInput(e->type())) {
    InputScope scope(this);
    return QWidget::event(e);
  }
  return QWidget::event(e);
}

bool VtkViewport::isShortcutKey(const QKeyEvent* e) {
  const Qt::KeyboardModifiers m = e->modifiers() & ~Qt::KeypadModifier;
  if (m & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) return true;
  return (m & Qt::ShiftModifier) && e->key() >= Qt::Key_A && e->key() <= Qt::Key_Z;
}

void VtkViewport::keyPressEvent(QKeyEvent* e) {
  // Qt's shortcut map answers a key before it reaches a widget; a key from the native VTK window
  // can miss it (that window, not the main one, has X's keyboard focus), so the view looks the
  // key up in its window's actions itself.
  const QKeySequence pressed(e->keyCombination());
  for (QAction* a : window()->findChildren<QAction*>()) {
    // As Qt's map would: enabled window-wide shortcuts shown in this window (a dialog's are its own).
    if (!a->isEnabled() || a->shortcutContext() == Qt::WidgetShortcut ||
        a->shortcutContext() == Qt::WidgetWithChildrenShortcut) {
      continue;
    }
    const QList<QObject*> shownIn = a->associatedObjects();
    const bool inThisWindow = std::any_of(shownIn.begin(), shownIn.end(), [this](QObject* o) {
      auto* w = qobject_cast<QWidget*>(o);
      // A menu is a popup window of its own: its window is where its menu bar (or parent menu) is.
      while (qobject_cast<QMenu*>(w) && w->parentWidget()) w = w->parentWidget();
      return w && w->window() == window();
    });
    if (!inThisWindow) continue;
    for (const QKeySequence& k : a->shortcuts()) {
      if (k.matches(pressed) == QKeySequence::ExactMatch) {
        e->accept();
        a->trigger();
        return;
      }
    }
  }
  QWidget::keyPressEvent(e);
}

void VtkViewport::initializeVtk() {
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  window->GetState()->Reset();
  window->SetOwnContext(0);
  window->SetReadyForRendering(true);
  window->OpenGLInitContext();
}

void VtkViewport::resizeEvent(QResizeEvent* e) {
  container_->setGeometry(rect());
  if (frameLog()) {
    // Where the view is on screen, so a benchmark can point at it.
    const QPoint g = mapToGlobal(QPoint(0, 0));
    frameLog()->write(QString("%1 geometry %2 %3 %4 %5 %6\n")
                          .arg(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count())
                          .arg(objectName()).arg(g.x()).arg(g.y()).arg(width()).arg(height())
                          .toUtf8());
  }
  QWidget::resizeEvent(e);
  surface_->scheduleFrame(); // rendered: the size differs from the last frame's

}

bool VtkViewport::render() {
  const auto paintStart = std::chrono::steady_clock::now();
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  const int w = frameWidth(), h = frameHeight();
  window->SetSize(w, h);
  vtkOpenGLState* state = window->GetState();
  state->Reset();
  state->Push();
  dirty_ = false; // before preparing: a change requested meanwhile asks for another frame
  const bool ready = w > 0 && h > 0 && prepareFrame(w, h);
  const auto prepared = std::chrono::steady_clock::now();
  if (ready) {
    painting_ = true;
    window->Render();
    painting_ = false;
    ++framesPainted_;
    renderedSize_ = QSize(w, h);
    blitToWindow(w, h);
  } else {
    renderedSize_ = QSize();
    state->PushFramebufferBindings();
    state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    state->vtkglClearColor(0, 0, 0, 1);
    state->vtkglClear(GL_COLOR_BUFFER_BIT);
    state->PopFramebufferBindings();
  }
  state->Pop();
  if (frameLog() && ready) {
    // "<view> <position> <series>", then the milliseconds of this paint (blit included) and of its
    // CPU part (compositing the slice).
    paintEnd_ = std::chrono::steady_clock::now();
    paintedDescription_ = frameDescription() + QString(" paint_ms=%1 prepare_ms=%2").arg(
        std::chrono::duration<double, std::milli>(paintEnd_ - paintStart).count(), 0, 'f', 1).arg(
        std::chrono::duration<double, std::milli>(prepared - paintStart).count(), 0, 'f', 1);
  }
  return ready;
}

void VtkViewport::blitToWindow(int w, int h) {
  vtkOpenGLState* state = vtk_->window->GetState();
  state->PushFramebufferBindings();
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
  vtk_->window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->PopFramebufferBindings();
}

bool VtkViewport::showLastFrame() {
  // The window was mapped again or exposed (layout change, another window moved away): a native
  // window keeps no pixels of its own, but VTK's framebuffer still holds the last frame. Rendering
  // again would cost the 3D view about a second on llvmpipe.
  const int w = frameWidth(), h = frameHeight();
  if (dirty_ || renderedSize_ != QSize(w, h)) return false;
  vtkOpenGLState* state = vtk_->window->GetState();
  state->Reset();
  state->Push();
  blitToWindow(w, h);
  state->Pop();
  return true;
}

void VtkViewport::frameShown() {
  if (!frameLog() || paintedDescription_.isEmpty()) return;
  const long long us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  // compose_ms: from the end of this view's paint to the frame on screen (the swap).
  const double composeMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - paintEnd_).count();
  frameLog()->write(QString("%1 %2 compose_ms=%3\n").arg(us).arg(paintedDescription_).arg(composeMs, 0, 'f', 1).toUtf8());
  paintedDescription_.clear();
}

QImage VtkViewport::grabFramebuffer() {
  prepareGrab();
  const int w = frameWidth(), h = frameHeight();
  if (w <= 0 || h <= 0 || !surface_->makeCurrent()) return {};
  render();
  QImage image(w, h, QImage::Format_RGBA8888);
  vtkOpenGLState* state = vtk_->window->GetState();
  state->PushReadFramebufferBinding();
  state->vtkglBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  QOpenGLExtraFunctions* gl = surface_->context()->extraFunctions();
  gl->glReadBuffer(GL_BACK);
  state->vtkglPixelStorei(GL_PACK_ALIGNMENT, 1);
  gl->glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, image.bits());
  state->PopReadFramebufferBinding();
  if (surface_->isExposed()) {
    surface_->context()->swapBuffers(surface_); // and show it
    frameShown();
  }
  image = image.mirrored().convertToFormat(QImage::Format_RGB32);
  image.setDevicePixelRatio(devicePixelRatioF());
  return image;
}

QImage grabWindow(QWidget* window) {
  QImage image = window->grab().toImage();
  QPainter painter(&image);
  for (VtkViewport* view : window->findChildren<VtkViewport*>()) {
    if (!view->isVisible()) continue;
    painter.drawImage(QRect(view->mapTo(window, QPoint(0, 0)), view->size()), view->grabFramebuffer());
  }
  return image;
}

} // namespace lightbox
