// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/FindingsPanel.h"

#include "app/i18n/Terms.h"

#include "ai/nodule/DetectionFindings.h"
#include "ai/nodule/MaskSizing.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "app/i18n/Translations.h"
#include "app/viewer/ViewerDocument.h"
#include "core/annotation/ScoreText.h"
#include "core/clinical/Brock.h"
#include "core/clinical/LungRads.h"
#include "core/report/ImpressionChinese.h"
#include "core/review/ReviewGrowth.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QSettings>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <mutex>
#include <thread>

namespace lightbox {

/// What the worker thread hands back to the GUI thread.
struct DetectionOutcome {
  DetectionResult result;
  ModelManifest manifest;
};

namespace {

constexpr double kRates[] = {0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0};
const char* kRateNames[] = {"1/8", "1/4", "1/2", "1", "2", "4", "8"};
enum Column {
  ColId, ColThumb, ColState, ColDiameter, ColVolume, ColType, ColScore, ColLocation, ColUpper, ColSpiculated,
  ColPrior, ColDiameterChange, ColVolumeChange, ColDoubling, ColGrowth, ColCount
};
constexpr int kFirstGrowthColumn = ColPrior;

/// The reject reasons offered (the reader may type another); stored in English, shown translated.
const char* const kRejectReasons[] = {
    QT_TRANSLATE_NOOP("Terms", "not a nodule"),         QT_TRANSLATE_NOOP("Terms", "vessel"),
    QT_TRANSLATE_NOOP("Terms", "scar / atelectasis"),   QT_TRANSLATE_NOOP("Terms", "benign calcification"),
    QT_TRANSLATE_NOOP("Terms", "artefact"),             QT_TRANSLATE_NOOP("Terms", "outside the lung")};

/// The loaded model, shared by every run of this process (loading it is not free).
struct LoadedModel {
  std::mutex mutex;
  ModelEntry entry;
  std::shared_ptr<ModelRunner> runner;
};
LoadedModel& loadedModel() {
  static LoadedModel m;
  return m;
}

/// An axial thumbnail, 40 mm across, lung window, sampled from the document's volume.
QImage thumbnail(const ViewerDocument& doc, const Finding& f) {
  const int size = 48;
  QImage img(size, size, QImage::Format_Grayscale8);
  const auto [right, down] = obliqueAxes(ViewPlane::Axial, 0, 0);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double mmPerPx = 40.0 / size;
      const Vec3 p = f.centerLps + right * ((x - size / 2.0) * mmPerPx) + down * ((y - size / 2.0) * mmPerPx);
      const double v = doc.valueAt(p);
      const double g = std::isnan(v) ? 0.0 : std::clamp((v + 1350.0) / 1500.0, 0.0, 1.0);
      reinterpret_cast<uchar*>(img.scanLine(y))[x] = uchar(g * 255);
    }
  }
  return img;
}

QString location(const Finding& f) {
  // LPS: +x is the patient's left.
  return (f.centerLps[0] > 0 ? QCoreApplication::translate("lightbox::FindingsPanel", "L lung, z %1 mm")
                             : QCoreApplication::translate("lightbox::FindingsPanel", "R lung, z %1 mm"))
      .arg(f.centerLps[2], 0, 'f', 1);
}

const GrowthResult* growthOf(const std::vector<GrowthResult>& growth, const std::string& id) {
  for (const GrowthResult& g : growth) {
    if (g.currentId == id) return &g;
  }
  return nullptr;
}

QString signedNumber(double v, int precision) { return (v >= 0 ? "+" : "") + QString::number(v, 'f', precision); }

