// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/PacsNodesDialog.h"

#include "core/net/DicomNetwork.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMetaObject>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <stdexcept>

namespace lightbox {

namespace {
enum Column { kName, kAddress, kAuth, kUser, kSecretEnv, kColumns };
} // namespace

PacsNodesDialog::PacsNodesDialog(QWidget* parent)
    : QDialog(parent), aeTitle_(new QLineEdit), port_(new QSpinBox), table_(new QTableWidget(0, kColumns)),
      add_(new QPushButton(tr("Add"))), remove_(new QPushButton(tr("Remove"))), echo_(new QPushButton(tr("Echo"))),
      status_(new QLabel) {
  setWindowTitle(tr("PACS nodes"));
  port_->setRange(1, 65535);
  auto* form = new QFormLayout;
  form->addRow(tr("Our AE title"), aeTitle_);
  form->addRow(tr("Our receiver port"), port_);
  table_->setHorizontalHeaderLabels(
      {tr("Name"), tr("AET@host:port or DICOMweb URL"), tr("Authentication"), tr("User"), tr("Secret in variable")});
  table_->horizontalHeader()->setSectionResizeMode(kAddress, QHeaderView::Stretch);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setToolTip(tr("Authentication: empty, basic or bearer (DICOMweb). The password or token is read from "
                        "the named environment variable when the node is used; it is never saved."));
  auto* rowButtons = new QHBoxLayout;
  rowButtons->addWidget(add_);
  rowButtons->addWidget(remove_);
  rowButtons->addWidget(echo_);
  rowButtons->addStretch();
  status_->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(table_, 1);
  layout->addLayout(rowButtons);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  resize(820, 420);

  PacsNodeList current;
  try {
    current = loadPacsNodeList(defaultPacsNodeListPath());
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
  }
  aeTitle_->setText(QString::fromStdString(current.local.aeTitle));
  port_->setValue(current.local.port);
  for (const PacsNode& n : current.nodes) addRow(n);

  connect(add_, &QPushButton::clicked, this, [this] {
    addRow(PacsNode{});
    table_->setCurrentCell(table_->rowCount() - 1, kName);
    table_->editItem(table_->item(table_->rowCount() - 1, kName));
  });
  connect(remove_, &QPushButton::clicked, this, [this] {
    if (table_->currentRow() >= 0) table_->removeRow(table_->currentRow());
  });
  connect(echo_, &QPushButton::clicked, this, &PacsNodesDialog::echoSelected);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (save()) accept();
  });
}

PacsNodesDialog::~PacsNodesDialog() {
  if (echoWorker_.joinable()) echoWorker_.join();
}

void PacsNodesDialog::addRow(const PacsNode& node) {
  const int row = table_->rowCount();
  table_->insertRow(row);
  const QString address = node.name.empty() && node.aeTitle.empty() && node.url.empty()
                              ? QString()
                              : QString::fromStdString(node.address());
  const QString texts[kColumns] = {QString::fromStdString(node.name), address, QString::fromStdString(node.auth),
                                   QString::fromStdString(node.user), QString::fromStdString(node.secretEnv)};
  for (int c = 0; c < kColumns; ++c) table_->setItem(row, c, new QTableWidgetItem(texts[c]));
}

PacsNodeList PacsNodesDialog::list() const {
  PacsNodeList list;
  list.local.aeTitle = aeTitle_->text().trimmed().toStdString();
  list.local.port = port_->value();
  if (const std::string p = aeTitleProblem(list.local.aeTitle); !p.empty()) {
    throw std::invalid_argument(tr("Our AE title: %1").arg(QString::fromStdString(p)).toStdString());
  }
  auto text = [this](int row, int column) {
    const QTableWidgetItem* item = table_->item(row, column);
    return item ? item->text().trimmed().toStdString() : std::string();
  };
  for (int row = 0; row < table_->rowCount(); ++row) {
    const std::string name = text(row, kName);
    const QString where = tr("Row %1").arg(row + 1);
    if (name.empty()) throw std::invalid_argument(tr("%1: a node needs a name").arg(where).toStdString());
    PacsNode node;
    try {
      node = resolvePacsNode(text(row, kAddress), PacsNodeList{});
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument((where + ": " + QString::fromStdString(e.what())).toStdString());
    }
    node.name = name;
    node.auth = text(row, kAuth);
    node.user = text(row, kUser);
    node.secretEnv = text(row, kSecretEnv);
    if (!node.auth.empty() && node.auth != "basic" && node.auth != "bearer") {
      throw std::invalid_argument(tr("%1: authentication is empty, basic or bearer").arg(where).toStdString());
    }
    if (!node.auth.empty() && !node.isDicomWeb()) {
      throw std::invalid_argument(tr("%1: authentication applies to DICOMweb URLs only").arg(where).toStdString());
    }
    for (const PacsNode& other : list.nodes) {
      if (other.name == node.name) {
        throw std::invalid_argument(tr("%1: the name %2 is used twice").arg(where, QString::fromStdString(name)).toStdString());
      }
    }
    list.nodes.push_back(node);
  }
  return list;
}

bool PacsNodesDialog::save() {
  try {
    savePacsNodeList(defaultPacsNodeListPath(), list());
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return false;
  }
  status_->setText(tr("Saved to %1").arg(QString::fromStdString(defaultPacsNodeListPath())));
  return true;
}

QString PacsNodesDialog::error() const { return status_->text(); }
QString PacsNodesDialog::status() const { return status_->text(); }

void PacsNodesDialog::echoSelected() {
  if (echoBusy_ || table_->currentRow() < 0) return;
  PacsNodeList nodes;
  try {
    nodes = list();
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return;
  }
  const PacsNode node = nodes.nodes.at(std::size_t(table_->currentRow()));
  const LocalAe local = nodes.local;
  if (echoWorker_.joinable()) echoWorker_.join();
  echoBusy_ = true;
  echo_->setEnabled(false);
  status_->setText(tr("Echo %1...").arg(QString::fromStdString(node.label())));
  echoWorker_ = std::thread([this, node, local] {
    QString text;
    try {
      text = tr("%1: echo ok in %2 ms").arg(QString::fromStdString(node.label())).arg(qRound(echoNode(node, local)));
    } catch (const std::exception& e) {
      text = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(this, [this, text] {
      status_->setText(text);
      echo_->setEnabled(true);
      echoBusy_ = false;
    }, Qt::QueuedConnection);
  });
}

} // namespace lightbox
