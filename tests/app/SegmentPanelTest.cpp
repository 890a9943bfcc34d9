// SPDX-License-Identifier: Apache-2.0
// The segment list and the segments in the views, in a real window under Xvfb: the dock lists a
// segment with its numbers and provenance, a click goes to it, hiding and fill / outline change
// the slice views, renaming and recolouring are undoable and saved, and the 3D view draws each
// segment as a smooth surface where the segment lies, rebuilt when a stroke ends, not per dab.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/MainWindow.h"
#include "app/viewer/SegmentPanel.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "core/segmentation/LabelMapFile.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QSlider>
#include <QTableWidget>
#include <QTest>
#include <QUndoStack>

#include <cstdlib>

using namespace lightbox;
using test::waitFor;

namespace {

const char* kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";
const char* kSlabXml = "ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml";

/// Pixels of the pure magenta the test gives the segment (nothing else in a CT view is magenta).
int magentaPixels(const QImage& frame) {
  int n = 0;
  for (int y = 0; y < frame.height(); ++y)
    for (int x = 0; x < frame.width(); ++x) {
      const QColor c = frame.pixelColor(x, y);
      n += c.red() > 220 && c.green() < 40 && c.blue() > 220;
    }
  return n;
}

const SegmentSurfaceInfo* surfaceOf(const std::vector<SegmentSurfaceInfo>& surfaces, int label) {
  for (const SegmentSurfaceInfo& s : surfaces)
    if (s.label == label) return &s;
  return nullptr;
}

} // namespace

