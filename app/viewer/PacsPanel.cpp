// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/PacsPanel.h"

#include "app/viewer/PacsNodesDialog.h"

#include "app/viewer/StudyBrowser.h"
#include "core/dicom/PersonName.h"
#include "core/index/StudyIndex.h"
#include "core/net/DicomNetwork.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMetaObject>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <utility>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

constexpr int kStudyUidRole = Qt::UserRole;
constexpr int kSeriesUidRole = Qt::UserRole + 1;
constexpr int kInstancesRole = Qt::UserRole + 2;
constexpr int kLoadedRole = Qt::UserRole + 3;  ///< a study row whose series were asked for

struct Found {
  std::vector<FindMatch> matches;
  IndexedUids local;
};

/// A C-FIND (or QIDO-RS) on the node named `spec` and what of it is local; `error` set instead
/// when it fails. Runs on the worker thread.
std::shared_ptr<Found> findOn(const QString& spec, const FindQuery& q, QString& error) {
  auto found = std::make_shared<Found>();
  try {
    const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
    found->matches = findOnNode(resolvePacsNode(spec.toStdString(), list), list.local, q);
    found->local = indexedUids(StudyIndex::defaultPath());
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
  }
  return found;
}

} // namespace

PacsPanel::PacsPanel(QWidget* parent)
    : QWidget(parent), node_(new QComboBox), echo_(new QPushButton), nodes_(new QPushButton), name_(new QLineEdit), id_(new QLineEdit),
      date_(new QLineEdit), modality_(new QLineEdit), accession_(new QLineEdit), search_(new QPushButton),
      results_(new QTreeWidget), retrieve_(new QPushButton), cancel_(new QPushButton), progress_(new QProgressBar),
      status_(new QLabel) {
  node_->setEditable(true);  // a name from the list, or AET@host:port typed in
  auto* top = new QHBoxLayout;
  top->addWidget(node_, 1);
  top->addWidget(echo_);
  top->addWidget(nodes_);
  auto* form = new QFormLayout;
  form->addRow(QStringLiteral("node"), top);
  form->addRow(QStringLiteral("name"), name_);
  form->addRow(QStringLiteral("id"), id_);
  form->addRow(QStringLiteral("date"), date_);
  auto* modAcc = new QHBoxLayout;
  modAcc->addWidget(modality_);
  modAcc->addWidget(accession_, 2);
  form->addRow(QStringLiteral("modality"), modAcc);
  results_->setColumnCount(4);
  results_->setRootIsDecorated(true);
  results_->setUniformRowHeights(true);
  results_->header()->setStretchLastSection(false);
  results_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  for (int c = 1; c < 4; ++c) results_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(search_);
  buttons->addWidget(retrieve_);
  buttons->addWidget(cancel_);
  progress_->setTextVisible(true);
  progress_->hide();
  status_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(results_, 1);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  cancel_->setEnabled(false);
  retrieve_->setEnabled(false);

  connect(search_, &QPushButton::clicked, this, &PacsPanel::search);
  connect(nodes_, &QPushButton::clicked, this, [this] {
    PacsNodesDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) reloadNodes();
  });
  for (QLineEdit* e : {name_, id_, date_, modality_, accession_}) connect(e, &QLineEdit::returnPressed, this, &PacsPanel::search);
  connect(retrieve_, &QPushButton::clicked, this, &PacsPanel::retrieveSelected);
  connect(cancel_, &QPushButton::clicked, this, &PacsPanel::cancel);
  connect(results_, &QTreeWidget::itemExpanded, this, &PacsPanel::expandStudy);
  connect(results_, &QTreeWidget::itemSelectionChanged, this,
          [this] { retrieve_->setEnabled(!busy_ && !results_->selectedItems().isEmpty()); });
  connect(results_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem*, int) { retrieveSelected(); });
  connect(echo_, &QPushButton::clicked, this, [this] {
    const QString spec = node_->currentText();
    runWorker([this, spec] {
      QString message;
      try {
        const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
        const PacsNode node = resolvePacsNode(spec.toStdString(), list);
        const double ms = echoNode(node, list.local);
        message = tr("%1: echo ok in %2 ms").arg(QString::fromStdString(node.label())).arg(qRound(ms));
      } catch (const std::exception& e) {
        message = QString::fromStdString(e.what());
      }
      QMetaObject::invokeMethod(this, [this, message] { setBusy(false, message); }, Qt::QueuedConnection);
    });
  });
  retranslateUi();
  reloadNodes();
}

