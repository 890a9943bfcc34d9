// SPDX-License-Identifier: Apache-2.0
// The reading-room tools in a real window under Xvfb: measurements drawn with the mouse (values in
// mm, handles, undo/redo, saved with the series), the study browser, comparison side by side,
// single images, drag-and-drop, oblique, slab, cine and the 3D view.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/MainWindow.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/StudyBrowser.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "core/annotation/AnnotationStore.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QKeyEvent>
#include <QListWidget>
#include <QMimeData>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUrl>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <sys/resource.h>

using namespace lightbox;
using test::waitFor;

namespace {

const char* kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";

void mouse(QWidget* w, QEvent::Type type, QPointF p, Qt::MouseButton button, Qt::KeyboardModifiers mods = {}) {
  const Qt::MouseButtons buttons = type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::MouseButtons(button);
  QMouseEvent e(type, p, w->mapToGlobal(p), type == QEvent::MouseMove ? Qt::NoButton : button, buttons, mods);
  QApplication::sendEvent(w, &e);
}

void drag(QWidget* w, QPointF from, QPointF to, Qt::MouseButton button = Qt::LeftButton, Qt::KeyboardModifiers mods = {}) {
  mouse(w, QEvent::MouseButtonPress, from, button, mods);
  QMouseEvent move(QEvent::MouseMove, to, w->mapToGlobal(to), Qt::NoButton, button, mods);
  QApplication::sendEvent(w, &move);
  mouse(w, QEvent::MouseButtonRelease, to, button, mods);
}

void key(QWidget* w, int k, Qt::KeyboardModifiers mods = {}, const QString& text = {}) {
  QKeyEvent e(QEvent::KeyPress, k, mods, text);
  QApplication::sendEvent(w, &e);
}

/// Processes events until `done` or `ms` pass.
} // namespace

TEST_CASE("document: measurements are undoable and saved with the series after every change", "[viewer][measurement]") {
  auto v = std::make_shared<Volume>();
  v->geometry.size = {20, 20, 10};
  v->geometry.spacing = {0.5, 0.5, 2.0};
  v->units = "HU";
  v->voxels = std::vector<std::int16_t>(v->geometry.voxelCount(), 40);
  const std::string key = "1.2.826.0.1.3680043.99.1";
  const AnnotationStore store(AnnotationStore::defaultFolder());
  std::filesystem::remove(store.pathFor(key));
  {
    ViewerDocument doc;
    doc.setVolume(v, "P", "S", {}, {40, 400}, QString::fromStdString(key));
    Measurement m;
    m.points = {{0, 0, 0}, {6, 8, 0}};
    const int id = doc.addMeasurement(m);
    CHECK(doc.measurements().size() == 1);
    CHECK(store.load(key).measurements.size() == 1);
    Measurement moved = *doc.measurement(id);
    moved.points[1] = {3, 4, 0};
    doc.replaceMeasurement(moved, "Edit");
    CHECK(lengthMm(store.load(key).measurements.at(0)) == Approx(5.0));
    doc.undoStack()->undo();
    CHECK(lengthMm(*doc.measurement(id)) == Approx(10.0));
    CHECK(lengthMm(store.load(key).measurements.at(0)) == Approx(10.0));
    doc.removeMeasurement(id);
    CHECK(store.load(key).measurements.empty());
    doc.undoStack()->undo();
    doc.undoStack()->redo();
    doc.undoStack()->undo();
    REQUIRE(doc.measurements().size() == 1);
    // The document goes away without any "save": what was decided is on disk already.
  }
  ViewerDocument reopened;
  reopened.setVolume(v, "P", "S", {}, {40, 400}, QString::fromStdString(key));
  REQUIRE(reopened.measurements().size() == 1);
  CHECK(lengthMm(reopened.measurements()[0]) == Approx(10.0));
  // New ids continue after the saved ones.
  Measurement p;
  p.kind = MeasurementKind::Point;
  p.points = {{1, 1, 1}};
  CHECK(reopened.addMeasurement(p) == reopened.measurements()[0].id + 1);
}

