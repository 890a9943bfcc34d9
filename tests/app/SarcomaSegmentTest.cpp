// SPDX-License-Identifier: Apache-2.0
// Issue 23 in the reading room: a real sarcoma CT, one click with the promptable model (run off the
// GUI thread: the window keeps serving events), two correction clicks that each improve the mask
// against the clinicians' outline, and the 3D view's surface. STS_005 is one of the shipped model's
// training cases: this checks the viewer's path, not the model's accuracy (MODEL_CARD.md has that).
#include "tests/support/PetSeries.h"
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/MainWindow.h"
#include "app/viewer/RegistrationController.h"
#include "app/viewer/SegmentPanel.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "app/viewer/VtkViewport.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWheelEvent>

#include <cmath>
#include <cstdlib>

using namespace lightbox;

namespace {

const char* const kSts005 = "lesions/sarcoma_ibsi_sts/STS_005";

/// Shows `window` with STS_005's CT open (its annotations in a scratch folder named `scratch`) and
/// returns the clinicians' mask on the CT's grid.
std::vector<std::uint8_t> openSts005Ct(MainWindow& window, const char* scratch) {
  const std::string folder = test::scratchFolder(scratch);
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  const std::string caseDir = test::sharedData(kSts005);
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  const VolumeGeometry& g = window.document()->volume()->geometry;
  const LoadedSeries maskFile = loadPath(caseDir + "/CT_mask.nii.gz");
  std::vector<std::uint8_t> reference(g.voxelCount());
  REQUIRE(maskFile.volumes.front().geometry.voxelCount() == reference.size());
  for (std::size_t q = 0; q < reference.size(); ++q) reference[q] = maskFile.volumes.front().value(q) > 0.5;
  return reference;
}

} // namespace

