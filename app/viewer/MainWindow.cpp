// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/MainWindow.h"
#include "app/viewer/OffGuiThread.h"

#include "app/i18n/Terms.h"

#include "app/i18n/CoreMessages.h"
#include "app/viewer/DicomHeaderDialog.h"
#include "app/viewer/FinalizeDialog.h"
#include "app/viewer/PacsPanel.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/StudyBrowser.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "core/display/WindowLevel.h"
#include "core/index/StudyIndex.h"
#include "core/io/ImageFileIO.h"
#include "core/net/DicomNetwork.h" // the storage receiver ends with the window
#include "core/net/PacsNode.h"
#include "core/segmentation/ModalityRecognition.h"
#include "core/study/StudyLoader.h"
#include "core/volume/SliceSampler.h"

#include <QApplication>
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/RegistrationController.h"
#include "app/viewer/RegistrationPanel.h"
#include "app/viewer/SegmentPanel.h"
#include "core/clinical/PatientAge.h"
#include "core/dicom/PersonName.h"

#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

namespace lightbox {
namespace {

/// Window the series asks for, else soft tissue for a CT, else the 1st-99th percentile of its
/// values. A PET converted to SUV opens at 0-5 SUV: its own window is in the stored units (Bq/mL).
WindowLevel initialWindow(const DicomFileInfo* header, const Volume& v) {
  if (isSuvUnits(v.units)) {
    return defaultSuvWindow();
  }
  if (header && header->hasWindow) {
    return {header->windowCenter, header->windowWidth};
  }
  // A CT without a window of its own (a NIfTI read in HU): soft tissue, where a CT is read first
  // (the 1st-99th percentile of a limb or chest CT spans air to bone: W 1600).
  if (v.units == "HU") {
    return windowPreset("mediastinum");
  }
  return percentileWindow(v);
}


QString issueLine(const IngestIssue& i) {
  QString line = QString("%1: %2").arg(term(toString(i.severity)), translateCoreMessage(i.message));
  if (!i.path.empty()) {
    line += " — " + QString::fromStdString(i.path);
  }
  return line;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), document_(new ViewerDocument(this)), comparison_(new ViewerDocument(this)),
      messages_(new QListWidget), table_(new QTableWidget(0, 4)), browser_(new StudyBrowser), probe_(new QLabel) {
  setAcceptDrops(true);
  auto* central = new QWidget;
  grid_ = new QGridLayout(central);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(2);
  const ViewPlane planes[3] = {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal};
  for (int i = 0; i < 3; ++i) {
    views_[std::size_t(i)] = new SliceViewport(document_, planes[i]);
  }
  volumeView_ = new VolumeViewport(document_);
  comparisonView_ = new SliceViewport(comparison_, ViewPlane::Axial);
  views_[0]->setObjectName("axial");
  views_[1]->setObjectName("coronal");
  views_[2]->setObjectName("sagittal");
  volumeView_->setObjectName("3d");
  comparisonView_->setObjectName("comparison");
  comparisonView_->setProbePrefix(tr("prior: "));
  for (SliceViewport* v : {views_[0], views_[1], views_[2], comparisonView_}) {
    connect(v, &SliceViewport::probed, probe_, &QLabel::setText);
    connect(v, &SliceViewport::maximizeRequested, this, [this](SliceViewport* w) { toggleMaximized(w); });
    connect(v, &SliceViewport::noteAdded, this, &MainWindow::editNoteText);
  }
  connect(volumeView_, &VolumeViewport::maximizeRequested, this, &MainWindow::toggleMaximized);
  // A series dragged from the browser (or a folder from the desktop) onto a view opens there: the
  // comparison view takes it as the prior, any other view as the current series.
  for (VtkViewport* v : std::initializer_list<VtkViewport*>{views_[0], views_[1], views_[2], volumeView_}) {
    // Queued: the drop returns first, so the drag ends before the open's progress dialog shows.
    connect(v, &VtkViewport::seriesDropped, this, [this](const QString& p, const QString& uid) { openPath(p, uid); },
            Qt::QueuedConnection);
  }
  connect(comparisonView_, &VtkViewport::seriesDropped, this,
          [this](const QString& p, const QString& uid) { openComparison(p, uid); }, Qt::QueuedConnection);
  for (QWidget* w : std::initializer_list<QWidget*>{views_[0], views_[1], views_[2], volumeView_, comparisonView_}) {
    w->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    w->setMinimumSize(64, 64);
    w->hide();
  }
  setCentralWidget(central);

  // Docks: study browser, measurements, ingest messages.
  auto* browserDock = new QDockWidget(this);
  browserDock->setObjectName("studies");
  browserTabs_ = new QTabWidget;
  browserTabs_->setObjectName("studyTabs");
  browserTabs_->addTab(browser_, QString());
  pacs_ = new PacsPanel;
  browserTabs_->addTab(pacs_, QString());
  browserDock->setWidget(browserTabs_);
  addDockWidget(Qt::LeftDockWidgetArea, browserDock);
  // A study retrieved from the archive is in the index: list it and open it at once.
  connect(pacs_, &PacsPanel::retrieved, this, [this](const QString& folder, const QString& uid) {
    browser_->refresh();
    openPath(folder, uid);
  });
  // The first image shows while the rest of the series arrives; the whole series replaces it.
  connect(pacs_, &PacsPanel::firstImageArrived, this, [this](const QString& folder, const QString& uid) {
    if (openPath(folder, uid)) statusBar()->showMessage(tr("Showing what has arrived; the rest is still coming"), 5000);
  });
  connect(pacs_, &PacsPanel::failed, messages_, [this](const QString& m) { messages_->addItem(tr("error: ") + m); });
  // Suggested priors also come from the archive: the open patient's other studies there, listed
  // in the Local tab; one chosen is retrieved and opens as the comparison.
  connect(pacs_, &PacsPanel::priorsOnArchive, browser_, &StudyBrowser::setArchivePriors);
  connect(browser_, &StudyBrowser::retrievePrior, this, [this](const QString& node, const QString& study, int images) {
    priorForPatient_ = browser_->currentPatientId();
    pacs_->retrievePrior(node, study, images);
  });
  connect(pacs_, &PacsPanel::priorRetrieved, this, [this](const QString& folder, const QString& uid) {
    browser_->refresh();
    // A retrieve may take minutes: the reader may have opened another patient meanwhile.
    if (browser_->currentPatientId() != priorForPatient_) {
      messages_->addItem(tr("The prior retrieved for patient %1 is in the local index; another patient is open now, so "
                            "it was not opened as the comparison")
                             .arg(priorForPatient_));
      return;
    }
    openComparison(folder, uid);
  });
  connect(browser_, &StudyBrowser::openSeries, this, [this](const QString& f, const QString& uid) { openPath(f, uid); });
  connect(browser_, &StudyBrowser::openComparison, this,
          [this](const QString& f, const QString& uid) { openComparison(f, uid); });
  connect(browser_, &StudyBrowser::indexError, messages_, [this](const QString& m) { messages_->addItem(tr("error: ") + m); });

  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  table_->setWordWrap(true);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  auto* tableDock = new QDockWidget(this);
  tableDock->setObjectName("measurements");
  tableDock->setWidget(table_);
  addDockWidget(Qt::RightDockWidgetArea, tableDock);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    const int id = table_->item(rows.front().row(), 0)->text().toInt();
    if (id == document_->selectedMeasurement()) return;
    document_->selectMeasurement(id);
    if (const Measurement* m = document_->measurement(id)) {
      Vec3 c{0, 0, 0};
      for (const Vec3& p : m->points) c = c + p * (1.0 / double(m->points.size()));
      document_->setCrosshair(c); // every view goes to the measurement
    }
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() != 3) return;
    const int id = table_->item(item->row(), 0)->text().toInt();
    if (const Measurement* m = document_->measurement(id)) {
      Measurement edited = *m;
      edited.label = item->text().toStdString();
      document_->replaceMeasurement(edited, tr("Label measurement"));
    }
  });
  connect(document_, &ViewerDocument::measurementsChanged, this, &MainWindow::refreshTable);
  connect(document_, &ViewerDocument::measurementsChanged, this, [this] {
    browser_->setMeasurementCount(document_->seriesKey(), int(document_->measurements().size()));
  });
  for (ViewerDocument* doc : {document_, comparison_}) {
    const bool isComparison = doc == comparison_;
    connect(doc, &ViewerDocument::annotationError, this, [this, isComparison](const QString& m) {
      const QString role = isComparison ? tr("comparison: ") : QString();
      messages_->addItem(role + tr("error: ") + m);
      statusBar()->showMessage(role + m);
      std::fprintf(stderr, "lightbox: %s%s\n", qPrintable(role), qPrintable(m));
    });
  }

  messages_->setWordWrap(true);
  auto* messagesDock = new QDockWidget(this);
  messagesDock->setObjectName("messages");
  messagesDock->setWidget(messages_);
  addDockWidget(Qt::BottomDockWidgetArea, messagesDock);

  findings_ = new FindingsPanel(document_, this);
  auto* findingsDock = new QDockWidget(this);
  findingsDock->setObjectName("findings");
  // In a scroll area: when the dock is shorter than the panel, it scrolls; its buttons and boxes
  // never draw over each other.
  auto* findingsScroll = new QScrollArea(findingsDock);
  findingsScroll->setWidget(findings_);
  findingsScroll->setWidgetResizable(true);
  findingsScroll->setFrameShape(QFrame::NoFrame);
  findingsDock->setWidget(findingsScroll);
  addDockWidget(Qt::RightDockWidgetArea, findingsDock);
  connect(findings_, &FindingsPanel::detectionFinished, this, [this](bool ok, const QString& message) {
    messages_->insertItem(0, (ok ? tr("AI: ") : tr("AI error: ")) + message);
    statusBar()->showMessage(message);
  });
  connect(findings_, &FindingsPanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
  connect(findings_, &FindingsPanel::editRequested, this, [this](int) {
    statusBar()->showMessage(tr("Drag the diameter's handles to the nodule's edges; the finding is marked edited"));
  });
  // Segments: beside the measurements (a tab), the list the brush and the 3D view follow.
  segments_ = new SegmentPanel(document_, this);
  auto* segmentsDock = new QDockWidget(this);
  segmentsDock->setObjectName("segments");
  segmentsDock->setWidget(segments_);
  addDockWidget(Qt::RightDockWidgetArea, segmentsDock);
  tabifyDockWidget(tableDock, segmentsDock);
  tableDock->raise();

  // Registration of the prior to the current series: its dock (tabbed with the findings), its
  // progress in the status bar, its fusion and maps drawn over the current series' views.
  registration_ = new RegistrationController(document_, comparison_, this);
  registrationPanel_ = new RegistrationPanel(registration_, this);
  auto* registrationDock = new QDockWidget(this);
  registrationDock->setObjectName("registration");
  registrationDock->setWidget(registrationPanel_);
  addDockWidget(Qt::RightDockWidgetArea, registrationDock);
  tabifyDockWidget(findingsDock, registrationDock);
  findingsDock->raise();
  statusBar()->addWidget(registrationPanel_->statusWidget());
  for (SliceViewport* v : views_) {
    v->setOverlaySource([this](OverlayLayers& overlays) { registration_->addOverlays(overlays); });
    v->setProbeExtra([this](const Vec3& lps) { return fusedReadout(lps); });
  }
  connect(registration_, &RegistrationController::overlaysChanged, this, [this] {
    updateRegistrationCaptions();
    for (SliceViewport* v : views_) v->update();
  });
  // A comparison fused over the current series is drawn through its own window (a PET's, or the
  // CT's under a current PET): a new window there (keys, a drag) repaints the fused views at once.
  connect(comparison_, &ViewerDocument::displayChanged, this, [this] {
    if (registration_->fusionMode() != FusionMode::Off && registration_->registered()) {
      for (SliceViewport* v : views_)
        v->update();
    }
  });
  // A linked comparison keeps the current view's framing: zoom or pan either, the other follows.
  for (SliceViewport* v : views_) {
    connect(v, &SliceViewport::framingChanged, this, [this] { frameComparison(false); });
    connect(v, &SliceViewport::resized, this, [this] { frameComparison(false); });
  }
  connect(comparisonView_, &SliceViewport::framingChanged, this, [this] { frameComparison(true); });
  connect(comparisonView_, &SliceViewport::resized, this, [this] { frameComparison(false); });
  connect(registration_, &RegistrationController::transformChanged, this, [this] {
    updateRegistrationCaptions();
    frameComparison(false);
    // The prior goes to where the current crosshair's anatomy is (through the new transform).
    if (linkComparison_ && comparison_->volume() && registration_->registered()) {
      syncingComparison_ = true;
      comparison_->setCrosshair(registration_->transform().apply(document_->crosshair()));
      syncingComparison_ = false;
    }
  });
  connect(registration_, &RegistrationController::finished, this, [this](bool ok, const QString& message) {
    messages_->insertItem(0, (ok ? tr("registration: ") : tr("registration error: ")) + message);
    statusBar()->showMessage(message, 10000);
  });

  // The comparison follows the current series: through the registration when there is one (a
  // click in the prior moves the current series through its inverse), else at a fixed offset
  // (from the absolute position, so snapping the prior to its own slices never accumulates: 1 mm
  // current against 5 mm prior slices neither sticks nor drifts; moving the prior itself changes
  // the offset). Neither direction answers a move it made itself.
  connect(document_, &ViewerDocument::crosshairChanged, this, [this] {
    if (linkComparison_ && comparison_->volume() && !syncingComparison_) {
      syncingComparison_ = true;
      comparison_->setCrosshair(registration_->registered() ? registration_->transform().apply(document_->crosshair())
                                                            : document_->crosshair() + comparisonOffset_);
      syncingComparison_ = false;
    }
  });
  connect(comparison_, &ViewerDocument::crosshairChanged, this, [this] {
    if (syncingComparison_) return;
    if (linkComparison_ && registration_->registered() && document_->volume()) {
      syncingComparison_ = true;
      document_->setCrosshair(registration_->transform().applyInverse(comparison_->crosshair()));
      syncingComparison_ = false;
    } else {
      const Vec3 before = comparisonOffset_;
      resetComparisonOffset();
      // A click in an unregistered prior sets a new offset: the current pane follows at once (the
      // pane the reader clicked in stays still under the pointer). Scrolling the prior changes the
      // offset only along the view's normal: no re-framing then.
      const auto [right, down] = screenAxes(comparisonView_->plane());
      const Vec3 moved = comparisonOffset_ - before;
      if (std::abs(dot(moved, right)) > 1e-6 || std::abs(dot(moved, down)) > 1e-6)
        frameComparison(true);
    }
  });
  connect(document_, &ViewerDocument::displayChanged, this, [this] {
    // One window for both only when they measure the same: a CT's HU window on a PET in SUV
    // would be meaningless (the PET/CT pair keeps each its own).
    if (comparison_->volume() && linkComparison_ && document_->volume() &&
        comparison_->volume()->units == document_->volume()->units) {
      comparison_->setWindow(document_->window());
    }
  });

  resizeDocks({browserDock, tableDock}, {330, 330}, Qt::Horizontal);
  resizeDocks({messagesDock}, {110}, Qt::Vertical);
  statusBar()->addPermanentWidget(probe_);
  retranslateUi();
  setLayoutMode(2, 2);
  resize(1600, 1000);
  browser_->refresh();
}