TEST_CASE("real window: a corrupt saved review is moved aside, the reader is told, and an edit never overwrites it",
          "[viewer][window][measurement][store]") {
  const std::string slab = test::sharedData(kSlab);
  const std::string key = scanStudy(slab).series.at(0).header->seriesInstanceUid;
  const AnnotationStore store(AnnotationStore::defaultFolder());
  std::filesystem::create_directories(store.folder());
  const std::string corrupt = R"({"format": "lightbox-annotations/1", "measurements": [ {"id": 1, "kind": "len)";
  { std::ofstream(store.pathFor(key)) << corrupt; }

  MainWindow window;
  window.resize(1000, 700);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(slab)));
  QApplication::processEvents();
  // The Messages dock names the unreadable file and where it now is.
  QString told;
  for (int i = 0; i < window.messages()->count(); ++i) {
    const QString line = window.messages()->item(i)->text();
    if (line.contains("moved aside")) told = line;
  }
  INFO(told.toStdString());
  REQUIRE(told.contains(QString::fromStdString(store.pathFor(key))));
  const QString marker = ".unreadable-";
  const int at = told.indexOf(QString::fromStdString(store.pathFor(key)) + marker);
  REQUIRE(at >= 0);
  const std::string aside = told.mid(at, int(store.pathFor(key).size()) + marker.size() + 15).toStdString();
  auto text = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(text(aside) == corrupt);

  // The reader edits: the new review is saved, the corrupt one is still there, untouched.
  ViewerDocument* doc = window.document();
  CHECK(doc->measurements().empty());
  Measurement m;
  m.points = {doc->crosshair(), doc->crosshair() + Vec3{10, 0, 0}};
  doc->addMeasurement(m);
  CHECK(store.load(key).measurements.size() == 1);
  CHECK(text(aside) == corrupt);
  std::filesystem::remove(aside);
  std::filesystem::remove(store.pathFor(key));
}

TEST_CASE("document: an annotation folder that cannot be written is reported when the series opens", "[viewer][store]") {
  auto v = std::make_shared<Volume>();
  v->geometry.size = {4, 4, 2};
  v->voxels = std::vector<std::int16_t>(v->geometry.voxelCount(), 0);
  const std::string root = test::scratchFolder("viewer-unwritable");
  { std::ofstream(root + "/file") << "x"; }
  const std::string previous = AnnotationStore::defaultFolder();
  setenv("LIGHTBOX_ANNOTATIONS", (root + "/file/annotations").c_str(), 1);
  ViewerDocument doc;
  QSignalSpy errors(&doc, &ViewerDocument::annotationError);
  doc.setVolume(v, "P", "S", {}, {40, 400}, "1.2.826.0.1.3680043.99.5");
  REQUIRE(errors.count() == 1); // at once, before any edit
  CHECK(errors.at(0).at(0).toString().contains(QString::fromStdString(root + "/file/annotations")));
  Measurement m;
  m.points = {{0, 0, 0}, {1, 0, 0}};
  doc.addMeasurement(m);
  CHECK(errors.count() == 2); // and again for the edit that could not be saved
  setenv("LIGHTBOX_ANNOTATIONS", previous.c_str(), 1);
}