/// The growth columns of one row; "-" where the finding was not assessed (not accepted, or no size).
void fillGrowthCells(QTableWidget& table, int row, const GrowthResult* g) {
  auto set = [&](int col, const QString& text, const QString& tip = {}) {
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(tip);
    table.setItem(row, col, item);
    return item;
  };
  if (!g) {
    for (int col = kFirstGrowthColumn; col < ColCount; ++col) {
      set(col, "-", QCoreApplication::translate("lightbox::FindingsPanel", "not compared: only accepted nodules with a size are"));
    }
    return;
  }
  const QString rule = term(g->statusRule);
  auto* status = set(ColGrowth, term(toString(g->status)), rule);
  status->setForeground(g->status == GrowthStatus::Growing || g->status == GrowthStatus::New ? QColor(220, 60, 60)
                        : g->status == GrowthStatus::Decreased                               ? QColor(60, 160, 230)
                                                                                             : QColor(60, 180, 80));
  if (g->priorId.empty()) {
    set(ColPrior, term("new"), rule);
    for (int col : {ColDiameterChange, ColVolumeChange, ColDoubling}) {
      set(col, "-", QCoreApplication::translate("lightbox::FindingsPanel", "new: nothing to compare"));
    }
    return;
  }
  set(ColPrior,
      QString("%1 (%2 mm)%3").arg(QString::fromStdString(g->priorId)).arg(g->matchDistanceMm, 0, 'f', 1)
          .arg(g->priorConfirmed ? "" : " ?"),
      (g->priorConfirmed
           ? QCoreApplication::translate("lightbox::FindingsPanel",
                                         "matched through the registration: %1 mm from the mapped centre (tolerance %2 mm)")
           : QCoreApplication::translate("lightbox::FindingsPanel",
                                         "matched through the registration: %1 mm from the mapped centre (tolerance %2 mm); "
                                         "the prior finding is an AI proposal nobody decided on"))
          .arg(g->matchDistanceMm, 0, 'f', 1).arg(g->matchToleranceMm, 0, 'f', 1));
  set(ColDiameterChange, QString("%1 (%2→%3)").arg(signedNumber(g->diameterChangeMm, 1))
                             .arg(g->priorDiameterMm, 0, 'f', 1).arg(g->diameterMm, 0, 'f', 1),
      QCoreApplication::translate("lightbox::FindingsPanel", "mean diameter, prior → current"));
  set(ColVolumeChange, QString("%1 % (%2 mm³)").arg(signedNumber(g->volumeChangePercent, 0)).arg(signedNumber(g->volumeChangeMm3, 0)),
      (g->volumeSource == "mask"
           ? QCoreApplication::translate("lightbox::FindingsPanel", "%1 → %2 mm³, segmented volumes (both masks)")
           : QCoreApplication::translate("lightbox::FindingsPanel",
                                         "%1 → %2 mm³, ellipsoid of the axes (pi/6 · long · short²): not both have a mask"))
          .arg(g->priorVolumeMm3, 0, 'f', 0).arg(g->volumeMm3, 0, 'f', 0));
  // The note is matched in English (core's words), shown in the reader's language.
  const QString note = QString::fromStdString(g->doublingNote);
  QString vdt = "-";
  if (g->doublingTimeDays) vdt = QString::number(*g->doublingTimeDays, 'f', 0);
  else if (note.contains("shrinking")) vdt = QCoreApplication::translate("lightbox::FindingsPanel", "shrinking");
  else if (note.contains("stable")) vdt = QCoreApplication::translate("lightbox::FindingsPanel", "∞ (stable)");
  else if (note.contains("interval unknown")) vdt = QCoreApplication::translate("lightbox::FindingsPanel", "date?");
  set(ColDoubling, vdt,
      note.isEmpty() ? QCoreApplication::translate("lightbox::FindingsPanel", "volume-doubling time = interval · ln 2 / ln(V / Vprior)")
                     : term(g->doublingNote));
}

} // namespace

