// SPDX-License-Identifier: Apache-2.0
// What a reader met on the second morning (issue 22), in the real window: menu shortcuts from a
// view, the reader's outline as a finding's mask (M, Finalize), A and R saying where they went,
// the image number PACS gives, the patient's age for Brock, a NIfTI prior, files that are not DICOM.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/render/SlicePipeline.h"
#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "core/annotation/AnnotationStore.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <filesystem>
#include <fstream>

using namespace lightbox;
using test::waitFor;
namespace fs = std::filesystem;

namespace {

const char* kSlab = "ct/chest_lidc-idri-0001_nodule_slab/dicom";

void openShown(MainWindow& window, const std::string& path) {
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(path)));
  window.activateWindow();
  REQUIRE(QTest::qWaitForWindowActive(&window));
}

/// A key as the view's native VTK window hands it on (QCoreApplication::sendEvent to the focus
/// widget): past Qt's shortcut map, which is how a real key pressed over the image arrives.
void forwardKey(QWidget* view, Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  QKeyEvent press(QEvent::KeyPress, key, modifiers);
  QCoreApplication::sendEvent(view, &press);
  QKeyEvent release(QEvent::KeyRelease, key, modifiers);
  QCoreApplication::sendEvent(view, &release);
  QApplication::processEvents();
}

/// Closes every modal dialog that opens while it lives, remembering their titles.
struct DialogWatcher {
  QStringList titles;
  QTimer timer;
  DialogWatcher() {
    timer.setInterval(50);
    QObject::connect(&timer, &QTimer::timeout, [this] {
      if (QWidget* w = QApplication::activeModalWidget()) {
        titles << w->windowTitle();
        w->close();
      }
    });
    timer.start();
  }
};

} // namespace

