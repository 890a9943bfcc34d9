// SPDX-License-Identifier: Apache-2.0
// Issue 28: the reading room and the report in Simplified Chinese. View > Language switches the
// whole window at once (no English text with a translation is left on screen), the choice is
// remembered, the finalize dialog drafts the impression in Chinese and the PDF prints Chinese.
#include "tests/app/FinalizeTestSupport.h"
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/VolumeInference.h"
#include "app/i18n/CoreMessages.h"
#include "app/i18n/Translations.h"
#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/VtkViewport.h"

#include <catch2/catch.hpp>

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTableWidget>
#include <QTest>
#include <QXmlStreamReader>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

using namespace lightbox;

namespace {

QString withoutMnemonic(QString text) { return text.remove(QRegularExpression("\\(&.\\)")).remove('&'); }

/// The English source texts of the zh_CN translation whose translation differs from them (mnemonics
/// aside: "&AI" is "AI(&A)").
std::set<QString> translatedSources() {
  QFile file(LIGHTBOX_TS_FILE);
  REQUIRE(file.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&file);
  std::set<QString> out;
  QString source;
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) continue;
    if (xml.name() == QLatin1String("source")) source = xml.readElementText();
    if (xml.name() == QLatin1String("translation")) {
      const QString translation = xml.readElementText();
      if (!translation.isEmpty() && withoutMnemonic(translation) != withoutMnemonic(source)) out.insert(withoutMnemonic(source));
    }
  }
  REQUIRE(out.size() > 300);
  return out;
}

/// Every text on screen (menus, buttons, labels, group boxes, dock titles, table headers) that is
/// still the English source of a translated string.
QStringList englishOnScreen(MainWindow& window, const std::set<QString>& english) {
  QStringList texts;
  std::function<void(QMenu*)> menu = [&](QMenu* m) {
    for (QAction* a : m->actions()) {
      texts << a->text();
      if (a->menu()) menu(a->menu());
    }
  };
  for (QAction* a : window.menuBar()->actions()) {
    texts << a->text();
    if (a->menu()) menu(a->menu());
  }
  for (QWidget* w : window.findChildren<QWidget*>()) {
    if (!w->isVisibleTo(&window)) continue;
    if (auto* b = qobject_cast<QAbstractButton*>(w)) texts << b->text() << b->toolTip();
    if (auto* l = qobject_cast<QLabel*>(w)) texts << l->text();
    if (auto* g = qobject_cast<QGroupBox*>(w)) texts << g->title();
    if (auto* d = qobject_cast<QDockWidget*>(w)) texts << d->windowTitle();
    if (auto* t = qobject_cast<QTableWidget*>(w)) {
      for (int c = 0; c < t->columnCount(); ++c) {
        if (QTableWidgetItem* h = t->horizontalHeaderItem(c)) texts << h->text();
      }
    }
  }
  QStringList left;
  for (const QString& t : texts) {
    if (!t.isEmpty() && english.count(withoutMnemonic(t))) left << t;
  }
  return left;
}

QAction* languageAction(MainWindow& window, const QString& name) {
  for (QAction* a : window.findChildren<QAction*>()) {
    if (a->text() == name && a->isCheckable() && !a->associatedObjects().isEmpty()) return a;
  }
  return nullptr;
}

} // namespace

