// SPDX-License-Identifier: Apache-2.0
// Screenshot tests (run under Xvfb): what SlicePipeline draws, read back from the PNG it writes.
#include "tests/support/TestData.h"

#include "app/render/SlicePipeline.h"
#include "core/display/WindowLevel.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>

#include <cmath>

using namespace lightbox;

namespace {

struct Png {
  int width = 0, height = 0;
  vtkNew<vtkPNGReader> reader;
  explicit Png(const std::string& path) {
    reader->SetFileName(path.c_str());
    reader->Update();
    int dims[3];
    reader->GetOutput()->GetDimensions(dims);
    width = dims[0];
    height = dims[1];
  }
  /// RGB at (x, y) with y counted from the top, as on screen.
  std::array<int, 3> rgb(int x, int y) {
    auto* p = static_cast<unsigned char*>(reader->GetOutput()->GetScalarPointer(x, height - 1 - y, 0));
    return {p[0], p[1], p[2]};
  }
};

/// Screen pixel (from the top-left) where SlicePipeline shows image pixel (px, py) at zoom 1.
std::pair<double, double> imageToScreen(const SliceImage& img, int width, int height, double px, double py) {
  const double halfH = 0.5 * double(img.height), halfW = 0.5 * double(img.width);
  const double parallelScale = std::max(halfH, halfW * double(height) / double(width));
  const double s = 0.5 * double(height) / parallelScale;
  return {0.5 * width + (px - 0.5 * double(img.width - 1)) * s - 0.5,
          0.5 * height + (py - 0.5 * double(img.height - 1)) * s - 0.5};
}

} // namespace

TEST_CASE("a marker at a known LPS point is drawn at its screen position and lung preset greys match", "[render]") {
  auto volume = std::make_shared<Volume>();
  volume->geometry.size = {100, 80, 40};
  volume->geometry.spacing = {1.0, 1.0, 2.5};
  volume->geometry.origin = {-50, -40, -50};
  volume->units = "HU";
  volume->voxels = std::vector<std::int16_t>(volume->geometry.voxelCount(), std::int16_t(-850));
  const Vec3 marker{20.0, -10.0, 5.0}; // patient left, anterior

  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    INFO(toString(plane));
    SlicePipeline pipeline;
    pipeline.setVolume(volume, "TEST^PATIENT", "synthetic");
    SliceViewState state = pipeline.state();
    state.plane = plane;
    state.crosshairLps = marker;
    state.window = windowPreset("lung");
    state.showAnnotations = false;
    pipeline.setState(state);
    OverlayLayers overlays;
    overlays.markers.push_back({marker, {255, 0, 0, 255}, 3.0, true});
    pipeline.setOverlays(overlays);
    const std::string path = test::scratchFolder("render") + "/" + toString(plane) + ".png";
    pipeline.renderToPng(path, 400, 300);
    Png png(path);
    REQUIRE(png.width == 400);
    REQUIRE(png.height == 300);
    const auto [px, py] = pipeline.plane().lpsToPixel(marker);
    const auto [sx, sy] = imageToScreen(pipeline.image(), 400, 300, px, py);
    const auto red = png.rgb(int(std::lround(sx)), int(std::lround(sy)));
    CHECK(red[0] > 200);
    CHECK(red[1] < 60);
    // Lung at -850 HU in the lung window (-600/1500) is grey 85 of 255.
    const auto [lx, ly] = imageToScreen(pipeline.image(), 400, 300, 2.0, 2.0);
    const auto grey = png.rgb(int(std::lround(lx)) + 2, int(std::lround(ly)) + 2);
    CHECK(grey[0] == Approx(85).margin(2));
    CHECK(grey[1] == grey[0]);
    // Radiological convention: the marker (patient left) is right of centre in axial and coronal.
    if (plane != ViewPlane::Sagittal) {
      CHECK(sx > 200);
    }
  }
}

TEST_CASE("orientation letters follow the DICOM orientation of the oblique MR and the tilted CT", "[render]") {
  const StudyScan mr = scanStudy(test::sharedData("mr/phantom_ge_3d_t1_mprage_oblique/dicom"));
  const VolumeGeometry& g = mr.series.at(0).geometry;
  CHECK(orientationLetters(g.direction[0]) == "L");
  CHECK(orientationLetters(g.direction[1]) == "P");
  CHECK(orientationLetters(g.direction[0] * -1.0) == "R");
  const StudyScan ct = scanStudy(test::sharedData("ct/head_ge_gantry_tilt_variable_spacing/dicom"));
  const VolumeGeometry& h = ct.series.at(0).geometry;
  CHECK(orientationLetters(h.direction[1]) == "PI"); // columns run posterior and 18.5 deg inferior
  CHECK(orientationLetters(h.direction[2]) == "SP");
  // Reformat edges of an axial view.
  const auto [right, down] = screenAxes(ViewPlane::Axial);
  CHECK(orientationLetters(right) == "L");
  CHECK(orientationLetters(down * -1.0) == "A");
}
