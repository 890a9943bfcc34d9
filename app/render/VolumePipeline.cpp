// SPDX-License-Identifier: Apache-2.0
#include "app/render/VolumePipeline.h"

#include "app/render/OffscreenPng.h"

#include "core/volume/AxisAlignedResample.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkColorTransferFunction.h>
#include <vtkCornerAnnotation.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include <cstring>
#include <stdexcept>

namespace lightbox {

VolumePreset parseVolumePreset(const std::string& name) {
  if (name == "bone") return VolumePreset::Bone;
  if (name == "soft") return VolumePreset::SoftTissue;
  if (name == "lung") return VolumePreset::Lung;
  if (name == "mip") return VolumePreset::Mip;
  throw std::invalid_argument("unknown 3D preset '" + name + "' (bone, soft, lung or mip)");
}

const char* toString(VolumePreset preset) {
  switch (preset) {
  case VolumePreset::Bone: return "bone";
  case VolumePreset::SoftTissue: return "soft";
  case VolumePreset::Lung: return "lung";
  case VolumePreset::Mip: return "mip";
  }
  return "?";
}

struct VolumePipeline::Impl {
  std::shared_ptr<const Volume> source;
  VolumePreset preset = VolumePreset::Bone;
  WindowLevel window{400, 1800};
  bool isCt = true;
  Vec3 crosshair{0, 0, 0};
  double bounds[6] = {0, 0, 0, 0, 0, 0};

  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkImageData> image;
  vtkNew<vtkSmartVolumeMapper> mapper;
  vtkNew<vtkVolumeProperty> property;
  vtkNew<vtkVolume> volume;
  vtkNew<vtkPolyData> crossLines;
  vtkNew<vtkActor> crossActor;
  vtkNew<vtkCornerAnnotation> corners;

  Impl() {
    renderer->SetBackground(0, 0, 0);
    mapper->SetInputData(image);
    mapper->SetAutoAdjustSampleDistances(1);
    mapper->SetInteractiveUpdateRate(8.0);
    volume->SetMapper(mapper);
    volume->SetProperty(property);
    property->SetInterpolationTypeToLinear();
    renderer->AddVolume(volume);
    vtkNew<vtkPolyDataMapper> lineMapper;
    lineMapper->SetInputData(crossLines);
    lineMapper->SetScalarModeToUseCellData();
    lineMapper->SetColorModeToDirectScalars();
    crossActor->SetMapper(lineMapper);
    crossActor->GetProperty()->SetLineWidth(2.0);
    crossActor->GetProperty()->SetLighting(false);
    renderer->AddActor(crossActor);
    corners->SetMaximumFontSize(16);
    corners->GetTextProperty()->SetColor(0.9, 0.9, 0.6);
    renderer->AddViewProp(corners);
  }

