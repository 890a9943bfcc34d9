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
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkSmartPointer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkTextProperty.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkUnsignedCharArray.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cstring>
#include <map>
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

namespace {

/// Index box [lo, hi) of one label.
struct LabelBox {
  std::size_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
};

/// The index box of every label in `labels`, in one pass.
std::map<int, LabelBox> labelBoxes(const Volume& labels) {
  std::map<int, LabelBox> boxes;
  const auto& size = labels.geometry.size;
  std::visit(
      [&](const auto& voxels) {
        std::size_t n = 0;
        for (std::size_t k = 0; k < size[2]; ++k)
          for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++n) {
              const int label = int(voxels[n]);
              if (label == 0) continue;
              const std::size_t at[3] = {i, j, k};
              auto [it, added] = boxes.try_emplace(label);
              for (int a = 0; a < 3; ++a) {
                if (added || at[a] < it->second.lo[a]) it->second.lo[a] = at[a];
                if (added || at[a] + 1 > it->second.hi[a]) it->second.hi[a] = at[a] + 1;
              }
            }
      },
      labels.voxels);
  return boxes;
}

/// A smooth closed surface (LPS) around the voxels of `label` inside `box`: discrete flying edges
/// on the box with a one-voxel margin (so the surface closes at the grid's edge), windowed-sinc
/// smoothing, then the grid's direction and origin.
vtkSmartPointer<vtkPolyData> segmentSurface(const Volume& labels, int label, const LabelBox& box) {
  const VolumeGeometry& g = labels.geometry;
  int dims[3];
  for (int a = 0; a < 3; ++a) dims[a] = int(box.hi[a] - box.lo[a]) + 2;
  vtkNew<vtkImageData> mask;
  mask->SetDimensions(dims);
  // Scaled index space (i * spacing): smoothing sees the voxels' true proportions.
  mask->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
  mask->SetOrigin((double(box.lo[0]) - 1.0) * g.spacing[0], (double(box.lo[1]) - 1.0) * g.spacing[1],
                  (double(box.lo[2]) - 1.0) * g.spacing[2]);
  mask->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  auto* out = static_cast<std::uint8_t*>(mask->GetScalarPointer());
  std::fill(out, out + std::size_t(dims[0]) * std::size_t(dims[1]) * std::size_t(dims[2]), std::uint8_t(0));
  std::visit(
      [&](const auto& voxels) {
        for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
          for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
            for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
              if (int(voxels[i + g.size[0] * (j + g.size[1] * k)]) != label) continue;
              out[(i - box.lo[0] + 1) +
                  std::size_t(dims[0]) * ((j - box.lo[1] + 1) + std::size_t(dims[1]) * (k - box.lo[2] + 1))] = 1;
            }
      },
      labels.voxels);
  vtkNew<vtkDiscreteFlyingEdges3D> contour;
  contour->SetInputData(mask);
  contour->SetValue(0, 1);
  contour->ComputeNormalsOff();
  contour->ComputeGradientsOff();
  contour->ComputeScalarsOff();
  // 3D Slicer's "smoothing 0.5" for closed surfaces: pass band 10^(-4 * 0.5), 20 iterations.
  vtkNew<vtkWindowedSincPolyDataFilter> smooth;
  smooth->SetInputConnection(contour->GetOutputPort());
  smooth->SetNumberOfIterations(20);
  smooth->SetPassBand(0.01);
  smooth->BoundarySmoothingOff();
  smooth->FeatureEdgeSmoothingOff();
  smooth->NonManifoldSmoothingOn();
  smooth->NormalizeCoordinatesOn();
  // Scaled index -> LPS: origin + D * p, the full direction (never assumed axial).
  vtkNew<vtkMatrix4x4> scaledIjkToLps;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) scaledIjkToLps->SetElement(r, c, g.direction[std::size_t(c)][std::size_t(r)]);
    scaledIjkToLps->SetElement(r, 3, g.origin[std::size_t(r)]);
  }
  vtkNew<vtkTransform> transform;
  transform->SetMatrix(scaledIjkToLps);
  vtkNew<vtkTransformPolyDataFilter> toLps;
  toLps->SetInputConnection(smooth->GetOutputPort());
  toLps->SetTransform(transform);
  vtkNew<vtkPolyDataNormals> normals;
  normals->SetInputConnection(toLps->GetOutputPort());
  normals->SplittingOff();
  normals->ConsistencyOn();
  normals->AutoOrientNormalsOn(); // closed surfaces: outwards, whatever the grid's handedness
  normals->Update();
  vtkSmartPointer<vtkPolyData> surface = normals->GetOutput();
  return surface;
}

