// SPDX-License-Identifier: Apache-2.0
// The reading room and the department's archive (issue 27): sending a report to a node, the
// storage receiver, anonymised export.
#include "app/viewer/MainWindow.h"

#include "app/viewer/OffGuiThread.h"
#include "app/viewer/StudyBrowser.h"
#include "core/dicom/Anonymiser.h"
#include "core/index/StudyIndex.h"
#include "core/net/DicomNetwork.h"
#include "core/net/PacsNode.h"

#include <QApplication>
#include <QListWidget>
#include <QMetaObject>
#include <QStatusBar>
#include <QTimer>

#include <filesystem>

namespace lightbox {

bool MainWindow::exportAnonymised(const QString& outDir) { return exportAnonymised(outDir, AnonymiseOptions{}); }

bool MainWindow::exportAnonymised(const QString& outDir, const AnonymiseOptions& options) {
  if (sliceFiles_.empty()) {
    messages_->insertItem(0, tr("error: no DICOM files behind the open image to export"));
    return false;
  }
  if (exporting_) {
    statusBar()->showMessage(tr("An anonymised export is running"), 5000);
    return false;
  }
  std::vector<std::string> files;
  for (const auto& f : sliceFiles_) files.push_back(f.first);
  exporting_ = true;
  statusBar()->showMessage(tr("Exporting %1 objects anonymised into %2...").arg(files.size()).arg(outDir));
  AnonymiseResult r;
  std::string error;
  try {
    runOffGuiThread([&] { r = anonymiseDicom(files, outDir.toStdString(), options); });
  } catch (const std::exception& e) {
    error = e.what();
  }
  exporting_ = false;
  statusBar()->clearMessage();
  if (!error.empty()) {
    messages_->insertItem(0, tr("error: ") + QString::fromStdString(error));
    return false;
  }
  for (const AnonymisedFile& f : r.files) {
    if (!f.note.empty()) messages_->insertItem(0, QString::fromStdString(f.source + ": " + f.note));
  }
  QStringList how{tr("PS3.15 basic profile")};
  if (options.dates == AnonymiseOptions::Dates::Keep) how << tr("dates kept");
  if (options.dates == AnonymiseOptions::Dates::Shift) how << tr("dates shifted by %1 days").arg(options.shiftDays);
  if (options.keepDescriptions) how << tr("descriptions kept");
  if (!options.mappingPath.empty()) how << tr("mapping in %1").arg(QString::fromStdString(options.mappingPath));
  messages_->insertItem(0, tr("Anonymised %1 objects into %2 (%3; %4 flagged for burned-in text)")
                               .arg(r.written)
                               .arg(outDir)
                               .arg(how.join(", "))
                               .arg(r.flagged));
  return r.written > 0;
}

bool MainWindow::setReceiving(bool on) {
  if (!on) {
    if (receiver_) receiver_->stop();
    receiver_.reset();
    // What arrived until now is indexed before the receiver goes (the timer only runs while on).
    QApplication::processEvents();
    indexReceivedFolders();
    if (receiveTimer_) receiveTimer_->stop();
    messages_->insertItem(0, tr("Storage receiver stopped"));
    return true;
  }
  if (receiver_) return true;
  try {
    const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
    const std::string store = defaultReceiveStore(StudyIndex::defaultPath());
    auto receiver = std::make_unique<StorageReceiver>(
        list.local, store,
        [this, store](const ReceivedObject& o) {
          // Indexed on the GUI thread once the association has ended (the timer below).
          ++receivedPending_;
          const QString folder = QString::fromStdString((std::filesystem::path(store) / o.studyUid).string());
          QMetaObject::invokeMethod(this, [this, folder] { receivedFolders_.insert(folder); }, Qt::QueuedConnection);
        },
        NetworkTimeouts{}, [this](const std::string& sop, const std::string& sender, const std::string& reason) {
          const QString line = tr("error: refused %1 from %2: %3")
                                   .arg(QString::fromStdString(sop), QString::fromStdString(sender),
                                        QString::fromStdString(reason));
          QMetaObject::invokeMethod(this, [this, line] { messages_->insertItem(0, line); }, Qt::QueuedConnection);
        });
    receiver->start();
    receiver_ = std::move(receiver);
    messages_->insertItem(0, tr("Receiving as %1 on port %2 into %3")
                                 .arg(QString::fromStdString(list.local.aeTitle))
                                 .arg(list.local.port)
                                 .arg(QString::fromStdString(store)));
  } catch (const std::exception& e) {
    messages_->insertItem(0, tr("error: ") + QString::fromStdString(e.what()));
    return false;
  }
  if (!receiveTimer_) {
    receiveTimer_ = new QTimer(this);
    receiveTimer_->setInterval(500);
    connect(receiveTimer_, &QTimer::timeout, this, [this] {
      if (!receiver_ || receiver_->busy() || receivedFolders_.isEmpty()) return;
      const int n = receivedPending_.exchange(0);
      indexReceivedFolders();
      messages_->insertItem(0, tr("Received %1 objects from the archive; listed under Local").arg(n));
    });
  }
  receiveTimer_->start();
  return true;
}

void MainWindow::sendReportObjects(const QString& node, const std::vector<std::string>& paths) {
  if (sending_) {
    messages_->insertItem(0, tr("A report is still being sent; this one was not sent"));
    return;
  }
  if (sendWorker_.joinable()) sendWorker_.join();
  sending_ = true;
  statusBar()->showMessage(tr("Sending the report to %1...").arg(node));
  sendWorker_ = std::thread([this, node, paths] {
    QStringList lines;
    QString summary;
    bool ok = false;
    try {
      const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
      const PacsNode target = resolvePacsNode(node.toStdString(), list);
      const std::vector<SentObject> sent = sendToNode(target, list.local, paths);
      std::size_t stored = 0;
      for (const SentObject& o : sent) {
        stored += o.stored ? 1 : 0;
        lines << tr("sent %1 to %2: %3")
                     .arg(QString::fromStdString(std::filesystem::path(o.path).filename().string()),
                          QString::fromStdString(target.label()), QString::fromStdString(o.status));
      }
      ok = stored == sent.size() && !sent.empty();
      summary = tr("Report sent to %1: %2 of %3 objects stored")
                    .arg(QString::fromStdString(target.label()))
                    .arg(stored)
                    .arg(sent.size());
    } catch (const std::exception& e) {
      summary = tr("The report was not sent: %1").arg(QString::fromStdString(e.what()));
    }
    QMetaObject::invokeMethod(this, [this, lines, summary, ok] {
      for (const QString& l : lines) messages_->insertItem(0, l);
      messages_->insertItem(0, ok ? summary : tr("error: ") + summary);
      statusBar()->showMessage(summary, 8000);
      sending_ = false;
    }, Qt::QueuedConnection);
  });
}

void MainWindow::indexReceivedFolders() {
  if (receivedFolders_.isEmpty()) return;
  for (const QString& folder : std::as_const(receivedFolders_)) {
    try {
      StudyIndex(StudyIndex::defaultPath()).import(folder.toStdString());
    } catch (const std::exception& e) {
      messages_->insertItem(0, tr("error: ") + QString::fromStdString(e.what()));
    }
  }
  receivedFolders_.clear();
  browser_->refresh();
}

} // namespace lightbox