  void applyPreset() {
    vtkNew<vtkColorTransferFunction> colour;
    vtkNew<vtkPiecewiseFunction> opacity;
    mapper->SetBlendModeToComposite();
    property->ShadeOff();
    const VolumePreset p = isCt ? preset : VolumePreset::Mip;
    switch (p) {
    case VolumePreset::Bone:
      colour->AddRGBPoint(-1000, 0, 0, 0);
      colour->AddRGBPoint(150, 0.55, 0.25, 0.15);
      colour->AddRGBPoint(300, 0.9, 0.82, 0.7);
      colour->AddRGBPoint(1500, 1, 1, 0.95);
      opacity->AddPoint(-1000, 0);
      opacity->AddPoint(150, 0);
      opacity->AddPoint(300, 0.25);
      opacity->AddPoint(700, 0.7);
      opacity->AddPoint(1500, 0.9);
      property->ShadeOn();
      break;
    case VolumePreset::SoftTissue:
      colour->AddRGBPoint(-1000, 0, 0, 0);
      colour->AddRGBPoint(-500, 0.55, 0.35, 0.25);
      colour->AddRGBPoint(0, 0.85, 0.5, 0.4);
      colour->AddRGBPoint(80, 0.9, 0.3, 0.25);
      colour->AddRGBPoint(300, 1, 0.95, 0.85);
      opacity->AddPoint(-1000, 0);
      opacity->AddPoint(-500, 0);
      opacity->AddPoint(-200, 0.02);
      opacity->AddPoint(20, 0.08);
      opacity->AddPoint(80, 0.3);
      opacity->AddPoint(300, 0.6);
      opacity->AddPoint(1500, 0.8);
      property->ShadeOn();
      break;
    case VolumePreset::Lung:
      // Aerated lung faint, vessels and airway walls visible, soft tissue and bone transparent.
      colour->AddRGBPoint(-1000, 0.3, 0.45, 0.7);
      colour->AddRGBPoint(-700, 0.6, 0.75, 0.95);
      colour->AddRGBPoint(-300, 0.95, 0.75, 0.6);
      colour->AddRGBPoint(0, 1, 0.6, 0.5);
      opacity->AddPoint(-1024, 0);
      opacity->AddPoint(-920, 0);
      opacity->AddPoint(-800, 0.01);
      opacity->AddPoint(-500, 0.15);
      opacity->AddPoint(-250, 0.3);
      opacity->AddPoint(-150, 0);
      opacity->AddPoint(3000, 0);
      property->ShadeOn();
      break;
    case VolumePreset::Mip: {
      mapper->SetBlendModeToMaximumIntensity();
      // Every ray of a CT crosses something dense (skull, ribs): with a narrow slice window (brain
      // W 80, soft tissue) the projection is solid white. Such windows become bone-wide; a vascular
      // window (W 600 and up) is kept for CTA.
      WindowLevel w = window;
      if (isCt && w.width < 500.0) {
        w = {400.0, 2000.0};
      }
      const double lo = w.center - 0.5 * w.width, hi = w.center + 0.5 * w.width;
      colour->AddRGBPoint(lo, 0, 0, 0);
      colour->AddRGBPoint(hi, 1, 1, 1);
      opacity->AddPoint(lo, 0);
      opacity->AddPoint(hi, 1);
      break;
    }
    }
    property->SetColor(colour);
    property->SetScalarOpacity(opacity);
    property->SetAmbient(0.25);
    property->SetDiffuse(0.75);
    property->SetSpecular(0.2);
  }

