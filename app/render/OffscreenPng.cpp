// SPDX-License-Identifier: Apache-2.0
#include "app/render/OffscreenPng.h"

#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <stdexcept>

namespace lightbox {

void renderOffscreenPng(vtkRenderer* renderer, const std::string& path, int width, int height) {
  vtkNew<vtkRenderWindow> window;
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
  if (writer->GetErrorCode() != 0) {
    throw std::runtime_error("cannot write " + path);
  }
}

} // namespace lightbox
