// SPDX-License-Identifier: Apache-2.0
#include "app/render/ImageFramePipeline.h"

#include "app/render/TextFont.h"

#include <vtkCornerAnnotation.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkTextProperty.h>
#include <vtkTexture.h>

#include <cstring>

namespace lightbox {

struct ImageFramePipeline::Impl {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkImageData> image;
  vtkNew<vtkTexture> texture;
  vtkNew<vtkCornerAnnotation> corners;
  bool hasFrame = false;

  Impl() {
    renderer->SetBackground(0, 0, 0);
    texture->SetInputData(image);
    texture->InterpolateOn(); // a coarse frame scaled up smoothly
    texture->SetColorModeToDirectScalars();
    renderer->SetBackgroundTexture(texture);
    renderer->TexturedBackgroundOff();
    corners->SetMaximumFontSize(16);
    corners->GetTextProperty()->SetColor(0.9, 0.9, 0.6);
    renderer->AddViewProp(corners);
  }
};

ImageFramePipeline::ImageFramePipeline() : impl_(std::make_unique<Impl>()) {}
ImageFramePipeline::~ImageFramePipeline() = default;

void ImageFramePipeline::attach(vtkRenderWindow* window) {
  if (!window->GetRenderers()->IsItemPresent(impl_->renderer)) window->AddRenderer(impl_->renderer);
}

void ImageFramePipeline::setFrame(int width, int height, const std::vector<std::uint8_t>& rgb) {
  if (width <= 0 || height <= 0 || rgb.size() < std::size_t(width) * std::size_t(height) * 3) {
    clearFrame();
    return;
  }
  vtkImageData* image = impl_->image;
  int dims[3];
  image->GetDimensions(dims);
  if (dims[0] != width || dims[1] != height || image->GetNumberOfScalarComponents() != 3) {
    image->SetDimensions(width, height, 1);
    image->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  }
  std::memcpy(image->GetScalarPointer(), rgb.data(), std::size_t(width) * std::size_t(height) * 3);
  image->Modified();
  impl_->renderer->TexturedBackgroundOn();
  impl_->hasFrame = true;
}

void ImageFramePipeline::clearFrame() {
  impl_->renderer->TexturedBackgroundOff();
  impl_->hasFrame = false;
}

bool ImageFramePipeline::hasFrame() const { return impl_->hasFrame; }

void ImageFramePipeline::setText(const std::string& corner, const std::string& note) {
  chooseFontFor(impl_->corners->GetTextProperty(), (corner + note).c_str());
  impl_->corners->SetText(0, corner.c_str());
  impl_->corners->SetText(1, note.c_str());
}

} // namespace lightbox
