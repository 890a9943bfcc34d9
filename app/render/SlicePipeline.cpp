// SPDX-License-Identifier: Apache-2.0
#include "app/render/SlicePipeline.h"

#include <vtkCamera.h>
#include <vtkCornerAnnotation.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
#include <vtkImageProperty.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRendererCollection.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <vtkPointData.h>
#include <vtkWindowToImageFilter.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace lightbox {

struct SlicePipeline::Impl {
  std::shared_ptr<const Volume> volume;
  std::string patientText, seriesText;
  SliceViewState state;
  OverlayLayers overlays;
  SlicePlane plane;
  SliceImage image;
  bool stale = true; ///< state, overlays or volume changed since the last composite

  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkImageData> imageData;
  vtkNew<vtkImageActor> actor;
  vtkNew<vtkCornerAnnotation> corners;
  vtkNew<vtkTextActor> letters[4]; // left, right, top, bottom

  Impl() {
    renderer->SetBackground(0, 0, 0);
    actor->GetMapper()->SetInputData(imageData);
    actor->GetProperty()->SetInterpolationTypeToNearest();
    actor->InterpolateOff();
    renderer->AddActor(actor);
    corners->SetMaximumFontSize(16);
    corners->GetTextProperty()->SetColor(0.9, 0.9, 0.6);
    renderer->AddViewProp(corners);
    for (auto& l : letters) {
      l->GetTextProperty()->SetFontSize(18);
      l->GetTextProperty()->SetBold(true);
      l->GetTextProperty()->SetColor(1.0, 0.85, 0.2);
      l->GetTextProperty()->SetJustificationToCentered();
      l->GetTextProperty()->SetVerticalJustificationToCentered();
      renderer->AddViewProp(l);
    }
    renderer->GetActiveCamera()->ParallelProjectionOn();
  }

  /// Composites once per change, however many setters ran before the frame.
  void recomposite() {
    if (!volume || !stale) {
      return;
    }
    stale = false;
    plane = planeThrough(volume->geometry, state.plane, state.crosshairLps);
    image = compositeSlice(*volume, plane, state.window, state.invert, overlays);
    imageData->SetDimensions(int(image.width), int(image.height), 1);
    imageData->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
    auto* dst = static_cast<std::uint8_t*>(imageData->GetScalarPointer());
    // VTK's image rows go up; display rows go down.
    const std::size_t rowBytes = image.width * 4;
    for (std::size_t y = 0; y < image.height; ++y) {
      std::memcpy(dst + (image.height - 1 - y) * rowBytes, image.rgba.data() + y * rowBytes, rowBytes);
    }
    imageData->Modified();
  }

  void annotate(int width, int height) {
    const auto [right, down] = screenAxes(state.plane);
    letters[0]->SetInput(orientationLetters(right * -1.0).c_str());
    letters[1]->SetInput(orientationLetters(right).c_str());
    letters[2]->SetInput(orientationLetters(down * -1.0).c_str());
    letters[3]->SetInput(orientationLetters(down).c_str());
    letters[0]->SetDisplayPosition(14, height / 2);
    letters[1]->SetDisplayPosition(width - 14, height / 2);
    letters[2]->SetDisplayPosition(width / 2, height - 14);
    letters[3]->SetDisplayPosition(width / 2, 14);
    char text[256];
    const Vec3 n = plane.normal();
    const double position = dot(state.crosshairLps, Vec3{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])});
    std::snprintf(text, sizeof(text), "%s\n%s %.1f mm", seriesText.c_str(), toString(state.plane), position);
    corners->SetText(2, patientText.c_str());
    corners->SetText(0, text);
    std::snprintf(text, sizeof(text), "W %.0f L %.0f%s\nzoom %.2f", state.window.width, state.window.center,
                  state.invert ? " inv" : "", state.zoom);
    corners->SetText(1, text);
    for (auto& l : letters) {
      l->SetVisibility(state.showAnnotations);
    }
    corners->SetVisibility(state.showAnnotations);
  }

  /// Display pixels per image pixel and the image's top-left corner on screen.
  double screenScale(int width, int height) const {
    const double halfH = 0.5 * double(image.height), halfW = 0.5 * double(image.width);
    const double parallelScale = std::max(halfH, halfW * double(height) / double(std::max(width, 1))) / state.zoom;
    return 0.5 * double(height) / parallelScale;
  }

  void fitCamera(int width, int height) {
    vtkCamera* cam = renderer->GetActiveCamera();
    const double cx = 0.5 * double(image.width - 1), cy = 0.5 * double(image.height - 1);
    cam->SetFocalPoint(cx, cy, 0);
    cam->SetPosition(cx, cy, 1000);
    cam->SetViewUp(0, 1, 0);
    const double aspect = double(width) / double(std::max(height, 1));
    const double halfH = 0.5 * double(image.height), halfW = 0.5 * double(image.width);
    cam->SetParallelScale(std::max(halfH, halfW / aspect) / state.zoom);
    renderer->ResetCameraClippingRange();
  }
};