MainWindow::~MainWindow() {
  if (sendWorker_.joinable()) sendWorker_.join();
  if (receiver_) receiver_->stop();
}

void MainWindow::setLayoutMode(int columns, int rows) {
  // Hiding the focused view hands the keys to the next widget in the tab chain: remember it.
  QWidget* hadFocus = QApplication::focusWidget();
  maximized_ = nullptr;
  columns_ = columns;
  rows_ = rows;
  for (QWidget* w : std::initializer_list<QWidget*>{views_[0], views_[1], views_[2], volumeView_, comparisonView_}) {
    grid_->removeWidget(w);
    w->hide();
  }
  for (int i = 0; i < 3; ++i) {
    grid_->setRowStretch(i, i < rows ? 1 : 0);
    grid_->setColumnStretch(i, i < columns ? 1 : 0);
  }
  std::vector<QWidget*> cells;
  const bool single = document_->volume() && document_->volume()->geometry.size[2] == 1;
  if (columns * rows == 1 || single) {
    cells = {views_[0]};
    columns_ = rows_ = 1;
  } else if (columns == 2 && rows == 1) {
    cells = {views_[0], comparison_->volume() ? static_cast<QWidget*>(comparisonView_) : views_[1]};
  } else if (columns == 3) {
    cells = {views_[0], views_[1], views_[2]};
  } else {
    cells = {views_[0], views_[1], views_[2], volumeView_};
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    grid_->addWidget(cells[i], int(i) / columns_, int(i) % columns_);
    cells[i]->show();
  }
  focusImageArea(cells, hadFocus);
}

