// SPDX-License-Identifier: Apache-2.0
#include "tests/app/FinalizeTestSupport.h"

#include "tests/support/TestData.h"

#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/ViewerDocument.h"
#include "core/segmentation/SegmentationMetrics.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QMessageBox>
#include <QPushButton>
#include <QTest>
#include <QTimer>

namespace lightbox::test {

void openReviewedLidc(MainWindow& window) {
  window.resize(1400, 900);
  window.show();
  REQUIRE(QTest::qWaitForWindowExposed(&window));
  REQUIRE(window.openPath(QString::fromStdString(sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))));
  reviewOpenLidc(window);
}

void reviewOpenLidc(MainWindow& window) {
  ViewerDocument* doc = window.document();
  REQUIRE(doc->volume());
  const auto outlines = readLidcOutlines(sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"),
                                         doc->volume()->geometry);
  REQUIRE(!outlines.empty());
  FindingsRun run;
  run.model = "lightbox-nodule";
  run.modelVersion = "test";
  run.modelSha256 = std::string(64, 'b');
  run.fpPerScan = 1.0;
  Finding f1;
  f1.id = "F1";
  f1.centerLps = outlines.front().centroidLps;
  f1.diameterMm = 25;
  f1.type = "solid";
  f1.score = f1.probability = 0.9;
  Finding f2 = f1;
  f2.id = "F2";
  f2.centerLps = doc->volume()->geometry.ijkToLps({60, 60, 2});
  f2.score = f2.probability = 0.6;
  doc->setDetectionResult(run, {f1, f2});
  doc->setFindingState("F1", FindingState::Accepted);
  REQUIRE(doc->segmentFinding("F1") > 0);
  doc->setFindingState("F2", FindingState::Rejected, "vessel");
  QApplication::processEvents();
}

bool finalizeThroughDialog(MainWindow& window, const std::function<void(FinalizeDialog&)>& fill, std::string& refused) {
  // The dialog is modal: it is driven from a timer while Ctrl+Shift+F's exec() runs.
  bool sawDialog = false;
  QTimer poll;
  poll.setInterval(50);
  QObject::connect(&poll, &QTimer::timeout, [&] {
    for (QWidget* w : QApplication::topLevelWidgets()) {
      if (w->isVisible() && w->inherits("QMessageBox")) { // writing failed: fail, do not hang
        refused = qobject_cast<QMessageBox*>(w)->text().toStdString();
        w->close();
        if (auto* d = qobject_cast<QDialog*>(w->parentWidget())) d->reject();
        continue;
      }
      auto* dialog = qobject_cast<FinalizeDialog*>(w);
      if (!dialog || !dialog->isVisible() || sawDialog) continue;
      sawDialog = true;
      fill(*dialog);
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    }
  });
  poll.start();
  QAction* finalize = nullptr;
  for (QAction* a : window.findChildren<QAction*>()) {
    if (a->shortcut() == QKeySequence("Ctrl+Shift+F")) finalize = a;
  }
  REQUIRE(finalize);
  finalize->trigger();
  poll.stop();
  return sawDialog;
}

} // namespace lightbox::test