PacsPanel::~PacsPanel() {
  cancelRequested_ = true;
  if (worker_.joinable()) worker_.join();
}

void PacsPanel::retranslateUi() {
  echo_->setText(tr("Echo"));
  echo_->setToolTip(tr("Test the node (C-ECHO)"));
  nodes_->setText(tr("Nodes..."));
  nodes_->setToolTip(tr("Edit the node list: archives, our AE title and receiver port"));
  node_->setToolTip(tr("An archive of the node list, or AET@host:port"));
  name_->setPlaceholderText(tr("Patient name (* and ? allowed)"));
  id_->setPlaceholderText(tr("Patient ID"));
  date_->setPlaceholderText(tr("Study date: YYYYMMDD or YYYYMMDD-YYYYMMDD"));
  modality_->setPlaceholderText(tr("Modality"));
  accession_->setPlaceholderText(tr("Accession number"));
  if (auto* form = findChild<QFormLayout*>()) {
    const QStringList labels = {tr("Node"), tr("Name"), tr("ID"), tr("Date"), tr("Modality")};
    for (int row = 0; row < form->rowCount() && row < labels.size(); ++row) {
      if (auto* label = qobject_cast<QLabel*>(form->itemAt(row, QFormLayout::LabelRole)->widget())) label->setText(labels[row]);
    }
  }
  search_->setText(tr("Search"));
  retrieve_->setText(tr("Retrieve"));
  retrieve_->setToolTip(tr("Retrieve the selected study or series into the local index (C-GET)"));
  cancel_->setText(tr("Cancel"));
  results_->setHeaderLabels({tr("Study / series"), tr("Modality"), tr("Images"), tr("Local")});
}

void PacsPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void PacsPanel::reloadNodes() {
  const QString current = node_->currentText();
  node_->clear();
  try {
    for (const PacsNode& n : loadPacsNodeList(defaultPacsNodeListPath()).nodes) {
      node_->addItem(QString::fromStdString(n.name), QString::fromStdString(n.label()));
      node_->setItemData(node_->count() - 1, QString::fromStdString(n.label()), Qt::ToolTipRole);
    }
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
  }
  if (!current.isEmpty()) node_->setCurrentText(current);
}

void PacsPanel::setQuery(const QString& node, const QString& patientName, const QString& patientId,
                         const QString& studyDate, const QString& modality) {
  node_->setCurrentText(node);
  name_->setText(patientName);
  id_->setText(patientId);
  date_->setText(studyDate);
  modality_->setText(modality);
}

QString PacsPanel::status() const { return status_->text(); }

void PacsPanel::setBusy(bool busy, const QString& status) {
  busy_ = busy;
  search_->setEnabled(!busy);
  echo_->setEnabled(!busy);
  retrieve_->setEnabled(!busy && !results_->selectedItems().isEmpty());
  cancel_->setEnabled(busy);
  status_->setText(status);
  if (!busy) progress_->hide();
  if (!busy && !pendingPriors_.isEmpty()) {
    // A prior search asked for meanwhile: after the job that just ended has said its part.
    QTimer::singleShot(0, this, [this] {
      const QStringList asked = std::exchange(pendingPriors_, {});
      if (asked.size() == 2) findPriors(asked[0], asked[1]);
    });
  }
}

void PacsPanel::runWorker(std::function<void()> work) {
  if (busy_) return;
  if (worker_.joinable()) worker_.join();
  cancelRequested_ = false;
  setBusy(true, tr("Working..."));
  worker_ = std::thread(std::move(work));
}

