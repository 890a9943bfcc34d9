// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/report/FinalizeReport.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QComboBox;
class QEvent;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace lightbox {

class ViewerDocument;

/// AI > Finalize report...: the summary first (what goes in, what is written where, what blocks
/// a valid object), the reader's name and the impression drafted from the findings (editable),
/// then one click writes the version (SEG, SR, KOS, PDF, Encapsulated PDF).
class FinalizeDialog : public QDialog {
  Q_OBJECT
public:
  /// Plans the report of `document`'s series (findings without a mask are segmented now).
  explicit FinalizeDialog(const ViewerDocument& document, QWidget* parent = nullptr);

  const ReportPlan& plan() const { return plan_; }
  /// Set after a successful finalize.
  const ReportResult& result() const { return result_; }
  /// The reader's name, impression and folder into the plan, then writes it (the dialog's OK).
  /// Returns false with `error()` set when writing failed.
  bool finalize();
  const QString& error() const { return error_; }

  QLineEdit* readerField() const { return reader_; }
  QPlainTextEdit* impressionField() const { return impression_; }
  QLineEdit* folderField() const { return folder_; }
  /// "Send to": a node of the PACS node list, or empty to keep the report on this computer.
  QComboBox* sendToField() const { return sendTo_; }
  QString sendNode() const;

protected:
  void changeEvent(QEvent* event) override;
  /// Keeps "Finalize" on the OK button: the button box names its standard buttons again on a
  /// language change, after the dialog's own changeEvent.
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  /// (Re)sets every static text in the current language (a language change applies at once).
  void retranslateUi();
  void refreshSummary();

  const ViewerDocument& document_;
  ReportPlan plan_;
  ReportResult result_;
  QString error_;
  QLabel* summaryLabel_ = nullptr;
  QPlainTextEdit* summary_ = nullptr;
  QLabel* readerLabel_ = nullptr;
  QLineEdit* reader_ = nullptr;
  QLabel* folderLabel_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QPushButton* browse_ = nullptr;
  QLabel* alsoLabel_ = nullptr;
  QLabel* impressionLabel_ = nullptr;
  QPlainTextEdit* impression_ = nullptr;
  QCheckBox* nifti_ = nullptr;
  QCheckBox* csv_ = nullptr;
  QLabel* sendToLabel_ = nullptr;
  QComboBox* sendTo_ = nullptr;
  QPushButton* ok_ = nullptr;
  std::vector<QCheckBox*> sizeBoxes_; ///< one per finding whose mask size needs the reader's confirmation
  std::vector<ReportFinding> sizeFindings_; ///< the finding of each of sizeBoxes_ (its text)
};

} // namespace lightbox
