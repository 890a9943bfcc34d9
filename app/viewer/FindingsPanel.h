// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace lightbox {

class ViewerDocument;
struct DetectionOutcome;

/// What detection needs to know about the open series beyond its voxels.
struct SeriesFacts {
  std::string modality;
  double sliceThicknessMm = 0;
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

  void setSeriesFacts(const SeriesFacts& facts) { facts_ = facts; }
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

  QTableWidget* table() const { return table_; }
  QLabel* lungRadsLabel() const { return lungRads_; }
  QComboBox* operatingPoint() const { return operatingPoint_; }
  QComboBox* rejectReason() const { return reason_; }

signals:
  /// Detection finished (ok) or failed / was cancelled (message says why).
  void detectionFinished(bool ok, const QString& message);
  /// E was pressed: the window switches to the length tool so the reader can drag the handles.
  void editRequested(int measurementId);

private:
  void refresh();
  void refreshDecisionSupport();
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
  QComboBox* operatingPoint_;
  QCheckBox* hideRejected_;
  QComboBox* reason_;
  QTableWidget* table_;
  QLabel* summary_ = nullptr; ///< how many findings at the operating point, how many decided
  QLabel* lungRads_;
  QLabel* brock_;
  QSpinBox* age_;
  QComboBox* sex_;
  QCheckBox* familyHistory_;
  QCheckBox* emphysema_;
  bool running_ = false;
  bool refreshing_ = false;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  std::thread worker_; ///< joined on destruction: the model never outlives the window
};

} // namespace lightbox
