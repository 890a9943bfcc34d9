// SPDX-License-Identifier: Apache-2.0
// The viewer: document logic below the widgets, then one real window under Xvfb.
#include "tests/support/TestData.h"

#include "app/viewer/MainWindow.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"

#include "tests/support/QtWait.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QImage>
#include <QKeyEvent>
#include <QSignalSpy>
#include <QSurfaceFormat>

#include <cmath>

using namespace lightbox;

namespace {

std::shared_ptr<const Volume> testVolume() {
  auto v = std::make_shared<Volume>();
  v->geometry.size = {40, 30, 20};
  v->geometry.spacing = {0.5, 0.5, 2.0};
  v->units = "HU";
  std::vector<std::int16_t> data(v->geometry.voxelCount());
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::int16_t(i % 1000);
  v->voxels = data;
  return v;
}

} // namespace

TEST_CASE("document: crosshair scrolls by one slice spacing and stays inside the volume", "[viewer]") {
  ViewerDocument doc;
  QSignalSpy moved(&doc, &ViewerDocument::crosshairChanged);
  doc.setVolume(testVolume(), "P", "S", {}, {40, 400});
  const Vec3 start = doc.crosshair();
  doc.scroll(ViewPlane::Axial, 1);
  CHECK(doc.crosshair()[2] == Approx(start[2] + 2.0));
  doc.scroll(ViewPlane::Coronal, -2);
  CHECK(doc.crosshair()[1] == Approx(start[1] - 1.0));
  doc.scroll(ViewPlane::Axial, 1000);
  CHECK(doc.crosshair()[2] == Approx(38.0)); // clamped to the last slice
  CHECK(moved.count() == 3);
  CHECK(doc.valueAt({0, 0, 0}) == 0);
  CHECK(std::isnan(doc.valueAt({-50, 0, 0})));
}

TEST_CASE("document: window presets, series window and invert", "[viewer]") {
  ViewerDocument doc;
  doc.setVolume(testVolume(), "P", "S", {}, {35, 100});
  doc.setWindow(windowPreset("lung"));
  CHECK(doc.window() == WindowLevel{-600, 1500});
  doc.setWindow(doc.seriesWindow());
  CHECK(doc.window() == WindowLevel{35, 100});
  doc.setWindow({0, -5});
  CHECK(doc.window().width == 1.0);
  doc.setInverted(true);
  CHECK(doc.inverted());
}

TEST_CASE("real window: opens the LIDC slab, draws three views, keys change the document", "[viewer][window]") {
  MainWindow window;
  window.resize(900, 700);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))));
  QApplication::processEvents();
  ViewerDocument* doc = window.document();
  REQUIRE(doc->volume());
  CHECK(doc->volume()->geometry.size[2] == 16);

  const QImage shot = grabWindow(&window);
  REQUIRE(shot.width() >= 800);
  // Each of the three views shows the chest: some bright and some dark pixels in its cell.
  const std::vector<SliceViewport*> views{window.view(0), window.view(1), window.view(2)};
  for (SliceViewport* view : views) {
    INFO(toString(view->plane()));
    REQUIRE(view->isVisible());
    const QImage cell = view->grabFramebuffer();
    int bright = 0, dark = 0;
    for (int y = 0; y < cell.height(); y += 4) {
      for (int x = 0; x < cell.width(); x += 4) {
        const int g = qGray(cell.pixel(x, y));
        bright += g > 150;
        dark += g < 30;
      }
    }
    const int samples = ((cell.height() + 3) / 4) * ((cell.width() + 3) / 4);
    CHECK(bright > samples / 100);
    CHECK(dark > samples / 100);
  }

  // Keyboard: the lung preset, then one slice up in the axial view.
  SliceViewport* axial = nullptr;
  for (SliceViewport* v : views) {
    if (v->plane() == ViewPlane::Axial) axial = v;
  }
  REQUIRE(axial);
  const double z = doc->crosshair()[2];
  QKeyEvent one(QEvent::KeyPress, Qt::Key_1, Qt::NoModifier, "1");
  QApplication::sendEvent(axial, &one);
  CHECK(doc->window() == windowPreset("lung"));
  QKeyEvent up(QEvent::KeyPress, Qt::Key_Up, Qt::NoModifier);
  QApplication::sendEvent(axial, &up);
  CHECK(doc->crosshair()[2] == Approx(z + 2.5));
}

TEST_CASE("real window: a folder without images reports instead of failing silently", "[viewer][window]") {
  MainWindow window;
  const std::string empty = test::scratchFolder("viewer-empty");
  // The warning dialog would block: closed once it shows (the folder is scanned on a worker while
  // the event loop runs, so it opens some events later), counted.
  test::MessageBoxCloser closer;
  CHECK_FALSE(window.openPath(QString::fromStdString(empty)));
  CHECK_FALSE(window.document()->volume());
  CHECK(closer.closed() == 1);
}

TEST_CASE("value decimals and window presets follow the units: HU whole, SUV to two decimals with "
          "SUV presets",
          "[viewer][window]") {
  CHECK(valueDecimals("HU", 5) == 0);
  CHECK(valueDecimals("SUVbw", 500) == 2);
  CHECK(valueDecimals("", 5) == 2);
  CHECK(valueDecimals("", 50) == 1);
  CHECK(valueDecimals("", 500) == 0);
  CHECK(isSuvUnits("SUV"));
  CHECK_FALSE(isSuvUnits("Bq/mL"));
  REQUIRE(windowPresetsFor("SUVbw").size() == 4);
  CHECK(windowPresetsFor("SUVbw")[1].window == WindowLevel{2.5, 5});
  CHECK(windowPresetsFor("HU").front().name == "lung");
  CHECK(windowPresetsFor("").front().name == "lung");
  CHECK(defaultSuvWindow() == WindowLevel{2.5, 5});
}
