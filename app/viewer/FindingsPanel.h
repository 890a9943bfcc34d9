// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"
#include "core/clinical/Growth.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

class QCheckBox;
class QComboBox;
class QEvent;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace lightbox {

class ReadingSession;
class ViewerDocument;
struct DetectionOutcome;

/// What detection needs to know about the open series beyond its voxels.
struct SeriesFacts {
  std::string modality;
  double sliceThicknessMm = 0;
  int ageYears = 0;      ///< the age DICOM gives (0: none)
  std::string ageSource; ///< where it came from (patientAgeOf)
};

/// The AI review panel: runs nodule detection off the GUI thread (progress, cancel), lists the
/// findings ranked by score with a thumbnail each, sets the operating point in expected false
/// positives per scan, and carries the one-key triage (N/P/A/R/E) and the decision support
/// (Lung-RADS v2022 suggestion, Brock probability per nodule).
class FindingsPanel : public QWidget {
  Q_OBJECT
public:
  explicit FindingsPanel(ViewerDocument* document, QWidget* parent = nullptr);
  ~FindingsPanel() override;

  void setSeriesFacts(const SeriesFacts& facts) {
    facts_ = facts;
    refreshDecisionSupport(); // it names where the age came from
  }
  /// Starts detection on the document's volume; returns false when one is already running.
  bool runDetection();
  bool detectionRunning() const { return running_; }
  void cancelDetection();

  // One-key triage on the selected finding (the first visible one when none is selected).
  void next();
  void previous();
  void accept();
  void reject();
  void edit();

  /// Growth against a registered prior (assessReviewGrowth in core/review/ReviewGrowth.h): shows
  /// the growth columns (prior match, diameter change, volume change, doubling time, status) and
  /// bases the Lung-RADS suggestion on the v2022 follow-up rules. Empty: no prior, columns hidden,
  /// baseline rules. Results are matched to rows by finding id; the caller sets them again when
  /// the current or prior review changes (findings without a result show "-").
  void setGrowth(const std::vector<GrowthResult>& growth);
  const std::vector<GrowthResult>& growth() const { return growth_; }
  /// The same, kept up to date: growth is assessed again (assessReviewGrowth) on every change of
  /// the open series' review, against `prior` (the prior series' review) through
  /// `currentLpsToPriorLps`, with the interval from the two study dates (DICOM DA; empty: unknown).
  /// Null `prior` clears. Dropped when another series is opened.
  void setPriorComparison(std::shared_ptr<const ReadingSession> prior, const RegistrationTransform& currentLpsToPriorLps,
                          const std::string& currentStudyDate, const std::string& priorStudyDate);

  QTableWidget* table() const { return table_; }
  QLabel* lungRadsLabel() const { return lungRads_; }
  QComboBox* operatingPoint() const { return operatingPoint_; }
  QComboBox* rejectReason() const { return reason_; }

protected:
  void changeEvent(QEvent* event) override;

signals:
  /// Detection finished (ok) or failed / was cancelled (message says why).
  void detectionFinished(bool ok, const QString& message);
  /// E was pressed: the window switches to the length tool so the reader can drag the handles.
  void editRequested(int measurementId);
  /// A sentence for the status bar after a key's decision ("Accepted F4, now at F1").
  void statusMessage(const QString& message);

private:
  /// (Re)sets every static text in the current language and refreshes the rows (a language change
  /// applies at once).
  void retranslateUi();
  void refresh();
  void refreshDecisionSupport();
  /// A or R: decides on the current finding, moves on when the setting says so, says both.
  void decide(FindingState state);
  /// The finding after `id` in the list (empty at the end): where A and R move on to.
  std::string followingId(const std::string& id) const;
  std::string currentId() const;
  void finishDetection(const QString& seriesKey, const QString& error, const DetectionOutcome* outcome);

  ViewerDocument* document_;
  SeriesFacts facts_;
  QPushButton* detect_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* model_;
  QLabel* warnings_;
  QLabel* operatingPointLabel_;
  QComboBox* operatingPoint_;
  QCheckBox* hideRejected_;
  QCheckBox* advance_; ///< A and R move on to the next finding (a setting, saved)
  QLabel* reasonLabel_;
  QComboBox* reason_; ///< items: the reason in the reader's language, the English one (stored) as data
  QTableWidget* table_;
  QPushButton* previous_;
  QPushButton* next_;
  QPushButton* accept_;
  QPushButton* reject_;
  QPushButton* edit_;
  QLabel* support_;
  QLabel* summary_ = nullptr; ///< how many findings at the operating point, how many decided
  QLabel* lungRads_;
  QLabel* brock_;
  QSpinBox* age_;
  QComboBox* sex_;
  QCheckBox* familyHistory_;
  QCheckBox* emphysema_;
  std::vector<GrowthResult> growth_;
  QString growthSeries_; ///< the series the growth is of
  struct PriorComparison {
    std::shared_ptr<const ReadingSession> prior;
    RegistrationTransform currentLpsToPriorLps;
    std::string currentStudyDate, priorStudyDate;
  };
  PriorComparison comparison_;
  bool running_ = false;
  bool refreshing_ = false;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  std::thread worker_; ///< joined on destruction: the model never outlives the window
};

} // namespace lightbox
