// SPDX-License-Identifier: Apache-2.0
// Issue 27 in the viewer: the PACS tab of the study browser searches a real Orthanc, retrieves a
// study on a worker thread while the window keeps serving events, and the study opens at once.
// Driven by tests/app/pacs_viewer_test.sh, which starts Orthanc and writes the node list
// ("[.pacsdrive]": hidden from the plain viewer suite, which has no archive).
#include "tests/app/FinalizeTestSupport.h"
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/MainWindow.h"
#include "app/viewer/PacsNodesDialog.h"
#include "app/viewer/PacsPanel.h"
#include "app/viewer/StudyBrowser.h"
#include "app/viewer/ViewerDocument.h"
#include "core/net/PacsNode.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace lightbox;

namespace {

/// The PACS tab's study row of `studyUid` among the search results, or null.
QTreeWidgetItem* studyRow(PacsPanel* pacs, const QString& studyUid) {
  for (int i = 0; i < pacs->results()->topLevelItemCount(); ++i) {
    if (pacs->results()->topLevelItem(i)->data(0, Qt::UserRole).toString() == studyUid) return pacs->results()->topLevelItem(i);
  }
  return nullptr;
}

/// Searches `node` (every study, or one patient's) and waits for the answer.
void searchAndWait(PacsPanel* pacs, const char* node, const QString& patientId = {}) {
  pacs->setQuery(node, {}, patientId);
  pacs->search();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 60000));
}

} // namespace

TEST_CASE("the PACS tab finds a study on the archive, retrieves it without blocking and opens it", "[.pacsdrive]") {
  const char* node = std::getenv("LIGHTBOX_TEST_PACS_NODE");
  const char* study = std::getenv("LIGHTBOX_TEST_PACS_STUDY");
  REQUIRE(node);   // set by pacs_viewer_test.sh
  REQUIRE(study);
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  PacsPanel* pacs = window.pacsPanel();
  REQUIRE(pacs);
  auto* tabs = window.findChild<QTabWidget*>("studyTabs");
  REQUIRE(tabs);
  tabs->setCurrentWidget(pacs);
  CHECK(tabs->tabText(tabs->currentIndex()) == "PACS");

  // Search: every study, then a patient ID that matches none.
  pacs->setQuery(node, {});
  pacs->search();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 60000));
  INFO(pacs->status().toStdString());
  REQUIRE(pacs->results()->topLevelItemCount() == 3); // POPI, the LIDC slab and its prior
  QTreeWidgetItem* row = studyRow(pacs, study);
  REQUIRE(row);
  CHECK(row->text(2) == "141");
  CHECK(row->text(3).isEmpty());  // not local yet
  // Its series, asked for when the row opens.
  row->setExpanded(true);
  REQUIRE(test::waitFor([&] { return !pacs->busy() && row->childCount() > 0; }, 60000));
  CHECK(row->childCount() == 1);
  CHECK(row->child(0)->text(1) == "CT");
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) window.grab().save(QString(shots) + "/pacs-search.png");

  // Retrieve: the window keeps serving events (a timer's ticks never wait long), progress shows.
  pacs->results()->setCurrentItem(row);
  QElapsedTimer clock;
  qint64 last = 0, worstGap = 0, worstGapAt = 0;
  int ticks = 0;
  QTimer timer;
  // The window opening what arrived (the first image, then the whole series) is the viewer's open,
  // measured elsewhere (bench/viewer_launch.sh): the tick interval holding an open is not counted.
  bool opened = false;
  QObject::connect(pacs, &PacsPanel::firstImageArrived, [&] { opened = true; });
  QObject::connect(pacs, &PacsPanel::retrieved, [&] { opened = true; });
  QObject::connect(&timer, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    if (ticks++ && !opened && now - last > worstGap) {
      worstGap = now - last;
      worstGapAt = now;
    }
    opened = false;
    last = now;
  });
  clock.start();
  timer.start(10);
  // The first image is on screen before the last slice has arrived.
  std::size_t slicesWhileBusy = 0;
  qint64 firstImageMs = -1;
  pacs->retrieveSelected();
  CHECK(pacs->busy());
  REQUIRE(test::waitFor([&] {
    if (pacs->busy() && firstImageMs < 0 && window.document()->volume()) {
      firstImageMs = clock.elapsed();
      slicesWhileBusy = window.document()->volume()->geometry.size[2];
    }
    return !pacs->busy();
  }, 120000));
  const qint64 doneMs = clock.elapsed();
  timer.stop();
  INFO("first image after " << firstImageMs << " ms with " << slicesWhileBusy << " slices; all 141 after " << doneMs << " ms");
  REQUIRE(firstImageMs >= 0);
  CHECK(slicesWhileBusy < 141);
  CHECK(firstImageMs < doneMs);
  INFO(pacs->status().toStdString());
  CHECK(pacs->status().contains("141 objects retrieved"));
  INFO("worst gap between 10 ms ticks while retrieving: " << worstGap << " ms over " << ticks << " ticks");
  std::printf("pacs_viewer: worst gap %lld ms (ending %lld ms after the retrieve began) over %d ticks; first image %lld ms, all %lld ms\n",
              (long long)worstGap, (long long)worstGapAt, ticks, (long long)firstImageMs, (long long)doneMs);
  CHECK(ticks > 50);
  CHECK(worstGap < 250);

  // Opened at once, and listed in the Local tab.
  // (The whole series may open a moment after the retrieve ends: an open asked for while the first
  // image's open still ran waits for it.)
  REQUIRE(test::waitFor([&] {
    return window.document() && window.document()->volume() && window.document()->volume()->geometry.size[2] == 141;
  }, 60000));
  bool listed = false;
  for (QTreeWidgetItemIterator it(window.browser()->tree()); *it; ++it) {
    listed = listed || (*it)->data(0, Qt::UserRole).toString() == window.document()->seriesKey();
  }
  CHECK(listed);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) window.grab().save(QString(shots) + "/pacs-retrieved.png");

  // A new search marks it local.
  pacs->search();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 60000));
  bool local = false;
  for (int i = 0; i < pacs->results()->topLevelItemCount(); ++i) {
    QTreeWidgetItem* r = pacs->results()->topLevelItem(i);
    if (r->data(0, Qt::UserRole).toString() == study) local = !r->text(3).isEmpty();
  }
  CHECK(local);

  // A node that is down: the reason, in the status and the Messages dock, and the tab stays usable.
  pacs->setQuery("ORTHANC@127.0.0.1:1", {});
  pacs->search();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 60000));
  CHECK(pacs->status().contains("connection refused"));
}