TEST_CASE("real window: a length and an ellipse drawn with the mouse, edited by a handle, undone", "[viewer][window][measurement]") {
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kSlab))));
  QApplication::processEvents();
  ViewerDocument* doc = window.document();
  for (Measurement m : doc->measurements()) doc->removeMeasurement(m.id); // earlier runs' leftovers
  SliceViewport* axial = window.view(0);
  REQUIRE(axial->plane() == ViewPlane::Axial);
  axial->grabFramebuffer(); // lays out and renders once

  doc->setTool(Tool::Length);
  // Off the crosshair's row (the view's middle), whose line would hide the measurement's colour.
  const QPointF a(axial->width() * 0.3, axial->height() * 0.42), b(axial->width() * 0.7, axial->height() * 0.42);
  drag(axial, a, b);
  REQUIRE(doc->measurements().size() == 1);
  const Measurement length = doc->measurements()[0];
  // The length is the on-screen distance times millimetres per pixel (isotropic in-plane here, 0.7 mm).
  const double mmPerPx = axial->pipeline().mmPerScreenPixel(axial->width(), axial->height());
  CHECK(lengthMm(length) == Approx((b.x() - a.x()) * mmPerPx).epsilon(0.01));
  CHECK(std::abs(length.points[0][2] - doc->crosshair()[2]) < 1e-6); // on the shown slice
  CHECK(window.measurementTable()->rowCount() == 1);
  CHECK(window.measurementTable()->item(0, 2)->text().endsWith(" mm"));

  // Drag the second handle back to halfway: the length halves; undo restores it, redo again.
  doc->setTool(Tool::Navigate);
  const QPointF mid((a.x() + b.x()) / 2, a.y());
  const Vec3 crosshairBefore = doc->crosshair();
  drag(axial, axial->widgetPointOf(length.points[1]), mid);
  CHECK(lengthMm(doc->measurements()[0]) == Approx(lengthMm(length) / 2).epsilon(0.02));
  CHECK(norm(doc->crosshair() - crosshairBefore) < 1e-9); // the handle drag did not become a crosshair move
  doc->undoStack()->undo();
  CHECK(lengthMm(doc->measurements()[0]) == Approx(lengthMm(length)));
  doc->undoStack()->redo();
  CHECK(lengthMm(doc->measurements()[0]) == Approx(lengthMm(length) / 2).epsilon(0.02));

  // An ellipse ROI in lung: statistics in HU, shown in the table.
  doc->setTool(Tool::Ellipse);
  drag(axial, QPointF(axial->width() * 0.3, axial->height() * 0.3), QPointF(axial->width() * 0.4, axial->height() * 0.4));
  REQUIRE(doc->measurements().size() == 2);
  const Measurement roi = doc->measurements()[1];
  const RoiStats s = roiStats(*doc->volume(), roi);
  CHECK(s.areaMm2 > 50);
  CHECK(window.measurementTable()->item(1, 2)->text().contains("mean"));
  // Delete removes the selected one; undo brings it back.
  key(axial, Qt::Key_Delete);
  CHECK(doc->measurements().size() == 1);
  doc->undoStack()->undo();
  CHECK(doc->measurements().size() == 2);

  // The drawn shapes are visible: the line's colour appears where the measurement lies on screen.
  const QImage frame = axial->grabFramebuffer();
  const QPointF on = axial->widgetPointOf(doc->measurements()[0].points[0] * 0.5 + doc->measurements()[0].points[1] * 0.5);
  const double dpr = axial->devicePixelRatioF();
  bool yellow = false;
  for (int dy = -2; dy <= 2; ++dy) {
    const QColor c = frame.pixelColor(int(on.x() * dpr), int(on.y() * dpr) + dy);
    yellow = yellow || (c.red() > 180 && c.green() > 150 && c.blue() < 120) || (c.blue() > 180 && c.green() > 150 && c.red() < 150);
  }
  CHECK(yellow);
  // The study browser lists the measurements with the series.
  bool listed = false;
  for (QTreeWidgetItemIterator it(window.browser()->tree()); *it; ++it) {
    listed = listed || (*it)->text(0).contains("[2 measurements]");
  }
  CHECK(listed);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    grabWindow(&window).save(QString(shots) + "/measurements.png"); // for a person to look at
  }
}

