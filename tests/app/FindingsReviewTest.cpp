// SPDX-License-Identifier: Apache-2.0
// AI review: findings in the document (triage, undo, crash-safe saving) and the whole loop in a
// real window with the shipped model on the project's phantom.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "ai/nodule/ReferenceNodules.h"
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "core/annotation/AnnotationStore.h"
#include "core/phantom/ChestPhantom.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QUndoStack>

#include <cstdlib>
#include <filesystem>

using namespace lightbox;
using test::waitFor;

namespace {

Finding makeFinding(const std::string& id, Vec3 c, double d, double score, const std::string& type = "solid") {
  Finding f;
  f.id = id;
  f.centerLps = c;
  f.diameterMm = d;
  f.solidDiameterMm = type == "solid" ? d : 0;
  f.type = type;
  f.score = score;
  f.probability = score;
  return f;
}

/// Pixels of `img` within `tol` of colour (r, g, b).
int countColour(const QImage& img, int r, int g, int b, int tol = 40) {
  int n = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const QColor c = img.pixelColor(x, y);
      if (std::abs(c.red() - r) < tol && std::abs(c.green() - g) < tol && std::abs(c.blue() - b) < tol) ++n;
    }
  return n;
}

} // namespace

TEST_CASE("document: triage is undoable and every decision is on disk at once", "[viewer][findings]") {
  auto v = std::make_shared<Volume>();
  v->geometry.size = {64, 64, 40};
  v->geometry.spacing = {1, 1, 1};
  v->units = "HU";
  v->voxels = std::vector<std::int16_t>(v->geometry.voxelCount(), -850);
  const std::string key = "1.2.826.0.1.3680043.99.77";
  const AnnotationStore store(AnnotationStore::defaultFolder());
  std::filesystem::remove(store.pathFor(key));

  // Never deleted: like a process killed mid-review, nothing runs at shutdown.
  auto* doc = new ViewerDocument;
  doc->setVolume(v, "P", "S", {}, {-600, 1500}, QString::fromStdString(key));
  FindingsRun run;
  run.model = "test-model";
  run.operatingPoints = {{0.5, 0.8}, {1.0, 0.5}, {8.0, 0.1}};
  run.fpPerScan = 1.0;
  doc->setDetectionResult(run, {makeFinding("F1", {10, 10, 10}, 8, 0.9), makeFinding("F2", {30, 30, 20}, 6, 0.6),
                                makeFinding("F3", {40, 20, 30}, 12, 0.2, "ground-glass")});
  CHECK(doc->visibleFindings().size() == 2); // F3 is below the 1 FP/scan threshold
  doc->setFpPerScan(8.0);
  CHECK(doc->visibleFindings().size() == 3);
  doc->setFpPerScan(0.5);
  CHECK(doc->visibleFindings().size() == 1);
  doc->setFpPerScan(8.0);

  CHECK(doc->stepFinding(+1) == "F1");
  CHECK(doc->crosshair() == Vec3{10, 10, 10}); // every view goes to the finding
  CHECK(doc->stepFinding(+1) == "F2");
  CHECK(doc->stepFinding(-1) == "F1");
  CHECK(doc->stepFinding(-1) == "F3"); // wraps
  doc->setFindingState("F1", FindingState::Accepted);
  doc->setFindingState("F2", FindingState::Rejected, "vessel");
  const int m = doc->editFinding("F3");
  REQUIRE(m > 0);
  CHECK(doc->finding("F3")->state == FindingState::Edited);
  CHECK(doc->effectiveDiameter(*doc->finding("F3")) == Approx(12.0));
  Measurement dragged = *doc->measurement(m);
  dragged.points[1] = dragged.points[0] + Vec3{15, 0, 0};
  doc->replaceMeasurement(dragged, "Move handle");
  CHECK(doc->effectiveDiameter(*doc->finding("F3")) == Approx(15.0));
  CHECK(doc->finding("F3")->diameterMm == 12.0); // the AI's number is kept

  // On disk already, with no explicit save: a fresh reader of the store sees every decision.
  {
    const SeriesAnnotations saved = store.load(key);
    REQUIRE(saved.findings.size() == 3);
    CHECK(saved.findings[0].state == FindingState::Accepted);
    CHECK(saved.findings[1].state == FindingState::Rejected);
    CHECK(saved.findings[1].rejectReason == "vessel");
    CHECK(saved.findings[2].state == FindingState::Edited);
    CHECK(saved.findings[2].measurementId == m);
    CHECK(saved.findingsRun.fpPerScan == 8.0);
    CHECK(saved.hasFindingsRun);
  }
  // A new document on the same series (the app reopened) restores the review.
  {
    ViewerDocument reopened;
    reopened.setVolume(v, "P", "S", {}, {-600, 1500}, QString::fromStdString(key));
    CHECK(reopened.findings() == doc->findings());
    CHECK(reopened.effectiveDiameter(*reopened.finding("F3")) == Approx(15.0));
  }

  doc->setRejectedHidden(true);
  CHECK(doc->visibleFindings().size() == 2);
  doc->setRejectedHidden(false);
  // Undo walks back: the handle move, the edit (measurement gone, state proposed), the reject.
  doc->undoStack()->undo();
  CHECK(doc->effectiveDiameter(*doc->finding("F3")) == Approx(12.0));
  doc->undoStack()->undo();
  CHECK(doc->finding("F3")->state == FindingState::Proposed);
  CHECK(doc->measurement(m) == nullptr);
  doc->undoStack()->undo();
  CHECK(doc->finding("F2")->state == FindingState::Proposed);
  CHECK(store.load(key).findings[1].state == FindingState::Proposed); // undo is saved too
  doc->undoStack()->redo();
  CHECK(doc->finding("F2")->state == FindingState::Rejected);
}