TEST_CASE("a study from the archive is reviewed, finalized and its report sent back to the archive", "[.pacsdrive]") {
  const char* node = std::getenv("LIGHTBOX_TEST_PACS_NODE");
  const char* lidcStudy = std::getenv("LIGHTBOX_TEST_PACS_LIDC_STUDY");
  const char* reportList = std::getenv("LIGHTBOX_TEST_REPORT_LIST");
  REQUIRE(node);  // set by pacs_viewer_test.sh
  REQUIRE(lidcStudy);
  REQUIRE(reportList);
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  PacsPanel* pacs = window.pacsPanel();
  searchAndWait(pacs, node, "LIDC-IDRI-0001");
  INFO(pacs->status().toStdString());
  REQUIRE(pacs->results()->topLevelItemCount() == 2); // the study and its prior
  QTreeWidgetItem* lidcRow = studyRow(pacs, lidcStudy);
  REQUIRE(lidcRow);
  pacs->results()->setCurrentItem(lidcRow);
  pacs->retrieveSelected();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 120000));
  REQUIRE(test::waitFor([&] { return window.document()->volume() != nullptr; }, 60000));
  CHECK(window.document()->volume()->geometry.size[2] == 16);

  // Detection (the shipped model, off the GUI thread), review: the most probable finding (the
  // readers' nodule) accepted, the others rejected; then Finalize with "Send to".
  FindingsPanel* panel = window.findingsPanel();
  QSignalSpy finished(panel, &FindingsPanel::detectionFinished);
  REQUIRE(panel->runDetection());
  REQUIRE(test::waitFor([&] { return finished.count() > 0; }, 180000));
  REQUIRE(finished.front().at(0).toBool());
  ViewerDocument* doc = window.document();
  std::vector<const Finding*> visible = doc->visibleFindings();
  REQUIRE(!visible.empty());
  const Finding* best = *std::max_element(visible.begin(), visible.end(),
                                          [](const Finding* a, const Finding* b) { return a->probability < b->probability; });
  const std::string accepted = best->id;
  std::vector<std::string> others;
  for (const Finding* f : visible) {
    if (f->id != accepted) others.push_back(f->id);
  }
  REQUIRE(doc->setFindingState(accepted, FindingState::Accepted));
  for (const std::string& id : others) REQUIRE(doc->setFindingState(id, FindingState::Rejected, "vessel"));
  QApplication::processEvents();
  std::string refused;
  int nodes = 0;
  const bool sawDialog = test::finalizeThroughDialog(
      window,
      [&](FinalizeDialog& dialog) {
        dialog.readerField()->setText("Reader^Test");
        QComboBox* to = dialog.sendToField();
        nodes = to->count() - 1;
        to->setCurrentIndex(to->findData(QString("archive")));
        if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) dialog.grab().save(QString(shots) + "/finalize-send-to.png");
      },
      refused);
  REQUIRE(sawDialog);
  INFO(refused);
  REQUIRE(refused.empty());
  CHECK(nodes == 1);
  // Sent on a worker thread: the window answers meanwhile, then the Messages dock says the result.
  REQUIRE(test::waitFor([&] { return !window.sendingReport(); }, 120000));
  QStringList lines;
  for (int i = 0; i < window.messages()->count(); ++i) lines << window.messages()->item(i)->text();
  INFO(lines.join("\n").toStdString());
  CHECK(lines.join("\n").contains("Report sent to archive (ORTHANC@127.0.0.1:"));
  CHECK(lines.join("\n").contains(": 4 of 4 objects stored"));
  // The wrapper reads the objects back from Orthanc.
  std::ofstream out(reportList);
  for (const QString& l : lines) {
    if (l.startsWith("Report version")) out << l.toStdString() << "\n";
  }
}

