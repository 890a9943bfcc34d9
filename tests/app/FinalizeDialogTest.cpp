// SPDX-License-Identifier: Apache-2.0
// AI > Finalize report... in the real window: Ctrl+Shift+F opens the summary (what goes in, what
// is written where), the reader types a name and edits the drafted impression, Finalize writes
// the version into the study's report folder, and the review itself is left as it was.
#include "tests/app/FinalizeTestSupport.h"
#include "tests/support/TestData.h"

#include "app/report/FinalizeReport.h"
#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/ViewerDocument.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QTest>
#include <QUndoStack>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace lightbox;

TEST_CASE("Ctrl+Shift+F: the summary, the reader's impression, and one click writes the report version",
          "[viewer][window][report]") {
  setenv("LIGHTBOX_ANNOTATIONS", test::scratchFolder("finalize-annotations").c_str(), 1);
  MainWindow window;
  test::openReviewedLidc(window);
  ViewerDocument* doc = window.document();
  const std::size_t undoSteps = doc->undoStack()->count();

  std::string summary, refused;
  QAction* finalize = nullptr;
  for (QAction* a : window.findChildren<QAction*>()) {
    if (a->shortcut() == QKeySequence("Ctrl+Shift+F")) finalize = a;
  }
  REQUIRE(finalize);
  CHECK(finalize->text().contains("Finalize report"));
  const bool sawDialog = test::finalizeThroughDialog(
      window,
      [&](FinalizeDialog& dialog) {
        summary = dialog.plan().summary();
        dialog.readerField()->setText("Doe^Jane");
        dialog.impressionField()->setPlainText("Solid nodule F1, Lung-RADS per the table. Edited by the reader.");
        if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) dialog.grab().save(QString(shots) + "/finalize-dialog.png");
      },
      refused);
  REQUIRE(sawDialog);
  INFO(refused);
  REQUIRE(refused.empty());
  INFO(summary);
  CHECK(summary.find("F1 accepted") != std::string::npos);
  CHECK(summary.find("rejected (counted, not reported): 1") != std::string::npos);
  CHECK(summary.find("seg.dcm") != std::string::npos);

  const std::string folder = defaultReportFolder(doc->reportSource().studyInstanceUid) + "/v1";
  REQUIRE(std::filesystem::exists(folder + "/report.json"));
  for (const char* f : {"seg.dcm", "sr.dcm", "kos.dcm", "report.pdf", "report-pdf.dcm"}) {
    INFO(f);
    CHECK(std::filesystem::exists(folder + "/" + f));
  }
  std::ifstream in(folder + "/report.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j["reader"] == "Doe^Jane");
  CHECK(j["impression"] == "Solid nodule F1, Lung-RADS per the table. Edited by the reader.");
  REQUIRE(j["findings"].size() == 1);
  CHECK(j["findings"][0]["segment_number"] == 1);
  CHECK(window.messages()->item(0)->text().startsWith("Report version 1 written"));
  // Finalizing adds nothing to the review's undo history and changes no finding.
  CHECK(doc->undoStack()->count() == undoSteps);
  CHECK(doc->finding("F1")->state == FindingState::Accepted);
}

TEST_CASE("File > Open ... on this series: an RTSTRUCT becomes segments, an SR becomes notes, each one undo step",
          "[viewer][window][report]") {
  setenv("LIGHTBOX_ANNOTATIONS", test::scratchFolder("rtstruct-sr-annotations").c_str(), 1);
  MainWindow window;
  window.resize(1200, 800);
  window.show();
  const std::string rt = test::sharedData("seg-sr/rt-utils_rtstruct_phantom");
  REQUIRE(window.openPath(QString::fromStdString(rt)));
  ViewerDocument* doc = window.document();
  REQUIRE(doc->importLabels(QString::fromStdString(rt + "/rt.dcm")) == 1);
  REQUIRE(doc->labels().segments.size() == 1);
  CHECK(doc->labels().segments[0].name == "ROI-1");
  CHECK(doc->labels().count(doc->labels().segments[0].label) == 1443); // the independent rasterisation's count
  CHECK(doc->undoStack()->undoText() == "Open RTSTRUCT rt.dcm");
  doc->undoStack()->undo();
  CHECK(doc->labels().segments.empty());

  // highdicom's SR on its CT image: one note, one undo step.
  const std::string hd = test::sharedData("seg-sr/highdicom_sr_tid1500_ct_image");
  REQUIRE(window.openPath(QString::fromStdString(hd + "/ct_image.dcm")));
  const std::size_t before = doc->measurements().size();
  REQUIRE(doc->importLabels(QString::fromStdString(hd + "/sr_document.dcm")) == 1);
  REQUIRE(doc->measurements().size() == before + 1);
  CHECK(doc->measurements().back().kind == MeasurementKind::Text);
  CHECK(doc->undoStack()->undoText().startsWith("Open SR"));
  doc->undoStack()->undo();
  CHECK(doc->measurements().size() == before);
}