TEST_CASE("real window: detect on the phantom, triage with N, A, R and E, rings in state colours", "[viewer][findings][model]") {
  const std::string folder = test::scratchFolder("review-phantom");
  const ChestPhantom phantom = writeChestPhantom(folder);
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(folder)));
  FindingsPanel* panel = window.findingsPanel();
  QSignalSpy finished(panel, &FindingsPanel::detectionFinished);
  REQUIRE(panel->runDetection());
  CHECK_FALSE(panel->runDetection()); // one at a time
  REQUIRE(waitFor([&] { return finished.count() > 0; }, 180000));
  INFO(finished.front().at(1).toString().toStdString());
  REQUIRE(finished.front().at(0).toBool());
  ViewerDocument* doc = window.document();
  REQUIRE(doc->hasFindingsRun());
  CHECK(doc->findingsRun().warnings.empty()); // the phantom is inside the intended use
  panel->operatingPoint()->setCurrentIndex(6); // 8 FP/scan: show everything the model proposes
  const std::vector<const Finding*> visible = doc->visibleFindings();
  REQUIRE(!visible.empty());
  CHECK(panel->table()->rowCount() == int(visible.size()));
  // At least half of the phantom's nodules are among the findings.
  int hits = 0;
  for (const PhantomNodule& n : phantom.nodules) {
    for (const Finding* f : visible) {
      if (norm(f->centerLps - n.centerLps) <= n.diameterMm / 2) {
        ++hits;
        break;
      }
    }
  }
  CHECK(hits >= 3);

  // Single-key shortcuts are window shortcuts: they need the window active, as a reader's is.
  // (Without a window manager, the closed progress dialogs leave no window active.)
  window.activateWindow();
  REQUIRE(QTest::qWaitForWindowActive(&window));
  SliceViewport* axial = window.view(0);
  axial->setFocus();
  QTest::keyClick(&window, Qt::Key_N); // the shortcut: first finding, every view goes there
  const std::string first = doc->selectedFinding();
  REQUIRE(!first.empty());
  CHECK(norm(doc->crosshair() - doc->finding(first)->centerLps) < 1.0);
  QImage frame = axial->grabFramebuffer();
  const int orange = countColour(frame, 255, 140, 0);
  CHECK(orange > 20);
  QTest::keyClick(&window, Qt::Key_A);
  CHECK(doc->finding(first)->state == FindingState::Accepted);
  // A moves on to the next finding, as a reader reads down the list; back to the accepted one.
  const std::string second = doc->selectedFinding();
  CHECK(second != first);
  CHECK(norm(doc->crosshair() - doc->finding(second)->centerLps) < 1.5);
  QTest::keyClick(&window, Qt::Key_P);
  REQUIRE(doc->selectedFinding() == first);
  frame = axial->grabFramebuffer();
  CHECK(countColour(frame, 60, 220, 90) > 20); // the ring turned green
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/findings.png");
  CHECK_THAT(panel->lungRadsLabel()->text().toStdString(), Catch::Contains("Lung-RADS"));

  QTest::keyClick(&window, Qt::Key_N);
  REQUIRE(doc->selectedFinding() == second);
  QTest::keyClick(&window, Qt::Key_R);
  CHECK(doc->finding(second)->state == FindingState::Rejected);
  CHECK(doc->finding(second)->rejectReason == panel->rejectReason()->currentText().toStdString());
  CHECK(doc->selectedFinding() != second); // R moves on too
  QTest::keyClick(&window, Qt::Key_P);
  REQUIRE(doc->selectedFinding() == second);
  QTest::keyClick(&window, Qt::Key_E);
  CHECK(doc->finding(second)->state == FindingState::Edited);
  CHECK(doc->finding(second)->measurementId > 0);
  QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
  CHECK(doc->finding(second)->state == FindingState::Rejected);
}

