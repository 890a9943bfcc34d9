// SPDX-License-Identifier: Apache-2.0
#include "app/render/OffscreenPng.h"

#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <X11/Xlib.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace lightbox {

OffscreenDisplay::OffscreenDisplay() {
  const char* name = std::getenv("DISPLAY");
  if (!name || !*name) return; // VTK decides (e.g. an EGL or OSMesa build)
  for (int attempt = 0; attempt < 30 && !display_; ++attempt) {
    display_ = XOpenDisplay(nullptr);
    if (!display_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!display_) throw std::runtime_error(std::string("cannot connect to the X server (DISPLAY=") + name + ")");
}

OffscreenDisplay::~OffscreenDisplay() {
  if (display_) XCloseDisplay(static_cast<Display*>(display_));
}

void OffscreenDisplay::attach(vtkRenderWindow* window) const {
  if (display_) window->SetDisplayId(display_);
}

void renderOffscreenPng(vtkRenderer* renderer, const std::string& path, int width, int height) {
  const OffscreenDisplay x; // outlives the window: declared first, destroyed last
  vtkNew<vtkRenderWindow> window;
  x.attach(window);
  window->SetOffScreenRendering(1);
  window->SetSize(width, height);
  window->SetMultiSamples(0);
  window->AddRenderer(renderer);
  window->Render();
  vtkNew<vtkWindowToImageFilter> grab;
  grab->SetInput(window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  grab->Update();
  vtkNew<vtkPNGWriter> writer;
  writer->SetFileName(path.c_str());
  writer->SetInputConnection(grab->GetOutputPort());
  writer->Write();
  window->RemoveRenderer(renderer);
  window->Finalize(); // releases its GL context while the display is still open
  if (writer->GetErrorCode() != 0) {
    throw std::runtime_error("cannot write " + path);
  }
}

} // namespace lightbox