FindingsPanel::FindingsPanel(ViewerDocument* document, QWidget* parent)
  : QWidget(parent), document_(document), cancel_flag_(std::make_shared<std::atomic<bool>>(false)) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  detect_ = new QPushButton(this);
  cancel_ = new QPushButton(this);
  cancel_->setVisible(false);
  progress_ = new QProgressBar(this);
  progress_->setVisible(false);
  top->addWidget(detect_);
  top->addWidget(cancel_);
  top->addWidget(progress_, 1);
  layout->addLayout(top);
  model_ = new QLabel(this);
  model_->setWordWrap(true);
  layout->addWidget(model_);
  warnings_ = new QLabel(this);
  warnings_->setWordWrap(true);
  warnings_->setStyleSheet("color: #ff8c1a; font-weight: bold");
  warnings_->setVisible(false);
  layout->addWidget(warnings_);

  auto* controls = new QFormLayout;
  operatingPoint_ = new QComboBox(this);
  operatingPoint_->setSizeAdjustPolicy(QComboBox::AdjustToContents); // follows the language's item texts
  for (int i = 0; i < 7; ++i) operatingPoint_->addItem(QString(), kRates[i]);
  operatingPoint_->setCurrentIndex(3);
  operatingPointLabel_ = new QLabel(this);
  operatingPointLabel_->setBuddy(operatingPoint_);
  controls->addRow(operatingPointLabel_, operatingPoint_);
  reason_ = new QComboBox(this);
  reason_->setEditable(true);
  for (const char* reason : kRejectReasons) reason_->addItem(QString(), QString::fromUtf8(reason));
  reasonLabel_ = new QLabel(this);
  reasonLabel_->setBuddy(reason_);
  controls->addRow(reasonLabel_, reason_);
  hideRejected_ = new QCheckBox(this);
  controls->addRow(hideRejected_);
  advance_ = new QCheckBox(this);
  advance_->setObjectName("advanceAfterDecision");
  advance_->setChecked(QSettings().value("review/advanceAfterDecision", true).toBool());
  connect(advance_, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue("review/advanceAfterDecision", on); });
  controls->addRow(advance_);
  layout->addLayout(controls);

  table_ = new QTableWidget(0, ColCount, this);
  for (int col = kFirstGrowthColumn; col < ColCount; ++col) table_->setColumnHidden(col, true);
  table_->verticalHeader()->hide();
  table_->setIconSize(QSize(48, 48));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // Every column readable without scrolling sideways; the state first, as the reader decides on it.
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setWordWrap(false);
  // Five rows at least (48 px thumbnails): a reader sees the top of the list at once.
  table_->setMinimumHeight(5 * 52 + 26);
  summary_ = new QLabel(this);
  layout->addWidget(summary_);
  layout->addWidget(table_, 3);

  auto* keys = new QHBoxLayout;
  for (auto [button, slot] : {std::pair{&previous_, &FindingsPanel::previous}, std::pair{&next_, &FindingsPanel::next},
                              std::pair{&accept_, &FindingsPanel::accept}, std::pair{&reject_, &FindingsPanel::reject},
                              std::pair{&edit_, &FindingsPanel::edit}}) {
    auto* b = *button = new QPushButton(this);
    connect(b, &QPushButton::clicked, this, slot);
    keys->addWidget(b);
  }
  layout->addLayout(keys);

  support_ = new QLabel(this);
  layout->addWidget(support_);
  auto* patient = new QHBoxLayout;
  age_ = new QSpinBox(this);
  age_->setRange(0, 120);
  sex_ = new QComboBox(this);
  sex_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  sex_->addItems({QString(), QString(), QString()}); // unknown, F, M: by index
  familyHistory_ = new QCheckBox(this);
  emphysema_ = new QCheckBox(this);
  patient->addWidget(age_);
  patient->addWidget(sex_);
  patient->addWidget(familyHistory_);
  patient->addWidget(emphysema_);
  layout->addLayout(patient);
  lungRads_ = new QLabel(this);
  lungRads_->setWordWrap(true);
  lungRads_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(lungRads_);
  brock_ = new QLabel(this);
  brock_->setWordWrap(true);
  layout->addWidget(brock_);

  connect(detect_, &QPushButton::clicked, this, [this] { runDetection(); });
  connect(cancel_, &QPushButton::clicked, this, &FindingsPanel::cancelDetection);
  connect(operatingPoint_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
    if (!refreshing_) document_->setFpPerScan(kRates[i]);
  });
  connect(hideRejected_, &QCheckBox::toggled, document_, &ViewerDocument::setRejectedHidden);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (refreshing_) return;
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    const std::string id = table_->item(rows.front().row(), ColId)->text().toStdString();
    if (id != document_->selectedFinding()) document_->selectFinding(id);
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (refreshing_ || (item->column() != ColUpper && item->column() != ColSpiculated)) return;
    const std::string id = table_->item(item->row(), ColId)->text().toStdString();
    document_->setFindingFactors(id, table_->item(item->row(), ColUpper)->checkState() == Qt::Checked,
                                 table_->item(item->row(), ColSpiculated)->checkState() == Qt::Checked);
  });
  auto patientChanged = [this] {
    if (refreshing_) return;
    PatientFactors f = document_->patientFactors();
    f.ageYears = age_->value();
    f.sex = sex_->currentIndex() == 1 ? "F" : sex_->currentIndex() == 2 ? "M" : "";
    f.familyHistory = familyHistory_->isChecked();
    f.emphysema = emphysema_->isChecked();
    document_->setPatientFactors(f);
  };
  connect(age_, qOverload<int>(&QSpinBox::valueChanged), this, patientChanged);
  connect(sex_, qOverload<int>(&QComboBox::currentIndexChanged), this, patientChanged);
  connect(familyHistory_, &QCheckBox::toggled, this, patientChanged);
  connect(emphysema_, &QCheckBox::toggled, this, patientChanged);
  connect(document_, &ViewerDocument::findingsChanged, this, &FindingsPanel::refresh);
  connect(document_, &ViewerDocument::measurementsChanged, this, &FindingsPanel::refresh);
  connect(document_, &ViewerDocument::volumeChanged, this, &FindingsPanel::refresh);
  retranslateUi(); // the texts, then the rows (refresh)
}