TEST_CASE("real window: a scan outside the model's intended use shows the pre-flight warning on the slices", "[viewer][findings][model]") {
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))));
  FindingsPanel* panel = window.findingsPanel();
  QSignalSpy finished(panel, &FindingsPanel::detectionFinished);
  REQUIRE(panel->runDetection());
  REQUIRE(waitFor([&] { return finished.count() > 0; }, 120000));
  REQUIRE(finished.front().at(0).toBool());
  ViewerDocument* doc = window.document();
  CHECK_THAT(doc->aiBanner().toStdString(), Catch::Contains("outside the model's intended use"));
  CHECK_THAT(doc->aiWarnings().toStdString(), Catch::Contains("covers 37.5 mm along z"));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/lidc-findings.png");
  // Drawn in orange at the top of every slice view, even with the corner text hidden (T).
  doc->setAnnotationsVisible(false);
  for (int v = 0; v < 3; ++v) {
    const QImage frame = window.view(v)->grabFramebuffer();
    const QImage top = frame.copy(0, 0, frame.width(), 90);
    CHECK(countColour(top, 255, 140, 25, 60) > 30);
  }
  doc->setAnnotationsVisible(true);
  // The real nodule (the four readers' outline) is the top finding.
  const std::vector<ReferenceNodule> ref = readReferenceNodules(
      test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"), doc->volume()->geometry);
  REQUIRE(ref.size() == 1);
  REQUIRE(!doc->visibleFindings().empty());
  const Finding* top = doc->visibleFindings().front();
  CHECK(norm(top->centerLps - ref[0].centerLps) < ref[0].diameterMm / 2);
  // Issue 24: the detection worker sized it on the lesion engine's mask, and the table never shows
  // two different scores as the same text (nor a probability below one as 1.00).
  CHECK(top->sizeSource == "mask");
  auto* table = panel->findChild<QTableWidget*>();
  REQUIRE(table);
  const std::vector<const Finding*> visible = doc->visibleFindings();
  REQUIRE(table->rowCount() == int(visible.size()));
  const int scoreColumn = 6;
  REQUIRE(table->horizontalHeaderItem(scoreColumn)->text() == "Score");
  for (int a = 0; a < table->rowCount(); ++a) {
    const QString text = table->item(a, scoreColumn)->text();
    INFO(visible[std::size_t(a)]->id << " score " << visible[std::size_t(a)]->score << " shown " << text.toStdString());
    CHECK(text.toDouble() <= visible[std::size_t(a)]->score);
    if (visible[std::size_t(a)]->score < 1.0) CHECK(text.toDouble() < 1.0);
    for (int b = a + 1; b < table->rowCount(); ++b) {
      if (visible[std::size_t(a)]->score != visible[std::size_t(b)]->score) CHECK(text != table->item(b, scoreColumn)->text());
    }
  }
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) grabWindow(&window).save(QString(shots) + "/findings-lidc.png");
}