void PacsPanel::search() {
  FindQuery q;
  q.level = QueryLevel::Study;
  q.patientName = name_->text().trimmed().toStdString();
  q.patientId = id_->text().trimmed().toStdString();
  q.studyDate = date_->text().trimmed().toStdString();
  q.modality = modality_->text().trimmed().toUpper().toStdString();
  q.accession = accession_->text().trimmed().toStdString();
  const QString spec = node_->currentText();
  runWorker([this, q, spec] {
    QString error;
    const std::shared_ptr<Found> found = findOn(spec, q, error);
    QMetaObject::invokeMethod(this, [this, found, error] {
      if (!error.isEmpty()) {
        setBusy(false, error);
        emit failed(error);
        return;
      }
      showStudies(found);
    }, Qt::QueuedConnection);
  });
}

void PacsPanel::showStudies(const std::shared_ptr<void>& opaque) {
  const Found& f = *std::static_pointer_cast<Found>(opaque);
  results_->clear();
  for (const FindMatch& m : f.matches) {
    auto* item = new QTreeWidgetItem(results_);
    const QString name = QString::fromStdString(displayPersonName(m.patientName));
    QString text = displayDate(m.studyDate) + "  " + (name.isEmpty() ? QString::fromStdString(m.patientId) : name);
    if (!m.studyDescription.empty()) text += "  " + QString::fromStdString(m.studyDescription);
    item->setText(0, text);
    item->setToolTip(0, tr("Patient ID %1, accession %2\n%3")
                            .arg(QString::fromStdString(m.patientId), QString::fromStdString(m.accession),
                                 QString::fromStdString(m.studyUid)));
    item->setText(1, QString::fromStdString(m.modalitiesInStudy));
    item->setText(2, m.relatedInstances >= 0 ? QLocale().toString(m.relatedInstances) : QString());
    item->setText(3, f.local.studies.count(m.studyUid) ? tr("yes") : QString());
    item->setData(0, kStudyUidRole, QString::fromStdString(m.studyUid));
    item->setData(0, kInstancesRole, m.relatedInstances);
    item->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
  }
  setBusy(false, f.matches.size() == 1 ? tr("1 study") : tr("%1 studies").arg(QLocale().toString(int(f.matches.size()))));
}

void PacsPanel::expandStudy(QTreeWidgetItem* item) {
  if (item->parent() || item->data(0, kLoadedRole).toBool()) return;
  if (busy_) {  // one network job at a time: closed again, to be opened once this one is done
    const QSignalBlocker block(results_);
    item->setExpanded(false);
    return;
  }
  item->setData(0, kLoadedRole, true);
  FindQuery q;
  q.level = QueryLevel::Series;
  q.studyUid = item->data(0, kStudyUidRole).toString().toStdString();
  const QString spec = node_->currentText();
  const QString studyUid = item->data(0, kStudyUidRole).toString();
  runWorker([this, q, spec, studyUid] {
    QString error;
    const std::shared_ptr<Found> found = findOn(spec, q, error);
    QMetaObject::invokeMethod(this, [this, found, error, studyUid] {
      QTreeWidgetItem* study = nullptr;
      for (int i = 0; i < results_->topLevelItemCount(); ++i) {
        if (results_->topLevelItem(i)->data(0, kStudyUidRole).toString() == studyUid) study = results_->topLevelItem(i);
      }
      if (!error.isEmpty() || !study) {
        if (study) study->setData(0, kLoadedRole, false);
        setBusy(false, error);
        if (!error.isEmpty()) emit failed(error);
        return;
      }
      for (const FindMatch& m : found->matches) {
        auto* s = new QTreeWidgetItem(study);
        s->setText(0, QStringLiteral("#%1  %2").arg(QString::fromStdString(m.seriesNumber),
                                                    QString::fromStdString(m.seriesDescription)));
        s->setToolTip(0, QString::fromStdString(m.seriesUid));
        s->setText(1, QString::fromStdString(m.modality));
        s->setText(2, m.relatedInstances >= 0 ? QLocale().toString(m.relatedInstances) : QString());
        s->setText(3, found->local.series.count(m.seriesUid) ? tr("yes") : QString());
        s->setData(0, kStudyUidRole, studyUid);
        s->setData(0, kSeriesUidRole, QString::fromStdString(m.seriesUid));
        s->setData(0, kInstancesRole, m.relatedInstances);
      }
      setBusy(false, found->matches.size() == 1 ? tr("1 series") : tr("%1 series").arg(QLocale().toString(int(found->matches.size()))));
    }, Qt::QueuedConnection);
  });
}