TEST_CASE("segment dock: lists the clicked lesion, goes to it, hides and restyles it, renames undoably, and the 3D view "
          "draws its surface",
          "[viewer][window][segmentation]") {
  const std::string folder = test::scratchFolder("segment-dock-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kSlab))));
  ViewerDocument* doc = window.document();
  doc->setSegmentEngine(ViewerDocument::SegmentEngine::Classical); // the engine-independent dock
  SegmentPanel* panel = window.segmentPanel();
  QTableWidget* table = panel->table();
  static_cast<QDockWidget*>(panel->parentWidget())->raise();
  CHECK(table->rowCount() == 0);

  const Vec3 centre = test::lidcConsensus(test::sharedData(kSlabXml), doc->volume()->geometry).centroid;
  REQUIRE(doc->segmentAt(centre) == 1);
  const SegmentStats st = doc->segmentStats(1);

  // Listed with its numbers and where it came from; selected (the brush paints it).
  REQUIRE(table->rowCount() == 1);
  CHECK(table->item(0, SegmentPanel::ColName)->text() == "Lesion 1");
  CHECK(table->item(0, SegmentPanel::ColVolume)->text().toDouble() == Approx(st.volumeMl).margin(0.01));
  CHECK(st.volumeMl > 4.0);
  CHECK(table->item(0, SegmentPanel::ColAxes)->text().startsWith(QString::number(st.longAxisMm, 'f', 1)));
  CHECK(table->item(0, SegmentPanel::ColProvenance)->text() == "automatic: classical");
  CHECK(table->item(0, SegmentPanel::ColVisible)->checkState() == Qt::Checked);
  CHECK(doc->selectedSegment() == 1);
  CHECK(panel->details()->text().contains("automatic: classical"));

  // A click on the row moves every view to the segment's RECIST slice.
  doc->setCrosshair(doc->volume()->geometry.ijkToLps({10, 10, 0}));
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(0, SegmentPanel::ColVolume)).center());
  const Vec3 there = doc->crosshair();
  CHECK(std::lround(doc->volume()->geometry.lpsToIjk(there)[2]) == long(st.axisSlice));
  CHECK(norm(there - centre) < 10.0);

  // Recoloured (undoable): pure magenta, which nothing else on a CT slice is.
  REQUIRE(doc->setSegmentColour(1, 255, 0, 255));
  CHECK(doc->undoStack()->undoText().startsWith("Colour of"));
  SliceViewport* axial = window.view(0);
  const int shown = magentaPixels(axial->grabFramebuffer());
  CHECK(shown > 30);

  // Hidden from the table's checkbox: its pixels, axes and numbers leave the slice view.
  table->item(0, SegmentPanel::ColVisible)->setCheckState(Qt::Unchecked);
  CHECK_FALSE(doc->segmentDisplay(1).visible);
  CHECK(magentaPixels(axial->grabFramebuffer()) == 0);
  table->item(0, SegmentPanel::ColVisible)->setCheckState(Qt::Checked);
  CHECK(magentaPixels(axial->grabFramebuffer()) == shown);

  // Fill at full opacity covers the lesion; outline only leaves its edge (and the axes).
  panel->fill()->setCurrentIndex(int(SegmentFill::Fill));
  panel->opacity()->setValue(100);
  CHECK(doc->segmentDisplay(1).fill == SegmentFill::Fill);
  CHECK(doc->segmentDisplay(1).opacity == Approx(1.0));
  CHECK(table->item(0, SegmentPanel::ColDraw)->text() == "100%");
  const int filled = magentaPixels(axial->grabFramebuffer());
  panel->fill()->setCurrentIndex(int(SegmentFill::Outline));
  const int outlined = magentaPixels(axial->grabFramebuffer());
  CHECK(outlined > 0);
  CHECK(filled > 2 * outlined);
  panel->fill()->setCurrentIndex(int(SegmentFill::FillAndOutline));
  panel->opacity()->setValue(30);

  // Renamed in the table: one undo step, saved beside the review.
  table->item(0, SegmentPanel::ColName)->setText("LLL nodule");
  CHECK(doc->labels().segments[0].name == "LLL nodule");
  CHECK(doc->undoStack()->undoText() == "Rename segment to LLL nodule");
  CHECK(loadLabelMap(doc->labelsPath(), doc->volume()->geometry).segments[0].name == "LLL nodule");
  doc->undoStack()->undo();
  CHECK(doc->labels().segments[0].name == "Lesion 1");
  CHECK(table->item(0, SegmentPanel::ColName)->text() == "Lesion 1");
  CHECK(loadLabelMap(doc->labelsPath(), doc->volume()->geometry).segments[0].name == "Lesion 1");
  doc->undoStack()->redo();
  CHECK(table->item(0, SegmentPanel::ColName)->text() == "LLL nodule");

  // The 3D view: one smooth surface, where the segment is (LPS, with the volume rendering).
  VolumeViewport* vr = window.volumeView();
  REQUIRE(vr->isVisible());
  vr->grabFramebuffer();
  std::vector<SegmentSurfaceInfo> surfaces = vr->segmentSurfaces();
  const SegmentSurfaceInfo* surface = surfaceOf(surfaces, 1);
  REQUIRE(surface);
  CHECK(surface->visible);
  CHECK(surface->points > 100);
  CHECK(surface->revision == doc->labels().revision);
  const Vec3 middle = (surface->lpsMin + surface->lpsMax) * 0.5;
  INFO("surface middle " << middle[0] << ", " << middle[1] << ", " << middle[2] << "; segment centroid "
                         << st.centroidLps[0] << ", " << st.centroidLps[1] << ", " << st.centroidLps[2]);
  CHECK(norm(middle - st.centroidLps) < 6.0);
  const Vec3 extent = surface->lpsMax - surface->lpsMin;
  CHECK(std::max(extent[0], extent[1]) > 0.6 * st.longAxisMm);
  CHECK(std::max(extent[0], extent[1]) < 1.3 * st.longAxisMm);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    doc->goToSegment(1);
    vr->grabFramebuffer();
    grabWindow(&window).save(QString(shots) + "/segment-dock.png");
    // Closer, from above and in front: the surface against the volume rendering.
    vr->rotate(20, 35);
    vr->zoom(2.5);
    vr->grabFramebuffer().save(QString(shots) + "/segment-3d.png");
    vr->resetCamera();
  }

  // Opacity and fill are the slice views' business: no 3D frame (about a second on software GL).
  REQUIRE(waitFor([&] { return !vr->framePending() && !vr->rendering(); }, 30000));
  const std::uint64_t frames = vr->framesRendered();
  panel->opacity()->setValue(50);
  panel->fill()->setCurrentIndex(int(SegmentFill::Outline));
  waitFor([] { return false; }, 200);
  CHECK_FALSE(vr->framePending());
  CHECK_FALSE(vr->rendering());
  CHECK(vr->framesRendered() == frames);
  panel->fill()->setCurrentIndex(int(SegmentFill::FillAndOutline));

  // A brush stroke: the surface is not rebuilt per dab, only once the stroke has ended.
  const std::uint64_t before = doc->labels().revision;
  const double volumeBefore = table->item(0, SegmentPanel::ColVolume)->text().toDouble();
  const auto [right, down] = doc->axes(ViewPlane::Axial);
  REQUIRE(doc->beginStroke(false, cross(right, down)));
  for (int i = 0; i < 6; ++i) doc->strokeDab(there + right * (12.0 + 2.0 * i));
  CHECK(doc->labels().revision > before);
  vr->grabFramebuffer();
  CHECK(surfaceOf(vr->segmentSurfaces(), 1)->revision == before);
  CHECK(table->item(0, SegmentPanel::ColVolume)->text().toDouble() == volumeBefore); // measured at the end
  doc->endStroke();
  CHECK(table->item(0, SegmentPanel::ColVolume)->text().toDouble() > volumeBefore);
  CHECK(table->item(0, SegmentPanel::ColProvenance)->text().startsWith("semi-automatic: classical ("));
  vr->grabFramebuffer();
  CHECK(surfaceOf(vr->segmentSurfaces(), 1)->revision == doc->labels().revision);
  doc->undoStack()->undo();

  // Hidden in the 3D view too; deleted (one undo step) it leaves the list and the 3D view.
  table->item(0, SegmentPanel::ColVisible)->setCheckState(Qt::Unchecked);
  vr->grabFramebuffer();
  CHECK_FALSE(surfaceOf(vr->segmentSurfaces(), 1)->visible);
  table->item(0, SegmentPanel::ColVisible)->setCheckState(Qt::Checked);
  panel->deleteCurrent();
  CHECK(doc->labels().segments.empty());
  CHECK(doc->labels().count(1) == 0);
  CHECK(table->rowCount() == 0);
  vr->grabFramebuffer();
  CHECK(vr->segmentSurfaces().empty());
  doc->undoStack()->undo();
  CHECK(table->rowCount() == 1);
  CHECK(doc->labels().count(1) > 0);
  unsetenv("LIGHTBOX_ANNOTATIONS");
}