void FindingsPanel::retranslateUi() {
  detect_->setText(tr("Detect nodules"));
  detect_->setToolTip(tr("Run the lung nodule model on the open series (off the GUI thread)"));
  cancel_->setText(tr("Cancel"));
  for (int i = 0; i < operatingPoint_->count(); ++i) operatingPoint_->setItemText(i, tr("%1 FP/scan").arg(kRateNames[i]));
  operatingPoint_->setToolTip(tr("Expected false positives per scan (from the model's validation set): lower shows "
                                 "fewer, surer findings"));
  operatingPointLabel_->setText(tr("Operating point"));
  reasonLabel_->setText(tr("Reject reason (R)"));
  {
    // The offered reasons in the reader's language; a reason the reader is typing stays as typed.
    const int current = reason_->currentIndex();
    const QString typed = reason_->currentText();
    const bool isItem = current >= 0 && typed == reason_->itemText(current);
    for (int i = 0; i < reason_->count(); ++i) {
      const QString english = reason_->itemData(i).toString();
      if (!english.isEmpty()) reason_->setItemText(i, term(english.toUtf8().constData()));
    }
    if (!isItem) reason_->setEditText(typed);
  }
  hideRejected_->setText(tr("Hide rejected findings"));
  advance_->setText(tr("Move to the next finding after A / R"));
  table_->setHorizontalHeaderLabels({tr("#"), QString(), tr("State"), tr("Diam. mm"), tr("Vol. mm³"), tr("Type"), tr("Score"),
                                     tr("Location"), tr("Upper lobe"), tr("Spic."), tr("Prior"), tr("ΔDiam. mm"), tr("ΔVol."),
                                     tr("VDT days"), tr("Growth")});
  table_->horizontalHeaderItem(ColScore)
      ->setToolTip(tr("The model's calibrated probability that the finding is a nodule (reliability on a background it "
                      "never saw: model card), with as many decimals as keep different scores apart"));
  // The key letters stay as they are: they are the keys.
  previous_->setText("P");
  previous_->setToolTip(tr("Previous finding (P)"));
  next_->setText("N");
  next_->setToolTip(tr("Next finding (N)"));
  accept_->setText(tr("Accept"));
  accept_->setToolTip(tr("Accept (A)"));
  reject_->setText(tr("Reject"));
  reject_->setToolTip(tr("Reject with the reason above (R)"));
  edit_->setText(tr("Edit"));
  edit_->setToolTip(tr("Edit: drag the diameter's handles (E)"));
  support_->setText(tr("<b>Decision support</b> (suggestions for the reader, not a diagnosis)"));
  age_->setSpecialValueText(tr("age ?"));
  age_->setSuffix(tr(" y"));
  sex_->setItemText(0, tr("sex ?"));
  sex_->setItemText(1, tr("F"));
  sex_->setItemText(2, tr("M"));
  familyHistory_->setText(tr("family history"));
  emphysema_->setText(tr("emphysema"));
  refresh(); // the rows, the model line, the summary and the decision support
}

void FindingsPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

FindingsPanel::~FindingsPanel() {
  // Stops at the next candidate batch; the lung mask and candidate stage (a few seconds) is not
  // interruptible, so closing during detection may wait for it.
  cancel_flag_->store(true);
  if (worker_.joinable()) worker_.join();
}

