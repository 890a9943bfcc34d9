// SPDX-License-Identifier: Apache-2.0
// Screenshot tests (run under Xvfb): what SlicePipeline draws, read back from the PNG it writes.
#include "tests/support/TestData.h"

#include "app/render/SlicePipeline.h"
#include "app/render/VolumePipeline.h"
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

TEST_CASE("measurement lines are drawn where they lie and the scale bar spans its millimetres", "[render]") {
  LoadedSeries ct = loadPath(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  auto volume = std::make_shared<const Volume>(std::move(ct.volumes.at(0)));
  SlicePipeline pipeline;
  pipeline.setVolume(volume, "", "");
  SliceViewState state = pipeline.state();
  state.window = windowPreset("lung");
  state.zoom = 1.5;
  state.panMm[0] = 20;
  state.showCrosshair = false;
  pipeline.setState(state);
  const int size = 600;
  // A horizontal line 60 mm long through the crosshair, on the shown slice; a second one 10 mm
  // off the slice must not be drawn.
  const Vec3 c = state.crosshairLps;
  OverlayLayers overlays;
  overlays.polylines.push_back({{c + Vec3{-30, 0, 0}, c + Vec3{30, 0, 0}}, {0, 255, 255, 255}, false, true, 0.5});
  overlays.polylines.push_back({{c + Vec3{-30, 20, 10}, c + Vec3{30, 20, 10}}, {255, 0, 255, 255}, false, true, 0.5});
  pipeline.setOverlays(overlays);
  const std::string png = test::scratchFolder("render-lines") + "/lines.png";
  pipeline.renderToPng(png, size, size);
  Png shot(png);
  auto isCyan = [](const std::array<int, 3>& p) { return p[0] < 80 && p[1] > 200 && p[2] > 200; };
  auto isMagenta = [](const std::array<int, 3>& p) { return p[0] > 200 && p[1] < 80 && p[2] > 200; };
  const auto [x0, y0] = pipeline.lpsToScreen(c + Vec3{-30, 0, 0}, size, size);
  const auto [x1, y1] = pipeline.lpsToScreen(c + Vec3{30, 0, 0}, size, size);
  REQUIRE(std::abs(y0 - y1) < 0.5);
  // Along the predicted segment the line's colour is found within a pixel; beyond its ends not.
  int hits = 0, probes = 0;
  for (double t = 0.05; t < 0.95; t += 0.05, ++probes) {
    const int x = int(std::lround(x0 + t * (x1 - x0)));
    bool found = false;
    for (int dy = -1; dy <= 1; ++dy) found = found || isCyan(shot.rgb(x, int(std::lround(y0)) + dy));
    hits += found;
  }
  CHECK(hits == probes);
  CHECK_FALSE(isCyan(shot.rgb(int(x1) + 8, int(std::lround(y0)))));
  int magenta = 0;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) magenta += isMagenta(shot.rgb(x, y));
  CHECK(magenta == 0);
  // The line is 60 mm: its screen length matches the pipeline's mm per pixel.
  CHECK((x1 - x0) * pipeline.mmPerScreenPixel(size, size) == Approx(60.0).epsilon(1e-6));

  // Scale bar: a round length; its white horizontal run measures that many mm on screen.
  const double bar = pipeline.scaleBarMm();
  CHECK((bar == 10 || bar == 20 || bar == 50 || bar == 100 || bar == 200));
  int bestRun = 0;
  for (int y = size - 80; y < size - 50; ++y) {
    int run = 0;
    for (int x = 0; x < size; ++x) {
      const auto p = shot.rgb(x, y);
      run = (p[0] > 200 && p[1] > 200 && p[2] > 200) ? run + 1 : 0;
      bestRun = std::max(bestRun, run);
    }
  }
  CHECK(bestRun * pipeline.mmPerScreenPixel(size, size) == Approx(bar).margin(2 * pipeline.mmPerScreenPixel(size, size)));
}

TEST_CASE("3D: the bone preset of the POPI chest shows the skeleton in the anterior view", "[render][3d]") {
  LoadedSeries ct = loadPath(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  auto volume = std::make_shared<const Volume>(std::move(ct.volumes.at(0)));
  VolumePipeline vr;
  vr.setPreset(VolumePreset::Bone);
  vr.setVolume(volume, 192);
  vr.setCrosshairVisible(false);
  const std::string dir = test::scratchFolder("render-3d");
  const int size = 400;
  vr.renderToPng(dir + "/bone.png", size, size);
  Png bone(dir + "/bone.png");
  // Corners are background; the spine (midline, posterior, bright) is lit along the midline.
  CHECK(bone.rgb(5, 5)[0] < 10);
  CHECK(bone.rgb(size - 5, size - 60)[0] < 10);
  // The spine runs along the vertical midline: project two vertebral points and probe there.
  const VolumeGeometry& g = volume->geometry;
  const Vec3 centre = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
  const auto [sx, sy] = vr.lpsToScreen(centre, size, size);
  CHECK(std::abs(sx - size / 2.0) < 3);
  int lit = 0, n = 0;
  for (int y = int(sy) - 60; y <= int(sy) + 60; y += 4, ++n) {
    int best = 0;
    for (int dx = -6; dx <= 6; ++dx) best = std::max(best, bone.rgb(int(sx) + dx, y)[0]);
    lit += best > 100;
  }
  CHECK(lit > n * 3 / 4);
  // Patient left is on screen right: a point 100 mm to the patient's left projects right of centre.
  const auto [lx, ly] = vr.lpsToScreen(centre + Vec3{100, 0, 0}, size, size);
  CHECK(lx > sx + 50);
  CHECK(std::abs(ly - sy) < 2);
  const auto [hx, hy] = vr.lpsToScreen(centre + Vec3{0, 0, 100}, size, size);
  CHECK(hy < sy - 50); // superior is up

  // MIP of the same volume: brighter overall than the bone surface render's background.
  vr.setPreset(VolumePreset::Mip);
  vr.setWindow({0, 2000});
  vr.renderToPng(dir + "/mip.png", size, size);
  Png mip(dir + "/mip.png");
  CHECK(mip.rgb(int(sx), int(sy))[0] > 80);
  CHECK(parseVolumePreset("soft") == VolumePreset::SoftTissue);
  CHECK_THROWS_WITH(parseVolumePreset("glass"), Catch::Contains("unknown 3D preset 'glass'"));
}
