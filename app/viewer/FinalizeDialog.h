// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/report/FinalizeReport.h"

#include <QDialog>

#include <vector>

class QCheckBox;
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

private:
  void refreshSummary();

  const ViewerDocument& document_;
  ReportPlan plan_;
  ReportResult result_;
  QString error_;
  QPlainTextEdit* summary_ = nullptr;
  QLineEdit* reader_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QPlainTextEdit* impression_ = nullptr;
  QCheckBox* nifti_ = nullptr;
  QCheckBox* csv_ = nullptr;
  QPushButton* ok_ = nullptr;
  std::vector<QCheckBox*> sizeBoxes_; ///< one per finding whose mask size needs the reader's confirmation
};

} // namespace lightbox