bool FindingsPanel::runDetection() {
  if (running_ || !document_->volume()) return false;
  if (worker_.joinable()) worker_.join(); // the previous run has finished (running_ is false)
  running_ = true;
  cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
  detect_->setEnabled(false);
  cancel_->setVisible(true);
  progress_->setVisible(true);
  progress_->setRange(0, 0);
  document_->setAiProgress(tr("AI: detecting lung nodules..."));
  const std::shared_ptr<const Volume> volume = document_->volume();
  const QString key = document_->seriesKey();
  const SeriesFacts facts = facts_;
  const auto cancel = cancel_flag_;
  QPointer<FindingsPanel> self(this);
  worker_ = std::thread([self, volume, key, facts, cancel] {
    QString error;
    auto result = std::make_shared<DetectionOutcome>();
    try {
      std::shared_ptr<ModelRunner> runner;
      ModelEntry entry;
      {
        LoadedModel& m = loadedModel();
        std::lock_guard<std::mutex> lock(m.mutex);
        if (!m.runner) {
          m.entry = findModel("lightbox-nodule", defaultModelFolders());
          m.runner = loadVerifiedModel(m.entry, 0);
        }
        runner = m.runner;
        entry = m.entry;
      }
      ScanFacts scanFacts{facts.modality, facts.sliceThicknessMm};
      result->result = detectNodules(*volume, scanFacts, entry.manifest, *runner, [self, cancel](std::size_t done, std::size_t total) {
        QMetaObject::invokeMethod(qApp, [self, done, total] {
          if (self) {
            self->progress_->setRange(0, int(total));
            self->progress_->setValue(int(done));
            self->document_->setAiProgress(tr("AI: scoring nodule candidates %1/%2").arg(done).arg(total));
          }
        }, Qt::QueuedConnection);
        return !cancel->load();
      });
      result->manifest = entry.manifest;
      if (cancel->load()) throw InferenceCancelled();
      QMetaObject::invokeMethod(qApp, [self] {
        if (self) self->document_->setAiProgress(tr("AI: measuring the findings on their masks"));
      }, Qt::QueuedConnection);
      // Every finding the run keeps (the reader may widen the operating point later) is sized on
      // the mask the reader would get by segmenting it.
      sizeDetectionFromMasks(result->result, *volume, 0.0, 0, [cancel] { return !cancel->load(); });
      if (cancel->load()) throw InferenceCancelled();
    } catch (const InferenceCancelled&) {
      error = tr("Detection cancelled");
    } catch (const std::exception& e) {
      error = tr("Detection failed: %1").arg(QString::fromUtf8(e.what()));
    }
    QMetaObject::invokeMethod(qApp, [self, key, error, result] {
      if (self) self->finishDetection(key, error, result.get());
    }, Qt::QueuedConnection);
  });
  return true;
}

void FindingsPanel::cancelDetection() { cancel_flag_->store(true); }

void FindingsPanel::finishDetection(const QString& seriesKey, const QString& error, const DetectionOutcome* outcome) {
  running_ = false;
  detect_->setEnabled(true);
  cancel_->setVisible(false);
  progress_->setVisible(false);
  document_->setAiProgress({});
  if (!error.isEmpty()) {
    emit detectionFinished(false, error);
    return;
  }
  if (seriesKey != document_->seriesKey()) {
    emit detectionFinished(false, tr("Detection result discarded: another series was opened meanwhile"));
    return;
  }
  const DetectionResult& r = outcome->result;
  DetectionFindings detected = findingsFromDetection(r, outcome->manifest, operatingPoint_->currentData().toDouble());
  const FindingsRun run = detected.run;
  document_->setDetectionResult(run, std::move(detected.findings));
  const std::vector<const Finding*> visible = document_->visibleFindings();
  if (!visible.empty()) document_->selectFinding(visible.front()->id);
  emit detectionFinished(
      true, tr("%1 candidates, %2 findings at %3 FP/scan (%4 s)")
                .arg(r.candidates)
                .arg(visible.size())
                .arg(run.fpPerScan)
                .arg(r.prepareSeconds + r.inferenceSeconds + r.sizingSeconds, 0, 'f', 1));
}

std::string FindingsPanel::currentId() const {
  if (!document_->selectedFinding().empty()) return document_->selectedFinding();
  const std::vector<const Finding*> visible = document_->visibleFindings();
  return visible.empty() ? std::string() : visible.front()->id;
}

void FindingsPanel::next() { document_->stepFinding(+1); }
void FindingsPanel::previous() { document_->stepFinding(-1); }

void FindingsPanel::accept() { decide(FindingState::Accepted); }