TEST_CASE("menu shortcuts work with the pointer over a view, and image keys never take modified keys",
          "[viewer][window][keys]") {
  MainWindow window;
  openShown(window, test::sharedData(kSlab));
  SliceViewport* axial = window.view(0);
  axial->setFocus();
  DialogWatcher dialogs;

  // Ctrl+Shift+C copies the view; it does not start cine (C).
  QApplication::clipboard()->clear();
  forwardKey(axial, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
  CHECK_FALSE(axial->cineRunning());
  CHECK_FALSE(QApplication::clipboard()->image().isNull());

  // Ctrl+Shift+S saves the view (its dialog opens); it does not turn on the MIP slab (S).
  forwardKey(axial, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
  REQUIRE(waitFor([&] { return !dialogs.titles.isEmpty(); }, 3000));
  CHECK(dialogs.titles.last() == "Save view as PNG");
  CHECK(window.document()->planeSettings(ViewPlane::Axial).slab == SlabMode::None);

  // Ctrl+O opens a study.
  forwardKey(axial, Qt::Key_O, Qt::ControlModifier);
  REQUIRE(waitFor([&] { return dialogs.titles.size() >= 2; }, 3000));
  CHECK(dialogs.titles.last() == "Open study folder");

  // The plain keys are still the image's.
  forwardKey(axial, Qt::Key_S);
  CHECK(window.document()->planeSettings(ViewPlane::Axial).slab == SlabMode::Mip);
  forwardKey(axial, Qt::Key_C);
  CHECK(axial->cineRunning());
  forwardKey(axial, Qt::Key_C);
  CHECK_FALSE(axial->cineRunning());
}

TEST_CASE("the reader's outline is the finding's mask (M links it, Finalize reports it), and A and R say where they go",
          "[viewer][window][findings][keys]") {
  // A fresh review: other tests of this run saved segments on this series.
  const std::string key = selectSeries(scanStudy(test::sharedData(kSlab)), "").header->seriesInstanceUid;
  const AnnotationStore store(AnnotationStore::defaultFolder());
  fs::remove(store.pathFor(key));
  fs::remove(store.labelsPathFor(key));
  MainWindow window;
  openShown(window, test::sharedData(kSlab));
  ViewerDocument* doc = window.document();
  REQUIRE(doc->labels().segments.empty());
  const test::LidcConsensus c = test::lidcConsensus(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"),
                                        doc->volume()->geometry);
  FindingsRun run;
  run.model = "test-model";
  run.fpPerScan = 1.0;
  run.operatingPoints = {{1.0, 0.5}};
  Finding f1;
  f1.id = "F1";
  f1.centerLps = c.centroid;
  f1.diameterMm = 26.0;
  f1.type = "solid";
  f1.score = f1.probability = 0.9;
  Finding f2 = f1;
  f2.id = "F2";
  f2.centerLps = doc->volume()->geometry.ijkToLps({100, 100, 8});
  f2.diameterMm = 6.0;
  f2.score = f2.probability = 0.8;
  doc->setDetectionResult(run, {f1, f2});
  SliceViewport* axial = window.view(0);
  axial->setFocus();

  // A: accepted, and the status bar says where the reading went.
  doc->selectFinding("F1");
  forwardKey(axial, Qt::Key_A);
  CHECK(doc->finding("F1")->state == FindingState::Accepted);
  CHECK(doc->selectedFinding() == "F2");
  CHECK(window.statusBar()->currentMessage() == "Accepted F1, now at F2");
  // With the setting off, R stays on the finding and says so.
  auto* advance = window.findingsPanel()->findChild<QCheckBox*>("advanceAfterDecision");
  REQUIRE(advance);
  struct Restore { // the setting is saved: other tests of this process expect the default
    QCheckBox* box;
    ~Restore() { box->setChecked(true); }
  } restore{advance};
  advance->setChecked(false);
  forwardKey(axial, Qt::Key_R);
  CHECK(doc->finding("F2")->state == FindingState::Rejected);
  CHECK(doc->selectedFinding() == "F2");
  CHECK_THAT(window.statusBar()->currentMessage().toStdString(), Catch::StartsWith("Rejected F2") && Catch::EndsWith("F2 stays selected"));
  advance->setChecked(true);
  // Undo the rejection, then reject it with rejected findings hidden: it leaves the list, so the
  // reading moves on even with the setting off.
  REQUIRE(doc->undoStack()->canUndo());
  doc->undoStack()->undo();
  REQUIRE(doc->finding("F2")->state == FindingState::Proposed);
  advance->setChecked(false);
  auto* hide = window.findingsPanel()->findChild<QCheckBox*>();
  for (QCheckBox* b : window.findingsPanel()->findChildren<QCheckBox*>()) {
    if (b->text() == "Hide rejected findings") hide = b;
  }
  REQUIRE(hide->text() == "Hide rejected findings");
  hide->setChecked(true);
  doc->selectFinding("F2");
  forwardKey(axial, Qt::Key_R);
  CHECK(doc->finding("F2")->state == FindingState::Rejected);
  CHECK(doc->selectedFinding() != "F2");
  hide->setChecked(false);
  advance->setChecked(true);

  // The reader outlines F1's nodule with the segment tool (one click), then presses M: the
  // outline is linked, no second mask is made over it.
  doc->setSegmentEngine(ViewerDocument::SegmentEngine::Classical);
  const int label = doc->segmentAt(c.centroid);
  REQUIRE(label > 0);
  const SegmentStats reader = doc->segmentStats(std::uint8_t(label));
  const std::size_t segments = doc->labels().segments.size();
  doc->selectFinding("F1");
  forwardKey(axial, Qt::Key_M);
  CHECK(doc->labels().segments.size() == segments);
  REQUIRE(doc->finding("F1")->segmentLabel == label);
  CHECK(doc->finding("F1")->maskVolumeMm3 == Approx(reader.volumeMl * 1000.0));
  CHECK(doc->finding("F1")->maskLongAxisMm == Approx(reader.longAxisMm));

  // Finalize shows the size it will report and where it comes from.
  FinalizeDialog dialog(*doc, &window);
  REQUIRE(!dialog.plan().content.findings.empty());
  const ReportFinding& reported = dialog.plan().content.findings.front();
  CHECK(reported.id == "F1");
  CHECK(reported.segmentLabel == label);
  CHECK(reported.mask.volumeMl == Approx(reader.volumeMl));
  CHECK(reported.diameterSource == "mask");
  CHECK(reported.lungRadsCategory == "4B");
  CHECK_THAT(dialog.plan().summary(), Catch::Contains("(mask)") && Catch::Contains("linked"));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    dialog.show();
    QApplication::processEvents();
    dialog.grab().save(QString(shots) + "/finalize-reader-mask.png");
    window.grab().save(QString(shots) + "/reader-mask-window.png");
  }
}

TEST_CASE("the slice's image number is its Instance Number, the age for Brock is the Patient's Age",
          "[viewer][window]") {
  MainWindow window;
  openShown(window, test::sharedData("ct/chest_cptac-luad_c3n-00247_contrast/dicom"));
  ViewerDocument* doc = window.document();
  // The age: 077Y, no birth date (was: unknown, 62 assumed).
  CHECK(doc->patientFactors().ageYears == 77);

  // The axial view shows the Instance Number of the slice it shows, as PACS numbers it.
  const ReportSource& source = doc->reportSource();
  REQUIRE(source.slices.size() == doc->volume()->geometry.size[2]);
  const std::size_t k = 10;
  const int instance = source.slices[k].instanceNumber;
  REQUIRE(instance > 0);
  CHECK(instance != int(k) + 1); // the grid counts from the feet, the scanner from the head
  doc->setCrosshair(doc->volume()->geometry.ijkToLps({256, 256, double(k)}));
  SliceViewport* axial = window.view(0);
  REQUIRE(waitFor([&] { return axial->pipeline().cornerText(0).find("Im " + std::to_string(instance) + " ") != std::string::npos; },
                  5000));
  CHECK(sourceImageText(source, k).rfind("image " + std::to_string(instance) + " (z ", 0) == 0);
}

TEST_CASE("a NIfTI prior opens as comparison, from a file or a folder, and files that are not DICOM are named",
          "[viewer][window]") {
  const std::string folder = test::scratchFolder("nifti-prior");
  const std::string nifti = folder + "/prior.nii.gz";
  const std::string convert = std::string("'") + LIGHTBOX_BINARY + "' convert '" + test::sharedData(kSlab) + "' '" + nifti + "' >/dev/null 2>&1";
  REQUIRE(std::system(convert.c_str()) == 0);
  std::ofstream(folder + "/notes.txt") << "not an image\n";

  MainWindow window;
  openShown(window, test::sharedData(kSlab));
  REQUIRE(window.openComparison(QString::fromStdString(nifti)));
  CHECK(window.comparison()->volume());
  REQUIRE(window.openComparison(QString::fromStdString(folder))); // the folder holding it
  CHECK(window.comparison()->seriesText() == "prior.nii.gz");
  bool named = false;
  for (int i = 0; i < window.messages()->count(); ++i) {
    named |= window.messages()->item(i)->text().contains("skipped (not DICOM)") &&
             window.messages()->item(i)->text().contains("notes.txt");
  }
  CHECK(named);
}

TEST_CASE("the findings table shows five rows, and nothing in the panel overlaps after reopening a series",
          "[viewer][window][findings]") {
  MainWindow window;
  openShown(window, test::sharedData(kSlab));
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData(kSlab)))); // reopened
  QApplication::processEvents();
  FindingsPanel* panel = window.findingsPanel();
  QTableWidget* table = panel->table();
  CHECK(table->height() >= 5 * 52);
  // Every child widget of the panel lies clear of the others that share its layout row band.
  std::vector<QRect> boxes;
  for (QWidget* w : panel->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
    if (w->isVisible()) boxes.push_back(QRect(w->mapTo(panel, QPoint(0, 0)), w->size()));
  }
  int overlaps = 0;
  for (std::size_t a = 0; a < boxes.size(); ++a)
    for (std::size_t b = a + 1; b < boxes.size(); ++b) overlaps += boxes[a].intersects(boxes[b]);
  CHECK(overlaps == 0);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) panel->grab().save(QString(shots) + "/findings-panel-reopened.png");
}
