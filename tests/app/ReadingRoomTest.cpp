// SPDX-License-Identifier: Apache-2.0
// The reading room as a radiologist meets it, in a real window under Xvfb: malformed files never
// end the session, every view shows the series that was just opened, idle is idle, and image
// keys reach the views after a menu, a layout change or a double click.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/DicomHeaderDialog.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/SegmentPanel.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/StudyBrowser.h"
#include "core/study/StudyLoader.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/io/ImageFileIO.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMouseEvent>
#include <QProcess>
#include <QScreen>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <QTableWidget>
#include <QTreeWidget>
#include <QAction>

#include <sys/resource.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace lightbox;
using test::waitFor;

namespace {

const char* kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";
const char* kChest = "ct/chest_4dct_popi_phase00";

/// Runs the event loop for `ms` without spinning (the process sleeps when nothing happens).
void idleFor(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::vector<VtkViewport*> shownViews(MainWindow& w) {
  std::vector<VtkViewport*> out;
  for (int i = 0; i < 3; ++i) {
    if (w.view(i)->isVisible()) out.push_back(w.view(i));
  }
  if (w.volumeView()->isVisible()) out.push_back(w.volumeView());
  return out;
}

const Volume* shownVolume(VtkViewport* v) {
  if (auto* s = qobject_cast<SliceViewport*>(v)) return s->shownVolume();
  return static_cast<VolumeViewport*>(v)->shownVolume();
}

/// Waits until every shown view has painted a frame and no deferred frame is pending (the 3D
/// view: its frame rendered in full).
bool settle(MainWindow& w, int ms) {
  const bool ok = waitFor([&] {
    for (VtkViewport* v : shownViews(w)) {
      if (v->framePending() || shownVolume(v) != w.document()->volume().get()) return false;
    }
    return !w.volumeView()->isVisible() || !w.volumeView()->rendering();
  }, ms);
  if (!ok) {
    for (VtkViewport* v : shownViews(w)) {
      UNSCOPED_INFO(v->metaObject()->className() << " pending " << v->framePending() << " frames "
                                                 << v->framesPainted() << " shows the open volume "
                                                 << (shownVolume(v) == w.document()->volume().get()));
    }
  }
  return ok;
}

/// Shows `window` at the given size with `relative` open; with `settled`, waits until every shown
/// view has painted the series.
void openShown(MainWindow& window, const char* relative, int width = 1600, int height = 1000, bool settled = true) {
  window.resize(width, height);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(relative))));
  if (settled) REQUIRE(settle(window, 20000));
}

/// The largest reader outline of the LIDC slab's lesion, rasterised on `geometry`.
ReaderOutline largestLidcOutline(const VolumeGeometry& geometry) {
  const auto outlines = readLidcOutlines(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"), geometry);
  REQUIRE(!outlines.empty());
  const ReaderOutline* largest = &outlines.front();
  for (const auto& o : outlines)
    if (std::count(o.mask.begin(), o.mask.end(), 1) > std::count(largest->mask.begin(), largest->mask.end(), 1)) largest = &o;
  return *largest;
}

} // namespace

TEST_CASE("every malformed file opened in the viewer leaves the session alive with a reason", "[viewer][window][malformed]") {
  MainWindow window;
  window.resize(1000, 700);
  window.show();
  test::MessageBoxCloser closer;
  const std::string root = test::sharedData("malformed");
  int files = 0, opened = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".dcm") continue;
    ++files;
    INFO(e.path().string());
    const bool ok = window.openPath(QString::fromStdString(e.path().string()));
    opened += ok;
    // Either the file shows or the reader is told why, naming the file.
    if (!ok) {
      bool named = false;
      for (int i = 0; i < window.messages()->count(); ++i) {
        named = named || window.messages()->item(i)->text().contains(QString::fromStdString(e.path().filename().string()));
      }
      CHECK(named);
    }
  }
  CHECK(files >= 25);
  CHECK(opened >= 10);
  // The whole folder at once (File > Open of a folder holding every bad file): the session lives
  // on and shows one of the loadable series.
  CHECK(window.openPath(QString::fromStdString(root)));
  CHECK(window.document()->volume());
  // The big-endian RT dose that used to abort in GDCM opens with its dose grid.
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData("malformed/pydicom/rtdose_expb_1frame.dcm"))));
  CHECK(window.document()->volume()->geometry.size[0] == 10);
}

TEST_CASE("opening a second series: every view shows it on its first frame, then the window is idle", "[viewer][window]") {
  MainWindow window;
  openShown(window, kSlab);
  REQUIRE(shownViews(window).size() == 4); // 2x2 with the 3D view
  const Volume* first = shownVolume(window.volumeView());
  REQUIRE(first);

  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kChest))));
  const Volume* second = window.document()->volume().get();
  REQUIRE(second->geometry.size[2] == 141);
  // No view may paint the previous series after the open: the first frame of each is the new one
  // (the 3D view's first rendered frame; until it comes the view is black with a note, never the
  // previous series).
  auto framesOf = [&](VtkViewport* v) {
    return v == window.volumeView() ? window.volumeView()->framesRendered() : v->framesPainted();
  };
  std::map<VtkViewport*, std::uint64_t> before;
  for (VtkViewport* v : shownViews(window)) before[v] = framesOf(v);
  bool previousShown = false;
  REQUIRE(waitFor([&] {
    previousShown = previousShown || (first != second && shownVolume(window.volumeView()) == first);
    for (VtkViewport* v : shownViews(window)) {
      if (framesOf(v) == before[v]) return false;
    }
    return true;
  }, 20000));
  CHECK_FALSE(previousShown);
  for (VtkViewport* v : shownViews(window)) {
    INFO(v->metaObject()->className());
    CHECK(shownVolume(v) == second);
  }
  REQUIRE(settle(window, 20000));

  // Idle: nothing happens, so nothing is painted and the process uses (almost) no CPU. (The study
  // list's thumbnails, made in the background after an open, finish first.)
  REQUIRE(waitFor([&] { return !window.browser()->thumbnailsBusy(); }, 20000));
  idleFor(500);
  std::map<VtkViewport*, std::uint64_t> idle;
  for (VtkViewport* v : shownViews(window)) idle[v] = v->framesPainted();
  const double cpu0 = processCpuSeconds();
  QElapsedTimer wall;
  wall.start();
  idleFor(3000);
  const double cpuShare = (processCpuSeconds() - cpu0) / (double(wall.elapsed()) / 1000.0);
  for (VtkViewport* v : shownViews(window)) {
    INFO(v->metaObject()->className());
    CHECK(v->framesPainted() == idle[v]);
  }
  INFO("idle CPU share of one core: " << cpuShare);
  CHECK(cpuShare < 0.02);
}

