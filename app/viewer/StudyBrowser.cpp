// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/StudyBrowser.h"

#include "app/viewer/VtkViewport.h"
#include "core/annotation/AnnotationStore.h"
#include "core/batch/BatchRecord.h"
#include "core/dicom/PersonName.h"
#include "core/display/WindowLevel.h"
#include "core/index/PriorSuggestion.h"
#include "core/index/StudyIndex.h"
#include "core/study/StudyLoader.h"

#include <QHeaderView>
#include <QImage>
#include <QApplication>
#include <QCoreApplication>
#include <QDate>
#include <QEvent>
#include <QLocale>
#include <QDrag>
#include <QMimeData>
#include <QMouseEvent>
#include <QUrl>
#include <QLineEdit>
#include <QMenu>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace lightbox {
namespace {

constexpr int kThumb = 64;
constexpr int kUidRole = Qt::UserRole;
constexpr int kFolderRole = Qt::UserRole + 1;
constexpr int kSearchRole = Qt::UserRole + 2;
constexpr int kBaseTextRole = Qt::UserRole + 3;
constexpr int kPriorRole = Qt::UserRole + 4; ///< a series under "Suggested priors"
constexpr int kArchiveStudyRole = Qt::UserRole + 8; ///< a prior on the archive: its Study Instance UID
constexpr int kArchiveNodeRole = Qt::UserRole + 9;  ///< ... the node it is on
constexpr int kArchiveImagesRole = Qt::UserRole + 10; ///< ... its object count (-1: not said)
constexpr int kMeasurementsRole = Qt::UserRole + 5;
// The AI pre-read has its column and a second line under the series' name: the Studies dock is
// usually too narrow to show the columns after the first.
constexpr int kPreReadColumn = 1, kDateColumn = 2, kModalityColumn = 3, kImagesColumn = 4;

void setItemMeasurements(QTreeWidgetItem* item, int n) {
  item->setData(0, kMeasurementsRole, n);
  const QString base = item->data(0, kBaseTextRole).toString();
  QString text = n <= 0  ? base
                 : n == 1 ? QCoreApplication::translate("lightbox::StudyBrowser", "%1  [1 measurement]").arg(base)
                          : QCoreApplication::translate("lightbox::StudyBrowser", "%1  [%2 measurements]")
                                .arg(base, QLocale().toString(n));
  const QString preRead = item->text(kPreReadColumn);
  if (!preRead.isEmpty()) text += "\n" + QCoreApplication::translate("lightbox::StudyBrowser", "AI: %1").arg(preRead);
  item->setText(0, text);
}

/// Middle slice of a series as a 64 x 64 grey image (percentile window), from one of its files.
QImage makeThumbnail(const std::string& file) {
  LoadedSeries s = loadPath(file);
  const Volume& v = s.volumes.at(0);
  const VolumeGeometry& g = v.geometry;
  const WindowLevel w = percentileWindow(v);
  const std::size_t k = g.size[2] / 2;
  QImage img(kThumb, kThumb, QImage::Format_Grayscale8);
  img.fill(0);
  const double scale = double(std::max(g.size[0], g.size[1])) / kThumb;
  const double x0 = 0.5 * (double(g.size[0]) - scale * kThumb), y0 = 0.5 * (double(g.size[1]) - scale * kThumb);
  for (int y = 0; y < kThumb; ++y) {
    for (int x = 0; x < kThumb; ++x) {
      const double i = x0 + (x + 0.5) * scale, j = y0 + (y + 0.5) * scale;
      if (i < 0 || j < 0 || i >= double(g.size[0]) || j >= double(g.size[1])) continue;
      const double value = v.value(std::size_t(i), std::size_t(j), k);
      const double grey = std::clamp((value - (w.center - 0.5 * w.width)) / w.width * 255.0, 0.0, 255.0);
      img.scanLine(y)[x] = uchar(std::lround(grey));
    }
  }
  return img;
}

} // namespace

/// A study date as the reader's language writes dates (DICOM's YYYYMMDD; anything else as it is):
/// Chinese "2024/1/2", otherwise ISO "2024-01-02" (never a two-digit year or a month/day guess).
QString displayDate(const std::string& studyDate) {
  const QDate date = QDate::fromString(QString::fromStdString(studyDate), QStringLiteral("yyyyMMdd"));
  if (!date.isValid()) return QString::fromStdString(studyDate);
  return QLocale().language() == QLocale::Chinese ? QLocale().toString(date, QLocale::ShortFormat)
                                                  : date.toString(Qt::ISODate);
}