  void updateCrosshair() {
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> cells;
    vtkNew<vtkUnsignedCharArray> colours;
    colours->SetNumberOfComponents(4);
    // Each line runs along one axis and is coloured as the plane it pierces: x (left-right) the
    // sagittal, y (anterior-posterior) the coronal, z (head-foot) the axial.
    const Rgba c[3] = {Rgba{235, 210, 60, 255}, Rgba{70, 200, 90, 255}, Rgba{230, 60, 60, 255}};
    for (int a = 0; a < 3; ++a) {
      double p0[3] = {crosshair[0], crosshair[1], crosshair[2]}, p1[3] = {crosshair[0], crosshair[1], crosshair[2]};
      p0[a] = bounds[2 * a];
      p1[a] = bounds[2 * a + 1];
      const vtkIdType ids[2] = {points->InsertNextPoint(p0), points->InsertNextPoint(p1)};
      cells->InsertNextCell(2, ids);
      colours->InsertNextTypedTuple(c[a].data());
    }
    crossLines->SetPoints(points);
    crossLines->SetLines(cells);
    crossLines->GetCellData()->SetScalars(colours);
    crossLines->Modified();
  }
};

VolumePipeline::VolumePipeline() : impl_(std::make_unique<Impl>()) {}
VolumePipeline::~VolumePipeline() = default;

void VolumePipeline::setVolume(std::shared_ptr<const Volume> volume, std::size_t maxSize) {
  impl_->source = std::move(volume);
  impl_->isCt = impl_->source->units == "HU";
  const float outside = impl_->isCt ? -1024.0f : float(impl_->source->range().first);
  const Volume v = resampleAxisAligned(*impl_->source, maxSize, outside);
  const VolumeGeometry& g = v.geometry;
  impl_->image->SetDimensions(int(g.size[0]), int(g.size[1]), int(g.size[2]));
  impl_->image->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
  impl_->image->SetOrigin(g.origin[0], g.origin[1], g.origin[2]);
  impl_->image->AllocateScalars(VTK_FLOAT, 1);
  const auto& data = std::get<std::vector<float>>(v.voxels);
  std::memcpy(impl_->image->GetScalarPointer(), data.data(), data.size() * sizeof(float));
  impl_->image->Modified();
  impl_->image->GetBounds(impl_->bounds);
  impl_->crosshair = g.origin + Vec3{0.5 * (g.size[0] - 1) * g.spacing[0], 0.5 * (g.size[1] - 1) * g.spacing[1],
                                     0.5 * (g.size[2] - 1) * g.spacing[2]};
  impl_->applyPreset();
  impl_->updateCrosshair();
  resetCamera();
}

void VolumePipeline::setPreset(VolumePreset preset) {
  impl_->preset = preset;
  impl_->applyPreset();
}

VolumePreset VolumePipeline::preset() const { return impl_->preset; }

void VolumePipeline::setWindow(const WindowLevel& window) {
  impl_->window = window;
  if (impl_->preset == VolumePreset::Mip || !impl_->isCt) {
    impl_->applyPreset();
  }
}

void VolumePipeline::setCrosshair(const Vec3& lps) {
  impl_->crosshair = lps;
  impl_->updateCrosshair();
}

void VolumePipeline::setCrosshairVisible(bool visible) { impl_->crossActor->SetVisibility(visible); }

void VolumePipeline::resetCamera() {
  vtkCamera* cam = impl_->renderer->GetActiveCamera();
  const double* b = impl_->bounds;
  const double c[3] = {0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])};
  // Anterior view: the camera in front of the patient (-y in LPS), superior (+z) up; screen right
  // is then +x, the patient's left, as on a radiograph.
  cam->SetFocalPoint(c);
  cam->SetPosition(c[0], c[1] - 1000.0, c[2]);
  cam->SetViewUp(0, 0, 1);
  cam->ParallelProjectionOff();
  impl_->renderer->ResetCamera(impl_->bounds);
  cam->Zoom(1.2);
}

void VolumePipeline::rotate(double azimuthDeg, double elevationDeg) {
  vtkCamera* cam = impl_->renderer->GetActiveCamera();
  cam->Azimuth(azimuthDeg);
  cam->Elevation(elevationDeg);
  cam->OrthogonalizeViewUp();
}

void VolumePipeline::zoom(double factor) { impl_->renderer->GetActiveCamera()->Zoom(factor); }

void VolumePipeline::attach(vtkRenderWindow* window) {
  if (!window->GetRenderers()->IsItemPresent(impl_->renderer)) {
    window->AddRenderer(impl_->renderer);
  }
}

vtkRenderer* VolumePipeline::renderer() const { return impl_->renderer; }

void VolumePipeline::update(int, int) {
  impl_->renderer->ResetCameraClippingRange();
  const std::string text = std::string("3D ") + toString(impl_->isCt ? impl_->preset : VolumePreset::Mip);
  impl_->corners->SetText(0, text.c_str());
}

std::pair<double, double> VolumePipeline::lpsToScreen(const Vec3& lps, int width, int height) const {
  // From the camera alone, so it works with or without a window attached.
  vtkCamera* cam = impl_->renderer->GetActiveCamera();
  vtkMatrix4x4* m = cam->GetCompositeProjectionTransformMatrix(double(width) / double(std::max(height, 1)), -1, 1);
  const double in[4] = {lps[0], lps[1], lps[2], 1.0};
  double out[4];
  m->MultiplyPoint(in, out);
  const double nx = out[0] / out[3], ny = out[1] / out[3];
  return {0.5 * (nx + 1.0) * width - 0.5, double(height) - 0.5 * (ny + 1.0) * height - 0.5};
}

void VolumePipeline::renderToPng(const std::string& path, int width, int height) {
  update(width, height);
  renderOffscreenPng(impl_->renderer, path, width, height);
}

} // namespace lightbox