void PacsPanel::findPriors(const QString& patientId, const QString& currentStudyUid) {
  const QString spec = node_->currentText().trimmed();
  if (spec.isEmpty() || patientId.trimmed().isEmpty()) return;
  const QString key = spec + "|" + patientId + "|" + currentStudyUid;
  if (key == priorsAskedFor_) return;
  if (busy_) {
    pendingPriors_ = {patientId, currentStudyUid};
    return;
  }
  priorsAskedFor_ = key;
  const QString before = status_->text(); // a background lookup leaves the tab's status as it was
  FindQuery q;
  q.level = QueryLevel::Study;
  q.patientId = patientId.trimmed().toStdString();
  runWorker([this, q, spec, patientId, currentStudyUid, before] {
    QString error;
    const std::shared_ptr<Found> found = findOn(spec, q, error);
    QMetaObject::invokeMethod(this, [this, found, error, spec, patientId, currentStudyUid, before] {
      if (!error.isEmpty()) {
        // Not asked again for this patient (an unreachable node would hold the tab for its
        // whole timeout at every open); said once per node.
        setBusy(false, before);
        if (!priorsFailedOn_.contains(spec)) {
          priorsFailedOn_ << spec;
          emit failed(tr("suggested priors from the archive: %1").arg(error));
        }
        return;
      }
      QList<ArchiveStudy> studies;
      int notLocal = 0;
      for (const FindMatch& m : found->matches) {
        const QString uid = QString::fromStdString(m.studyUid);
        if (uid == currentStudyUid || m.patientId != patientId.trimmed().toStdString()) continue;
        studies.push_back({uid, QString::fromStdString(m.studyDate), QString::fromStdString(m.studyDescription),
                           QString::fromStdString(m.modalitiesInStudy), m.relatedInstances});
        if (!found->local.studies.count(m.studyUid)) ++notLocal;
      }
      setBusy(false, before);
      priorsStatus_ = tr("%1 other studies of this patient on %2, %3 not in the local index")
                          .arg(studies.size())
                          .arg(spec)
                          .arg(notLocal);
      emit priorsOnArchive(spec, patientId, studies);
    }, Qt::QueuedConnection);
  });
}

void PacsPanel::retrievePrior(const QString& node, const QString& studyUid, int expectedObjects) {
  if (busy_) {
    emit failed(tr("the archive is busy with another job: retrieve the prior once it has ended"));
    return;
  }
  retrieve(node, studyUid, {}, expectedObjects, true);
}

void PacsPanel::retrieveSelected() {
  const QList<QTreeWidgetItem*> selected = results_->selectedItems();
  if (selected.isEmpty() || busy_) return;
  QTreeWidgetItem* item = selected.front();
  retrieve(node_->currentText(), item->data(0, kStudyUidRole).toString(), item->data(0, kSeriesUidRole).toString(),
           item->data(0, kInstancesRole).toInt(), false);
}

