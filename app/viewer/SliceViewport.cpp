// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/SliceViewport.h"

#include "app/viewer/ViewerDocument.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLState.h>
#include <vtkSmartPointer.h>

#include <cmath>

namespace lightbox {

struct SliceViewport::VtkHandles {
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
  vtkSmartPointer<vtkCallbackCommand> makeCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> isCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> frame = vtkSmartPointer<vtkCallbackCommand>::New();
};

SliceViewport::SliceViewport(ViewerDocument* document, ViewPlane plane, QWidget* parent)
    : QOpenGLWidget(parent), document_(document), plane_(plane), pipeline_(std::make_unique<SlicePipeline>()),
      vtk_(std::make_unique<VtkHandles>()) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  window_ = vtk_->window;
  window_->SetReadyForRendering(false);
  window_->SetFrameBlitModeToNoBlit();
  window_->SetMultiSamples(0);
  // VTK asks to make its context current: use Qt's context directly, never QOpenGLWidget::makeCurrent()
  // (it rebinds the widget FBO behind VTK's state cache).
  vtk_->makeCurrent->SetClientData(this);
  vtk_->makeCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    auto* self = static_cast<SliceViewport*>(client);
    if (QOpenGLContext* ctx = self->context()) {
      ctx->makeCurrent(ctx->surface());
    }
  });
  window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, vtk_->makeCurrent);
  vtk_->isCurrent->SetClientData(this);
  vtk_->isCurrent->SetCallback([](vtkObject*, unsigned long, void* client, void* callData) {
    auto* self = static_cast<SliceViewport*>(client);
    *static_cast<bool*>(callData) = self->context() && QOpenGLContext::currentContext() == self->context();
  });
  window_->AddObserver(vtkCommand::WindowIsCurrentEvent, vtk_->isCurrent);
  vtk_->frame->SetClientData(this);
  vtk_->frame->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    static_cast<SliceViewport*>(client)->update();
  });
  window_->AddObserver(vtkCommand::WindowFrameEvent, vtk_->frame);
  pipeline_->attach(window_);

  connect(document_, &ViewerDocument::volumeChanged, this, [this] {
    pipeline_->setVolume(document_->volume(), document_->patientText().toStdString(),
                         document_->seriesText().toStdString());
    zoom_ = 1.0;
    update();
  });
  connect(document_, &ViewerDocument::crosshairChanged, this, qOverload<>(&SliceViewport::update));
  connect(document_, &ViewerDocument::displayChanged, this, qOverload<>(&SliceViewport::update));
}

SliceViewport::~SliceViewport() {
  makeCurrent();
  window_->Finalize();
  doneCurrent();
}

void SliceViewport::initializeGL() {
  window_->GetState()->Reset();
  window_->SetOwnContext(0);
  window_->SetReadyForRendering(true);
  window_->OpenGLInitContext();
}

void SliceViewport::resizeGL(int w, int h) {
  const double dpr = devicePixelRatioF();
  window_->SetSize(int(w * dpr), int(h * dpr));
}

void SliceViewport::syncFromDocument() {
  SliceViewState state;
  state.plane = plane_;
  state.crosshairLps = document_->crosshair();
  state.window = document_->window();
  state.invert = document_->inverted();
  state.zoom = zoom_;
  state.showAnnotations = document_->annotationsVisible();
  pipeline_->setState(state);
  OverlayLayers overlays;
  overlays.markers.push_back({document_->crosshair(), {0, 200, 255, 200}, 1.5, false});
  pipeline_->setOverlays(overlays);
}

void SliceViewport::paintGL() {
  if (!document_->volume()) {
    return;
  }
  syncFromDocument();
  const double dpr = devicePixelRatioF();
  const int w = int(width() * dpr), h = int(height() * dpr);
  window_->SetSize(w, h);
  pipeline_->update(w, h);
  vtkOpenGLState* state = window_->GetState();
  state->Reset();
  state->Push();
  window_->Render();
  state->PushFramebufferBindings();
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  window_->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->PopFramebufferBindings();
  // Qt composites with alpha: make the frame opaque.
  state->vtkglColorMask(false, false, false, true);
  state->vtkglClearColor(0, 0, 0, 1);
  state->vtkglClear(GL_COLOR_BUFFER_BIT);
  state->vtkglColorMask(true, true, true, true);
  state->Pop();
}

Vec3 SliceViewport::lpsAt(const QPoint& p) const {
  const double dpr = devicePixelRatioF();
  return pipeline_->screenToLps(p.x() * dpr, p.y() * dpr, int(width() * dpr), int(height() * dpr));
}

void SliceViewport::wheelEvent(QWheelEvent* e) {
  const int steps = e->angleDelta().y() / 120;
  if (e->modifiers() & Qt::ControlModifier) {
    zoom_ = std::clamp(zoom_ * std::pow(1.15, steps), 0.25, 16.0);
    update();
  } else {
    document_->scroll(plane_, steps);
  }
}

void SliceViewport::mousePressEvent(QMouseEvent* e) {
  dragStart_ = e->pos();
  dragWindow_ = document_->window();
  if (e->button() == Qt::LeftButton && document_->volume()) {
    document_->setCrosshair(lpsAt(e->pos()));
  }
}

void SliceViewport::mouseMoveEvent(QMouseEvent* e) {
  if (!document_->volume()) {
    return;
  }
  if (e->buttons() & Qt::RightButton) {
    // Window/level by right-drag: horizontal changes width, vertical the level.
    const QPoint d = e->pos() - dragStart_;
    const double scale = std::max(dragWindow_.width, 10.0) / 200.0;
    document_->setWindow({dragWindow_.center + d.y() * scale, dragWindow_.width + d.x() * scale});
  } else if (e->buttons() & Qt::LeftButton) {
    document_->setCrosshair(lpsAt(e->pos()));
  }
  const Vec3 p = lpsAt(e->pos());
  const double v = document_->valueAt(p);
  const QString unit = QString::fromStdString(document_->volume()->units);
  emit probed(std::isnan(v) ? QString()
                            : QString("%1 %2 at (%3, %4, %5) mm LPS")
                                  .arg(v, 0, 'f', 0).arg(unit).arg(p[0], 0, 'f', 1).arg(p[1], 0, 'f', 1).arg(p[2], 0, 'f', 1));
}

void SliceViewport::mouseDoubleClickEvent(QMouseEvent*) { emit maximizeRequested(this); }

void SliceViewport::keyPressEvent(QKeyEvent* e) {
  switch (e->key()) {
  case Qt::Key_Up: document_->scroll(plane_, 1); return;
  case Qt::Key_Down: document_->scroll(plane_, -1); return;
  case Qt::Key_PageUp: document_->scroll(plane_, 10); return;
  case Qt::Key_PageDown: document_->scroll(plane_, -10); return;
  case Qt::Key_I: document_->setInverted(!document_->inverted()); return;
  case Qt::Key_T: document_->setAnnotationsVisible(!document_->annotationsVisible()); return;
  case Qt::Key_0: document_->setWindow(document_->seriesWindow()); return;
  default: break;
  }
  for (const WindowPreset& preset : windowPresets()) {
    if (e->text() == QString(QChar(preset.key))) {
      document_->setWindow(preset.window);
      return;
    }
  }
  QOpenGLWidget::keyPressEvent(e);
}

} // namespace lightbox