void MainWindow::focusImageArea(const std::vector<QWidget*>& shown, QWidget* hadFocus) {
  // The image area keeps the keys (never the study search field): the view that had them if it is
  // still shown, else the first one.
  if (shown.empty()) {
    return;
  }
  const bool kept = std::find(shown.begin(), shown.end(), hadFocus) != shown.end();
  (kept ? hadFocus : shown.front())->setFocus(Qt::OtherFocusReason);
}

void MainWindow::toggleMaximized(QWidget* view) {
  if (maximized_ == view) {
    setLayoutMode(2, 2);
    return;
  }
  const int columns = columns_, rows = rows_;
  setLayoutMode(1, 1);
  views_[0]->hide();
  grid_->removeWidget(views_[0]);
  grid_->addWidget(view, 0, 0);
  view->show();
  view->setFocus(Qt::OtherFocusReason);
  maximized_ = view;
  columns_ = columns;
  rows_ = rows;
}

bool MainWindow::loadInto(ViewerDocument* doc, const QString& path, const QString& seriesUid, bool comparison) {
  QProgressDialog progress(tr("Reading %1").arg(path), tr("Cancel"), 0, 100, this);
  progress.setWindowModality(Qt::WindowModal);
  progress.setMinimumDuration(500);
  // The scan and the load run beside the GUI thread, which keeps serving events (a 512 x 512 x 141
  // CT's voxel block alone took 200 ms to allocate and clear, with the window frozen). Their
  // progress reaches the dialog through counters a timer reads; Cancel reaches them through a flag.
  std::atomic<bool> cancelled{false};
  std::atomic<std::size_t> progressDone{0}, progressTotal{0};
  auto report = [&](std::size_t done, std::size_t total) {
    progressTotal = total;
    progressDone = done;
    return !cancelled.load();
  };
  QTimer progressTimer;
  connect(&progressTimer, &QTimer::timeout, &progress, [&] {
    if (cancelled) return;
    if (progressTotal > 0) {
      progress.setMaximum(int(progressTotal));
      progress.setValue(int(std::min(progressDone.load(), progressTotal.load())));
    }
    cancelled = progress.wasCanceled();
  });
  progressTimer.start(30);
  const auto closeProgress = [&] {
    progressTimer.stop(); // after reset(), a setValue would show the dialog again
    progress.reset();
  };
  // Whatever ends the load, the requests to open that arrived meanwhile (served by the load's event
  // loop: the last one for the main view, the last for the comparison) run afterwards, from the
  // event loop: two loads never run into one document at once.
  struct LoadEnd {
    MainWindow* window;
    explicit LoadEnd(MainWindow* w) : window(w) { window->loading_ = true; }
    ~LoadEnd() {
      window->loading_ = false;
      for (std::function<void()>* pending : {&window->deferredOpen_, &window->deferredComparison_}) {
        if (*pending) QTimer::singleShot(0, window, std::exchange(*pending, nullptr));
      }
    }
  } loadEnd(this);
  const QString role = comparison ? tr("comparison: ") : QString();
  try {
    LoadOptions options;
    options.progress = report;
    LoadedSeries loaded;
    QString patient, seriesText, key;
    const DicomFileInfo* header = nullptr;
    StudyScan scan;
    SegSourceSeries segSource; // what a DICOM SEG opened on the series is matched against
    ReportSource reportSource; // what a report of the series references
    std::optional<int> age;       // from DICOM: corner text and the Brock defaults
    std::string ageSource;        // which attributes gave it
    double sliceThicknessMm = 0;  // of the shown series, for the AI pre-flight
    QString imagePath = path; // a research-format file: the path, or the one a folder holds
    if (!isResearchImageFile(path.toStdString())) {
      runOffGuiThread([&] { scan = scanStudy(path.toStdString(), 0, report); });
      if (scan.cancelled) {
        statusBar()->showMessage(tr("Opening cancelled"));
        return false;
      }
      for (const IngestIssue& i : scan.fileIssues) messages_->addItem(role + issueLine(i));
      for (const IngestIssue& i : scan.assemblyIssues) messages_->addItem(role + issueLine(i));
      std::vector<std::string> research;
      for (std::size_t n = 0; n < scan.notDicomFiles.size(); ++n) {
        const std::string& f = scan.notDicomFiles[n];
        if (isResearchImageFile(f)) research.push_back(f);
        if (n < 50) messages_->addItem(role + tr("skipped (not DICOM): %1").arg(QString::fromStdString(f)));
      }
      if (scan.notDicomFiles.size() > 50) {
        messages_->addItem(role + tr("skipped %1 more files that are not DICOM").arg(scan.notDicomFiles.size() - 50));
      }
      if (scan.series.empty() && !research.empty()) {
        // A folder holding a NIfTI/NRRD/MetaImage and no DICOM series: that image opens.
        std::sort(research.begin(), research.end());
        imagePath = QString::fromStdString(research.front());
        messages_->insertItem(0, role + tr("no DICOM series in %1: opening %2%3")
                                            .arg(path, QFileInfo(imagePath).fileName())
                                            .arg(research.size() > 1 ? tr(" (first of %1 images)").arg(research.size()) : QString()));
      }
    }
    if (isResearchImageFile(imagePath.toStdString())) {
      // No modality in a research file: recognised from its values (as `lightbox segment` does), so
      // a CT reads in HU (presets, thresholds, 3D presets) and a PET in SUV (window, SUV numbers).
      // On the loader's thread: it is a pass over every voxel.
      std::optional<RecognisedModality> recognised;
      runOffGuiThread([&] {
        loaded = loadPath(imagePath.toStdString(), {}, options);
        recognised = recogniseMissingUnits(loaded.volumes);
      });
      if (!comparison) sliceFiles_.clear();
      if (recognised) {
        const QString units = QString::fromStdString(recognisedUnits(*recognised));
        messages_->insertItem(
            0, role + tr("%1 has no modality: recognised as %2 from its values (%3)%4")
                          .arg(QFileInfo(imagePath).fileName(),
                               QString::fromStdString(recognised->modality),
                               QString::fromStdString(recognised->evidence),
                               units.isEmpty() ? QString() : tr("; values read in %1").arg(units)));
      }
      seriesText = QFileInfo(imagePath).fileName();
      key = QFileInfo(imagePath).absoluteFilePath();
    } else {
      const AssembledSeries& series = selectSeries(scan, seriesUid.toStdString());
      runOffGuiThread([&] { loaded = loadSeries(series, options); });
      segSource = segSourceOf(series);
      if (!loaded.volumes.empty()) reportSource = reportSourceOf(series, loaded.volumes.front().geometry);
      header = series.header.get();
      const PatientAgeFact fact = patientAgeOf(header->patientAge, header->patientBirthDate, header->studyDate);
      age = fact.years;
      ageSource = fact.source;
      if (!series.volumes.empty() && !series.volumes.front().slices.empty()) {
        sliceThicknessMm = series.volumes.front().slices.front().sliceThickness;
      }
      if (!comparison) {
        sliceFiles_.clear();
        if (!series.volumes.empty()) {
          for (const DicomFrame& f : series.volumes.front().slices) sliceFiles_.emplace_back(f.file->path, f.position);
        }
      }
      // Name and ID; age, sex and date; what was acquired (kVp, mAs, kernel / TR, TE, field).
      std::string ageSex;
      if (age) ageSex = std::to_string(*age) + "Y";
      if (!header->patientSex.empty()) ageSex += (ageSex.empty() ? "" : " ") + header->patientSex;
      patient = QString::fromStdString(displayPersonName(header->patientName) + "  " + header->patientId + "\n" + header->studyDate +
                                       (ageSex.empty() ? "" : "  " + ageSex) +
                                       (header->acquisitionSummary.empty() ? "" : "\n" + header->acquisitionSummary));
      // "series N" when the series has no description: the reader's words.
      const QString name = header->seriesDescription.empty() && series.partLabel.empty()
                               ? tr("series %1").arg(header->seriesNumber)
                               : QString::fromStdString(series.displayName());
      seriesText = QString::fromStdString(header->modality + " #" + std::to_string(header->seriesNumber) + " ") + name;
      key = QString::fromStdString(header->seriesInstanceUid);
      messages_->insertItem(0, tr("%1%2 series found in %3 files; showing %4")
                                   .arg(role).arg(scan.series.size()).arg(scan.filesSeen).arg(seriesText));
    }
    for (const IngestIssue& i : loaded.issues) messages_->addItem(role + issueLine(i));
    auto volume = std::make_shared<const Volume>(std::move(loaded.volumes.front()));
    const WindowLevel window = initialWindow(header, *volume);
    doc->setVolume(volume, patient, seriesText, loaded.issues, window, key);
    doc->setSegSource(std::move(segSource));
    doc->setReportSource(std::move(reportSource));
    if (!comparison) {
      SeriesFacts facts;
      if (header) {
        facts.modality = header->modality;
        facts.sliceThicknessMm = sliceThicknessMm;
        facts.ageYears = age.value_or(0);
        facts.ageSource = ageSource;
        doc->setPatientDefaults(age.value_or(0), header->patientSex == "F" || header->patientSex == "M" ? header->patientSex : "");
      } else if (volume->units == "HU") {
        facts.modality = "CT";
      }
      findings_->setSeriesFacts(facts);
    }
    // The progress dialog had the activation; without a window manager nothing gives it back,
    // and the window's shortcuts need it. (At start-up nothing of ours is active yet.)
    const bool ours = QApplication::activeWindow() == nullptr || QApplication::activeWindow() == &progress ||
                      isActiveWindow();
    closeProgress();
    progress.hide();
    if (ours) activateWindow();
    return true;
  } catch (const LoadCancelled&) {
    closeProgress();
    statusBar()->showMessage(tr("Opening cancelled"));
  } catch (const std::exception& e) {
    // The progress dialog is window-modal: left open, it would sit over the message box and
    // swallow its clicks.
    closeProgress();
    progress.hide();
    messages_->addItem(role + tr("error: ") + e.what());
    statusBar()->showMessage(tr("Cannot open %1: %2").arg(path, e.what()));
    QMessageBox::warning(this, tr("Cannot open study"), QString("%1\n\n%2").arg(path, e.what()));
  }
  return false;
}