TEST_CASE("a key in one view paints that view at once, the others follow when input pauses", "[viewer][window]") {
  MainWindow window;
  openShown(window, kChest);
  SliceViewport* axial = window.view(0);
  REQUIRE(axial->plane() == ViewPlane::Axial);
  const std::uint64_t axialFrames = axial->framesPainted();
  const std::uint64_t coronalFrames = window.view(1)->framesPainted();
  const std::uint64_t volumeFrames = window.volumeView()->framesRendered();
  const double z = window.document()->crosshair()[2];
  for (int i = 0; i < 10; ++i) {
    QTest::keyClick(axial, Qt::Key_Down);
    QApplication::processEvents();
  }
  CHECK(window.document()->crosshair()[2] == Approx(z - 20.0));
  // The burst is drawn in the scrolled view, key by key; the 3D view (a second a frame on
  // llvmpipe) waits for it to end instead of rendering once per key.
  CHECK(axial->framesPainted() >= axialFrames + 5);
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  CHECK(window.view(1)->framesPainted() > coronalFrames);
  CHECK(window.volumeView()->framesRendered() > volumeFrames);
  CHECK(window.volumeView()->framesRendered() <= volumeFrames + 2); // not 10: at most a pause mid-burst under load
}

namespace {
double litShareOnScreen(VtkViewport* view);
} // namespace

TEST_CASE("the 3D view never blocks the GUI thread: a key answered while a 3D frame is in flight", "[viewer][window][3d]") {
  MainWindow window;
  openShown(window, kChest);
  SliceViewport* axial = window.view(0);
  VolumeViewport* volume = window.volumeView();
  REQUIRE(volume->isVisible());
  const std::uint64_t axialFrames = axial->framesPainted();
  const std::uint64_t volumeFrames = volume->framesRendered();
  // A new 3D frame is asked for (seconds of ray casting on llvmpipe), then a key in the axial view.
  volume->setPreset(VolumePreset::SoftTissue);
  QTest::keyClick(axial, Qt::Key_Down);
  // When each frame came, as the event loop sees it. A 3D render on the GUI thread paints both in
  // the same turn of the loop (the key waits behind the 3D frame); off the GUI thread the axial
  // frame comes first.
  QElapsedTimer clock;
  clock.start();
  qint64 axialAt = -1, volumeAt = -1;
  bool inFlightAtAxial = false;
  REQUIRE(waitFor([&] {
    const qint64 now = clock.nsecsElapsed(); // one reading per turn: same turn, same time
    if (axialAt < 0 && axial->framesPainted() > axialFrames) {
      axialAt = now;
      inFlightAtAxial = volume->rendering();
      if (const char* dir = std::getenv("LIGHTBOX_TEST_SHOTS")) {
        QGuiApplication::primaryScreen()->grabWindow(0).save(QString(dir) + "/3d-in-flight.png");
      }
    }
    if (volumeAt < 0 && volume->framesRendered() > volumeFrames) volumeAt = now;
    return axialAt >= 0 && volumeAt >= 0;
  }, 60000));
  INFO("axial frame after " << axialAt / 1e6 << " ms, 3D frame after " << volumeAt / 1e6 << " ms");
  const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS");
  CHECK(axialAt < volumeAt);
  CHECK(inFlightAtAxial);
  CHECK(volume->framesRendered() == volumeFrames + 1);

  // Frames no longer wanted are dropped: four presets in a row render the last one, not four.
  const std::uint64_t before = volume->framesRendered();
  for (VolumePreset p : {VolumePreset::Bone, VolumePreset::Lung, VolumePreset::Mip, VolumePreset::Bone}) {
    volume->setPreset(p);
    QApplication::processEvents();
  }
  REQUIRE(settle(window, 60000));
  CHECK(volume->framesRendered() <= before + 2);
  CHECK(volume->shownPreset() == VolumePreset::Bone);

  // Un-maximising: the 3D quadrant shows its own last frame (scaled) at once, and the frame of its
  // new size comes later: never what the maximised view left there.
  const QPoint centre = axial->rect().center();
  QTest::mouseDClick(axial, Qt::LeftButton, {}, centre);
  REQUIRE(waitFor([&] { return !volume->isVisible(); }, 5000));
  volume->setPreset(VolumePreset::SoftTissue); // while hidden: a new 3D frame is needed when shown
  idleFor(300);
  QTest::mouseDClick(axial, Qt::LeftButton, {}, centre);
  REQUIRE(waitFor([&] { return volume->isVisible(); }, 5000));
  const std::uint64_t painted = volume->framesPainted(), rendered = volume->framesRendered();
  REQUIRE(waitFor([&] { return volume->framesPainted() > painted; }, 5000));
  CHECK(volume->framesRendered() == rendered);
  CHECK(litShareOnScreen(volume) > 0.02); // the bone rendering, scaled: not a black or foreign area
  if (shots) QGuiApplication::primaryScreen()->grabWindow(0).save(QString(shots) + "/3d-unmaximised.png");
  REQUIRE(settle(window, 60000));
  if (shots) grabWindow(&window).save(QString(shots) + "/3d-settled.png");
}