StudyBrowser::StudyBrowser(QWidget* parent) : QWidget(parent), search_(new QLineEdit), tree_(new QTreeWidget) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  search_->setClearButtonEnabled(true);
  // Typing reaches the search field only after the reader clicks it: image shortcuts (1, X, ...)
  // must never land here when focus moves on after a menu or a layout change.
  search_->setFocusPolicy(Qt::ClickFocus);
  tree_->setFocusPolicy(Qt::ClickFocus);
  search_->setProperty(kYieldsFocusToImages, true);
  tree_->setProperty(kYieldsFocusToImages, true);
  layout->addWidget(search_);
  layout->addWidget(tree_);
  tree_->setColumnCount(5);
  tree_->setIconSize(QSize(kThumb, kThumb));
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  for (int c = 1; c < 5; ++c) tree_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  tree_->header()->setStretchLastSection(false);
  setMinimumWidth(260);
  tree_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(search_, &QLineEdit::textChanged, this, &StudyBrowser::setFilter);
  connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
    if (const QString study = item->data(0, kArchiveStudyRole).toString(); !study.isEmpty()) {
      item->setText(kPreReadColumn, tr("retrieving..."));
      emit retrievePrior(item->data(0, kArchiveNodeRole).toString(), study, item->data(0, kArchiveImagesRole).toInt());
    } else if (item->data(0, kPriorRole).toBool()) {
      emit openComparison(item->data(0, kFolderRole).toString(), item->data(0, kUidRole).toString());
    } else if (!item->data(0, kUidRole).toString().isEmpty()) {
      emit openSeries(item->data(0, kFolderRole).toString(), item->data(0, kUidRole).toString());
    }
  });
  tree_->viewport()->installEventFilter(this);
  connect(tree_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    QTreeWidgetItem* item = tree_->itemAt(pos);
    if (!item || item->data(0, kUidRole).toString().isEmpty()) return;
    QMenu menu;
    menu.addAction(tr("Open"), this, [this, item] {
      emit openSeries(item->data(0, kFolderRole).toString(), item->data(0, kUidRole).toString());
    });
    menu.addAction(tr("Open as comparison (prior)"), this, [this, item] {
      emit openComparison(item->data(0, kFolderRole).toString(), item->data(0, kUidRole).toString());
    });
    menu.exec(tree_->viewport()->mapToGlobal(pos));
  });
  retranslateUi();
}

void StudyBrowser::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void StudyBrowser::retranslateUi() {
  search_->setPlaceholderText(tr("Search name, ID, date, modality"));
  tree_->setHeaderLabels({tr("Patient / study / series"), tr("AI pre-read"), tr("Date"), tr("Mod."), tr("Images")});
  if (refreshed_) refresh(); // the rows' words, counts and dates
}

StudyBrowser::~StudyBrowser() { stopThumbnails(); }

bool StudyBrowser::eventFilter(QObject* watched, QEvent* event) {
  if (watched != tree_->viewport()) return QWidget::eventFilter(watched, event);
  if (event->type() == QEvent::MouseButtonPress) {
    dragStart_ = static_cast<QMouseEvent*>(event)->position().toPoint();
  } else if (event->type() == QEvent::MouseMove) {
    auto* e = static_cast<QMouseEvent*>(event);
    if ((e->buttons() & Qt::LeftButton) &&
        (e->position().toPoint() - dragStart_).manhattanLength() >= QApplication::startDragDistance()) {
      QTreeWidgetItem* item = tree_->itemAt(dragStart_);
      if (item && !item->data(0, kUidRole).toString().isEmpty()) {
        auto* drag = new QDrag(this);
        drag->setMimeData(seriesMimeData(item->data(0, kFolderRole).toString(), item->data(0, kUidRole).toString()));
        if (!item->icon(0).isNull()) drag->setPixmap(item->icon(0).pixmap(48, 48));
        drag->exec(Qt::CopyAction);
        return true;
      }
    }
  }
  return QWidget::eventFilter(watched, event);
}