TEST_CASE("File > Receive from the archive files what a sender stores, and Export anonymised writes the open series",
          "[.pacsdrive]") {
  const std::string lidc = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const char* lidcStudy = std::getenv("LIGHTBOX_TEST_PACS_LIDC_STUDY");
  REQUIRE(lidcStudy);  // set by pacs_viewer_test.sh
  MainWindow window;
  window.resize(1400, 900);
  window.show();
  REQUIRE(window.setReceiving(true));
  auto said = [&](const QString& words) {
    for (int i = 0; i < window.messages()->count(); ++i) {
      if (window.messages()->item(i)->text().contains(words)) return true;
    }
    return false;
  };
  REQUIRE(said("Receiving as LIGHTBOX on port"));
  // DCMTK's storescu sends the slab to the window's receiver while the window keeps running.
  const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
  QStringList args = {"-aec", "LIGHTBOX", "127.0.0.1", QString::number(list.local.port)};
  for (const auto& f : std::filesystem::directory_iterator(lidc)) args << QString::fromStdString(f.path().string());
  QProcess storescu;
  storescu.start("storescu", args);
  REQUIRE(test::waitFor([&] { return storescu.state() == QProcess::NotRunning; }, 60000));
  INFO(storescu.readAllStandardError().toStdString());
  REQUIRE(storescu.exitCode() == 0);
  REQUIRE(test::waitFor([&] { return said("Received 16 objects from the archive"); }, 30000));
  // Listed under Local, and it opens from there.
  QString folder, uid;
  for (QTreeWidgetItemIterator it(window.browser()->tree()); *it; ++it) {
    if ((*it)->data(0, Qt::UserRole + 1).toString().endsWith(QString("/received/") + lidcStudy)) {
      folder = (*it)->data(0, Qt::UserRole + 1).toString();
      uid = (*it)->data(0, Qt::UserRole).toString();
    }
  }
  REQUIRE(!folder.isEmpty());
  REQUIRE(window.openPath(folder, uid));
  CHECK(window.document()->volume()->geometry.size[2] == 16);
  CHECK(window.setReceiving(false));
  CHECK_FALSE(window.receiving());

  // Export anonymised: the open series' 16 objects, the patient's ID gone.
  const QString out = QString::fromStdString(test::scratchFolder("export-anonymised"));
  REQUIRE(window.exportAnonymised(out));
  CHECK(said(QString("Anonymised 16 objects into %1").arg(out)));
  std::size_t written = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(out.toStdString())) {
    if (f.path().extension() != ".dcm") continue;
    ++written;
    std::ifstream in(f.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("LIDC-IDRI-0001") == std::string::npos);
  }
  CHECK(written == 16);
}