TEST_CASE("image keys reach the views after a menu, a layout change and a double click", "[viewer][window]") {
  MainWindow window;
  openShown(window, kSlab);
  // Xvfb has no window manager to give the window back its activation after the progress dialog.
  window.activateWindow();
  REQUIRE(QTest::qWaitForWindowActive(&window));
  auto* search = window.browser()->findChild<QLineEdit*>();
  REQUIRE(search);
  INFO(window.browser()->findChildren<QLineEdit*>().size() << " line edits; parent " << search->parent()->metaObject()->className());
  CHECK(search->focusPolicy() == Qt::ClickFocus);

  auto pressX1 = [&] {
    // Keys go to whatever has the focus, as a real keyboard's do.
    QWidget* target = QApplication::focusWidget() ? QApplication::focusWidget() : &window;
    INFO("focus: " << (QApplication::focusWidget() ? QApplication::focusWidget()->metaObject()->className() : "none"));
    const bool lines = window.document()->crosshairLinesVisible();
    QTest::keyClick(target, Qt::Key_X);
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &window, Qt::Key_1, Qt::NoModifier);
    QApplication::processEvents();
    CHECK(search->text().isEmpty());
    CHECK(window.document()->crosshairLinesVisible() != lines);
  };
  SECTION("layout change") {
    window.setLayoutMode(1, 1);
    pressX1();
    window.setLayoutMode(3, 1);
    pressX1();
    window.setLayoutMode(2, 2);
    pressX1();
  }
  SECTION("double click maximises and restores") {
    const QPoint centre = window.view(1)->rect().center();
    QTest::mouseDClick(window.view(1), Qt::LeftButton, {}, centre);
    QApplication::processEvents();
    pressX1();
    QTest::mouseDClick(window.view(1), Qt::LeftButton, {}, centre);
    QApplication::processEvents();
    pressX1();
  }
  SECTION("after the search field was used, the pointer over a view takes the keys back") {
    QTest::mouseClick(search, Qt::LeftButton);
    QTest::keyClicks(search, "zz");
    CHECK(search->text() == "zz");
    search->clear();
    REQUIRE(QApplication::focusWidget() == search);
    QEvent enter(QEvent::Enter);
    QApplication::sendEvent(window.view(0), &enter);
    pressX1();
  }
}

namespace {

/// Share of pixels brighter than near-black in the view's area of the real screen (the X server's
/// framebuffer, as a screenshot sees it; not a frame read back by the view itself).
double litShareOnScreen(VtkViewport* view) {
  const QPoint origin = view->mapToGlobal(QPoint(0, 0));
  const QImage shot = QGuiApplication::primaryScreen()
                          ->grabWindow(0, origin.x(), origin.y(), view->width(), view->height())
                          .toImage();
  if (shot.isNull()) return 0.0;
  std::size_t lit = 0;
  for (int y = 0; y < shot.height(); ++y) {
    for (int x = 0; x < shot.width(); ++x) lit += qGray(shot.pixel(x, y)) > 40;
  }
  return double(lit) / double(std::max(1, shot.width() * shot.height()));
}

} // namespace

TEST_CASE("views shown again after a layout change are on screen at once, without rendering again", "[viewer][window]") {
  MainWindow window;
  openShown(window, kChest);
  idleFor(300);
  std::map<VtkViewport*, std::uint64_t> before;
  for (VtkViewport* v : shownViews(window)) {
    before[v] = v->framesPainted();
    INFO(v->objectName().toStdString());
    CHECK(litShareOnScreen(v) > 0.05); // the chest is on the screen, not a black window
  }
  window.setLayoutMode(1, 1);
  idleFor(500);
  window.setLayoutMode(2, 2);
  REQUIRE(waitFor([&] { return shownViews(window).size() == 4; }, 5000));
  idleFor(500);
  for (VtkViewport* v : shownViews(window)) {
    INFO(v->objectName().toStdString());
    CHECK(litShareOnScreen(v) > 0.05);
  }
  // Nothing changed: the hidden views show their last frame again. The 3D view (about a second
  // a frame on llvmpipe) in particular is not rendered again.
  CHECK(window.volumeView()->framesPainted() == before[window.volumeView()]);
  CHECK(window.view(1)->framesPainted() == before[window.view(1)]);
}

TEST_CASE("document: the acquisition plane shows acquired slices, turned planes and slabs stay put", "[viewer]") {
  auto volume = std::make_shared<Volume>();
  volume->geometry.size = {20, 20, 10};
  volume->geometry.spacing = {1.0, 1.0, 2.5};
  volume->geometry.origin = {0, 0, -30.5};
  volume->voxels = std::vector<std::int16_t>(volume->geometry.voxelCount(), 0);
  ViewerDocument doc;
  doc.setVolume(volume, "P", "S", {}, {40, 400});
  // Opening lands on a slice.
  const double k0 = (doc.crosshair()[2] + 30.5) / 2.5;
  CHECK(k0 == Approx(std::round(k0)));
  // A click in the coronal view between two slices (-29.8 lies between -30.5 and -28.0).
  doc.setCrosshair({5.0, 7.0, -29.8});
  CHECK(doc.crosshair()[2] == Approx(-30.5));
  CHECK(doc.crosshair()[0] == Approx(5.0)); // in-plane positions are not snapped
  doc.setCrosshair({5.0, 7.0, -29.0});
  CHECK(doc.crosshair()[2] == Approx(-28.0));
  // A slab in the acquisition plane: anywhere.
  PlaneSettings slab;
  slab.slab = SlabMode::Mip;
  slab.slabMm = 10;
  doc.setPlaneSettings(ViewPlane::Axial, slab);
  doc.setCrosshair({5.0, 7.0, -29.8});
  CHECK(doc.crosshair()[2] == Approx(-29.8));
  // A turned plane: anywhere too.
  PlaneSettings turned;
  turned.yawDeg = 20;
  doc.setPlaneSettings(ViewPlane::Axial, turned);
  doc.setCrosshair({5.0, 7.0, -29.8});
  CHECK(doc.crosshair()[2] == Approx(-29.8));
}