bool MainWindow::openPath(const QString& path, const QString& seriesUid) {
  if (loading_) { // asked while a load runs (its event loop served the request): next, not into it
    deferredOpen_ = [this, path, seriesUid] { openPath(path, seriesUid); };
    statusBar()->showMessage(tr("Opening %1 when the current read ends").arg(path));
    return false;
  }
  messages_->clear();
  for (SliceViewport* v : views_) v->setCine(false);
  // The pair's link (an offset or the previous pair's transform) must not carry the load's
  // crosshair move over: the link is set again for the new pair below.
  syncingComparison_ = true;
  const bool loaded = loadInto(document_, path, seriesUid, false);
  syncingComparison_ = false;
  if (!loaded) {
    return false;
  }
  resetComparisonOffset();
  registrationPairChanged();
  // A single image (radiograph, one slice) opens alone in its acquisition plane.
  const VolumeGeometry& g = document_->volume()->geometry;
  views_[0]->setPlane(g.size[2] == 1 ? nearestViewPlane(g.direction[2]) : ViewPlane::Axial);
  setLayoutMode(g.size[2] == 1 ? 1 : 2, g.size[2] == 1 ? 1 : 2);
  updateWindowTitle();
  rememberRecent(path);
  browser_->setCurrentSeries(document_->seriesKey()); // its patient's priors are suggested
  if (!isResearchImageFile(path.toStdString())) {
    try {
      StudyIndex(StudyIndex::defaultPath()).import(path.toStdString());
      browser_->refresh();
      pacs_->findPriors(browser_->currentPatientId(), browser_->currentStudyUid());
    } catch (const std::exception& e) {
      messages_->addItem(tr("warning: not added to the study list: ") + e.what());
    }
  }
  return true;
}