TEST_CASE("suggested priors come from the archive too: listed, retrieved and opened as the comparison", "[.pacsdrive]") {
  const char* node = std::getenv("LIGHTBOX_TEST_PACS_NODE");
  const char* lidcStudy = std::getenv("LIGHTBOX_TEST_PACS_LIDC_STUDY");
  const char* priorStudy = std::getenv("LIGHTBOX_TEST_PACS_PRIOR_STUDY");
  const char* priorSeries = std::getenv("LIGHTBOX_TEST_PACS_PRIOR_SERIES");
  REQUIRE(node);  // set by pacs_viewer_test.sh
  REQUIRE(lidcStudy);
  REQUIRE(priorStudy);
  REQUIRE(priorSeries);
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  PacsPanel* pacs = window.pacsPanel();
  // The current study: the LIDC patient's, found by ID (its prior is there too) and retrieved.
  searchAndWait(pacs, node, "LIDC-IDRI-0001");
  REQUIRE(pacs->results()->topLevelItemCount() == 2);
  QTreeWidgetItem* current = studyRow(pacs, lidcStudy);
  REQUIRE(current);
  pacs->results()->setCurrentItem(current);
  pacs->retrieveSelected();
  REQUIRE(test::waitFor([&] {
    return !pacs->busy() && window.document()->volume() && window.document()->volume()->geometry.size[2] == 16;
  }, 120000));

  // The prior is on the archive only: listed under Suggested priors once the archive answered.
  StudyBrowser* browser = window.browser();
  REQUIRE(test::waitFor([&] { return !pacs->busy() && browser->archivePriors() == QStringList{priorStudy}; }, 60000));
  INFO(pacs->priorsStatus().toStdString());
  CHECK(pacs->priorsStatus().contains("1 not in the local index"));
  INFO("status: " << pacs->status().toStdString());
  // The tab's status is still the reader's retrieve (16 images, and the report objects an earlier case sent).
  CHECK(pacs->status().contains("objects retrieved into the local index"));
  CHECK(browser->suggestedPriors().isEmpty()); // nothing local yet
  QTreeWidgetItem* row = nullptr;
  for (QTreeWidgetItemIterator it(browser->tree()); *it; ++it) {
    if ((*it)->data(0, Qt::UserRole + 8).toString() == priorStudy) row = *it;
  }
  REQUIRE(row);
  CHECK(row->parent()->text(0) == "Suggested priors");
  CHECK(row->text(0).contains("prior a year before"));
  CHECK(row->text(0).contains(QString("(on %1)").arg(node)));
  CHECK(row->text(4) == "16");
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) window.grab().save(QString(shots) + "/pacs-archive-prior.png");

  // A double click retrieves it and opens it as the comparison; it is then a local prior.
  emit browser->tree()->itemActivated(row, 0);
  REQUIRE(test::waitFor([&] {
    return !pacs->busy() && window.comparison()->volume() && window.comparison()->seriesKey() == priorSeries;
  }, 120000));
  CHECK(window.comparison()->volume()->geometry.size[2] == 16);
  CHECK(window.document()->volume()->geometry.size[2] == 16); // the current series stayed
  CHECK(window.document()->seriesKey() != priorSeries);
  REQUIRE(test::waitFor([&] { return browser->archivePriors().isEmpty(); }, 10000));
  CHECK(browser->suggestedPriors() == QStringList{priorSeries});
}

// Run by pacs_viewer_test.sh, which kills this process (SIGKILL) once ~30 objects have arrived.
TEST_CASE("a retrieve in a window that gets killed", "[.pacskill]") {
  const char* node = std::getenv("LIGHTBOX_TEST_PACS_NODE");
  const char* study = std::getenv("LIGHTBOX_TEST_PACS_STUDY");
  const char* index = std::getenv("LIGHTBOX_TEST_KILL_INDEX");
  REQUIRE(node);
  REQUIRE(study);
  REQUIRE(index);
  setenv("LIGHTBOX_INDEX", index, 1); // the store the retry run shares
  MainWindow window;
  window.show();
  PacsPanel* pacs = window.pacsPanel();
  searchAndWait(pacs, node);
  REQUIRE(studyRow(pacs, study));
  pacs->results()->setCurrentItem(studyRow(pacs, study));
  pacs->retrieveSelected();
  REQUIRE(pacs->busy());
  // Waits to be killed; a retrieve that ends first is seen by the script (all 141 arrived).
  test::waitFor([] { return false; }, 120000);
  FAIL("not killed within 120 s");
}