TEST_CASE("View > Language: Chinese applies at once and is remembered, the impression and the PDF come in Chinese",
          "[viewer][window][report][i18n]") {
  setenv("LIGHTBOX_ANNOTATIONS", test::scratchFolder("language-annotations").c_str(), 1);
  QSettings().remove("language");
  REQUIRE(applyLanguage("en"));
  const std::set<QString> english = translatedSources();

  MainWindow window;
  test::openReviewedLidc(window);

  // In English the same check finds the English texts (so it can fail).
  const QStringList before = englishOnScreen(window, english);
  CHECK(before.size() > 40);
  CHECK(window.menuBar()->actions().front()->text() == "&File");

  QAction* chinese = languageAction(window, QStringLiteral("简体中文"));
  REQUIRE(chinese);
  chinese->trigger();
  // Every widget retranslates on its LanguageChange event (waited for: slower under a sanitizer).
  REQUIRE(test::waitFor(
      [&] { return window.menuBar()->actions().front()->text() == QStringLiteral("文件(&F)"); },
      10000));
  CHECK(currentLanguage() == "zh_CN");
  CHECK(QSettings().value("language").toString() == "zh_CN");
  const QStringList left = englishOnScreen(window, english);
  INFO(left.join(" | ").toStdString());
  CHECK(left.isEmpty());
  CHECK(window.menuBar()->actions().front()->text() == QStringLiteral("文件(&F)"));
  const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS");
  if (shots) {
    grabWindow(&window).save(QString(shots) + "/zh-main-window.png");
    window.findingsPanel()->grab().save(QString(shots) + "/zh-findings-panel.png");
  }

  // The finalize dialog: the drafted impression is Chinese; the report's PDF prints Chinese.
  std::string impression, refused, folder;
  const bool sawDialog = test::finalizeThroughDialog(
      window,
      [&](FinalizeDialog& dialog) {
        folder = dialog.plan().folder; // the version this report writes
        impression = dialog.impressionField()->toPlainText().toStdString();
        dialog.readerField()->setText(QStringLiteral("张^伟"));
        if (shots) dialog.grab().save(QString(shots) + "/zh-finalize-dialog.png");
      },
      refused);
  REQUIRE(sawDialog);
  INFO(refused);
  REQUIRE(refused.empty());
  INFO(impression);
  CHECK(impression.find("实性结节 F1") != std::string::npos);
  CHECK(impression.find("Lung-RADS") != std::string::npos);
  CHECK(impression.find("nodule") == std::string::npos);

  std::ifstream in(folder + "/report.json");
  REQUIRE(in);
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j["language"] == "zh_CN");
  CHECK(j["impression"] == impression);
  const test::ProcessResult text = test::runProgram("/usr/bin/pdftotext", {"-enc", "UTF-8", folder + "/report.pdf", "-"});
  REQUIRE(text.exitCode == 0);
  INFO(text.out);
  CHECK(text.out.find("实性结节 F1") != std::string::npos);
  CHECK(text.out.find("患者") != std::string::npos);
  CHECK(text.out.find("印象") != std::string::npos);
  CHECK(text.out.find("Patient ID") == std::string::npos);
  if (shots) {
    test::runProgram("/usr/bin/pdftoppm", {"-png", "-r", "60", folder + "/report.pdf",
                                           std::string(shots) + "/zh-report"});
  }

  // Back to English at once.
  QAction* englishAction = languageAction(window, QStringLiteral("English"));
  REQUIRE(englishAction);
  englishAction->trigger();
  REQUIRE(
      test::waitFor([&] { return window.menuBar()->actions().front()->text() == "&File"; }, 10000));
  CHECK(currentLanguage() == "en");
  CHECK(window.menuBar()->actions().front()->text() == "&File");
  CHECK(englishOnScreen(window, english).size() == before.size());
  QSettings().remove("language");
}

TEST_CASE("core's English sentences shown in Chinese: the AI's intended-use checks, the report's and ingest's warnings",
          "[viewer][i18n]") {
  // The AI's preflight, composed by the real code for a scan outside every limit.
  ModelManifest m;
  m.name = "lightbox-nodule";
  m.modalities = {"CT"};
  m.maxSliceThicknessMm = 2.5;
  m.targetSpacingXyz = {0.7, 0.7, 1.25};
  m.minCoverageMm = 100;
  Volume v;
  v.geometry.size = {32, 32, 8};
  v.geometry.spacing = {2.0, 2.0, 5.0};
  ScanFacts facts;
  facts.modality = "MR";
  facts.sliceThicknessMm = 5;
  std::vector<std::string> sentences = preflightWarnings(m, v, facts);
  REQUIRE(sentences.size() == 5);
  facts.modality.clear();
  sentences.push_back(preflightWarnings(m, v, facts).front());
  // The detector's, the report's (buildReportContent) and ingest's fixed sentences.
  for (const char* s : {"values are not Hounsfield units; the lung mask and candidates assume CT",
                        "no lung found in this scan (no air region inside the body)",
                        "the series has no Patient ID: the objects carry it empty",
                        "the series has no Patient's Name: the objects carry it empty",
                        "the series has no Frame of Reference UID: the SEG places its frames by the source images only",
                        "no pixel spacing: distances are in pixels, not mm"})
    sentences.push_back(s);

  REQUIRE(applyLanguage("zh_CN"));
  const std::regex word("[A-Za-z]{3,}");
  const std::set<std::string> allowed{"lightbox", "nodule", "SEG", "UID", "FFFD"};
  for (const std::string& english : sentences) {
    const std::string zh = translateCoreMessage(english).toStdString();
    INFO(english << " -> " << zh);
    CHECK(zh != english);
    for (auto it = std::sregex_iterator(zh.begin(), zh.end(), word); it != std::sregex_iterator(); ++it)
      CHECK(allowed.count(it->str()) == 1);
  }
  CHECK(translateCoreMessage("the scan covers 35 mm along z, less than the 100 mm the model needs: findings near its "
                             "ends may be missed") == QStringLiteral("扫描沿 z 轴仅覆盖 35 mm，少于模型所需的 100 mm：两端附近的病灶可能漏检"));
  CHECK(translateCoreMessage("area 1762.3 mm², mean -167.3 HU, SD 453.5, min -983, max 887") ==
        QStringLiteral("面积 1762.3 mm²，均值 -167.3 HU，标准差 453.5，最小 -983，最大 887"));
  CHECK(translateCoreMessage("left hilum: area 12.0 mm²") == QStringLiteral("left hilum: 面积 12.0 mm²"));
  CHECK(translateCoreMessage("something core has not said before") == "something core has not said before");
  REQUIRE(applyLanguage("en"));
  for (const std::string& english : sentences) CHECK(translateCoreMessage(english).toStdString() == english);
}