void PacsPanel::retrieve(const QString& spec, const QString& studyUid, const QString& seriesUid, int expected,
                         bool asPrior) {
  RetrieveRequest r;
  r.studyUid = studyUid.toStdString();
  r.seriesUid = seriesUid.toStdString();
  r.cancel = &cancelRequested_;
  progress_->setRange(0, expected > 0 ? expected : 0);
  progress_->setValue(0);
  progress_->setFormat(expected > 0 ? tr("%v of %m objects") : tr("%v objects"));
  progress_->show();
  runWorker([this, r, spec, asPrior] {
    auto count = std::make_shared<std::atomic<int>>(0);
    auto first = std::make_shared<std::atomic<bool>>(false);
    QString error, folder, series;
    std::size_t received = 0;
    int failedSubOperations = 0;
    try {
      const PacsNodeList list = loadPacsNodeList(defaultPacsNodeListPath());
      const std::string store = defaultReceiveStore(StudyIndex::defaultPath());
      const RetrieveResult result =
          retrieveFromNode(resolvePacsNode(spec.toStdString(), list), list.local, r, store, {},
                           [this, count, first, r, store, asPrior](const ReceivedObject& o) {
                             const int n = ++*count;
                             QMetaObject::invokeMethod(this, [this, n] { progress_->setValue(n); }, Qt::QueuedConnection);
                             // The first image (not a SEG, SR, KOS or document) of the series asked for, or of
                             // any series for a whole study: shown while the rest arrives.
                             const bool image = o.sopClassUid.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) != 0 &&
                                                o.sopClassUid.rfind("1.2.840.10008.5.1.4.1.1.104.", 0) != 0 &&
                                                o.sopClassUid != "1.2.840.10008.5.1.4.1.1.66.4";
                             if (!asPrior && image && (r.seriesUid.empty() || o.seriesUid == r.seriesUid) &&
                                 !first->exchange(true)) {
                               const QString folder =
                                   QString::fromStdString((fs::path(store) / o.studyUid).string());
                               const QString uid = QString::fromStdString(o.seriesUid);
                               QMetaObject::invokeMethod(this, [this, folder, uid] { emit firstImageArrived(folder, uid); },
                                                         Qt::QueuedConnection);
                             }
                           });
      received = result.objects.size();
      failedSubOperations = result.failed;
      StudyIndex index(StudyIndex::defaultPath());
      std::set<std::string> studies;
      for (const ReceivedObject& o : result.objects) studies.insert(o.studyUid);
      for (const std::string& st : studies) index.import((std::filesystem::path(store) / st).string());
      if (!result.objects.empty()) {
        // The series with the most objects (the images, not a SEG or SR beside them) opens.
        std::map<std::string, int> perSeries;
        for (const ReceivedObject& o : result.objects) ++perSeries[o.seriesUid];
        const auto most = std::max_element(perSeries.begin(), perSeries.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        folder = QString::fromStdString((std::filesystem::path(store) / result.objects.front().studyUid).string());
        series = QString::fromStdString(r.seriesUid.empty() ? most->first : r.seriesUid);
      }
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
      // What arrived before the failure or the cancel is kept: list it under Local too.
      try {
        const fs::path studyFolder = fs::path(defaultReceiveStore(StudyIndex::defaultPath())) / r.studyUid;
        if (fs::is_directory(studyFolder)) StudyIndex(StudyIndex::defaultPath()).import(studyFolder.string());
      } catch (const std::exception&) {
        // The error above is the one to show.
      }
    }
    QMetaObject::invokeMethod(this, [this, error, folder, series, received, failedSubOperations, asPrior] {
      if (!error.isEmpty()) {
        setBusy(false, error);
        emit failed(error);
        return;
      }
      QString text = tr("%1 objects retrieved into the local index").arg(QLocale().toString(int(received)));
      if (failedSubOperations > 0) {
        const QString problem = tr("the archive could not send %1 objects").arg(failedSubOperations);
        text += "; " + problem;
        emit failed(problem);
      }
      setBusy(false, text);
      if (folder.isEmpty()) return;
      if (asPrior) {
        emit priorRetrieved(folder, series);
      } else {
        emit retrieved(folder, series);
      }
    }, Qt::QueuedConnection);
  });
}

void PacsPanel::cancel() {
  cancelRequested_ = true;
  status_->setText(tr("Cancelling after the object in progress..."));
}

} // namespace lightbox