namespace {

/// Mean row of the axial plane's (red) reference line in a column of a view's frame, or -1.
double redRowAt(const QImage& frame, int x) {
  double sum = 0;
  int n = 0;
  for (int y = 0; y < frame.height(); ++y) {
    const QColor c = frame.pixelColor(x, y);
    if (c.red() > 120 && c.red() - c.green() > 70 && c.red() - c.blue() > 70 && std::abs(c.green() - c.blue()) < 30) {
      sum += y;
      ++n;
    }
  }
  return n ? sum / n : -1.0;
}

} // namespace

TEST_CASE("a turned axial plane is drawn as its tilted intersection line in the coronal view", "[viewer][window]") {
  MainWindow window;
  openShown(window, kChest);
  SliceViewport* coronal = window.view(1);
  REQUIRE(coronal->plane() == ViewPlane::Coronal);
  const int x0 = coronal->width() / 5, x1 = coronal->width() * 4 / 5;
  QImage frame = coronal->grabFramebuffer();
  const double flatLeft = redRowAt(frame, x0), flatRight = redRowAt(frame, x1);
  REQUIRE(flatLeft >= 0);
  REQUIRE(flatRight >= 0);
  CHECK(std::abs(flatLeft - flatRight) < 2.0); // the standard axial plane: a horizontal line
  PlaneSettings turned;
  turned.yawDeg = 20; // about the screen-down axis: the axial plane tilts left-right
  window.document()->setPlaneSettings(ViewPlane::Axial, turned);
  frame = coronal->grabFramebuffer();
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/oblique-lines.png");
  const double left = redRowAt(frame, x0), right = redRowAt(frame, x1);
  INFO("rows at 1/5 and 4/5 of the width: " << left << ", " << right);
  REQUIRE(left >= 0);
  REQUIRE(right >= 0);
  CHECK(std::abs(left - right) > 20.0);
}

TEST_CASE("the DICOM header of the image under the crosshair, filtered as the reader types", "[viewer][window]") {
  MainWindow window;
  openShown(window, kSlab, 1200, 800, false);
  // Ctrl+I opens the tag viewer on the slice shown in the axial view.
  const QAction* action = nullptr;
  for (QAction* a : window.findChildren<QAction*>()) {
    if (a->shortcut() == QKeySequence("Ctrl+I")) action = a;
  }
  REQUIRE(action);
  const_cast<QAction*>(action)->trigger();
  auto* dialog = window.findChild<DicomHeaderDialog*>();
  REQUIRE(dialog);
  const QString title = dialog->windowTitle();
  CHECK(title.endsWith(".dcm"));
  QTreeWidget* tree = dialog->tree();
  REQUIRE(tree->topLevelItemCount() > 50);
  dialog->setFilter("Patient's Name");
  int shown = 0;
  for (int i = 0; i < tree->topLevelItemCount(); ++i) shown += !tree->topLevelItem(i)->isHidden();
  CHECK(shown >= 1);
  CHECK(shown < 5);
  // The file is the one of the slice under the crosshair: its position is in the header.
  dialog->setFilter("(0020,0032)");
  QString position;
  for (int i = 0; i < tree->topLevelItemCount(); ++i) {
    if (!tree->topLevelItem(i)->isHidden()) position = tree->topLevelItem(i)->text(3);
  }
  const double z = position.section('\\', 2, 2).toDouble();
  CHECK(z == Approx(window.document()->crosshair()[2]).margin(0.01));
  dialog->close();
}

TEST_CASE("document: T cycles the corner text through full, minimal and off", "[viewer]") {
  ViewerDocument doc;
  CHECK(doc.annotationsVisible());
  CHECK_FALSE(doc.minimalText());
  doc.cycleAnnotationDetail();
  CHECK(doc.annotationsVisible());
  CHECK(doc.minimalText());
  doc.cycleAnnotationDetail();
  CHECK_FALSE(doc.annotationsVisible());
  doc.cycleAnnotationDetail();
  CHECK(doc.annotationsVisible());
  CHECK_FALSE(doc.minimalText());
}

TEST_CASE("a series dragged from the browser opens in the view it is dropped on", "[viewer][window]") {
  MainWindow window;
  openShown(window, kChest, 1400, 900, false);
  const std::string slab = test::sharedData(kSlab);
  const StudyScan scan = scanStudy(slab);
  REQUIRE(scan.series.size() == 1);
  const QString uid = QString::fromStdString(scan.series.front().header->seriesInstanceUid);
  auto drop = [&](QWidget* target) {
    std::unique_ptr<QMimeData> mime(seriesMimeData(QString::fromStdString(slab), uid));
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    REQUIRE(enter.isAccepted());
    QDropEvent dropped(QPointF(10, 10), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropped);
    QApplication::processEvents(); // the open is queued after the drop
  };
  // Onto the comparison view: the prior beside the current series.
  drop(window.comparisonView());
  REQUIRE(window.comparison()->volume());
  CHECK(window.comparison()->volume()->geometry.size[2] == 16);
  CHECK(window.document()->volume()->geometry.size[2] == 141);
  // Onto the sagittal view: the current series.
  drop(window.view(2));
  CHECK(window.document()->volume()->geometry.size[2] == 16);
  CHECK(window.document()->seriesKey() == uid);
}