/// One segment's surface and what it was built from.
struct SegmentSurface {
  vtkSmartPointer<vtkActor> actor;
  const Volume* builtFrom = nullptr;
  SegmentSurfaceInfo info;
};

} // namespace

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
  // Segments: the labels as handed over, and the surfaces built from them.
  std::shared_ptr<const Volume> labels;
  std::uint64_t labelsRevision = 0;
  std::vector<SegmentSurfaceStyle> segmentStyles;
  std::map<int, SegmentSurface> surfaces;
  std::map<int, LabelBox> boxes; ///< of boxesFrom at boxesRevision
  const Volume* boxesFrom = nullptr;
  std::uint64_t boxesRevision = 0;

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

  /// Builds the surfaces of the visible segments whose labels changed since they were built;
  /// hidden ones keep their old surface (hidden) until they are shown again.
  void updateSurfaces() {
    for (auto it = surfaces.begin(); it != surfaces.end();) {
      const bool listed = labels && std::any_of(segmentStyles.begin(), segmentStyles.end(),
                                                [&](const SegmentSurfaceStyle& s) { return s.label == it->first; });
      if (listed) {
        ++it;
        continue;
      }
      renderer->RemoveActor(it->second.actor);
      it = surfaces.erase(it);
    }
    if (!labels) return;
    for (const SegmentSurfaceStyle& style : segmentStyles) {
      SegmentSurface& surface = surfaces[style.label];
      if (!surface.actor) {
        surface.actor = vtkSmartPointer<vtkActor>::New();
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->ScalarVisibilityOff();
        surface.actor->SetMapper(mapper);
        surface.actor->GetProperty()->SetAmbient(0.2);
        surface.actor->GetProperty()->SetDiffuse(0.8);
        surface.actor->GetProperty()->SetSpecular(0.2);
        surface.actor->GetProperty()->SetSpecularPower(20);
        renderer->AddActor(surface.actor);
      }
      const bool stale = surface.builtFrom != labels.get() || surface.info.revision != labelsRevision;
      if (style.visible && stale) {
        if (boxesFrom != labels.get() || boxesRevision != labelsRevision) {
          boxes = labelBoxes(*labels);
          boxesFrom = labels.get();
          boxesRevision = labelsRevision;
        }
        const auto box = boxes.find(style.label);
        vtkSmartPointer<vtkPolyData> poly =
            box != boxes.end() ? segmentSurface(*labels, style.label, box->second) : vtkSmartPointer<vtkPolyData>::New();
        static_cast<vtkPolyDataMapper*>(surface.actor->GetMapper())->SetInputData(poly);
        surface.builtFrom = labels.get();
        surface.info.label = style.label;
        surface.info.revision = labelsRevision;
        surface.info.points = std::size_t(poly->GetNumberOfPoints());
        double b[6] = {0, 0, 0, 0, 0, 0};
        if (surface.info.points > 0) poly->GetBounds(b);
        surface.info.lpsMin = {b[0], b[2], b[4]};
        surface.info.lpsMax = {b[1], b[3], b[5]};
      }
      surface.actor->GetProperty()->SetColor(style.colour[0] / 255.0, style.colour[1] / 255.0, style.colour[2] / 255.0);
      const bool current = surface.builtFrom == labels.get() && surface.info.revision == labelsRevision;
      surface.info.visible = style.visible && current && surface.info.points > 0;
      surface.actor->SetVisibility(surface.info.visible);
    }
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

namespace {

void toVtk(const VolumeCamera& c, vtkCamera* cam) {
  cam->SetPosition(c.position.data());
  cam->SetFocalPoint(c.focalPoint.data());
  cam->SetViewUp(c.viewUp.data());
  cam->SetViewAngle(c.viewAngleDeg);
  cam->ParallelProjectionOff();
}

VolumeCamera fromVtk(vtkCamera* cam) {
  VolumeCamera c;
  cam->GetPosition(c.position.data());
  cam->GetFocalPoint(c.focalPoint.data());
  cam->GetViewUp(c.viewUp.data());
  c.viewAngleDeg = cam->GetViewAngle();
  return c;
}

/// The anterior view of an LPS box, on `renderer` (its window's aspect, if it has one).
void resetToAnterior(vtkRenderer* renderer, const double* b) {
  vtkCamera* cam = renderer->GetActiveCamera();
  const double c[3] = {0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])};
  // Anterior view: the camera in front of the patient (-y in LPS), superior (+z) up; screen right
  // is then +x, the patient's left, as on a radiograph.
  cam->SetFocalPoint(c);
  cam->SetPosition(c[0], c[1] - 1000.0, c[2]);
  cam->SetViewUp(0, 0, 1);
  cam->ParallelProjectionOff();
  renderer->ResetCamera(b);
  cam->Zoom(1.2);
}

} // namespace

