// SPDX-License-Identifier: Apache-2.0
// Scroll benchmark: every axial slice of a series at 1024x1024, Lightbox's SlicePipeline with two
// overlay layers (a label map and markers) versus a bare vtkImageViewer2 (no overlays), one
// offscreen window each, same run. Prints median and p95 frame times and their ratio.
#include "app/render/SlicePipeline.h"
#include "core/study/StudyLoader.h"

#include <vtkImageData.h>
#include <vtkImageViewer2.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

using namespace lightbox;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
  double median, p95;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, std::size_t(std::ceil(0.95 * double(ms.size()))) - 1)]};
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lightbox_bench_render SERIES_FOLDER [SIZE]\n");
    return 2;
  }
  const int size = argc > 2 ? std::atoi(argv[2]) : 1024;
  const LoadedSeries loaded = loadPath(argv[1]);
  auto volume = std::make_shared<const Volume>(loaded.volumes.front());
  const VolumeGeometry& g = volume->geometry;

  // Overlay 1: a label map (a sphere of label 1 and a slab of label 2). Overlay 2: markers.
  auto labels = std::make_shared<Volume>();
  labels->geometry = g;
  std::vector<std::int16_t> lab(g.voxelCount(), 0);
  const Vec3 centre = g.ijkToLps({g.size[0] / 2.0, g.size[1] / 2.0, g.size[2] / 2.0});
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
        if (norm(p - centre) < 60) lab[i + g.size[0] * (j + g.size[1] * k)] = 1;
        else if (i < g.size[0] / 6) lab[i + g.size[0] * (j + g.size[1] * k)] = 2;
      }
  labels->voxels = lab;
  OverlayLayers overlays;
  overlays.labelMaps.push_back({labels, {{1, {255, 80, 0, 255}}, {2, {0, 160, 255, 255}}}, 0.35, true});
  for (int m = 0; m < 20; ++m) {
    overlays.markers.push_back({centre + Vec3{m * 6.0 - 60, 0, m * 3.0 - 30}, {255, 255, 0, 255}, 5.0, false});
  }
  overlays.markerSlabMm = 1000;

  SlicePipeline pipeline;
  pipeline.setVolume(volume, "", "");
  pipeline.setOverlays(overlays);
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(size, size);
  window->SetMultiSamples(0);
  pipeline.attach(window);
  SliceViewState state = pipeline.state();
  state.window = {-600, 1500};
  const std::size_t slices = sliceCount(g, ViewPlane::Axial);
  std::vector<double> ours;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t s = 0; s < slices; ++s) {
      const auto t0 = Clock::now();
      state.crosshairLps = sliceCenter(g, ViewPlane::Axial, double(s));
      pipeline.setState(state);
      pipeline.update(size, size);
      window->Render();
      if (pass == 1) ours.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }

  // The CPU share of our frame: sampling, window/level and overlay compositing alone.
  std::vector<double> composite;
  for (std::size_t s = 0; s < slices; ++s) {
    const auto t0 = Clock::now();
    const SlicePlane plane = planeThrough(g, ViewPlane::Axial, sliceCenter(g, ViewPlane::Axial, double(s)));
    const SliceImage img = compositeSlice(*volume, plane, GreyMapping{state.window, false, SlabMode::None, 0.0}, overlays);
    composite.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }

  // Reference: vtkImageViewer2 on the same voxels (int16 or float), no overlays.
  vtkNew<vtkImageData> image;
  image->SetDimensions(int(g.size[0]), int(g.size[1]), int(g.size[2]));
  image->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
  image->SetOrigin(g.origin[0], g.origin[1], g.origin[2]);
  const bool i16 = volume->voxelType() == VoxelType::Int16;
  image->AllocateScalars(i16 ? VTK_SHORT : VTK_FLOAT, 1);
  std::visit([&](const auto& v) { std::memcpy(image->GetScalarPointer(), v.data(), v.size() * sizeof(v[0])); },
             volume->voxels);
  vtkNew<vtkImageViewer2> viewer;
  vtkNew<vtkRenderWindow> refWindow;
  refWindow->SetOffScreenRendering(1);
  refWindow->SetMultiSamples(0);
  viewer->SetRenderWindow(refWindow);
  viewer->SetInputData(image);
  viewer->SetSize(size, size);
  viewer->SetColorWindow(1500);
  viewer->SetColorLevel(-600);
  viewer->SetSliceOrientationToXY();
  std::vector<double> ref;
  for (int pass = 0; pass < 2; ++pass) {
    for (int s = viewer->GetSliceMin(); s <= viewer->GetSliceMax(); ++s) {
      const auto t0 = Clock::now();
      viewer->SetSlice(s);
      viewer->Render();
      if (pass == 1) ref.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }
  const Stats a = stats(ours), b = stats(ref);
  std::printf("%zu slices at %dx%d, second pass timed\n", slices, size, size);
  std::printf("%-34s median %6.2f ms  p95 %6.2f ms\n", "lightbox (label map + 20 markers)", a.median, a.p95);
  std::printf("%-34s median %6.2f ms  p95 %6.2f ms\n", "vtkImageViewer2 (no overlays)", b.median, b.p95);
  const Stats c = stats(composite);
  std::printf("%-34s median %6.2f ms  p95 %6.2f ms\n", "  of which CPU compositing", c.median, c.p95);
  std::printf("ratio lightbox / vtk: median %.2f  p95 %.2f\n", a.median / b.median, a.p95 / b.p95);
  return 0;
}