void FindingsPanel::decide(FindingState state) {
  const std::string id = currentId();
  if (id.empty()) {
    emit statusMessage(tr("No finding to decide on: run detection (Ctrl+D)"));
    return;
  }
  // A finding that leaves the list when decided (rejected while rejected ones are hidden) cannot
  // stay selected: the reading moves on then too.
  const bool leavesList = state == FindingState::Rejected && hideRejected_->isChecked();
  const bool advance = advance_->isChecked() || leavesList;
  const std::string following = advance ? followingId(id) : std::string();
  // An offered reason is stored in English (its item data), one the reader typed as typed.
  const QString shownReason = reason_->currentText();
  const int reasonIndex = reason_->currentIndex();
  const QString storedReason = reasonIndex >= 0 && shownReason == reason_->itemText(reasonIndex) &&
                                       !reason_->itemData(reasonIndex).toString().isEmpty()
                                   ? reason_->itemData(reasonIndex).toString()
                                   : shownReason;
  const bool changed = state == FindingState::Rejected
                           ? document_->setFindingState(id, state, storedReason.toStdString())
                           : document_->setFindingState(id, state);
  // Where the reading is now: on another finding, at the end of the list, or still on this one.
  enum class Then { NowAt, Last, Stays } then = Then::Stays;
  QString now;
  if (!following.empty()) {
    document_->selectFinding(following); // read on down the list
    then = Then::NowAt;
    now = QString::fromStdString(following);
  } else if (leavesList && !document_->visibleFindings().empty()) {
    document_->stepFinding(+1); // the last one left the list: back to its first
    then = Then::NowAt;
    now = QString::fromStdString(document_->selectedFinding());
  } else if (advance) {
    then = Then::Last;
  } else {
    document_->selectFinding(id);
  }
  // Whole sentences (the word order differs between languages).
  const QString fid = QString::fromStdString(id);
  QString message;
  if (!changed) {
    const QString was = term(toString(state));
    message = then == Then::NowAt ? tr("%1 was already %2, now at %3").arg(fid, was, now)
              : then == Then::Last ? tr("%1 was already %2, the last finding in the list").arg(fid, was)
                                   : tr("%1 was already %2, %1 stays selected").arg(fid, was);
  } else if (state == FindingState::Rejected) {
    message = then == Then::NowAt ? tr("Rejected %1 (%2), now at %3").arg(fid, shownReason, now)
              : then == Then::Last ? tr("Rejected %1 (%2), the last finding in the list").arg(fid, shownReason)
                                   : tr("Rejected %1 (%2), %1 stays selected").arg(fid, shownReason);
  } else {
    message = then == Then::NowAt ? tr("Accepted %1, now at %2").arg(fid, now)
              : then == Then::Last ? tr("Accepted %1, the last finding in the list").arg(fid)
                                   : tr("Accepted %1, %1 stays selected").arg(fid);
  }
  emit statusMessage(message);
}

std::string FindingsPanel::followingId(const std::string& id) const {
  // Taken before the decision: a rejected finding may disappear from the list when it is decided.
  const std::vector<const Finding*> visible = document_->visibleFindings();
  for (std::size_t i = 0; i + 1 < visible.size(); ++i) {
    if (visible[i]->id == id) return visible[i + 1]->id;
  }
  return {};
}

void FindingsPanel::reject() { decide(FindingState::Rejected); }

void FindingsPanel::edit() {
  const std::string id = currentId();
  if (id.empty()) return;
  document_->selectFinding(id);
  const int m = document_->editFinding(id);
  if (m) emit editRequested(m);
}

void FindingsPanel::setGrowth(const std::vector<GrowthResult>& growth) {
  comparison_ = {};
  growth_ = growth;
  growthSeries_ = document_->seriesKey();
  for (int col = kFirstGrowthColumn; col < ColCount; ++col) table_->setColumnHidden(col, growth_.empty());
  refresh();
}

void FindingsPanel::setPriorComparison(std::shared_ptr<const ReadingSession> prior,
                                       const RegistrationTransform& currentLpsToPriorLps,
                                       const std::string& currentStudyDate, const std::string& priorStudyDate) {
  setGrowth({});
  if (!prior) return;
  comparison_ = {std::move(prior), currentLpsToPriorLps, currentStudyDate, priorStudyDate};
  for (int col = kFirstGrowthColumn; col < ColCount; ++col) table_->setColumnHidden(col, false);
  refresh();
}

