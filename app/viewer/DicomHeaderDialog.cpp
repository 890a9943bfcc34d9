// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/DicomHeaderDialog.h"

#include "core/dicom/DicomHeaderDump.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>
#include <vector>

namespace lightbox {

DicomHeaderDialog::DicomHeaderDialog(const QString& path, QWidget* parent)
    : QDialog(parent), path_(path), filter_(new QLineEdit(this)), tree_(new QTreeWidget(this)) {
  resize(900, 700);
  auto* layout = new QVBoxLayout(this);
  auto* file = new QLabel(path, this);
  file->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(file);
  filter_->setClearButtonEnabled(true);
  layout->addWidget(filter_);
  tree_->setColumnCount(4);
  tree_->setUniformRowHeights(true);
  tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  tree_->header()->setStretchLastSection(true);
  layout->addWidget(tree_);
  try {
    std::vector<QTreeWidgetItem*> lastAt; // the latest item at each depth: the parent of the next one deeper
    for (const DicomTagLine& l : dumpDicomHeader(path.toStdString())) {
      const QStringList columns{QString::fromStdString(l.tag), QString::fromStdString(l.vr),
                                QString::fromStdString(l.name), QString::fromStdString(l.value)};
      const std::size_t depth = std::size_t(l.depth);
      QTreeWidgetItem* parent = depth > 0 && depth - 1 < lastAt.size() ? lastAt[depth - 1] : nullptr;
      auto* item = parent ? new QTreeWidgetItem(parent, columns) : new QTreeWidgetItem(tree_, columns);
      lastAt.resize(depth + 1);
      lastAt[depth] = item;
    }
  } catch (const std::exception& e) {
    errorItem_ = new QTreeWidgetItem(tree_, {"", "", "", QString::fromUtf8(e.what())});
  }
  tree_->expandToDepth(1);
  connect(filter_, &QLineEdit::textChanged, this, &DicomHeaderDialog::setFilter);
  retranslateUi();
}

void DicomHeaderDialog::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QDialog::changeEvent(event);
}

void DicomHeaderDialog::retranslateUi() {
  setWindowTitle(tr("DICOM header — %1").arg(path_));
  filter_->setPlaceholderText(tr("Filter by tag, name or value"));
  // The rows are the file's own (DICOM keywords and values): they stay as they are.
  tree_->setHeaderLabels({tr("Tag"), tr("VR"), tr("Name"), tr("Value")});
  if (errorItem_) errorItem_->setText(2, tr("error"));
}

void DicomHeaderDialog::setFilter(const QString& text) {
  // An item stays when it or anything below it matches; its parents stay to show where it is.
  std::function<bool(QTreeWidgetItem*)> apply = [&](QTreeWidgetItem* item) {
    bool match = text.isEmpty();
    for (int c = 0; c < 4 && !match; ++c) match = item->text(c).contains(text, Qt::CaseInsensitive);
    bool child = false;
    for (int i = 0; i < item->childCount(); ++i) child = apply(item->child(i)) || child;
    item->setHidden(!(match || child));
    return match || child;
  };
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) apply(tree_->topLevelItem(i));
}

} // namespace lightbox
