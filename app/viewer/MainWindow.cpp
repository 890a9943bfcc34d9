// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/MainWindow.h"

#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "core/study/StudyLoader.h"

#include <QApplication>
#include <QFileDialog>
#include <QGridLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStatusBar>
#include <QThread>

#include <atomic>

#include <algorithm>

namespace lightbox {
namespace {

/// Window the series asks for, else the 1st-99th percentile of its values.
WindowLevel initialWindow(const AssembledSeries& series, const Volume& v) {
  if (series.header->hasWindow) {
    return {series.header->windowCenter, series.header->windowWidth};
  }
  return percentileWindow(v);
}

QString issueLine(const IngestIssue& i) {
  QString line = QString("%1: %2").arg(toString(i.severity), QString::fromStdString(i.message));
  if (!i.path.empty()) {
    line += " — " + QString::fromStdString(i.path);
  }
  return line;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), document_(new ViewerDocument(this)), messages_(new QListWidget), probe_(new QLabel) {
  setWindowTitle("Lightbox");
  auto* central = new QWidget;
  grid_ = new QGridLayout(central);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(2);
  const ViewPlane planes[3] = {ViewPlane::Axial, ViewPlane::Sagittal, ViewPlane::Coronal};
  for (int i = 0; i < 3; ++i) {
    views_[i] = new SliceViewport(document_, planes[i]);
    connect(views_[i], &SliceViewport::probed, probe_, &QLabel::setText);
    connect(views_[i], &SliceViewport::maximizeRequested, this, &MainWindow::toggleMaximized);
    views_[i]->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    views_[i]->setMinimumSize(64, 64);
  }
  messages_->setWordWrap(true);
  messages_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  setLayoutMode(2, 2);
  setCentralWidget(central);
  statusBar()->addPermanentWidget(probe_);
  buildMenus();
  resize(1280, 960);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("&Open folder...", QKeySequence::Open, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, "Open study folder");
    if (!dir.isEmpty()) {
      openPath(dir);
    }
  });
  file->addAction("&Quit", QKeySequence::Quit, qApp, &QApplication::quit);
  QMenu* view = menuBar()->addMenu("&View");
  view->addAction("1 x 1", this, [this] { setLayoutMode(1, 1); });
  view->addAction("1 x 2", this, [this] { setLayoutMode(2, 1); });
  view->addAction("1 x 3", this, [this] { setLayoutMode(3, 1); });
  view->addAction("2 x 2", this, [this] { setLayoutMode(2, 2); });
  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("&Shortcuts", QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
}

void MainWindow::setLayoutMode(int columns, int rows) {
  maximized_ = nullptr;
  for (SliceViewport* v : views_) {
    grid_->removeWidget(v);
    v->hide();
  }
  grid_->removeWidget(messages_);
  messages_->hide();
  for (int i = 0; i < 3; ++i) {
    grid_->setRowStretch(i, i < rows ? 1 : 0);
    grid_->setColumnStretch(i, i < columns ? 1 : 0);
  }
  const int cells = columns * rows;
  for (int i = 0; i < cells && i < 3; ++i) {
    grid_->addWidget(views_[i], i / columns, i % columns);
    views_[i]->show();
  }
  if (cells == 4) {
    grid_->addWidget(messages_, 1, 1); // the 3D view takes this cell once it exists
    messages_->show();
  }
}

void MainWindow::toggleMaximized(SliceViewport* view) {
  if (maximized_ == view) {
    setLayoutMode(2, 2);
    return;
  }
  setLayoutMode(1, 1);
  views_[0]->hide();
  grid_->removeWidget(views_[0]);
  grid_->addWidget(view, 0, 0);
  view->show();
  maximized_ = view;
}

bool MainWindow::openPath(const QString& path) {
  messages_->clear();
  QProgressDialog progress("Reading " + path, "Cancel", 0, 100, this);
  progress.setWindowModality(Qt::WindowModal);
  progress.setMinimumDuration(500);
  // Called from the loader's worker threads too: only the GUI thread touches the dialog.
  std::atomic<bool> cancelled{false};
  auto report = [&progress, &cancelled](std::size_t done, std::size_t total) {
    if (QThread::currentThread() == qApp->thread()) {
      progress.setMaximum(int(total));
      progress.setValue(int(done));
      QApplication::processEvents();
      cancelled = progress.wasCanceled();
    }
    return !cancelled.load();
  };
  try {
    const StudyScan scan = scanStudy(path.toStdString(), 0, report);
    if (scan.cancelled) {
      statusBar()->showMessage("Opening cancelled");
      return false;
    }
    for (const IngestIssue& i : scan.fileIssues) {
      messages_->addItem(issueLine(i));
    }
    for (const IngestIssue& i : scan.assemblyIssues) {
      messages_->addItem(issueLine(i));
    }
    const AssembledSeries& series = selectSeries(scan, {});
    LoadOptions options;
    options.progress = report;
    LoadedSeries loaded = loadSeries(series, options);
    for (const IngestIssue& i : loaded.issues) {
      messages_->addItem(issueLine(i));
    }
    auto volume = std::make_shared<const Volume>(std::move(loaded.volumes.front()));
    const DicomFileInfo& h = *series.header;
    const QString patient = QString::fromStdString(h.patientName + "  " + h.patientId + "\n" + h.studyDate);
    const QString seriesText =
        QString::fromStdString(h.modality + " #" + std::to_string(h.seriesNumber) + " " + series.displayName());
    document_->setVolume(volume, patient, seriesText, loaded.issues, initialWindow(series, *volume));
    messages_->insertItem(0, QString("%1 series found in %2 files; showing %3")
                                 .arg(scan.series.size()).arg(scan.filesSeen).arg(seriesText));
    setWindowTitle("Lightbox — " + seriesText);
    return true;
  } catch (const LoadCancelled&) {
    statusBar()->showMessage("Opening cancelled");
  } catch (const std::exception& e) {
    messages_->addItem(QString("error: ") + e.what());
    QMessageBox::warning(this, "Cannot open study", e.what());
  }
  return false;
}

void MainWindow::showShortcuts() {
  QMessageBox::information(this, "Shortcuts",
                           "Wheel, Up/Down: next/previous slice\n"
                           "PageUp/PageDown: 10 slices\n"
                           "Ctrl+Wheel: zoom\n"
                           "Left click/drag: move the crosshair (all views follow)\n"
                           "Right drag: window (horizontal) / level (vertical)\n"
                           "1 lung, 2 mediastinum, 3 bone, 4 brain, 5 abdomen, 6 liver, 0 series window\n"
                           "I: invert grey scale\n"
                           "T: toggle corner text and orientation letters\n"
                           "Double click: maximise / restore a view\n"
                           "Ctrl+O: open a folder");
}

} // namespace lightbox