bool MainWindow::openComparison(const QString& path, const QString& seriesUid) {
  if (loading_) { // as in openPath
    deferredComparison_ = [this, path, seriesUid] { openComparison(path, seriesUid); };
    statusBar()->showMessage(tr("Opening %1 when the current read ends").arg(path));
    return false;
  }
  syncingComparison_ = true; // as in openPath: no link across the load
  const bool loaded = loadInto(comparison_, path, seriesUid, true);
  syncingComparison_ = false;
  if (!loaded) {
    return false;
  }
  resetComparisonOffset();
  registrationPairChanged();
  setLayoutMode(2, 1);
  return true;
}

void MainWindow::refreshTable() {
  const QSignalBlocker block(table_);
  const auto& ms = document_->measurements();
  table_->setRowCount(int(ms.size()));
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const Measurement& m = ms[i];
    Measurement unlabeled = m;
    unlabeled.label.clear();
    auto* id = new QTableWidgetItem(QString::number(m.id));
    auto* kind = new QTableWidgetItem(term(toString(m.kind)));
    auto* value = new QTableWidgetItem(translateCoreMessage(describe(unlabeled, document_->volume().get())));
    for (QTableWidgetItem* it : {id, kind, value}) it->setFlags(it->flags() & ~Qt::ItemIsEditable);
    table_->setItem(int(i), 0, id);
    table_->setItem(int(i), 1, kind);
    table_->setItem(int(i), 2, value);
    table_->setItem(int(i), 3, new QTableWidgetItem(QString::fromStdString(m.label)));
    if (m.id == document_->selectedMeasurement()) table_->selectRow(int(i));
  }
}