QMimeData* seriesMimeData(const QString& folder, const QString& seriesUid) {
  auto* mime = new QMimeData;
  mime->setUrls({QUrl::fromLocalFile(folder)});
  mime->setData(kSeriesMimeType, seriesUid.toUtf8());
  return mime;
}

void StudyBrowser::refresh() {
  refreshed_ = true;
  stopThumbnails();
  tree_->clear();
  std::vector<IndexedStudy> studies;
  try {
    studies = StudyIndex(StudyIndex::defaultPath()).studies();
  } catch (const std::exception& e) {
    emit indexError(e.what());
    return;
  }
  std::vector<std::string> pending;
  const AnnotationStore store(AnnotationStore::defaultFolder());
  // `lightbox batch` runs: each series' pre-read state (state files only, never the scheduler).
  const std::map<std::string, PreReadSummary> preReads = loadPreReads();
  QMap<QString, QTreeWidgetItem*> patients;
  for (const IndexedStudy& st : studies) {
    const QString patientKey = QString::fromStdString(st.patientId + "|" + st.patientName);
    QTreeWidgetItem*& patient = patients[patientKey];
    if (!patient) {
      patient = new QTreeWidgetItem(tree_);
      patient->setText(0, (st.patientName.empty() ? tr("(no name)") : QString::fromStdString(displayPersonName(st.patientName))) + "  " +
                              (st.patientId.empty() ? tr("(no ID)") : QString::fromStdString(st.patientId)));
      patient->setExpanded(true);
    }
    addStudyItem(patient, st, [&](QTreeWidgetItem* item, const IndexedSeries& se) {
      // The reader's measurements are listed with the series they belong to.
      std::size_t n = 0;
      bool decided = false;
      try {
        const SeriesAnnotations saved = store.load(se.seriesInstanceUid);
        n = saved.measurements.size();
        decided = anyFindingDecided(saved.findings);
      } catch (const std::exception& e) {
        emit indexError(e.what());
      }
      setItemMeasurements(item, int(n));
      item->setToolTip(0, QString::fromStdString(se.folder));
      if (const auto pre = preReads.find(se.seriesInstanceUid); pre != preReads.end()) setPreRead(item, pre->second, decided);
      if (!thumbnails_.contains(QString::fromStdString(se.seriesInstanceUid))) pending.push_back(se.seriesInstanceUid);
    });
  }
  // Priors of the open series' patient first: same patient ID, else name and birth date.
  const IndexedStudy* current = studyOfSeries(studies, currentSeries_.toStdString());
  currentPatientId_ = current ? QString::fromStdString(current->patientId) : QString();
  currentStudyUid_ = current ? QString::fromStdString(current->studyInstanceUid) : QString();
  std::set<std::string> localStudies;
  for (const IndexedStudy& st : studies) localStudies.insert(st.studyInstanceUid);
  const std::vector<PriorSuggestion> priors = suggestPriors(studies, currentSeries_.toStdString());
  // ... and the patient's studies on the archive that the index lacks (PacsPanel::findPriors).
  QList<ArchiveStudy> onArchive;
  if (!currentPatientId_.isEmpty() && currentPatientId_ == archivePatientId_) {
    for (const ArchiveStudy& a : archivePriors_) {
      if (!localStudies.count(a.studyUid.toStdString()) && a.studyUid != currentStudyUid_) onArchive.push_back(a);
    }
  }
  if (!priors.empty() || !onArchive.isEmpty()) {
    auto* top = new QTreeWidgetItem;
    top->setText(0, tr("Suggested priors"));
    top->setToolTip(0, tr("Other studies of this patient, older first; double click opens one as the comparison"));
    tree_->insertTopLevelItem(0, top);
    top->setExpanded(true);
    for (const ArchiveStudy& a : onArchive) {
      auto* study = new QTreeWidgetItem(top);
      study->setText(0, (a.description.isEmpty() ? tr("(study)") : a.description) + "  " + tr("(on %1)").arg(archiveNode_));
      study->setText(kDateColumn, displayDate(a.studyDate.toStdString()));
      study->setText(kModalityColumn, a.modalities);
      if (a.images >= 0) study->setText(kImagesColumn, QLocale().toString(a.images));
      study->setToolTip(0, tr("On the archive %1, not in the local index: double click retrieves it and opens it as the comparison")
                               .arg(archiveNode_));
      study->setData(0, kArchiveStudyRole, a.studyUid);
      study->setData(0, kArchiveNodeRole, archiveNode_);
      study->setData(0, kArchiveImagesRole, a.images);
      study->setData(0, kSearchRole, a.description + " " + a.studyDate + " " + a.modalities);
    }
    for (const PriorSuggestion& prior : priors) {
      QTreeWidgetItem* study = addStudyItem(top, prior.study, [&](QTreeWidgetItem* item, const IndexedSeries& se) {
        setItemMeasurements(item, 0);
        if (const auto pre = preReads.find(se.seriesInstanceUid); pre != preReads.end()) setPreRead(item, pre->second, false);
        item->setData(0, kPriorRole, true);
        item->setToolTip(0, tr("Double click: open as comparison (prior)\n%1").arg(QString::fromStdString(se.folder)));
      });
      study->setToolTip(0, prior.match == PriorMatch::PatientId ? tr("same patient ID") : tr("same patient name and birth date"));
    }
  }
  setFilter(search_->text());
  startThumbnails(std::move(pending));
}