TEST_CASE("document: segmenting a finding gives it a mask whose mean axis is its Lung-RADS size", "[viewer][findings][segmentation]") {
  // A 10 mm solid ball in lung on a 0.8 x 0.8 x 1.25 mm grid.
  auto v = std::make_shared<Volume>();
  v->geometry.size = {96, 96, 48};
  v->geometry.spacing = {0.8, 0.8, 1.25};
  v->units = "HU";
  std::vector<std::int16_t> voxels(v->geometry.voxelCount(), -850);
  const Vec3 centre{38.4, 38.4, 30.0};
  for (std::size_t q = 0; q < voxels.size(); ++q) {
    const Vec3 p = v->geometry.ijkToLps({double(q % 96), double((q / 96) % 96), double(q / (96 * 96))});
    if (norm(p - centre) <= 5.0) voxels[q] = 20;
  }
  v->voxels = std::move(voxels);
  const std::string key = "1.2.826.0.1.3680043.99.78";
  const AnnotationStore store(AnnotationStore::defaultFolder());
  std::filesystem::remove(store.pathFor(key));
  ViewerDocument doc;
  doc.setVolume(v, "P", "S", {}, {-600, 1500}, QString::fromStdString(key));
  FindingsRun run;
  run.model = "test-model";
  run.fpPerScan = 1.0;
  Finding f = makeFinding("F1", centre, 30, 0.9);
  f.sizeCapped = true; // the AI's size is its cap: unmeasured
  doc.setDetectionResult(run, {f});
  doc.setFindingState("F1", FindingState::Accepted);
  const int label = doc.segmentFinding("F1");
  REQUIRE(label > 0);
  const Finding* linked = doc.finding("F1");
  CHECK(linked->segmentLabel == label);
  CHECK(doc.labels().segment(std::uint8_t(label))->name == "Finding F1");
  INFO("mask axes " << linked->maskLongAxisMm << " x " << linked->maskShortAxisMm << " mm, "
                    << linked->maskVolumeMm3 << " mm3 (ball: 10 mm, 524 mm3)");
  CHECK(linked->maskLongAxisMm == Approx(10.0).margin(1.6));
  CHECK(linked->maskShortAxisMm == Approx(10.0).margin(1.6));
  CHECK(linked->maskVolumeMm3 == Approx(523.6).epsilon(0.25));
  CHECK(doc.effectiveDiameter(*linked) == Approx((linked->maskLongAxisMm + linked->maskShortAxisMm) / 2).margin(0.051));
  CHECK_FALSE(ReadingSession::unmeasured(*linked));

  // Editing the mask afterwards re-sizes the finding (its Lung-RADS diameter follows the mask);
  // undoing the edit restores it; the finding's own undo history is untouched.
  const double longBefore = linked->maskLongAxisMm, volumeBefore = linked->maskVolumeMm3;
  const std::size_t steps = doc.undoStack()->count();
  const Vec3 normal = normalized(cross(v->geometry.direction[0], v->geometry.direction[1]));
  doc.setBrushRadiusMm(4);
  REQUIRE(doc.beginStroke(true, normal));
  for (int z = -6; z <= 6; ++z) doc.strokeDab(centre + Vec3{4.5, 0, double(z)}); // erase one flank, every slice
  doc.endStroke();
  REQUIRE(doc.undoStack()->count() == steps + 1);
  linked = doc.finding("F1");
  INFO("after the eraser: " << linked->maskLongAxisMm << " x " << linked->maskShortAxisMm << " mm, "
                            << linked->maskVolumeMm3 << " mm3");
  CHECK(linked->maskVolumeMm3 < volumeBefore * 0.9);
  CHECK(linked->maskVolumeMm3 == Approx(doc.segmentStats(std::uint8_t(label)).volumeMl * 1000.0));
  CHECK(doc.effectiveDiameter(*linked) == Approx((linked->maskLongAxisMm + linked->maskShortAxisMm) / 2).margin(0.051));
  doc.undoStack()->undo();
  linked = doc.finding("F1");
  CHECK(linked->maskLongAxisMm == Approx(longBefore));
  CHECK(linked->maskVolumeMm3 == Approx(volumeBefore));
}