void FindingsPanel::refresh() {
  if (growthSeries_ != document_->seriesKey() && (!growth_.empty() || comparison_.prior)) {
    // Another series is open: the growth was of the previous one.
    comparison_ = {};
    growth_.clear();
    for (int col = kFirstGrowthColumn; col < ColCount; ++col) table_->setColumnHidden(col, true);
  }
  if (comparison_.prior) {
    growth_ = assessReviewGrowth(document_->session(), *comparison_.prior, comparison_.currentLpsToPriorLps,
                                 comparison_.currentStudyDate, comparison_.priorStudyDate);
  }
  refreshing_ = true;
  const FindingsRun& run = document_->findingsRun();
  if (document_->hasFindingsRun()) {
    model_->setText(QString("<b>%1 %2</b> (%3, %4), %5<br>sha256 %6…")
                        .arg(QString::fromStdString(run.model), QString::fromStdString(run.modelVersion),
                             QString::fromStdString(run.licence), QString::fromStdString(run.backend),
                             QString::fromStdString(run.ranAt), QString::fromStdString(run.modelSha256.substr(0, 12))));
    if (run.source == "batch") {
      // A pre-read nobody has looked at: said before the model, with where the run's files are.
      const bool decided = anyFindingDecided(document_->session().findings());
      model_->setText((decided ? tr("<b>AI pre-read</b> by lightbox batch, in review")
                               : tr("<b>AI pre-read</b> by lightbox batch, not yet reviewed")) +
                      "<br>" + model_->text());
      model_->setToolTip(tr("Run folder: %1").arg(QString::fromStdString(run.sourceFolder)) + "\n" +
                         QString::fromStdString(run.intendedUse));
    } else {
      model_->setToolTip(QString::fromStdString(run.intendedUse));
    }
    for (int i = 0; i < 7; ++i) {
      if (std::abs(kRates[i] - run.fpPerScan) < 1e-9) operatingPoint_->setCurrentIndex(i);
    }
  } else {
    model_->setText(tr("No detection run on this series."));
  }
  const QString banner = document_->aiWarnings();
  warnings_->setText(banner);
  warnings_->setVisible(!banner.isEmpty());
  hideRejected_->setChecked(document_->rejectedHidden());

  const std::vector<const Finding*> visible = document_->visibleFindings();
  table_->setRowCount(int(visible.size()));
  std::vector<double> scores;
  for (const Finding* f : visible) scores.push_back(f->score);
  const int decimals = scoreDecimals(scores);
  int selectedRow = -1;
  for (int row = 0; row < int(visible.size()); ++row) {
    const Finding& f = *visible[std::size_t(row)];
    auto set = [&](int col, const QString& text) {
      auto* item = new QTableWidgetItem(text);
      table_->setItem(row, col, item);
      return item;
    };
    set(ColId, QString::fromStdString(f.id));
    auto* thumb = set(ColThumb, {});
    thumb->setIcon(QPixmap::fromImage(thumbnail(*document_, f)));
    set(ColScore, QString::fromStdString(scoreText(f.score, decimals)));
    const double d = document_->effectiveDiameter(f);
    const QString ai = f.sizeCapped ? tr("AI unmeasured") : tr("AI %1").arg(f.diameterMm, 0, 'f', 1);
    auto* diameter = set(ColDiameter, f.measurementId ? QString("%1 (%2)").arg(d, 0, 'f', 1).arg(ai)
                                      : f.sizeCapped  ? tr("unmeasured: E to measure")
                                                      : QString::number(d, 'f', 1));
    if (!f.sizeCapped) {
      diameter->setToolTip(f.sizeSource == "mask"
                               ? tr("AI size measured on the lesion engine's mask at the finding: the mean of its "
                                    "long and short axes, as segmenting it (M) would give")
                               : tr("AI size from radial HU profiles, not a mask: below the run's operating point, or "
                                    "no mask the lesion engine made passed the finding's checks"));
      if (f.sizeSource != "mask" && !f.measurementId) {
        QFont italic = diameter->font();
        italic.setItalic(true);
        diameter->setFont(italic);
      }
    }
    if (f.sizeCapped && !f.measurementId) {
      diameter->setForeground(QColor(230, 120, 0));
      diameter->setToolTip(tr("The radial profile reached its %1 mm search limit without finding the edge "
                              "(e.g. merged with the hilum or chest wall): this is not a size.")
                               .arg(f.diameterMm, 0, 'f', 0));
    }
    // The mask's volume once the finding has one (as its diameter is the mask's), else the AI's.
    const bool masked = f.segmentLabel > 0 && f.maskVolumeMm3 > 0;
    auto* volume = set(ColVolume, masked ? QString::number(f.maskVolumeMm3, 'f', 0)
                                  : f.sizeCapped ? QString("-")
                                                 : QString::number(f.volumeMm3, 'f', 0));
    if (masked) volume->setToolTip(tr("mask volume (AI: %1 mm³)").arg(f.volumeMm3, 0, 'f', 0));
    set(ColType, term(f.effectiveType()));
    set(ColLocation, location(f));
    // The state and the reason in the reader's language (a typed reason as typed).
    auto* state = set(ColState, f.rejectReason.empty() ? term(toString(f.state))
                                                       : tr("%1: %2").arg(term(toString(f.state)), term(f.rejectReason)));
    state->setForeground(f.state == FindingState::Accepted   ? QColor(60, 180, 80)
                         : f.state == FindingState::Rejected ? QColor(220, 60, 60)
                         : f.state == FindingState::Edited   ? QColor(60, 160, 230)
                                                             : QColor(230, 120, 0));
    auto* upper = set(ColUpper, {});
    upper->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    upper->setCheckState(f.upperLobe ? Qt::Checked : Qt::Unchecked);
    auto* spic = set(ColSpiculated, {});
    spic->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    spic->setCheckState(f.spiculated ? Qt::Checked : Qt::Unchecked);
    if (!growth_.empty() || comparison_.prior) fillGrowthCells(*table_, row, growthOf(growth_, f.id));
    if (f.id == document_->selectedFinding()) selectedRow = row;
  }
  table_->resizeRowsToContents();
  if (selectedRow >= 0) table_->selectRow(selectedRow);
  if (document_->hasFindingsRun()) {
    int decided = 0;
    for (const Finding* f : visible) decided += f->state != FindingState::Proposed;
    summary_->setText(tr("%1 finding(s) at %2 FP/scan, %3 decided")
                          .arg(visible.size()).arg(run.fpPerScan).arg(decided));
  } else {
    summary_->clear();
  }
  const PatientFactors& p = document_->patientFactors();
  age_->setValue(p.ageYears);
  sex_->setCurrentIndex(p.sex == "F" ? 1 : p.sex == "M" ? 2 : 0);
  familyHistory_->setChecked(p.familyHistory);
  emphysema_->setChecked(p.emphysema);
  refreshing_ = false;
  refreshDecisionSupport();
}