TEST_CASE("an arrow note drawn on the image takes its text in the table and is saved with the series", "[viewer][window]") {
  MainWindow window;
  openShown(window, kSlab, 1400, 900, false);
  ViewerDocument* doc = window.document();
  const std::size_t before = doc->measurements().size();
  doc->setTool(Tool::Arrow);
  SliceViewport* axial = window.view(0);
  // Away from the centre, where other tests of this process leave measurements (and handles).
  const QPoint from = axial->rect().center() + QPoint(-110, 70), to = from + QPoint(60, -40);
  QTest::mousePress(axial, Qt::LeftButton, {}, from);
  QMouseEvent move(QEvent::MouseMove, to, axial->mapToGlobal(to), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &move);
  QTest::mouseRelease(axial, Qt::LeftButton, {}, to);
  REQUIRE(doc->measurements().size() == before + 1);
  const Measurement arrow = doc->measurements().back();
  CHECK(arrow.kind == MeasurementKind::Arrow);
  // The table row's note cell is open for typing.
  QTableWidget* table = window.measurementTable();
  const auto* editor = table->viewport()->findChild<QLineEdit*>();
  CHECK((editor && editor->isVisible()));
  CHECK(table->currentColumn() == 3);
  QTableWidgetItem* note = table->item(table->currentRow(), 3);
  REQUIRE(note);
  note->setText("enlarged node");
  CHECK(doc->measurement(arrow.id)->label == "enlarged node");
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/arrow-note.png");
  // Saved with the series: a new window on the same series shows it.
  MainWindow again;
  REQUIRE(again.openPath(QString::fromStdString(test::sharedData(kSlab))));
  const Measurement* saved = again.document()->measurement(arrow.id);
  REQUIRE(saved);
  CHECK(saved->kind == MeasurementKind::Arrow);
  CHECK(saved->label == "enlarged node");
}

TEST_CASE("decisions recorded with lightbox review on the command line show in the viewer", "[viewer][window][review]") {
  const QString slab = QString::fromStdString(test::sharedData(kSlab));
  const QString det = QString::fromStdString(test::scratchFolder("viewer-review")) + "/det.json";
  auto lightbox = [](const QStringList& args) {
    QProcess p; // same environment: the test's study index and annotation folder
    p.start(QString(LIGHTBOX_BINARY), args);
    REQUIRE(p.waitForFinished(180000));
    INFO(p.readAllStandardError().toStdString());
    REQUIRE(p.exitStatus() == QProcess::NormalExit);
    REQUIRE(p.exitCode() == 0);
  };
  lightbox({"detect", slab, "--json", det});
  lightbox({"review", slab, "--import", det, "--replace", "--accept", "F1"}); // other tests of this process may have decided
  lightbox({"review", slab, "--reject", "F2", "--reason", "vessel"});
  MainWindow window;
  openShown(window, kSlab, 1400, 900, false);
  const ViewerDocument* doc = window.document();
  REQUIRE(doc->finding("F1"));
  REQUIRE(doc->finding("F2"));
  CHECK(doc->finding("F1")->state == FindingState::Accepted);
  CHECK(doc->finding("F2")->state == FindingState::Rejected);
  CHECK(doc->finding("F2")->rejectReason == "vessel");
  CHECK(doc->findingsRun().model == "lightbox-nodule");
}