TEST_CASE("real window: pan, oblique, slab and cine change the view and the 3D view renders", "[viewer][window]") {
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kSlab))));
  ViewerDocument* doc = window.document();
  SliceViewport* coronal = window.view(1);
  coronal->grabFramebuffer();
  // Pan: the LPS point under a fixed widget point moves by the drag distance in mm.
  const QPointF probe(coronal->width() * 0.5, coronal->height() * 0.5);
  const Vec3 before = coronal->lpsAt(probe);
  drag(coronal, probe, probe + QPointF(50, 0), Qt::MiddleButton);
  const double mmPerPx = coronal->pipeline().mmPerScreenPixel(coronal->width(), coronal->height());
  CHECK(norm(coronal->lpsAt(probe) - before) == Approx(50 * mmPerPx).epsilon(0.02));
  // Oblique: Shift+drag turns the coronal plane; O returns to the standard plane.
  drag(coronal, probe, probe + QPointF(80, 0), Qt::LeftButton, Qt::ShiftModifier);
  CHECK(doc->planeSettings(ViewPlane::Coronal).yawDeg == Approx(20.0));
  key(coronal, Qt::Key_O);
  CHECK(doc->planeSettings(ViewPlane::Coronal).yawDeg == 0.0);
  // Slab: S cycles to MIP, ] thickens it.
  key(coronal, Qt::Key_S);
  CHECK(doc->planeSettings(ViewPlane::Coronal).slab == SlabMode::Mip);
  key(coronal, Qt::Key_BracketRight);
  CHECK(doc->planeSettings(ViewPlane::Coronal).slabMm == Approx(12.0));
  // Cine in the axial view advances the slice on its own.
  SliceViewport* axial = window.view(0);
  const double z = doc->crosshair()[2];
  key(axial, Qt::Key_C);
  REQUIRE(axial->cineRunning());
  CHECK(waitFor([&] { return doc->crosshair()[2] != z; }, 2000));
  key(axial, Qt::Key_C);
  CHECK_FALSE(axial->cineRunning());

  // The 3D view shows bone in front of a black background.
  VolumeViewport* vr = window.volumeView();
  REQUIRE(vr->isVisible());
  const QImage shot = vr->grabFramebuffer();
  int lit = 0, black = 0;
  for (int y = 0; y < shot.height(); y += 4)
    for (int x = 0; x < shot.width(); x += 4) {
      const int g = qGray(shot.pixel(x, y));
      lit += g > 80;
      black += g < 10;
    }
  CHECK(lit > 50);
  CHECK(black > lit);
}

