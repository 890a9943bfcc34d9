// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace lightbox {

/// The DICOM tag viewer: every header element of one file (sequences as nested items), filtered
/// as the reader types a tag, keyword or value.
class DicomHeaderDialog : public QDialog {
  Q_OBJECT
public:
  DicomHeaderDialog(const QString& path, QWidget* parent = nullptr);

  QTreeWidget* tree() const { return tree_; }
  void setFilter(const QString& text);

protected:
  void changeEvent(QEvent* event) override;

private:
  /// Title, placeholder and column headers in the current language.
  void retranslateUi();

  QString path_;
  QLineEdit* filter_;
  QTreeWidget* tree_;
  QTreeWidgetItem* errorItem_ = nullptr; ///< the row saying the file could not be read
};

} // namespace lightbox