VolumeCamera anteriorCamera(const Volume& volume) {
  // The box of the voxel centres, as resampleAxisAligned covers it.
  const VolumeGeometry& g = volume.geometry;
  double b[6] = {1e300, -1e300, 1e300, -1e300, 1e300, -1e300};
  for (int c = 0; c < 8; ++c) {
    const Vec3 p = g.ijkToLps({(c & 1) ? double(g.size[0] - 1) : 0.0, (c & 2) ? double(g.size[1] - 1) : 0.0,
                               (c & 4) ? double(g.size[2] - 1) : 0.0});
    for (int a = 0; a < 3; ++a) {
      b[2 * a] = std::min(b[2 * a], p[std::size_t(a)]);
      b[2 * a + 1] = std::max(b[2 * a + 1], p[std::size_t(a)]);
    }
  }
  vtkNew<vtkRenderer> renderer; // no window: the aspect of a square view
  resetToAnterior(renderer, b);
  return fromVtk(renderer->GetActiveCamera());
}

VolumeCamera rotateCamera(const VolumeCamera& camera, double azimuthDeg, double elevationDeg) {
  vtkNew<vtkCamera> cam;
  toVtk(camera, cam);
  cam->Azimuth(azimuthDeg);
  cam->Elevation(elevationDeg);
  cam->OrthogonalizeViewUp();
  return fromVtk(cam);
}

VolumeCamera zoomCamera(const VolumeCamera& camera, double factor) {
  vtkNew<vtkCamera> cam;
  toVtk(camera, cam);
  cam->Zoom(factor);
  return fromVtk(cam);
}

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

void VolumePipeline::setSegments(std::shared_ptr<const Volume> labels, std::uint64_t revision,
                                 std::vector<SegmentSurfaceStyle> segments) {
  impl_->labels = std::move(labels);
  impl_->labelsRevision = revision;
  impl_->segmentStyles = std::move(segments);
}

std::vector<SegmentSurfaceInfo> VolumePipeline::segmentSurfaces() const {
  std::vector<SegmentSurfaceInfo> out;
  for (const auto& [label, surface] : impl_->surfaces) {
    if (surface.builtFrom && surface.info.points > 0) out.push_back(surface.info);
  }
  return out;
}

void VolumePipeline::resetCamera() { resetToAnterior(impl_->renderer, impl_->bounds); }

void VolumePipeline::rotate(double azimuthDeg, double elevationDeg) {
  vtkCamera* cam = impl_->renderer->GetActiveCamera();
  cam->Azimuth(azimuthDeg);
  cam->Elevation(elevationDeg);
  cam->OrthogonalizeViewUp();
}

void VolumePipeline::zoom(double factor) { impl_->renderer->GetActiveCamera()->Zoom(factor); }

VolumeCamera VolumePipeline::camera() const { return fromVtk(impl_->renderer->GetActiveCamera()); }

void VolumePipeline::setCamera(const VolumeCamera& camera) { toVtk(camera, impl_->renderer->GetActiveCamera()); }

void VolumePipeline::setCornerTextVisible(bool visible) { impl_->corners->SetVisibility(visible); }

void VolumePipeline::attach(vtkRenderWindow* window) {
  if (!window->GetRenderers()->IsItemPresent(impl_->renderer)) {
    window->AddRenderer(impl_->renderer);
  }
}

vtkRenderer* VolumePipeline::renderer() const { return impl_->renderer; }

void VolumePipeline::update(int, int) {
  impl_->updateSurfaces();
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
