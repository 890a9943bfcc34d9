// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/viewer/PacsPanel.h"

#include <QIcon>
#include <QMap>
#include <QStringList>
#include <QWidget>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

class QLineEdit;
class QMimeData;
class QTreeWidget;
class QTreeWidgetItem;

namespace lightbox {
struct PreReadSummary;

struct IndexedSeries;
struct IndexedStudy;

/// Patients, studies and series from the local study index, with a thumbnail per series and a
/// search over name, patient ID, date, modality and description. Thumbnails (middle slice of each
/// series) are made on a worker thread and arrive as they are ready.
class StudyBrowser : public QWidget {
  Q_OBJECT
public:
  explicit StudyBrowser(QWidget* parent = nullptr);
  ~StudyBrowser() override;

  /// Re-reads the index (after an import).
  void refresh();
  /// Shows only studies whose patient name, ID, date, modality or description contains `text`.
  void setFilter(const QString& text);
  QTreeWidget* tree() const { return tree_; }
  /// The open (current) series: studies of the same patient are listed first, under "Suggested
  /// priors" (older first), where a double click opens a series as the comparison. Takes effect
  /// at the next refresh().
  void setCurrentSeries(const QString& seriesUid) { currentSeries_ = seriesUid; }
  /// Series Instance UIDs listed under "Suggested priors", in order.
  QStringList suggestedPriors() const;
  /// The open series' patient ID and Study Instance UID, as the last refresh() found them in the
  /// index (empty when it is not there).
  QString currentPatientId() const { return currentPatientId_; }
  QString currentStudyUid() const { return currentStudyUid_; }
  /// Suggested priors from the archive (PacsPanel::findPriors' answer): the studies of `patientId`
  /// on `node`; those the index lacks are listed under "Suggested priors" ("on NODE") while the
  /// open series is that patient's, and a double click asks for them (retrievePrior).
  void setArchivePriors(const QString& node, const QString& patientId, const QList<ArchiveStudy>& studies);
  /// Study Instance UIDs listed as priors on the archive, in order.
  QStringList archivePriors() const;
  /// Shows the open series' measurement count without re-reading the index.
  void setMeasurementCount(const QString& seriesUid, int count);
  /// Number of series items visible under the current filter.
  int visibleSeriesCount() const;
  /// Series whose thumbnail is ready.
  int thumbnailCount() const { return int(thumbnails_.size()); }

signals:
  /// A series was chosen (double-click or Enter): its folder and Series Instance UID.
  void openSeries(const QString& folder, const QString& seriesUid);
  void openComparison(const QString& folder, const QString& seriesUid);
  void thumbnailReady(const QString& seriesUid);
  /// Reading the index failed; the message names the file.
  void indexError(const QString& message);
  /// A prior listed from the archive was chosen: retrieve it, then open it as the comparison.
  void retrievePrior(const QString& node, const QString& studyUid, int images);

protected:
  /// Starts dragging a series row (into any view) once the mouse moved far enough.
  bool eventFilter(QObject* watched, QEvent* event) override;
  void changeEvent(QEvent* event) override;

private:
  /// Sets the static texts in the current language; once the list was read, lists it again
  /// (placeholders, counts and dates in the language and locale).
  void retranslateUi();
  QPoint dragStart_;
  bool refreshed_ = false; ///< refresh() ran: the list has rows to translate
  void startThumbnails(std::vector<std::string> seriesUids);
  /// The "AI pre-read" column of a series row: a `lightbox batch` run's state, findings, worst
  /// Lung-RADS; the reason and the steps' notes in its tooltip.
  /// `reviewed`: the reader has decided on findings of the series' review.
  void setPreRead(QTreeWidgetItem* item, const PreReadSummary& pre, bool reviewed);
  /// A study row under `parent` with a row per series (text, modality, files, UID, folder,
  /// thumbnail when made) and the study's search text; `each` adds what differs per list.
  QTreeWidgetItem* addStudyItem(QTreeWidgetItem* parent, const IndexedStudy& study,
                                const std::function<void(QTreeWidgetItem*, const IndexedSeries&)>& each);
  void stopThumbnails();

  QString currentSeries_;
  QString currentPatientId_, currentStudyUid_;
  QString archiveNode_, archivePatientId_;
  QList<ArchiveStudy> archivePriors_;
  QLineEdit* search_;
  QTreeWidget* tree_;
  QMap<QString, QIcon> thumbnails_;
  std::thread worker_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> working_{false};

public:
  /// True while thumbnails are still being made (tests wait for rest before measuring idle).
  bool thumbnailsBusy() const { return working_; }
};

/// A study date as the reader's language writes dates (DICOM's YYYYMMDD; anything else as it is):
/// Chinese "2024/1/2", otherwise ISO "2024-01-02". The study list and the PACS tab both use it.
QString displayDate(const std::string& studyDate);

/// Drag-and-drop payload of one series: its folder as a file URL (any drop target that opens
/// folders understands it) and its Series Instance UID under kSeriesMimeType.
constexpr const char* kSeriesMimeType = "application/x-lightbox-series-uid";
QMimeData* seriesMimeData(const QString& folder, const QString& seriesUid);

} // namespace lightbox