QTreeWidgetItem* StudyBrowser::addStudyItem(QTreeWidgetItem* parent, const IndexedStudy& st,
                                            const std::function<void(QTreeWidgetItem*, const IndexedSeries&)>& each) {
  auto* study = new QTreeWidgetItem(parent);
  study->setText(0, st.description.empty() ? tr("(study)") : QString::fromStdString(st.description));
  const QString date = displayDate(st.studyDate);
  study->setText(kDateColumn, date);
  study->setExpanded(true);
  // The date as stored and as shown: the reader may type either.
  QString search = QString::fromStdString(st.patientName + " " + displayPersonName(st.patientName) + " " + st.patientId + " " + st.studyDate + " " +
                                          st.description + " " + st.accessionNumber) + " " + date;
  for (const IndexedSeries& se : st.series) {
    auto* item = new QTreeWidgetItem(study);
    const QString uid = QString::fromStdString(se.seriesInstanceUid);
    item->setData(0, kBaseTextRole, QString("#%1 %2").arg(se.seriesNumber).arg(QString::fromStdString(se.description)));
    item->setText(kModalityColumn, QString::fromStdString(se.modality));
    item->setText(kImagesColumn, QLocale().toString(qlonglong(se.files)));
    item->setData(0, kUidRole, uid);
    item->setData(0, kFolderRole, QString::fromStdString(se.folder));
    if (thumbnails_.contains(uid)) item->setIcon(0, thumbnails_[uid]);
    each(item, se);
    search += " " + QString::fromStdString(se.modality + " " + se.description);
  }
  study->setData(0, kSearchRole, search);
  return study;
}

void StudyBrowser::setPreRead(QTreeWidgetItem* item, const PreReadSummary& pre, bool reviewed) {
  QString text;
  if (pre.state == "done") {
    text = pre.findings == 1 ? tr("1 finding") : tr("%1 findings").arg(std::max(0, pre.findings));
    if (pre.worstLungRads == "incomplete") {
      text += " · " + tr("a size unmeasured"); // no category until every finding has a size
    } else if (!pre.worstLungRads.empty() && pre.findings > 0) {
      text += " · " + tr("Lung-RADS %1").arg(QString::fromStdString(pre.worstLungRads));
    }
  } else if (pre.state == "failed") {
    text = tr("failed");
    item->setForeground(kPreReadColumn, QColor(220, 60, 60));
  } else if (pre.state == "skipped") {
    text = tr("skipped");
    item->setForeground(kPreReadColumn, QColor(140, 140, 140));
  } else if (pre.state == "running") {
    text = tr("running");
  } else {
    text = tr("pending");
  }
  if (pre.state == "done" && (pre.worstLungRads == "4A" || pre.worstLungRads == "4B" || pre.worstLungRads == "4X")) {
    item->setForeground(kPreReadColumn, QColor(230, 120, 0));
  }
  item->setText(kPreReadColumn, text);
  setItemMeasurements(item, item->data(0, kMeasurementsRole).toInt());
  QString tip = (reviewed ? tr("AI pre-read by lightbox batch, in review\nrun: %1")
                          : tr("AI pre-read by lightbox batch, not reviewed\nrun: %1"))
                    .arg(QString::fromStdString(pre.folder));
  if (!pre.finishedAt.empty()) tip += "\n" + tr("finished: %1").arg(QString::fromStdString(pre.finishedAt));
  if (!pre.reason.empty()) tip += "\n" + QString::fromStdString(pre.reason);
  for (const std::string& note : pre.notes) tip += "\n" + QString::fromStdString(note);
  item->setToolTip(kPreReadColumn, tip);
  item->setData(kPreReadColumn, Qt::UserRole, QString::fromStdString(pre.state));
}