TEST_CASE("a sarcoma CT: one click outlines the tumour without blocking the window, two "
          "corrections improve it, the 3D "
          "view draws it",
          "[viewer][window][segmentation][sarcoma]") {
  const std::string caseDir = test::sharedData(kSts005);
  MainWindow window;
  const std::vector<std::uint8_t> reference = openSts005Ct(window, "sarcoma-annotations");
  ViewerDocument* doc = window.document();
  REQUIRE(doc->segmentEngine() == ViewerDocument::SegmentEngine::Model);
  const VolumeGeometry& g = doc->volume()->geometry;
  const std::size_t interior = mostInteriorVoxel(g, reference);
  const Vec3 seed = g.ijkToLps({double(interior % g.size[0]), double((interior / g.size[0]) % g.size[1]),
                                double(interior / (g.size[0] * g.size[1]))});

  // The window keeps serving its events while the model runs: a 10 ms timer goes on firing.
  int ticks = 0;
  QTimer timer;
  QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
  timer.start(10);
  REQUIRE(doc->segmentAt(seed) == 1);
  timer.stop();
  INFO("timer ticks while the model ran: " << ticks);
  CHECK(ticks >= 3);
  auto maskOf = [&] {
    std::vector<std::uint8_t> m(reference.size());
    for (std::size_t q = 0; q < m.size(); ++q) m[q] = doc->labels().labels[q] == 1;
    return m;
  };
  double dice = diceCoefficient(maskOf(), reference);
  std::printf("STS_005 CT in the viewer: one click Dice %.3f", dice);
  CHECK(dice >= 0.6); // 0.77 today (training case; 0.40 with the first 800-iteration model)
  const double oneClick = dice;
  // A correction changes the region it points at: the model's change there and the region the
  // click claims geodesically, which may take a few voxels of tumour with the error (in the
  // cross-validation 3 of 173 remove clicks and 9 of 118 add clicks lost more than 0.005 Dice).
  constexpr double kSlack = 0.005;
  for (int k = 0; k < 2; ++k) {
    const std::optional<CorrectionClick> c = nextCorrection(g, maskOf(), reference);
    REQUIRE(c);
    REQUIRE(doc->refineSegment(1, c->lps, c->add));
    const double next = diceCoefficient(maskOf(), reference);
    std::printf(", %s click %.3f", c->add ? "add" : "remove", next);
    CHECK(next >= dice - kSlack);
    dice = next;
  }
  std::printf("\n");
  CHECK(dice >= oneClick + 0.03); // 0.770 -> 0.791 -> 0.834 today
  // The prompts are saved with the segment, in order.
  REQUIRE(doc->labels().segments.size() == 1);
  const std::vector<SegmentPrompt> prompts = doc->labels().segments[0].prompts;
  REQUIRE(prompts.size() == 3);
  CHECK(prompts[0].seed);
  CHECK(prompts[0].lps == seed);
  CHECK_FALSE(prompts[1].seed);
  doc->goToSegment(1);
  VolumeViewport* vr = window.volumeView();
  REQUIRE(vr->isVisible());
  vr->grabFramebuffer();
  bool surface = false;
  for (const SegmentSurfaceInfo& s : vr->segmentSurfaces()) surface = surface || (s.label == 1 && s.points > 100);
  CHECK(surface);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    grabWindow(&window).save(QString(shots) + "/sarcoma-ct-segment.png");
    vr->grabFramebuffer().save(QString(shots) + "/sarcoma-ct-3d.png");
  }

  // Reopened in a new window: the segment and its prompts come back, and a third correction
  // refines it (the model's last result replayed from the saved prompts).
  MainWindow again;
  again.resize(1600, 1000);
  again.show();
  REQUIRE(again.openPath(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  ViewerDocument* reopened = again.document();
  REQUIRE(reopened->labels().segments.size() == 1);
  CHECK(reopened->labels().segments[0].prompts == prompts);
  const std::optional<CorrectionClick> third = nextCorrection(g, maskOf(), reference);
  REQUIRE(third);
  doc = reopened;
  REQUIRE(reopened->refineSegment(1, third->lps, third->add));
  const double after = diceCoefficient(maskOf(), reference);
  std::printf("after reopening, a third click: %.3f\n", after);
  CHECK(after >= dice - kSlack); // 0.834 -> 0.832 today (a remove click)
  CHECK(reopened->labels().segments[0].prompts.size() == 4);
}

TEST_CASE("a sarcoma CT: a box dragged with the segment tool outlines the tumour",
          "[viewer][window][segmentation][sarcoma]") {
  MainWindow window;
  const std::vector<std::uint8_t> reference = openSts005Ct(window, "sarcoma-box-annotations");
  ViewerDocument* doc = window.document();
  const VolumeGeometry& g = doc->volume()->geometry;
  // The tumour's extent in the slice of its most interior voxel, 10 % looser on every side: the
  // rectangle a reader drags on the axial view.
  const std::size_t interior = mostInteriorVoxel(g, reference);
  const std::size_t nx = g.size[0], ny = g.size[1], k = interior / (nx * ny);
  double lo[2] = {1e9, 1e9}, hi[2] = {-1e9, -1e9};
  for (std::size_t j = 0; j < ny; ++j)
    for (std::size_t i = 0; i < nx; ++i)
      if (reference[i + nx * (j + ny * k)]) {
        lo[0] = std::min(lo[0], double(i)), hi[0] = std::max(hi[0], double(i));
        lo[1] = std::min(lo[1], double(j)), hi[1] = std::max(hi[1], double(j));
      }
  REQUIRE(hi[0] > lo[0]);
  const double gx = 0.1 * (hi[0] - lo[0] + 1), gy = 0.1 * (hi[1] - lo[1] + 1);
  const Vec3 a = g.ijkToLps({lo[0] - gx, lo[1] - gy, double(k)}),
             b = g.ijkToLps({hi[0] + gx, hi[1] + gy, double(k)});
  doc->setCrosshair((a + b) * 0.5);
  SliceViewport* axial = window.view(0);
  REQUIRE(test::waitFor([&] { return !axial->framePending(); }, 20000));
  doc->setTool(Tool::Segment);
  QSignalSpy said(doc, &ViewerDocument::annotationError);
  const QPointF from = axial->widgetPointOf(a), to = axial->widgetPointOf(b);
  QMouseEvent press(QEvent::MouseButtonPress, from, axial->mapToGlobal(from), Qt::LeftButton,
                    Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &press);
  for (int step = 1; step <= 4; ++step) {
    const QPointF at = from + (to - from) * (step / 4.0);
    QMouseEvent move(QEvent::MouseMove, at, axial->mapToGlobal(at), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
  }
  QMouseEvent release(QEvent::MouseButtonRelease, to, axial->mapToGlobal(to), Qt::LeftButton,
                      Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &release);
  REQUIRE(doc->labels().segments.size() == 1);
  std::vector<std::uint8_t> mask(reference.size());
  for (std::size_t q = 0; q < mask.size(); ++q)
    mask[q] = doc->labels().labels[q] == 1;
  const double dice = diceCoefficient(mask, reference);
  // The box is drawn on one slice: its depth is its shorter side (93 mm here), less than this
  // tumour's 154 mm along z, so the mask stops at the box's ends (said in a message).
  std::size_t inBoxDepth = 0, referenceVoxels = 0;
  const double halfDepthMm = 0.5 * std::min(std::abs(b[0] - a[0]), std::abs(b[1] - a[1]));
  for (std::size_t q = 0; q < reference.size(); ++q) {
    if (!reference[q])
      continue;
    ++referenceVoxels;
    inBoxDepth += std::abs((double(q / (nx * ny)) - double(k)) * g.spacing[2]) <= halfDepthMm;
  }
  std::printf("STS_005 CT in the viewer, a box 10 %% looser than the tumour's slice: Dice %.3f "
              "(%.0f %% of the tumour "
              "within the box's depth)\n",
              dice, 100.0 * double(inBoxDepth) / double(referenceVoxels));
  CHECK(dice >= 0.6);
  CHECK(doc->labels().segments[0].algorithm ==
        "lightbox-lesion-prompt"); // the promptable model, not the nodule one
  // The cut at the box's ends is said.
  bool toldEnds = false;
  for (const QList<QVariant>& message : said)
    toldEnds = toldEnds || message.at(0).toString().contains("first or last slice of the box");
  CHECK(toldEnds);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    grabWindow(&window).save(QString(shots) + "/sarcoma-ct-box.png");
}

namespace {

/// The clinicians' mask of `file` on its own grid, and its most interior voxel as an LPS point.
std::pair<std::vector<std::uint8_t>, Vec3> maskAndCentre(const std::string& file) {
  const LoadedSeries m = loadPath(file);
  const Volume& v = m.volumes.front();
  std::vector<std::uint8_t> mask(v.geometry.voxelCount());
  for (std::size_t q = 0; q < mask.size(); ++q)
    mask[q] = v.value(q) > 0.5;
  const VolumeGeometry& g = v.geometry;
  const std::size_t c = mostInteriorVoxel(g, mask);
  return {mask, g.ijkToLps({double(c % g.size[0]), double((c / g.size[0]) % g.size[1]),
                            double(c / (g.size[0] * g.size[1]))})};
}

/// The pixels of `view`'s frame over both images, by the PET's value there: hot (2.8-4 SUV,
/// orange to yellow in hot iron over a 0-5 SUV window: red well above blue) and cold (<= 0.9 SUV:
/// grey; and whether that grey is the CT's through `ctWindow` or the PET's own, within 24 levels).
struct FusedPixels {
  int hot = 0, hotRed = 0, cold = 0, coldGrey = 0, coldAsCt = 0, coldAsPet = 0;
};

FusedPixels countFused(SliceViewport* view, const ViewerDocument* pet, const ViewerDocument* ct,
                       const WindowLevel& ctWindow, const char* shot) {
  const QImage frame = view->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    frame.save(QString(shots) + "/" + shot);
  const double scale = view->devicePixelRatioF();
  FusedPixels n;
  for (int y = 0; y < frame.height(); ++y) {
    for (int x = 0; x < frame.width(); ++x) {
      const Vec3 p = view->lpsAt(QPointF(x, y) / scale);
      const double suv = pet->valueAt(p), hu = ct->valueAt(p);
      if (std::isnan(suv) || std::isnan(hu))
        continue;
      const QRgb c = frame.pixel(x, y);
      if (suv >= 2.8 && suv <= 4.0) {
        ++n.hot;
        n.hotRed += qRed(c) > qBlue(c) + 80;
      } else if (suv <= 0.9) {
        ++n.cold;
        n.coldGrey += std::abs(qRed(c) - qBlue(c)) <= 12;
        const double ctGrey =
            std::clamp((hu - (ctWindow.center - ctWindow.width / 2)) / ctWindow.width, 0.0, 1.0) *
            255;
        const double petGrey = std::clamp(suv / 5.0, 0.0, 1.0) * 255;
        n.coldAsCt += std::abs(qGreen(c) - ctGrey) <= 24;
        n.coldAsPet += std::abs(qGreen(c) - petGrey) <= 24 && std::abs(ctGrey - petGrey) > 48;
      }
    }
  }
  return n;
}

/// The pointer readout of `view` with the mouse moved over `at` (widget pixels).
QString readoutAt(SliceViewport* view, const QPoint& at) {
  QSignalSpy probed(view, &SliceViewport::probed);
  QMouseEvent move(QEvent::MouseMove, QPointF(at), view->mapToGlobal(QPointF(at)), Qt::NoButton,
                   Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(view, &move);
  QApplication::processEvents();
  REQUIRE_FALSE(probed.isEmpty());
  return probed.last().at(0).toString();
}

/// Pixels of `view` (every third in each direction) over PET values of 2 SUV or more that are
/// red (hot iron); none but the crosshair's and letters' when the PET is not fused.
int redOverUptake(SliceViewport* view, const ViewerDocument* pet) {
  const QImage frame = view->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
  const double scale = view->devicePixelRatioF();
  int red = 0;
  for (int y = 0; y < frame.height(); y += 3)
    for (int x = 0; x < frame.width(); x += 3)
      if (pet->valueAt(view->lpsAt(QPointF(x, y) / scale)) >= 2.0)
        red += qRed(frame.pixel(x, y)) > qBlue(frame.pixel(x, y)) + 80;
  return red;
}

} // namespace

TEST_CASE("a sarcoma PET/CT: the NIfTIs read in HU and SUV, the PET opens beside the CT fused as "
          "acquired in hot iron, "
          "SUV presets and the segment's SUVmax / SUVmean / SUVpeak",
          "[viewer][window][sarcoma][petct]") {
  const std::string folder = test::scratchFolder("sarcoma-petct-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  const std::string caseDir = test::sharedData("lesions/sarcoma_ibsi_sts/STS_005");
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  // File > Open comparison file... starts in the CT's folder, where its PET is.
  QAction* openComparisonFile = nullptr;
  for (QAction* menu : window.menuBar()->actions())
    if (menu->menu())
      for (QAction* a : menu->menu()->actions())
        if (a->text() == "Open comparison (prior) f&ile...")
          openComparisonFile = a;
  REQUIRE(openComparisonFile);
  QString dialogDir;
  QTimer::singleShot(300, [&] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (auto* dialog = qobject_cast<QFileDialog*>(w); dialog && dialog->isVisible()) {
        dialogDir = dialog->directory().absolutePath();
        dialog->reject();
      }
  });
  openComparisonFile->trigger();
  CHECK(dialogDir == QFileInfo(QString::fromStdString(caseDir)).absoluteFilePath());
  REQUIRE(window.openComparison(QString::fromStdString(caseDir + "/PET_image.nii.gz")));
  ViewerDocument* ct = window.document();
  ViewerDocument* pet = window.comparison();
  // No modality in a NIfTI: recognised from the values.
  CHECK(ct->volume()->units == "HU");
  CHECK(pet->volume()->units == "SUV");
  CHECK(ct->window() == windowPreset("mediastinum")); // a CT without a window: soft tissue
  // The PET opens at 0-5 SUV (not its 1st-99th percentile).
  CHECK(pet->window() == defaultSuvWindow());
  // One PET/CT: linked and fused as acquired (identity), in scanner coordinates.
  RegistrationController* reg = window.registration();
  REQUIRE(reg->asAcquired());
  REQUIRE(reg->registered());
  CHECK(reg->transform() == RegistrationTransform{});
  CHECK(reg->fusionMode() == FusionMode::Blend);
  CHECK(reg->linkText().contains("as acquired"));
  CHECK(reg->linkText().contains("a guess")); // research files: by their boxes
  // Another comparison (the MR: no PET) takes the pair's fusion away; the PET brings it back.
  REQUIRE(window.openComparison(QString::fromStdString(caseDir + "/MR_T1_image.nii.gz")));
  CHECK_FALSE(reg->asAcquired());
  CHECK(reg->fusionMode() == FusionMode::Off);
  {
    // Linked by offset (not registered): a click in the MR pane sets a new offset, and the CT pane
    // re-frames at once, the two showing the same anatomy at the same place.
    SliceViewport* ctAxial = window.view(0);
    SliceViewport* mrView = window.comparisonView();
    ViewerDocument* mr = window.comparison();
    QApplication::processEvents();
    const QPoint at = mrView->widgetPointOf(mr->crosshair()).toPoint() + QPoint(40, -25);
    QTest::mouseClick(mrView, Qt::LeftButton, Qt::NoModifier, at);
    QApplication::processEvents();
    const Vec3 offset = mr->crosshair() - ct->crosshair();
    INFO("offset " << offset[0] << ", " << offset[1] << ", " << offset[2]);
    for (const Vec3& p : {ct->crosshair(), ct->crosshair() + Vec3{30, 20, 0}}) {
      const QPointF a = ctAxial->widgetPointOf(p), b = mrView->widgetPointOf(p + offset);
      INFO("CT (" << a.x() << ", " << a.y() << "), MR (" << b.x() << ", " << b.y() << ")");
      CHECK(std::hypot(a.x() - b.x(), a.y() - b.y()) < 1.0);
    }
    // The MR pane stayed still under the pointer: its crosshair is where the click was.
    const QPointF clicked = mrView->widgetPointOf(mr->crosshair());
    CHECK(std::hypot(clicked.x() - at.x(), clicked.y() - at.y()) < 2.0);
  }
  REQUIRE(window.openComparison(QString::fromStdString(caseDir + "/PET_image.nii.gz")));
  pet = window.comparison();
  REQUIRE(reg->asAcquired());
  CHECK(reg->fusionMode() == FusionMode::Blend);
  REQUIRE(test::waitFor([&] { return reg->derivedReady(); }, 20000));

  // The axial view through the tumour's centre (on the PET): hot where the PET is hot, grey where
  // it is cold. The reference is the PET's own value at each pixel's point (identity transform).
  const auto [petMask, centre] = maskAndCentre(caseDir + "/PET_mask.nii.gz");
  ct->setCrosshair(centre);
  QApplication::processEvents();
  SliceViewport* axial = window.view(0);
  // Hot iron is clear below a fifth of the window (1 SUV), then runs dark red, orange, yellow to
  // white at the top (5 SUV): orange to yellow between 2.8 and 4; grey below 1.
  const FusedPixels fused = countFused(axial, pet, ct, ct->window(), "sarcoma-petct-axial.png");
  const int hot = fused.hot;
  INFO("hot pixels " << fused.hot << " (red " << fused.hotRed << "), cold " << fused.cold
                     << " (grey " << fused.coldGrey << ")");
  REQUIRE(fused.hot > 200);
  REQUIRE(fused.cold > 200);
  CHECK(fused.hotRed >=
        0.9 * fused.hot); // the rest: the legend, the yellow crosshair's gaps, the text
  CHECK(fused.coldGrey >= 0.95 * fused.cold);
  // Fusion off: the CT alone, grey where the PET was hot.
  reg->setFusionMode(FusionMode::Off);
  QApplication::processEvents();
  const int stillRed = redOverUptake(axial, pet); // the yellow crosshair and letters only
  INFO("red with the fusion off: " << stillRed);
  CHECK(stillRed <= 0.03 * hot);
  reg->setFusionMode(FusionMode::Blend);
  QApplication::processEvents();
  // The pointer over the fused CT: its HU and the PET's SUV at that point.
  const QPoint overTumour = axial->widgetPointOf(centre).toPoint();
  const QString readout = readoutAt(axial, overTumour);
  INFO(readout.toStdString());
  CHECK(readout.contains(" HU at "));
  CHECK(readout.contains(QString("; fused PET %1 SUV")
                             .arg(pet->valueAt(axial->lpsAt(QPointF(overTumour))), 0, 'f', 2)));
  // F on a PET/CT: off and blend only (a difference or checkerboard of two modalities shows
  // nothing more).
  reg->cycleFusionMode();
  CHECK(reg->fusionMode() == FusionMode::Off);
  reg->cycleFusionMode();
  CHECK(reg->fusionMode() == FusionMode::Blend);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    grabWindow(&window).save(QString(shots) + "/sarcoma-petct-fused.png");

  // SUV presets on the PET's keys: 4 is 0-20 SUV, 2 back to 0-5.
  window.comparisonView()->setFocus();
  QTest::keyClick(window.comparisonView(), Qt::Key_4);
  CHECK(pet->window() == WindowLevel{10, 20});
  QTest::keyClick(window.comparisonView(), Qt::Key_2);
  CHECK(pet->window() == WindowLevel{2.5, 5});
  // The CT keeps its HU presets (1: lung), and the PET keeps its SUV window (the linked window
  // is shared only between series of the same units).
  QTest::keyClick(axial, Qt::Key_1);
  CHECK(ct->window() == windowPreset("lung"));
  CHECK(pet->window() == WindowLevel{2.5, 5});

  // The two panes show the same anatomy at the same place and scale, and keep doing so when the
  // reader zooms one (Ctrl+wheel) or pans the other (middle drag).
  SliceViewport* petView = window.comparisonView();
  auto sameFraming = [&](const char* when) {
    QApplication::processEvents();
    const QPointF a = axial->widgetPointOf(centre), b = petView->widgetPointOf(centre);
    const QPointF a2 = axial->widgetPointOf(centre + Vec3{30, 20, 0});
    const QPointF b2 = petView->widgetPointOf(centre + Vec3{30, 20, 0});
    INFO(when << ": tumour centre at (" << a.x() << ", " << a.y() << ") and (" << b.x() << ", "
              << b.y() << "), 36 mm away at (" << a2.x() << ", " << a2.y() << ") and (" << b2.x()
              << ", " << b2.y() << ")");
    CHECK(std::hypot(a.x() - b.x(), a.y() - b.y()) < 1.0);
    CHECK(std::hypot(a2.x() - b2.x(), a2.y() - b2.y()) < 1.0);
    return a;
  };
  sameFraming("opened");
  const double before = axial->mmPerWidgetPixel();
  const QPointF zoomAt = axial->widgetPointOf(centre) + QPointF(25, -15);
  QWheelEvent wheel(zoomAt, axial->mapToGlobal(zoomAt), QPoint(), QPoint(0, 2 * 120), Qt::NoButton,
                    Qt::ControlModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(axial, &wheel);
  CHECK(axial->mmPerWidgetPixel() == Approx(before / (1.15 * 1.15)).epsilon(1e-6));
  CHECK(petView->mmPerWidgetPixel() == Approx(axial->mmPerWidgetPixel()).epsilon(1e-6));
  const QPointF zoomed = sameFraming("the CT zoomed");
  const QPoint from = petView->widgetPointOf(centre).toPoint();
  QTest::mousePress(petView, Qt::MiddleButton, Qt::NoModifier, from);
  QMouseEvent drag(QEvent::MouseMove, QPointF(from + QPoint(40, 25)),
                   petView->mapToGlobal(QPointF(from + QPoint(40, 25))), Qt::NoButton,
                   Qt::MiddleButton, Qt::NoModifier);
  QApplication::sendEvent(petView, &drag);
  QTest::mouseRelease(petView, Qt::MiddleButton, Qt::NoModifier, from + QPoint(40, 25));
  const QPointF panned = sameFraming("the PET panned");
  CHECK(panned.x() - zoomed.x() == Approx(40).margin(1));
  CHECK(panned.y() - zoomed.y() == Approx(25).margin(1));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    grabWindow(&window).save(QString(shots) + "/sarcoma-petct-framed.png");

  // The PET alone: a click outlines the tumour; the panel gives SUVmax, SUVmean and SUVpeak, each
  // checked against the PET's values under the segment computed here.
  REQUIRE(window.openPath(QString::fromStdString(caseDir + "/PET_image.nii.gz")));
  ViewerDocument* doc = window.document();
  REQUIRE(doc->volume()->units == "SUV");
  REQUIRE(doc->segmentAt(centre) == 1);
  const Volume& v = *doc->volume();
  std::vector<std::uint8_t> seg(v.geometry.voxelCount());
  double sum = 0, max = 0;
  std::size_t n = 0;
  for (std::size_t q = 0; q < seg.size(); ++q) {
    seg[q] = doc->labels().labels[q] == 1;
    if (!seg[q])
      continue;
    sum += v.value(q);
    max = std::max(max, v.value(q));
    ++n;
  }
  REQUIRE(n > 10);
  std::printf("STS_005 PET in the viewer: one click Dice %.3f, SUVmax %.2f, SUVmean %.2f\n",
              diceCoefficient(seg, petMask), max, sum / double(n));
  // SUVpeak by brute force: every voxel of the segment as a centre, the 1 mL sphere's mean.
  const VolumeGeometry& g = v.geometry;
  double peak = 0;
  const double r = 6.2035;
  std::vector<Vec3> at(seg.size());
  for (std::size_t t = 0; t < seg.size(); ++t)
    at[t] = g.ijkToLps({double(t % g.size[0]), double((t / g.size[0]) % g.size[1]),
                        double(t / (g.size[0] * g.size[1]))});
  for (std::size_t q = 0; q < seg.size(); ++q) {
    if (!seg[q])
      continue;
    double s = 0;
    std::size_t m = 0;
    for (std::size_t t = 0; t < seg.size(); ++t) {
      if (norm(at[t] - at[q]) > r)
        continue;
      s += v.value(t);
      ++m;
    }
    peak = std::max(peak, s / double(m));
  }
  const QString text = window.segmentPanel()->details()->text();
  INFO(text.toStdString() << "; SUVpeak by brute force " << peak);
  CHECK(text.contains(QString("SUVmax %1").arg(max, 0, 'f', 2)));
  CHECK(text.contains(QString("SUVmean %1").arg(sum / double(n), 0, 'f', 2)));
  CHECK(text.contains(QString("SUVpeak %1").arg(peak, 0, 'f', 2)));
  // TLG: SUVmean x volume (mL), the volume from the voxel count and the grid's spacing.
  const double ml = double(n) * g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000.0;
  CHECK(text.contains(QString("TLG %1").arg(sum / double(n) * ml, 0, 'f', 1)));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    grabWindow(&window).save(QString(shots) + "/sarcoma-pet-segment.png");

  // The same PET as a DICOM series in Bq/mL, its window in Bq/mL as a scanner writes it: it reads
  // in SUVbw and opens at 0-5 SUV, not at the stored window (all black in SUV).
  const double suvAtCentre = doc->valueAt(centre);
  const std::string dicomPet = test::scratchFolder("sarcoma-pet-dicom");
  const PetDoseInfo dose = test::typicalFdg();
  test::writePetSeries(v, dicomPet, dose, dose.patientWeightKg, 20000, 40000);
  REQUIRE(window.openPath(QString::fromStdString(dicomPet)));
  CHECK(window.document()->volume()->units == "SUVbw");
  CHECK(window.document()->window() == defaultSuvWindow());
  CHECK(window.document()->valueAt(centre) == Approx(suvAtCentre).margin(0.01));
}

TEST_CASE(
    "a sarcoma PET opened first with its CT as the comparison: fused the other way up, the CT "
    "in grey under the PET in hot iron, the pointer reading both",
    "[viewer][window][sarcoma][petct]") {
  const std::string folder = test::scratchFolder("sarcoma-petct-under-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  const std::string caseDir = test::sharedData("lesions/sarcoma_ibsi_sts/STS_005");
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(caseDir + "/PET_image.nii.gz")));
  REQUIRE(window.openComparison(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  ViewerDocument* pet = window.document();
  ViewerDocument* ct = window.comparison();
  REQUIRE(pet->volume()->units == "SUV");
  REQUIRE(ct->volume()->units == "HU");
  RegistrationController* reg = window.registration();
  REQUIRE(reg->asAcquired());
  CHECK(reg->petUnderCurrent());
  CHECK_FALSE(reg->petOverCurrent());
  CHECK(reg->fusionMode() == FusionMode::Blend);
  REQUIRE(test::waitFor([&] { return reg->derivedReady(); }, 20000));

  // The axial view through the tumour: orange to yellow where the PET reads 2.8-4 SUV; where it
  // reads <= 0.9 the CT's own grey through the CT's window (W 400 L 40), not the PET's near-black.
  const auto [petMask, centre] = maskAndCentre(caseDir + "/PET_mask.nii.gz");
  pet->setCrosshair(centre);
  QApplication::processEvents();
  SliceViewport* axial = window.view(0);
  REQUIRE(ct->window() == windowPreset("mediastinum"));
  const FusedPixels n = countFused(axial, pet, ct, ct->window(), "sarcoma-pet-over-ct-axial.png");
  INFO("hot " << n.hot << " (red " << n.hotRed << "), cold " << n.cold << " (grey " << n.coldGrey
              << ", the CT's grey " << n.coldAsCt << ", the PET's " << n.coldAsPet << ")");
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS"))
    grabWindow(&window).save(QString(shots) + "/sarcoma-pet-over-ct.png");
  REQUIRE(n.hot > 200);
  REQUIRE(n.cold > 200);
  CHECK(n.hotRed >= 0.9 * n.hot);
  CHECK(n.coldGrey >= 0.95 * n.cold);
  CHECK(n.coldAsCt >= 0.85 * n.cold);
  CHECK(n.coldAsPet <= 0.05 * n.cold);
  const int hot = n.hot;
  // The pointer over the tumour: the PET's SUV and the CT's HU under it.
  const QPoint overTumour = axial->widgetPointOf(centre).toPoint();
  const QString readout = readoutAt(axial, overTumour);
  INFO(readout.toStdString());
  CHECK(readout.contains(" SUV at "));
  CHECK(readout.contains(QString("; fused CT %1 HU")
                             .arg(std::lround(ct->valueAt(axial->lpsAt(QPointF(overTumour)))))));
  // F: off (the PET alone, in grey) and blend again.
  reg->cycleFusionMode();
  CHECK(reg->fusionMode() == FusionMode::Off);
  QApplication::processEvents();
  CHECK(redOverUptake(axial, pet) <= 0.03 * hot);
  reg->cycleFusionMode();
  CHECK(reg->fusionMode() == FusionMode::Blend);
}