TEST_CASE("a click with the segment tool outlines the LIDC lesion, draws it with its axes, undoes, and reopens saved", "[viewer][window][segmentation]") {
  const std::string folder = test::scratchFolder("segment-viewer-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  MainWindow window;
  openShown(window, kSlab);
  ViewerDocument* doc = window.document();
  // The centroid of the lesion's largest reader outline.
  const ReaderOutline largestOutline = largestLidcOutline(doc->volume()->geometry);
  const ReaderOutline* largest = &largestOutline;
  const Vec3 centre = largest->centroidLps;
  doc->setCrosshair(centre);
  SliceViewport* axial = window.view(0);
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  doc->setTool(Tool::Segment);
  QTest::mouseClick(axial, Qt::LeftButton, {}, axial->widgetPointOf(centre).toPoint());
  REQUIRE(doc->labels().segments.size() == 1);
  const SegmentStats st = doc->segmentStats(1);
  INFO("volume " << st.volumeMl << " mL, axes " << st.longAxisMm << " x " << st.shortAxisMm << " mm");
  CHECK(st.volumeMl > 4.0);
  CHECK(st.volumeMl < 10.0);
  CHECK(st.longAxisMm > 25.0);
  CHECK(st.longAxisMm < 40.0);
  CHECK(st.mean > -300);
  // Drawn: the segment's colour (filled and outlined) around the click on the axial frame.
  doc->setCrosshair(centre);
  const QImage frame = axial->grabFramebuffer();
  int coloured = 0;
  for (int y = 0; y < frame.height(); ++y)
    for (int x = 0; x < frame.width(); ++x) {
      const QColor c = frame.pixelColor(x, y);
      coloured += c.red() > 200 && c.green() > 150 && c.blue() < 90; // the first segment's amber
    }
  CHECK(coloured > 30);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    doc->setCrosshair((st.longA + st.longB) * 0.5); // the slice the axes are measured on
    grabWindow(&window).save(QString(shots) + "/segment.png");
  }
  // The model made it (the default engine): provenance, and its uncertainty band (probability
  // 0.3-0.7) to draw as a dashed outline.
  CHECK(doc->labels().segments[0].algorithm == "lightbox-lesion");
  CHECK(doc->labels().segments[0].weightsSha256.size() == 64);
  const auto band = doc->uncertaintyVolume();
  REQUIRE(band);
  std::size_t bandVoxels = 0;
  for (std::size_t q = 0; q < band->geometry.voxelCount(); ++q) bandVoxels += band->value(q) == 1;
  CHECK(bandVoxels > 0);
  // Refinement: Alt+right click near the end of the long axis removes the region there (one undo
  // step), undo brings it back.
  const std::size_t before = doc->labels().count(1);
  const Vec3 tip = st.longA + (st.longB - st.longA) * 0.1;
  doc->setCrosshair(tip);
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  QTest::mouseClick(axial, Qt::RightButton, Qt::AltModifier, axial->widgetPointOf(tip).toPoint());
  CHECK(doc->undoStack()->undoText().startsWith("Refine"));
  const std::size_t removed = doc->labels().count(1);
  INFO("voxels before " << before << ", after the remove click " << removed);
  CHECK(removed < before);
  doc->undoStack()->undo();
  CHECK(doc->labels().count(1) == before);
  doc->setCrosshair(centre);
  // Saved at once beside the review; undo removes it (and saves that), redo brings it back.
  REQUIRE(!doc->labelsPath().empty());
  CHECK(std::filesystem::exists(doc->labelsPath()));
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.empty());
  CHECK(doc->labels().count(1) == 0);
  doc->undoStack()->redo();
  REQUIRE(doc->labels().segments.size() == 1);
  const std::size_t voxels = doc->labels().count(1);
  // Opening the series again restores the segment voxel for voxel.
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kChest))));
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kSlab))));
  REQUIRE(doc->labels().segments.size() == 1);
  CHECK(doc->labels().count(1) == voxels);
  CHECK(doc->labels().segments[0].algorithm == "lightbox-lesion");

  // The brush adds to the segment in one stroke (one undo step); the segment becomes
  // semi-automatic with the changed voxels counted; the eraser removes; undo restores exactly.
  doc->setCrosshair(centre);
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  doc->setTool(Tool::Brush);
  const QPoint from = axial->widgetPointOf(centre).toPoint();
  const QPoint to = from + QPoint(40, 0);
  QTest::mousePress(axial, Qt::LeftButton, {}, from);
  QAction* undoAction = nullptr;
  for (QAction* a : window.findChildren<QAction*>())
    if (a->shortcut() == QKeySequence(QKeySequence::Undo)) undoAction = a;
  REQUIRE(undoAction);
  CHECK_FALSE(undoAction->isEnabled()); // no undo while the stroke is held down
  for (int step = 1; step <= 8; ++step) {
    QMouseEvent move(QEvent::MouseMove, QPointF(from + (to - from) * step / 8), axial->mapToGlobal(QPointF(from + (to - from) * step / 8)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
  }
  QTest::mouseRelease(axial, Qt::LeftButton, {}, to);
  CHECK(undoAction->isEnabled());
  const std::size_t brushed = doc->labels().count(1);
  CHECK(brushed > voxels);
  CHECK(doc->labels().segments[0].origin == SegmentOrigin::SemiAutomatic);
  CHECK(doc->labels().segments[0].changedVoxels == brushed - voxels);
  CHECK(doc->undoStack()->undoText() == "Brush");
  doc->setTool(Tool::Eraser);
  QTest::mousePress(axial, Qt::LeftButton, {}, from);
  QTest::mouseRelease(axial, Qt::LeftButton, {}, from);
  CHECK(doc->labels().count(1) < brushed);
  doc->undoStack()->undo();
  CHECK(doc->labels().count(1) == brushed);
  doc->undoStack()->undo();
  CHECK(doc->labels().count(1) == voxels);
  CHECK(doc->labels().segments[0].origin == SegmentOrigin::Automatic);
  // Whole-segment edits from the Tools menu: one undo step each.
  REQUIRE(doc->applyToSelectedSegment(ViewerDocument::SegmentOperation::Smooth));
  CHECK(doc->undoStack()->undoText() == "Smooth segment");
  CHECK(doc->labels().count(1) != voxels);
  doc->undoStack()->undo();
  CHECK(doc->labels().count(1) == voxels);
  // A label map file opens on the series: its value 1 clashes with the segment and gets label 2.
  Volume cube;
  cube.geometry = doc->volume()->geometry;
  std::vector<std::int16_t> cv(cube.geometry.voxelCount(), 0);
  for (std::size_t k = 2; k < 6; ++k)
    for (std::size_t j = 100; j < 110; ++j)
      for (std::size_t i = 100; i < 110; ++i) cv[i + cube.geometry.size[0] * (j + cube.geometry.size[1] * k)] = 1;
  cube.voxels = cv;
  const std::string cubeFile = folder + "/cube.nii.gz";
  writeResearchImage({cube}, cubeFile);
  CHECK(doc->importLabels(QString::fromStdString(cubeFile)) == 1);
  REQUIRE(doc->labels().segments.size() == 2);
  CHECK(doc->labels().segments[1].label == 2);
  CHECK(doc->labels().segments[1].origin == SegmentOrigin::Imported);
  CHECK(doc->labels().count(2) == 400);
  CHECK(doc->labels().count(1) == voxels);
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.size() == 1);
  CHECK(doc->labels().count(2) == 0);
  // The brush paints in the acquired slices: in the coronal view it refuses (and says so).
  doc->setTool(Tool::Brush);
  SliceViewport* coronal = window.view(1);
  REQUIRE(coronal->plane() == ViewPlane::Coronal);
  const std::size_t beforeCoronal = doc->labels().count(1);
  QTest::mouseClick(coronal, Qt::LeftButton, {}, coronal->rect().center());
  CHECK(doc->labels().count(1) == beforeCoronal);
  CHECK(doc->undoStack()->undoText() != "Brush");
  unsetenv("LIGHTBOX_ANNOTATIONS");
}