void StudyBrowser::setFilter(const QString& text) {
  if (search_->text() != text) {
    search_->setText(text); // re-enters through textChanged
    return;
  }
  for (int p = 0; p < tree_->topLevelItemCount(); ++p) {
    QTreeWidgetItem* patient = tree_->topLevelItem(p);
    bool any = false;
    for (int s = 0; s < patient->childCount(); ++s) {
      QTreeWidgetItem* study = patient->child(s);
      const bool match = text.isEmpty() || study->data(0, kSearchRole).toString().contains(text, Qt::CaseInsensitive);
      study->setHidden(!match);
      any = any || match;
    }
    patient->setHidden(!any);
  }
}

void StudyBrowser::setArchivePriors(const QString& node, const QString& patientId, const QList<ArchiveStudy>& studies) {
  archiveNode_ = node;
  archivePatientId_ = patientId;
  archivePriors_ = studies;
  std::stable_sort(archivePriors_.begin(), archivePriors_.end(),
                   [](const ArchiveStudy& a, const ArchiveStudy& b) { return a.studyDate < b.studyDate; });
  refresh();
}

QStringList StudyBrowser::archivePriors() const {
  QStringList uids;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    if (const QString uid = (*it)->data(0, kArchiveStudyRole).toString(); !uid.isEmpty()) uids << uid;
  }
  return uids;
}

QStringList StudyBrowser::suggestedPriors() const {
  QStringList uids;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    if ((*it)->data(0, kPriorRole).toBool()) uids << (*it)->data(0, kUidRole).toString();
  }
  return uids;
}

void StudyBrowser::setMeasurementCount(const QString& seriesUid, int count) {
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    if ((*it)->data(0, kUidRole).toString() == seriesUid) setItemMeasurements(*it, count);
  }
}

int StudyBrowser::visibleSeriesCount() const {
  int n = 0;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    const QTreeWidgetItem* item = *it;
    if (item->data(0, kUidRole).toString().isEmpty() || item->data(0, kPriorRole).toBool()) continue;
    bool hidden = false;
    for (const QTreeWidgetItem* p = item; p; p = p->parent()) hidden = hidden || p->isHidden();
    n += hidden ? 0 : 1;
  }
  return n;
}

void StudyBrowser::startThumbnails(std::vector<std::string> seriesUids) {
  if (seriesUids.empty()) {
    return;
  }
  stop_ = false;
  working_ = true;
  worker_ = std::thread([this, uids = std::move(seriesUids)] {
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = false; }
    } done{working_};
    try {
      StudyIndex index(StudyIndex::defaultPath()); // one index connection per thread
      for (const std::string& uid : uids) {
        if (stop_) return;
        const std::vector<std::string> files = index.seriesFiles(uid);
        if (files.empty()) continue;
        QImage thumb;
        try {
          thumb = makeThumbnail(files[files.size() / 2]);
        } catch (const std::exception&) {
          continue; // the series' own errors show when it is opened
        }
        if (stop_) return;
        QMetaObject::invokeMethod(this, [this, uid = QString::fromStdString(uid), thumb] {
          const QIcon icon(QPixmap::fromImage(thumb));
          thumbnails_[uid] = icon;
          for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
            if ((*it)->data(0, kUidRole).toString() == uid) (*it)->setIcon(0, icon);
          }
          emit thumbnailReady(uid);
        }, Qt::QueuedConnection);
      }
    } catch (const std::exception&) {
      // The index could not be read here; refresh() reported it already.
    }
  });
}

void StudyBrowser::stopThumbnails() {
  stop_ = true;
  if (worker_.joinable()) {
    worker_.join();
  }
}

} // namespace lightbox