SlicePipeline::SlicePipeline() : impl_(std::make_unique<Impl>()) {}
SlicePipeline::~SlicePipeline() = default;

void SlicePipeline::setVolume(std::shared_ptr<const Volume> volume, std::string patientText, std::string seriesText) {
  impl_->volume = std::move(volume);
  impl_->patientText = std::move(patientText);
  impl_->seriesText = std::move(seriesText);
  const VolumeGeometry& g = impl_->volume->geometry;
  impl_->state.crosshairLps = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1),
                                          0.5 * double(g.size[2] - 1)});
  impl_->stale = true;
}

void SlicePipeline::setState(const SliceViewState& state) {
  impl_->state = state;
  impl_->stale = true;
}

const SliceViewState& SlicePipeline::state() const { return impl_->state; }

void SlicePipeline::setOverlays(OverlayLayers overlays) {
  impl_->overlays = std::move(overlays);
  impl_->stale = true;
}

const SlicePlane& SlicePipeline::plane() const {
  impl_->recomposite();
  return impl_->plane;
}

const SliceImage& SlicePipeline::image() const {
  impl_->recomposite();
  return impl_->image;
}

void SlicePipeline::attach(vtkRenderWindow* window) {
  if (!window->GetRenderers()->IsItemPresent(impl_->renderer)) {
    window->AddRenderer(impl_->renderer);
  }
}

vtkRenderer* SlicePipeline::renderer() const { return impl_->renderer; }

void SlicePipeline::update(int width, int height) {
  impl_->recomposite();
  impl_->fitCamera(width, height);
  impl_->annotate(width, height);
}

Vec3 SlicePipeline::screenToLps(double x, double y, int width, int height) const {
  impl_->recomposite();
  const double s = impl_->screenScale(width, height);
  const double px = (x + 0.5 - 0.5 * width) / s + 0.5 * double(impl_->image.width - 1);
  const double py = (y + 0.5 - 0.5 * height) / s + 0.5 * double(impl_->image.height - 1);
  return impl_->plane.pixelToLps(px, py);
}

std::pair<double, double> SlicePipeline::lpsToScreen(const Vec3& lps, int width, int height) const {
  impl_->recomposite();
  const double s = impl_->screenScale(width, height);
  const auto [px, py] = impl_->plane.lpsToPixel(lps);
  return {0.5 * width + (px - 0.5 * double(impl_->image.width - 1)) * s - 0.5,
          0.5 * height + (py - 0.5 * double(impl_->image.height - 1)) * s - 0.5};
}

void SlicePipeline::renderToPng(const std::string& path, int width, int height) {
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(width, height);
  window->SetMultiSamples(0);
  attach(window);
  update(width, height);
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
  window->RemoveRenderer(impl_->renderer);
  if (writer->GetErrorCode() != 0) {
    throw std::runtime_error("cannot write " + path);
  }
}

} // namespace lightbox