void FindingsPanel::refreshDecisionSupport() {
  if (!document_->hasFindingsRun()) {
    lungRads_->clear();
    brock_->clear();
    return;
  }
  // The session computes it (the command line's `review` shows the same); the panel only words it.
  const DecisionSupportInputs support = document_->session().decisionSupport();
  // With a prior the v2022 follow-up rules (new, growing, stable) replace the baseline ones.
  const LungRadsSuggestion s = growth_.empty() && !comparison_.prior
                                   ? support.lungRads
                                   : suggestLungRads(support.nodules, noduleChanges(growth_));
  if (!support.unmeasured.empty()) {
    QStringList ids;
    for (const std::string& id : support.unmeasured) ids << QString::fromStdString(id);
    lungRads_->setText(tr("<b>Lung-RADS: incomplete</b> <span style='color:#e07800'>accepted finding(s) %1 "
                          "have no size (the AI's profile hit its cap): measure them with E first</span>")
                           .arg(ids.join(", ")));
  } else {
    // The rule is composed with the sizes in core (English; its fragments in Chinese by
    // lungRadsRuleChinese); the management is one of four sentences.
    const std::string rule = currentLanguage() == QLatin1String("zh_CN") ? lungRadsRuleChinese(s.rule) : s.rule;
    lungRads_->setText(tr("<b>Lung-RADS %1</b> suggested from %2 accepted nodule(s).<br>%3<br><i>%4</i>")
                           .arg(QString::fromStdString(s.category))
                           .arg(support.nodules.size())
                           .arg(QString::fromStdString(rule).toHtmlEscaped(), term(s.management).toHtmlEscaped()));
  }
  const PatientFactors& p = document_->patientFactors();
  QString text;
  for (const DecisionSupportInputs::Brock& b : support.brock) {
    text += tr("%1: Brock %2 %").arg(QString::fromStdString(b.findingId)).arg(100.0 * brockProbability(b.factors), 0, 'f', 1);
    text += "<br>";
  }
  if (!support.brock.empty()) {
    const QString age = p.ageYears <= 0 ? tr("unknown, 62 assumed")
                        : p.ageYears == facts_.ageYears && !facts_.ageSource.empty()
                            ? tr("%1 (from %2)").arg(p.ageYears).arg(QString::fromStdString(facts_.ageSource).toHtmlEscaped())
                            : tr("%1 (entered)").arg(p.ageYears);
    text += (p.sex.empty() ? tr("<i>Brock (PanCan) full model; age %1, sex unknown (male assumed); upper lobe and "
                                "spiculation as ticked per nodule.</i>")
                           : tr("<i>Brock (PanCan) full model; age %1; upper lobe and spiculation as ticked per nodule.</i>"))
                .arg(age);
  }
  brock_->setText(text);
}

} // namespace lightbox