void MainWindow::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QMainWindow::changeEvent(event);
}

void MainWindow::retranslateUi() {
  updateWindowTitle();
  const std::pair<const char*, QString> docks[] = {{"studies", tr("Studies")},     {"measurements", tr("Measurements")},
                                                   {"messages", tr("Messages")},   {"findings", tr("AI findings")},
                                                   {"segments", tr("Segments")},   {"registration", tr("Registration")}};
  for (const auto& [name, title] : docks) {
    if (auto* dock = findChild<QDockWidget*>(QLatin1String(name), Qt::FindDirectChildrenOnly)) dock->setWindowTitle(title);
  }
  browserTabs_->setTabText(0, tr("Local"));
  browserTabs_->setTabText(1, tr("PACS"));
  browserTabs_->setTabToolTip(1, tr("Search and retrieve from the department's archive (nodes in %1)")
                                     .arg(QString::fromStdString(defaultPacsNodeListPath())));
  table_->setHorizontalHeaderLabels({tr("#"), tr("Type"), tr("Value"), tr("Label")});
  refreshTable();
  comparisonView_->setProbePrefix(petCtPair() ? tr("comparison: ") : tr("prior: "));
  updateRegistrationCaptions();
  buildMenus();
}

void MainWindow::updateWindowTitle() {
  setWindowTitle(document_->seriesText().isEmpty() ? tr("Lightbox") : tr("Lightbox — %1").arg(document_->seriesText()));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (!urls.isEmpty() && urls.front().isLocalFile()) {
    e->acceptProposedAction();
    openPath(urls.front().toLocalFile());
  }
}