TEST_CASE("a DICOM SEG with overlapping segments opens on its CT as one undo step, the overlaps said, drawn in its colours", "[viewer][window][segmentation][seg-import]") {
  const std::string folder = test::scratchFolder("seg-import-viewer-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  MainWindow window;
  openShown(window, "seg-sr/dcmqi_liver_ct3slice/ct");
  ViewerDocument* doc = window.document();
  QStringList said;
  QObject::connect(doc, &ViewerDocument::annotationError, [&said](const QString& m) { said << m; });
  const QString seg = QString::fromStdString(test::sharedData("seg-sr/dcmqi_liver_ct3slice/seg/partial_overlaps.dcm"));
  CHECK(doc->importLabels(seg) == 5);
  REQUIRE(doc->labels().segments.size() == 5);
  CHECK(doc->labels().segments[0].name == "GREEN");
  CHECK(doc->labels().segments[1].name == "ORANGE");
  CHECK(doc->labels().segments[1].typeMeaning == "Artery");
  for (const Segment& s : doc->labels().segments) CHECK(s.origin == SegmentOrigin::Imported);
  CHECK(doc->labels().count(1) == 6518); // 9602 of its own, 3084 shown as a later segment
  CHECK(doc->labels().count(2) == 11838);
  CHECK(said.filter("overlap in 3017 voxels").size() == 1);
  CHECK(doc->undoStack()->undoText() == "Open DICOM SEG partial_overlaps.dcm");
  // The middle slice (shown first) is the one GREEN and ORANGE share: both colours are drawn.
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  const QImage frame = window.view(0)->grabFramebuffer();
  auto near = [&frame](const Segment& s) {
    int n = 0;
    for (int y = 0; y < frame.height(); ++y)
      for (int x = 0; x < frame.width(); ++x) {
        const QColor c = frame.pixelColor(x, y);
        n += std::abs(c.red() - s.rgb[0]) < 16 && std::abs(c.green() - s.rgb[1]) < 16 && std::abs(c.blue() - s.rgb[2]) < 16;
      }
    return n;
  };
  CHECK(near(doc->labels().segments[0]) > 30);
  CHECK(near(doc->labels().segments[1]) > 30);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/seg-overlaps.png");
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.empty());
  CHECK(doc->labels().count(2) == 0);
  // A SEG of another series is refused by name and reason; the study stays open.
  said.clear();
  const QString other = QString::fromStdString(test::sharedData("seg-sr/highdicom_seg_on_pydicom_ct2/seg/seg_image_ct_binary.dcm"));
  CHECK(doc->importLabels(other) == 0);
  CHECK(said.filter("another frame of reference").size() == 1);
  CHECK(doc->volume());
  unsetenv("LIGHTBOX_ANNOTATIONS");
}