TEST_CASE("real window: study browser lists, searches and thumbnails the opened study, keeps recents, accepts a drop", "[viewer][window][browser]") {
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  const QString slab = QString::fromStdString(test::sharedData(kSlab));
  REQUIRE(window.openPath(slab));
  StudyBrowser* browser = window.browser();
  CHECK(browser->visibleSeriesCount() >= 1);
  browser->setFilter("LIDC-IDRI-0001");
  CHECK(browser->visibleSeriesCount() == 1);
  browser->setFilter("no such patient");
  CHECK(browser->visibleSeriesCount() == 0);
  browser->setFilter("");
  CHECK(waitFor([&] { return browser->thumbnailCount() >= 1; }, 20000));
  CHECK(window.recentPaths().front() == QFileInfo(slab).absoluteFilePath());

  // Dropping a folder on the window opens it.
  const QString popi = QString::fromStdString(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(popi)});
  QDragEnterEvent enter(QPoint(400, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &enter);
  CHECK(enter.isAccepted());
  QDropEvent drop(QPointF(400, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &drop);
  REQUIRE(window.document()->volume());
  CHECK(window.document()->volume()->geometry.size[2] == 141);
  browser->setFilter("");
  CHECK(browser->visibleSeriesCount() >= 2);
}

TEST_CASE("real window: a prior beside the current series scrolls with it and a single image opens alone", "[viewer][window]") {
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  const QString slab = QString::fromStdString(test::sharedData(kSlab));
  REQUIRE(window.openPath(slab));
  REQUIRE(window.openComparison(slab));
  CHECK(window.comparisonView()->isVisible());
  CHECK(window.view(0)->isVisible());
  CHECK_FALSE(window.view(1)->isVisible());
  const double z0 = window.comparison()->crosshair()[2];
  key(window.view(0), Qt::Key_Up);
  CHECK(window.comparison()->crosshair()[2] == Approx(z0 + 2.5));

  // One file of the slab: a single image in one view of its acquisition plane.
  std::string one;
  for (const auto& e : std::filesystem::directory_iterator(slab.toStdString())) {
    if (e.path().extension() == ".dcm" || one.empty()) one = e.path().string();
  }
  REQUIRE(window.openPath(QString::fromStdString(one)));
  CHECK(window.document()->volume()->geometry.size[2] == 1);
  CHECK(window.view(0)->isVisible());
  CHECK_FALSE(window.view(1)->isVisible());
  CHECK_FALSE(window.volumeView()->isVisible());
  const QImage cell = window.view(0)->grabFramebuffer();
  int bright = 0;
  for (int y = 0; y < cell.height(); y += 4)
    for (int x = 0; x < cell.width(); x += 4) bright += qGray(cell.pixel(x, y)) > 150;
  CHECK(bright > 100);
}

// Run only by tests/cli/full_disk_test.sh (issue 25), with the annotation folder on a full or a
// read-only filesystem: LIGHTBOX_FULLDISK_FOLDER, LIGHTBOX_FULLDISK_PLACE (full|ro),
// LIGHTBOX_FULLDISK_REASON (the system's words, a regular expression) and, for a full disk,
// LIGHTBOX_FULLDISK_ROOM (a file to delete to make room, or "rlimit": raise the file-size limit).
TEST_CASE("document: on a full or read-only annotation folder the reader is told, the edits stay, and are saved once there is room",
          "[.fulldisk]") {
  const char* folder = std::getenv("LIGHTBOX_FULLDISK_FOLDER");
  const char* place = std::getenv("LIGHTBOX_FULLDISK_PLACE");
  const char* reason = std::getenv("LIGHTBOX_FULLDISK_REASON");
  REQUIRE(folder);
  REQUIRE(place);
  REQUIRE(reason);
  setenv("LIGHTBOX_ANNOTATIONS", folder, 1);
  auto v = std::make_shared<Volume>();
  v->geometry.size = {32, 32, 8};
  v->voxels = std::vector<std::int16_t>(v->geometry.voxelCount(), 0);
  // One series per place: the read-only run must not find the full-disk run's saved edits.
  const QString key = QString("1.2.826.0.1.3680043.99.25.%1").arg(std::string(place) == "full" ? 1 : 2);
  QStringList said;
  const auto mentionsTheFolder = [&] {
    const QRegularExpression why(QString::fromUtf8(reason));
    for (const QString& m : said)
      if (m.contains(QString::fromUtf8(folder)) && m.contains(why)) return true;
    return false;
  };
  {
    ViewerDocument doc;
    QObject::connect(&doc, &ViewerDocument::annotationError, [&said](const QString& m) { said << m; });
    doc.setVolume(v, "P", "S", {}, {40, 400}, key);
    Measurement m;
    m.points = {{0, 0, 0}, {10, 0, 0}};
    doc.addMeasurement(m);
    INFO("said: " << said.join(" | ").toStdString());
    CHECK(mentionsTheFolder());
    CHECK(doc.measurements().size() == 1); // kept in the window
    const std::size_t before = said.size();
    doc.setBrushRadiusMm(3);
    REQUIRE(doc.beginStroke(false, Vec3{0, 0, 1}));
    doc.strokeDab({16, 16, 4});
    doc.endStroke();
    REQUIRE(doc.labels().segments.size() == 1);
    CHECK(said.size() > before); // the brush stroke that could not be saved is said too
    if (std::string(place) != "full") return;

    // Room again: the next edit saves everything, the earlier ones included.
    const std::string room = std::getenv("LIGHTBOX_FULLDISK_ROOM") ? std::getenv("LIGHTBOX_FULLDISK_ROOM") : "";
    if (room == "rlimit") {
      rlimit limit{};
      REQUIRE(getrlimit(RLIMIT_FSIZE, &limit) == 0);
      limit.rlim_cur = limit.rlim_max;
      REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    } else {
      REQUIRE(std::filesystem::remove(room));
    }
    said.clear();
    Measurement second;
    second.points = {{0, 5, 0}, {10, 5, 0}};
    doc.addMeasurement(second);
    REQUIRE(doc.beginStroke(false, Vec3{0, 0, 1}));
    doc.strokeDab({20, 16, 4});
    doc.endStroke();
    INFO("said with room: " << said.join(" | ").toStdString());
    CHECK(said.isEmpty());
  }
  ViewerDocument reopened;
  reopened.setVolume(v, "P", "S", {}, {40, 400}, key);
  CHECK(reopened.measurements().size() == 2);
  REQUIRE(reopened.labels().segments.size() == 1);
  std::size_t painted = 0;
  for (std::uint8_t l : reopened.labels().labels) painted += l != 0;
  CHECK(painted > 0);
}

namespace {

/// One line per finished step for tests/app/kill_viewer_test.sh: the label map's state as the
/// window holds it once the step's save returned ("<step> <label>:<voxels> ...").
void logLabelState(std::ofstream& out, const std::string& step, const LabelMap& labels) {
  std::map<int, std::size_t> voxels;
  for (const Segment& s : labels.segments) voxels[s.label] = 0;
  for (std::uint8_t l : labels.labels)
    if (l) ++voxels[l];
  out << step;
  for (const auto& [label, n] : voxels) out << ' ' << label << ':' << n;
  out << std::endl; // flushed: the script reads it after the kill
}

} // namespace

// Run only by tests/app/kill_viewer_test.sh (issue 25), which kills this process with SIGKILL at
// random moments: the real window on a real series, brush strokes (LIGHTBOX_KILL_MODE=brush) or
// model segmentations (=segment) one after the other, each saved by the window as a reader's
// edit is, each logged to LIGHTBOX_KILL_LOG once its save returned.
TEST_CASE("driven until killed: brush strokes or model segments, each saved and logged", "[.killdrive]") {
  const char* mode = std::getenv("LIGHTBOX_KILL_MODE");
  const char* logPath = std::getenv("LIGHTBOX_KILL_LOG");
  const char* annotations = std::getenv("LIGHTBOX_KILL_ANNOTATIONS");
  REQUIRE(mode);
  REQUIRE(logPath);
  REQUIRE(annotations);
  setenv("LIGHTBOX_ANNOTATIONS", annotations, 1); // kept from one killed run to the next
  MainWindow window;
  window.resize(1000, 700);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))));
  ViewerDocument* doc = window.document();
  REQUIRE(doc->volume());
  const VolumeGeometry& g = doc->volume()->geometry;
  std::ofstream log(logPath, std::ios::app);
  logLabelState(log, "open", doc->labels());
  const Vec3 normal = normalized(cross(g.direction[0], g.direction[1]));
  if (std::string(mode) == "brush") {
    doc->setBrushRadiusMm(2.5);
    for (int k = 0; k < 400; ++k) {
      // A short stroke on slice k mod n, moved a little every time: each adds voxels.
      const double z = double(k % int(g.size[2]));
      const double x = 80.0 + double((k * 7) % 350), y = 60.0 + double((k * 13) % 380);
      if (!doc->beginStroke(false, normal)) break;
      for (int d = 0; d < 6; ++d) doc->strokeDab(g.ijkToLps({x + 3.0 * d, y, z}));
      doc->endStroke();
      logLabelState(log, "brush", doc->labels());
      QApplication::processEvents();
    }
  } else {
    // The six nodule centres of the slab (the detector's findings, LPS mm).
    const Vec3 nodules[] = {{55, 84, -112}, {-65, 39, -98}, {32, 14, -130}, {-43, -17, -96}, {-40, 9, -99}, {50, 19, -98}};
    doc->setSegmentEngine(ViewerDocument::SegmentEngine::Model);
    for (int k = 0; k < 400; ++k) {
      if (k % 6 == 0 && !doc->labels().segments.empty()) { // start over: every removal is saved too
        while (!doc->labels().segments.empty()) {
          const int label = doc->labels().segments.front().label;
          REQUIRE(doc->removeSegment(std::uint8_t(label)));
          logLabelState(log, "remove", doc->labels());
        }
      }
      doc->segmentAt(nodules[k % 6]);
      logLabelState(log, "segment", doc->labels());
      QApplication::processEvents();
    }
  }
}