void MainWindow::editNoteText(int measurementId) {
  // The note's text is typed straight into its row of the measurement table (no modal dialog).
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (table_->item(row, 0) && table_->item(row, 0)->text().toInt() == measurementId) {
      if (QWidget* dock = table_->parentWidget()) dock->show();
      table_->setCurrentCell(row, 3);
      table_->editItem(table_->item(row, 3));
      statusBar()->showMessage(tr("Type the note and press Enter"));
      return;
    }
  }
}

VtkViewport* MainWindow::currentView() const {
  // The view with the keyboard (it follows the pointer), else the first slice view.
  if (auto* v = qobject_cast<VtkViewport*>(QApplication::focusWidget()); v && v->isVisible()) return v;
  return views_[0];
}

void MainWindow::finalizeReport() {
  if (!document_->volume()) {
    statusBar()->showMessage(tr("Open a series first"), 4000);
    return;
  }
  QApplication::setOverrideCursor(Qt::WaitCursor); // findings without a mask are segmented now
  std::unique_ptr<FinalizeDialog> dialog;
  try {
    dialog = std::make_unique<FinalizeDialog>(*document_, this);
  } catch (const std::exception& e) {
    QApplication::restoreOverrideCursor();
    messages_->addItem(tr("report: ") + e.what());
    QMessageBox::warning(this, tr("Report not prepared"), tr("%1\n\nNothing was written; your review is unchanged.").arg(e.what()));
    return;
  }
  QApplication::restoreOverrideCursor();
  if (dialog->exec() != QDialog::Accepted) return;
  const ReportResult& r = dialog->result();
  messages_->insertItem(0, tr("Report version %1 written to %2 (%3 files, %4 s)")
                               .arg(dialog->plan().content.version)
                               .arg(QString::fromStdString(r.folder))
                               .arg(r.files.size())
                               .arg(r.seconds, 0, 'f', 2));
  statusBar()->showMessage(tr("Report written to %1").arg(QString::fromStdString(r.folder)), 8000);
  if (const QString node = dialog->sendNode(); !node.isEmpty()) {
    std::vector<std::string> paths;
    for (const ExportedObject& o : r.objects) paths.push_back(o.path);
    sendReportObjects(node, paths);
  }
}

void MainWindow::showDicomHeader() {
  if (sliceFiles_.empty() || !document_->volume()) {
    statusBar()->showMessage(tr("No DICOM file behind the open image"));
    return;
  }
  // The acquired slice nearest the crosshair along the slice normal.
  const Vec3 n = normalized(document_->volume()->geometry.direction[2]);
  const Vec3 c = document_->crosshair();
  std::size_t best = 0;
  for (std::size_t i = 1; i < sliceFiles_.size(); ++i) {
    if (std::abs(dot(sliceFiles_[i].second - c, n)) < std::abs(dot(sliceFiles_[best].second - c, n))) best = i;
  }
  auto* dialog = new DicomHeaderDialog(QString::fromStdString(sliceFiles_[best].first), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

} // namespace lightbox