TEST_CASE("the retrieve after a killed window completes the study", "[.pacsretry]") {
  const char* node = std::getenv("LIGHTBOX_TEST_PACS_NODE");
  const char* study = std::getenv("LIGHTBOX_TEST_PACS_STUDY");
  const char* index = std::getenv("LIGHTBOX_TEST_KILL_INDEX");
  REQUIRE(node);
  REQUIRE(study);
  REQUIRE(index);
  setenv("LIGHTBOX_INDEX", index, 1);
  MainWindow window;
  window.show();
  PacsPanel* pacs = window.pacsPanel();
  searchAndWait(pacs, node);
  QTreeWidgetItem* row = studyRow(pacs, study);
  REQUIRE(row);
  pacs->results()->setCurrentItem(row);
  pacs->retrieveSelected();
  REQUIRE(test::waitFor([&] { return !pacs->busy(); }, 120000));
  INFO(pacs->status().toStdString());
  CHECK(pacs->status().contains("141 objects retrieved"));
  REQUIRE(test::waitFor([&] {
    return window.document()->volume() && window.document()->volume()->geometry.size[2] == 141;
  }, 60000));
}

TEST_CASE("the PACS node dialog edits, checks and saves the node list, and echoes a node off the GUI thread",
          "[viewer][pacs]") {
  const std::string scratch = test::scratchFolder("pacs-nodes-dialog");
  const std::string path = scratch + "/pacs-nodes.json";
  setenv("LIGHTBOX_PACS_NODES", path.c_str(), 1);
  PacsNodesDialog dialog;
  dialog.aeTitleField()->setText("READER1");
  dialog.portField()->setValue(11113);
  PacsNode archive;
  archive.name = "archive";
  archive.aeTitle = "ORTHANC";
  archive.host = "127.0.0.1";
  archive.port = 1;  // nothing listens there
  dialog.addRow(archive);
  PacsNode web;
  web.name = "web";
  web.url = "https://pacs.example/dicom-web";
  web.auth = "bearer";
  web.secretEnv = "ARCHIVE_TOKEN";
  dialog.addRow(web);
  REQUIRE(dialog.save());
  const PacsNodeList back = loadPacsNodeList(path);
  CHECK(back.local.aeTitle == "READER1");
  CHECK(back.local.port == 11113);
  REQUIRE(back.nodes.size() == 2);
  CHECK(back.nodes[0].address() == "ORTHANC@127.0.0.1:1");
  CHECK(back.nodes[1].auth == "bearer");
  CHECK(back.nodes[1].secretEnv == "ARCHIVE_TOKEN");

  // Wrong rows are named and nothing is saved.
  dialog.table()->item(0, 1)->setText("not an address");
  CHECK_FALSE(dialog.save());
  CHECK(dialog.error().contains("Row 1"));
  dialog.table()->item(0, 1)->setText("ORTHANC@127.0.0.1:1");
  dialog.table()->item(0, 2)->setText("basic");
  CHECK_FALSE(dialog.save());
  CHECK(dialog.error().contains("DICOMweb URLs only"));
  dialog.table()->item(0, 2)->setText("");
  dialog.table()->item(1, 0)->setText("archive");
  CHECK_FALSE(dialog.save());
  CHECK(dialog.error().contains("used twice"));
  dialog.table()->item(1, 0)->setText("web");
  CHECK(loadPacsNodeList(path).nodes.size() == 2);  // still the saved list

  // Echo of a node that is down: the reason, and the dialog answered meanwhile.
  dialog.table()->setCurrentCell(0, 0);
  dialog.echoSelected();
  REQUIRE(test::waitFor([&] { return !dialog.echoBusy(); }, 30000));
  CHECK(dialog.status().contains("connection refused"));

  // The PACS tab offers the saved nodes.
  MainWindow window;
  window.pacsPanel()->reloadNodes();
  auto* combo = window.pacsPanel()->findChild<QComboBox*>();
  REQUIRE(combo);
  CHECK(combo->findText("archive") >= 0);
  CHECK(combo->findText("web") >= 0);
}
