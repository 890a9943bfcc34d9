// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/VtkViewport.h"

#include "app/viewer/StudyBrowser.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QOpenGLContext>
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

VtkViewport* VtkViewport::inputView_ = nullptr;

struct VtkViewport::Vtk {
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
  vtkSmartPointer<vtkCallbackCommand> makeCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> isCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> frame = vtkSmartPointer<vtkCallbackCommand>::New();
};

VtkViewport::VtkViewport(QWidget* parent)
    : QOpenGLWidget(parent), vtk_(std::make_unique<Vtk>()), deferred_(new QTimer(this)) {
  setAcceptDrops(true);
  deferred_->setSingleShot(true);
  connect(deferred_, &QTimer::timeout, this, [this] {
    deferredSince_ = -1;
    update();
  });
  if (frameLog()) {
    connect(this, &QOpenGLWidget::frameSwapped, this, [this] {
      if (paintedDescription_.isEmpty()) return;
      const long long us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count();
      // compose_ms: from the end of this view's paint to the window's swap (Qt composing the window).
      const double composeMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - paintEnd_).count();
      frameLog()->write(QString("%1 %2 compose_ms=%3\n").arg(us).arg(paintedDescription_).arg(composeMs, 0, 'f', 1).toUtf8());
      paintedDescription_.clear();
    });
  }
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  window->SetReadyForRendering(false);
  window->SetFrameBlitModeToNoBlit();
  window->SetMultiSamples(0);
  // VTK asks to make its context current: use Qt's context directly, never QOpenGLWidget::makeCurrent()
  // (it rebinds the widget FBO behind VTK's state cache).
  vtk_->makeCurrent->SetClientData(this);
  vtk_->makeCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    auto* self = static_cast<VtkViewport*>(client);
    if (QOpenGLContext* ctx = self->context()) {
      ctx->makeCurrent(ctx->surface());
    }
  });
  window->AddObserver(vtkCommand::WindowMakeCurrentEvent, vtk_->makeCurrent);
  vtk_->isCurrent->SetClientData(this);
  vtk_->isCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void* callData) {
    auto* self = static_cast<VtkViewport*>(client);
    *static_cast<bool*>(callData) = self->context() && QOpenGLContext::currentContext() == self->context();
  });
  window->AddObserver(vtkCommand::WindowIsCurrentEvent, vtk_->isCurrent);
  vtk_->frame->SetClientData(this);
  // A render VTK starts by itself (outside paintGL) asks for a repaint. A render from paintGL also
  // fires this event: asking again there would paint forever (both cores busy while idle).
  vtk_->frame->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    auto* self = static_cast<VtkViewport*>(client);
    if (!self->painting_) {
      self->update();
    }
  });
  window->AddObserver(vtkCommand::WindowFrameEvent, vtk_->frame);
}

VtkViewport::~VtkViewport() {
  makeCurrent();
  vtk_->window->Finalize();
  doneCurrent();
}

vtkRenderWindow* VtkViewport::renderWindow() const { return vtk_->window; }

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
    return; // painted with the current state when shown
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
    // A view shown again (layout change, maximise) has not painted what changed while it was
    // hidden, and Qt composes its old framebuffer unless asked: paint the current state now.
    update();
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
    return QOpenGLWidget::event(e);
  }
  return QOpenGLWidget::event(e);
}

void VtkViewport::initializeGL() {
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  window->GetState()->Reset();
  window->SetOwnContext(0);
  window->SetReadyForRendering(true);
  window->OpenGLInitContext();
}

void VtkViewport::resizeGL(int w, int h) {
  if (frameLog()) {
    // Where the view is on screen, so a benchmark can point at it.
    const QPoint g = mapToGlobal(QPoint(0, 0));
    frameLog()->write(QString("%1 geometry %2 %3 %4 %5 %6\n")
                          .arg(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count())
                          .arg(objectName()).arg(g.x()).arg(g.y()).arg(width()).arg(height())
                          .toUtf8());
  }
  const double dpr = devicePixelRatioF();
  vtk_->window->SetSize(int(w * dpr), int(h * dpr));
}

void VtkViewport::paintGL() {
  const auto paintStart = std::chrono::steady_clock::now();
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  const int w = frameWidth(), h = frameHeight();
  window->SetSize(w, h);
  if (!prepareFrame(w, h)) {
    return;
  }
  const auto prepared = std::chrono::steady_clock::now();
  vtkOpenGLState* state = window->GetState();
  state->Reset();
  state->Push();
  painting_ = true;
  window->Render();
  painting_ = false;
  ++framesPainted_;
  state->PushFramebufferBindings();
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->PopFramebufferBindings();
  // Qt composites with alpha: make the frame opaque (the slice image carries no alpha of its own).
  state->vtkglColorMask(false, false, false, true);
  state->vtkglClearColor(0, 0, 0, 1);
  state->vtkglClear(GL_COLOR_BUFFER_BIT);
  state->vtkglColorMask(true, true, true, true);
  state->Pop();
  if (frameLog()) {
    // "<view> <position> <series>", then the milliseconds of this paint (blit included) and of its
    // CPU part (compositing the slice).
    paintEnd_ = std::chrono::steady_clock::now();
    paintedDescription_ = frameDescription() + QString(" paint_ms=%1 prepare_ms=%2").arg(
        std::chrono::duration<double, std::milli>(paintEnd_ - paintStart).count(), 0, 'f', 1).arg(
        std::chrono::duration<double, std::milli>(prepared - paintStart).count(), 0, 'f', 1);
  }
}

} // namespace lightbox
