// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/VtkViewport.h"

#include <QOpenGLContext>

#include <vtkCallbackCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLState.h>
#include <vtkSmartPointer.h>

namespace lightbox {

struct VtkViewport::Vtk {
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
  vtkSmartPointer<vtkCallbackCommand> makeCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> isCurrent = vtkSmartPointer<vtkCallbackCommand>::New();
  vtkSmartPointer<vtkCallbackCommand> frame = vtkSmartPointer<vtkCallbackCommand>::New();
};

VtkViewport::VtkViewport(QWidget* parent) : QOpenGLWidget(parent), vtk_(std::make_unique<Vtk>()) {
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
  vtk_->frame->SetCallback([](vtkObject*, unsigned long, void* client, void*) {
    static_cast<VtkViewport*>(client)->update();
  });
  window->AddObserver(vtkCommand::WindowFrameEvent, vtk_->frame);
}

VtkViewport::~VtkViewport() {
  makeCurrent();
  vtk_->window->Finalize();
  doneCurrent();
}

vtkRenderWindow* VtkViewport::renderWindow() const { return vtk_->window; }

void VtkViewport::initializeGL() {
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  window->GetState()->Reset();
  window->SetOwnContext(0);
  window->SetReadyForRendering(true);
  window->OpenGLInitContext();
}

void VtkViewport::resizeGL(int w, int h) {
  const double dpr = devicePixelRatioF();
  vtk_->window->SetSize(int(w * dpr), int(h * dpr));
}

void VtkViewport::paintGL() {
  vtkGenericOpenGLRenderWindow* window = vtk_->window;
  const int w = frameWidth(), h = frameHeight();
  window->SetSize(w, h);
  if (!prepareFrame(w, h)) {
    return;
  }
  vtkOpenGLState* state = window->GetState();
  state->Reset();
  state->Push();
  window->Render();
  state->PushFramebufferBindings();
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->PopFramebufferBindings();
  // Qt composites with alpha: make the frame opaque.
  state->vtkglColorMask(false, false, false, true);
  state->vtkglClearColor(0, 0, 0, 1);
  state->vtkglClear(GL_COLOR_BUFFER_BIT);
  state->vtkglColorMask(true, true, true, true);
  state->Pop();
}

} // namespace lightbox
