// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace lightbox {

/// A study on the archive, as a study-level find describes it.
struct ArchiveStudy {
  QString studyUid, studyDate, description, modalities;
  int images = -1; ///< Number of Study Related Instances; -1 when the archive did not say
};

/// The "PACS" tab of the study browser (issue 27): search an archive of the node list (patient
/// name, ID, date range, modality, accession), results as study rows with their series (what is in
/// the local index already is marked), retrieve a study or series with progress and cancel. Every
/// network call runs on a worker thread; the window keeps serving events.
class PacsPanel : public QWidget {
  Q_OBJECT
public:
  explicit PacsPanel(QWidget* parent = nullptr);
  ~PacsPanel() override;

  /// Re-reads the node list (the settings file).
  void reloadNodes();
  /// For tests and scripts: the search fields and the node by its name or address.
  void setQuery(const QString& node, const QString& patientName, const QString& patientId = {},
                const QString& studyDate = {}, const QString& modality = {});
  void search();
  /// Retrieves the selected study or series row.
  void retrieveSelected();
  /// Suggested priors from the archive: the other studies of the patient with `patientId` on the
  /// tab's node (a study-level find on the worker thread), answered by priorsOnArchive (with what
  /// the index holds already). Nothing without a node or a patient ID. Asked while a network job
  /// runs, it runs after that one (the last one asked); asked again for the same patient and
  /// node, it is not repeated.
  void findPriors(const QString& patientId, const QString& currentStudyUid);
  /// Retrieves one study of `node` for the comparison view: priorRetrieved once it is in the
  /// index (no firstImageArrived: the current series stays as it is).
  void retrievePrior(const QString& node, const QString& studyUid, int expectedObjects);
  void cancel();
  QTreeWidget* results() const { return results_; }
  QString status() const;
  /// What the last suggested-priors lookup found ("2 other studies of this patient on NODE, 1 not
  /// in the local index"); the tab's own status line is left to the reader's searches.
  QString priorsStatus() const { return priorsStatus_; }
  bool busy() const { return busy_; }

signals:
  /// A retrieve finished and its objects are in the index: the first series received, to open.
  void retrieved(const QString& folder, const QString& seriesUid);
  /// The first image of a retrieve has arrived (the rest still coming): its study folder and series,
  /// so the reader sees it at once; retrieved() follows with the whole series.
  void firstImageArrived(const QString& folder, const QString& seriesUid);
  /// A network call failed; the message names the node and the reason.
  void failed(const QString& message);
  /// The answer to findPriors: the patient's other studies on `node` (local ones included; the
  /// study browser lists those it lacks).
  void priorsOnArchive(const QString& node, const QString& patientId, const QList<lightbox::ArchiveStudy>& studies);
  /// A prior asked for with retrievePrior is in the index: its folder and largest series.
  void priorRetrieved(const QString& folder, const QString& seriesUid);

protected:
  void changeEvent(QEvent* event) override;

private:
  void retranslateUi();
  void setBusy(bool busy, const QString& status);
  void runWorker(std::function<void()> work);
  void showStudies(const std::shared_ptr<void>& matches);
  void expandStudy(QTreeWidgetItem* item);
  /// A C-GET (or C-MOVE, WADO-RS) of a study or series of `spec` into the index; `asPrior`: for
  /// the comparison view (priorRetrieved, no first image shown).
  void retrieve(const QString& spec, const QString& studyUid, const QString& seriesUid, int expected, bool asPrior);

  QComboBox* node_;
  QPushButton* echo_;
  QPushButton* nodes_;
  QLineEdit* name_;
  QLineEdit* id_;
  QLineEdit* date_;
  QLineEdit* modality_;
  QLineEdit* accession_;
  QPushButton* search_;
  QTreeWidget* results_;
  QPushButton* retrieve_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  std::thread worker_;
  std::atomic<bool> busy_{false};
  std::atomic<bool> cancelRequested_{false};
  QStringList pendingPriors_;    ///< {patient ID, current study UID} asked while busy
  QString priorsAskedFor_;       ///< "node|patient ID|study UID" of the last prior search
  QStringList priorsFailedOn_;   ///< nodes whose prior search failure was said in Messages
  QString priorsStatus_;         ///< what the last prior search found (priorsStatus())
};

} // namespace lightbox