TEST_CASE("threshold brush paints only the range, threshold in a box and the segment tool's box bound the LIDC lesion, each one undo step",
          "[viewer][window][segmentation]") {
  setenv("LIGHTBOX_ANNOTATIONS", test::scratchFolder("threshold-tools-annotations").c_str(), 1);
  MainWindow window;
  openShown(window, kSlab);
  ViewerDocument* doc = window.document();
  const ReaderOutline largestOutline = largestLidcOutline(doc->volume()->geometry);
  const ReaderOutline* largest = &largestOutline;
  const Vec3 centre = largest->centroidLps;
  doc->setCrosshair(centre);
  SliceViewport* axial = window.view(0);
  REQUIRE(settle(window, 20000)); // a 3D frame takes seconds on llvmpipe, more on a loaded machine
  // The CT default range leaves the aerated lung out.
  CHECK(doc->thresholdRange() == std::pair<double, double>{-500.0, 300.0});

  // Threshold brush (Shift+H): a 15 mm stroke across the lesion's edge paints no lung voxel.
  QAction* thresholdBrush = nullptr;
  QAction* thresholdBox = nullptr;
  for (QAction* a : window.findChildren<QAction*>()) {
    if (a->shortcut() == QKeySequence("Shift+H")) thresholdBrush = a;
    if (a->shortcut() == QKeySequence("Shift+Y")) thresholdBox = a;
  }
  REQUIRE(thresholdBrush);
  REQUIRE(thresholdBox);
  thresholdBrush->trigger();
  REQUIRE(doc->tool() == Tool::ThresholdBrush);
  doc->setBrushRadiusMm(5);
  const auto [right, down] = doc->axes(ViewPlane::Axial);
  const QPoint from = axial->widgetPointOf(centre).toPoint();
  const QPoint to = axial->widgetPointOf(centre + right * 15.0).toPoint();
  QTest::mousePress(axial, Qt::LeftButton, {}, from);
  for (int step = 1; step <= 8; ++step) {
    const QPointF at = QPointF(from + (to - from) * step / 8);
    QMouseEvent move(QEvent::MouseMove, at, axial->mapToGlobal(at), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
  }
  QTest::mouseRelease(axial, Qt::LeftButton, {}, to);
  REQUIRE(doc->labels().segments.size() == 1);
  const std::uint8_t painted = doc->labels().segments[0].label;
  std::size_t voxels = 0, outOfRange = 0;
  for (std::size_t n = 0; n < doc->labels().labels.size(); ++n) {
    if (doc->labels().labels[n] != painted) continue;
    ++voxels;
    const double v = doc->volume()->value(n);
    outOfRange += v < -500 || v > 300;
  }
  CHECK(voxels > 20);
  CHECK(outOfRange == 0);
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.empty());

  // Threshold in a box (Shift+Y): a 40 mm box around the lesion on the axial view.
  thresholdBox->trigger();
  REQUIRE(doc->tool() == Tool::ThresholdBox);
  const QPoint a = axial->widgetPointOf(centre - right * 20.0 - down * 20.0).toPoint();
  const QPoint b = axial->widgetPointOf(centre + right * 20.0 + down * 20.0).toPoint();
  QTest::mousePress(axial, Qt::LeftButton, {}, a);
  QMouseEvent move(QEvent::MouseMove, QPointF(b), axial->mapToGlobal(QPointF(b)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &move);
  QTest::mouseRelease(axial, Qt::LeftButton, {}, b);
  REQUIRE(doc->labels().segments.size() == 1);
  CHECK(doc->undoStack()->undoText() == "Threshold in box");
  CHECK(doc->measurements().empty()); // the box is not kept as a rectangle ROI
  const std::uint8_t boxed = doc->labels().segments[0].label;
  std::vector<std::uint8_t> mask(doc->labels().labels.size());
  for (std::size_t n = 0; n < mask.size(); ++n) mask[n] = doc->labels().labels[n] == boxed;
  // A plain threshold: the lesion comes whole, and so does the chest wall it touches inside the
  // box (juxta-pleural), which the reader then erases - the model is the tool that separates them.
  std::size_t reader = 0, covered = 0, inRange = 0, taken = 0;
  for (std::size_t n = 0; n < mask.size(); ++n) {
    reader += largest->mask[n] != 0;
    covered += largest->mask[n] && mask[n];
    if (!mask[n]) continue;
    ++taken;
    const double v = doc->volume()->value(n);
    inRange += v >= -500 && v <= 300;
  }
  INFO("threshold in a box: " << taken << " voxels, covers " << covered << " of the reader's " << reader);
  CHECK(double(covered) >= 0.8 * double(reader));
  CHECK(inRange == taken);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    grabWindow(&window).save(QString(shots) + "/threshold-box.png");
    if (auto* panel = window.findChild<SegmentPanel*>()) panel->grab().save(QString(shots) + "/segments-dock.png");
  }
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.empty());

  // The segment tool with a box (a drag instead of a click): the engine at the box's centre, the
  // lesion kept inside the box. A box tighter than the lesion (16 mm across a 30 mm lesion) cuts it.
  doc->setTool(Tool::Segment);
  QTest::mouseClick(axial, Qt::LeftButton, {}, axial->widgetPointOf(centre).toPoint());
  REQUIRE(doc->labels().segments.size() == 1);
  const std::size_t whole = doc->labels().count(doc->labels().segments[0].label);
  doc->undoStack()->undo();
  const QPoint c = axial->widgetPointOf(centre - right * 8.0 - down * 8.0).toPoint();
  const QPoint e = axial->widgetPointOf(centre + right * 8.0 + down * 8.0).toPoint();
  QTest::mousePress(axial, Qt::LeftButton, {}, c);
  QMouseEvent drag(QEvent::MouseMove, QPointF(e), axial->mapToGlobal(QPointF(e)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &drag);
  QTest::mouseRelease(axial, Qt::LeftButton, {}, e);
  REQUIRE(doc->labels().segments.size() == 1);
  CHECK(doc->measurements().empty()); // the box is a prompt, not a rectangle ROI
  const std::uint8_t boxedLesion = doc->labels().segments[0].label;
  const std::size_t inBox = doc->labels().count(boxedLesion);
  INFO("whole lesion " << whole << " voxels, in a 16 mm box " << inBox);
  CHECK(inBox > whole / 4);
  CHECK(inBox < whole * 9 / 10);
  const VolumeGeometry& g = doc->volume()->geometry;
  const double slack = std::max(g.spacing[0], g.spacing[1]);
  for (std::size_t n = 0; n < doc->labels().labels.size(); ++n) {
    if (doc->labels().labels[n] != boxedLesion) continue;
    const Vec3 p = g.ijkToLps({double(n % g.size[0]), double((n / g.size[0]) % g.size[1]), double(n / (g.size[0] * g.size[1]))});
    REQUIRE(std::abs(dot(p - centre, right)) <= 8.0 + slack);
    REQUIRE(std::abs(dot(p - centre, down)) <= 8.0 + slack);
  }
}

// Run only by tests/cli/memory_refusal_test.sh (issue 25): LIGHTBOX_MEMORY_SERIES is a series
// larger than this process may take once its address space is limited below (a 4 GB blank CT);
// the reader gets the reason, the window lives on and a normal series opens after it.
TEST_CASE("a series larger than the memory Lightbox may take is refused with the reason, and the window lives on",
          "[.memory]") {
  const char* huge = std::getenv("LIGHTBOX_MEMORY_SERIES");
  REQUIRE(huge);
  MainWindow window;
  window.resize(1000, 700);
  window.show();
  test::MessageBoxCloser closer;
  // The machine this test runs on holds 4 GB; one that cannot: 1.5 GB more than the process maps.
  std::ifstream status("/proc/self/status");
  std::string line;
  rlim_t mapped = 0;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) mapped = rlim_t(std::stoull(line.substr(7))) * 1024;
  REQUIRE(mapped > 0);
  rlimit limit{};
  REQUIRE(getrlimit(RLIMIT_AS, &limit) == 0);
  const rlimit before = limit;
  limit.rlim_cur = mapped + (rlim_t(3) << 29);
  REQUIRE(setrlimit(RLIMIT_AS, &limit) == 0);
  const bool opened = window.openPath(QString::fromUtf8(huge));
  QStringList said;
  for (int i = 0; i < window.messages()->count(); ++i) said << window.messages()->item(i)->text();
  INFO("said: " << said.join(" | ").toStdString());
  CHECK_FALSE(opened);
  CHECK(said.join(" ").contains("needs 4.0 GB of memory"));
  CHECK(closer.closed() == 1); // the reader saw it in a dialog too
  // Still under the limit, a normal series opens in the same window.
  CHECK(window.openPath(QString::fromStdString(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))));
  CHECK(window.document()->volume());
  REQUIRE(setrlimit(RLIMIT_AS, &before) == 0);
}
