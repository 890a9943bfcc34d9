// SPDX-License-Identifier: Apache-2.0
// Issue 29 in the viewer: a series pre-read by `lightbox batch` shows its state in the Studies list
// and opens with the batch's findings in the review, said to be an unreviewed pre-read; the reader
// triages them with the same keys as after a manual run, and the decisions are saved.
#include "tests/support/TestData.h"

#include "app/viewer/FindingsPanel.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/StudyBrowser.h"
#include "app/viewer/ViewerDocument.h"

#include <catch2/catch.hpp>

#include <QLabel>
#include <QProcess>
#include <QTest>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

#include <cstdlib>
#include <string>

using namespace lightbox;

namespace {

void runLightbox(const QStringList& args) {
  QProcess p; // the test's environment: its own study index and annotation folder
  p.start(QString(LIGHTBOX_BINARY), args);
  REQUIRE(p.waitForFinished(300000));
  INFO(p.readAllStandardError().toStdString());
  REQUIRE(p.exitStatus() == QProcess::NormalExit);
  REQUIRE(p.exitCode() == 0);
}

} // namespace

TEST_CASE("a batch pre-read shows in the Studies list, opens with its findings and is triaged as a manual run",
          "[viewer][window][batch]") {
  // A study index, review store and run list of this test's own.
  const std::string scratch = test::scratchFolder("pre-read");
  setenv("LIGHTBOX_INDEX", (scratch + "/index.sqlite").c_str(), 1);
  setenv("LIGHTBOX_ANNOTATIONS", (scratch + "/annotations").c_str(), 1);
  const QString slab = QString::fromStdString(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"));
  const QString out = QString::fromStdString(scratch + "/batch");
  runLightbox({"import", slab, "--quiet"});
  // At 8 FP/scan: two findings on the slab to triage (the readers' nodule and one more).
  runLightbox({"batch", slab, "-o", out, "--steps", "detect", "--fp-per-scan", "8"});

  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(slab));
  ViewerDocument* doc = window.document();
  // The review holds the batch's proposals, none decided, from the batch run.
  REQUIRE(doc->hasFindingsRun());
  CHECK(doc->findingsRun().source == "batch");
  REQUIRE(!doc->visibleFindings().empty());
  for (const Finding* f : doc->visibleFindings()) CHECK(f->state == FindingState::Proposed);
  const int shown = int(doc->visibleFindings().size());

  // The findings panel says whose findings these are, and whether the reader has started on them.
  auto panelSays = [&](const QString& words) {
    bool said = false;
    for (const QLabel* label : window.findingsPanel()->findChildren<QLabel*>()) said = said || label->text().contains(words);
    return said;
  };
  CHECK(panelSays("AI pre-read"));
  CHECK(panelSays("not yet reviewed"));

  // The Studies list: the series' row says what the batch found.
  auto* browser = window.findChild<StudyBrowser*>();
  REQUIRE(browser);
  browser->refresh();
  auto* tree = browser->findChild<QTreeWidget*>();
  REQUIRE(tree);
  QString preRead;
  for (QTreeWidgetItemIterator it(tree); *it; ++it) {
    if ((*it)->data(0, Qt::UserRole).toString() == doc->seriesKey()) preRead = (*it)->text(1);
  }
  INFO(preRead.toStdString());
  CHECK(preRead.startsWith(QString("%1 finding").arg(shown)));
  // The worst Lung-RADS category, or why there is none (a finding the AI could not size).
  CHECK((preRead.contains("Lung-RADS") || preRead.contains("a size unmeasured")));
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) window.grab().save(QString(shots) + "/pre-read.png");

  // Triage as after a manual run: N to the first finding, A accepts it, R rejects the next.
  window.activateWindow();
  REQUIRE(QTest::qWaitForWindowActive(&window));
  window.view(0)->setFocus();
  QTest::keyClick(&window, Qt::Key_N);
  const std::string first = doc->selectedFinding();
  REQUIRE(!first.empty());
  QTest::keyClick(&window, Qt::Key_A);
  CHECK(doc->finding(first)->state == FindingState::Accepted);
  const std::string second = doc->selectedFinding();
  REQUIRE(second != first);
  QTest::keyClick(&window, Qt::Key_R);
  CHECK(doc->finding(second)->state == FindingState::Rejected);
  CHECK(panelSays("in review"));
  CHECK_FALSE(panelSays("not yet reviewed"));

  // Saved: a new window shows the decisions; a rerun of the batch leaves the reader's review alone.
  MainWindow again;
  REQUIRE(again.openPath(slab));
  CHECK(again.document()->finding(first)->state == FindingState::Accepted);
  runLightbox({"batch", slab, "-o", out + "-again", "--steps", "detect"});
  MainWindow third;
  REQUIRE(third.openPath(slab));
  CHECK(third.document()->finding(first)->state == FindingState::Accepted);
  CHECK(third.document()->finding(second)->state == FindingState::Rejected);
}
