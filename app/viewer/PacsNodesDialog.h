// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/net/PacsNode.h"

#include <QDialog>

#include <atomic>
#include <thread>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace lightbox {

/// The PACS node list (issue 27), edited: this workstation's AE title and receiver port, and the
/// archives (name, AET@host:port or a DICOMweb URL, authentication, user, the environment variable
/// holding the secret: never the secret itself). Echo tests the selected row off the GUI thread.
/// OK checks every row and saves the list (atomically), else says what is wrong and keeps the
/// dialog open.
class PacsNodesDialog : public QDialog {
  Q_OBJECT
public:
  explicit PacsNodesDialog(QWidget* parent = nullptr);
  ~PacsNodesDialog() override;

  /// The rows as a node list; throws std::invalid_argument naming the row and the problem.
  PacsNodeList list() const;
  /// Checks and writes the list to the settings file; false with `error()` set when a row is wrong.
  bool save();
  QString error() const;
  QTableWidget* table() const { return table_; }
  QLineEdit* aeTitleField() const { return aeTitle_; }
  QSpinBox* portField() const { return port_; }
  void addRow(const PacsNode& node);
  /// Echoes the selected row's node; the answer comes into status() (tests wait on echoBusy()).
  void echoSelected();
  bool echoBusy() const { return echoBusy_; }
  QString status() const;

private:
  QLineEdit* aeTitle_;
  QSpinBox* port_;
  QTableWidget* table_;
  QPushButton* add_;
  QPushButton* remove_;
  QPushButton* echo_;
  QLabel* status_;
  std::thread echoWorker_;
  std::atomic<bool> echoBusy_{false};
};

} // namespace lightbox
