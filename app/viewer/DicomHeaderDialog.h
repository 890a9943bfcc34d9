// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QLineEdit;
class QTreeWidget;

namespace lightbox {

/// The DICOM tag viewer: every header element of one file (sequences as nested items), filtered
/// as the reader types a tag, keyword or value.
class DicomHeaderDialog : public QDialog {
  Q_OBJECT
public:
  DicomHeaderDialog(const QString& path, QWidget* parent = nullptr);

  QTreeWidget* tree() const { return tree_; }
  void setFilter(const QString& text);

private:
  QLineEdit* filter_;
  QTreeWidget* tree_;
};

} // namespace lightbox