TEST_CASE("findings panel: growth columns appear with a prior, and Lung-RADS follows growth", "[viewer][findings][growth]") {
  auto v = std::make_shared<Volume>();
  v->geometry.size = {64, 64, 40};
  v->geometry.spacing = {1, 1, 1};
  v->units = "HU";
  v->voxels = std::vector<std::int16_t>(v->geometry.voxelCount(), -850);
  const std::string key = "1.2.826.0.1.3680043.99.78";
  const AnnotationStore store(AnnotationStore::defaultFolder());
  std::filesystem::remove(store.pathFor(key));
  ViewerDocument doc;
  doc.setVolume(v, "P", "S", {}, {-600, 1500}, QString::fromStdString(key));
  FindingsRun run;
  run.model = "test-model";
  run.fpPerScan = 1.0;
  doc.setDetectionResult(run, {makeFinding("F1", {10, 10, 10}, 9, 0.9), makeFinding("F2", {40, 40, 20}, 5, 0.8)});
  doc.setFindingState("F1", FindingState::Accepted);
  doc.setFindingState("F2", FindingState::Accepted);
  FindingsPanel panel(&doc);
  QTableWidget* table = panel.table();
  auto column = [&](const QString& header) {
    for (int c = 0; c < table->columnCount(); ++c) {
      if (table->horizontalHeaderItem(c)->text() == header) return c;
    }
    return -1;
  };
  const int growthCol = column("Growth"), priorCol = column("Prior"), vdtCol = column("VDT days");
  REQUIRE(growthCol >= 0);
  CHECK(table->isColumnHidden(growthCol)); // no prior: no growth columns, baseline Lung-RADS
  CHECK(panel.lungRadsLabel()->text().contains("Lung-RADS 4A"));

  // The prior: F1 was 7 mm (sphere volume ratio (9/7)^3) 92 days before, 2 mm along x; F2 is new.
  GrowthInputs in;
  in.current = {{"F1", {10, 10, 10}, 9}, {"F2", {40, 40, 20}, 5}};
  in.prior = {{"P1", {12, 10, 10}, 7}};
  in.currentLpsToPriorLps.translation = {2, 0, 0};
  in.intervalDays = 92;
  panel.setGrowth(assessGrowth(in));
  CHECK_FALSE(table->isColumnHidden(growthCol));
  CHECK(table->item(0, growthCol)->text() == "growing");
  CHECK(table->item(0, priorCol)->text() == "P1 (0.0 mm)");
  // 92 ln 2 / ln((9/7)^3) = 84.6 days
  CHECK(table->item(0, vdtCol)->text() == "85");
  CHECK(table->item(1, growthCol)->text() == "new");
  // Growing solid >= 8 mm: 4B (baseline said 4A).
  CHECK(panel.lungRadsLabel()->text().contains("Lung-RADS 4B"));
  CHECK(panel.lungRadsLabel()->text().contains("growing solid nodule"));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    panel.resize(1100, 320);
    panel.grab().save(QString(shots) + "/findings-growth.png");
  }
  panel.setGrowth({});
  CHECK(table->isColumnHidden(growthCol));
  CHECK(panel.lungRadsLabel()->text().contains("Lung-RADS 4A"));

  // Kept up to date from the prior's review: a decision in the current review is compared at once.
  SeriesAnnotations priorReview;
  priorReview.hasFindingsRun = true;
  Finding p1 = makeFinding("P1", {12, 10, 10}, 9, 0.9);
  p1.state = FindingState::Accepted;
  priorReview.findings = {p1};
  RegistrationTransform currentToPrior;
  currentToPrior.translation = {2, 0, 0};
  panel.setPriorComparison(std::make_shared<ReadingSession>(priorReview), currentToPrior, "20260601", "20250601");
  CHECK_FALSE(table->isColumnHidden(growthCol));
  REQUIRE(panel.growth().size() == 2);
  CHECK(table->item(0, growthCol)->text() == "stable"); // 9 mm then and now
  CHECK(table->item(0, vdtCol)->text() == "∞ (stable)");
  // 9 mm solid stable over 365 days: 4A at the 3-month follow-up -> 3; F2 new 5 mm: 3.
  CHECK(panel.lungRadsLabel()->text().contains("Lung-RADS 3"));
  doc.setFindingState("F2", FindingState::Rejected, "vessel");
  CHECK(panel.growth().size() == 1);
  CHECK(table->item(1, growthCol)->text() == "-"); // rejected: not compared
  panel.setPriorComparison(nullptr, {}, {}, {});
  CHECK(table->isColumnHidden(growthCol));
}
