// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/Registration.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

namespace lightbox {

class RegistrationController;

/// The Registration dock: engine, Register / Cancel with progress, the link's state, fusion mode,
/// opacity, checkerboard squares and the deformation / quality map. Also builds the Registration
/// menu (the keys) and the status bar's progress; every control drives the controller.
class RegistrationPanel : public QWidget {
  Q_OBJECT
public:
  explicit RegistrationPanel(RegistrationController* controller, QWidget* parent = nullptr);

  RegistrationEngine engine() const;
  void setEngine(RegistrationEngine engine);
  /// Registers with the chosen engine (Ctrl+R).
  void registerPrior();
  /// The menu's actions: register (Ctrl+R), cancel, engine, fusion mode (F), map (Shift+F),
  /// stronger / weaker (= / -).
  void populateMenu(QMenu* menu);
  /// A progress bar and a Cancel button for the status bar, shown while a registration runs.
  QWidget* statusWidget() const { return status_; }
  /// The dock's line about the link and the last run (tests read it).
  QString stateText() const;
  QPushButton* cancelButton() const { return cancel_; }

private:
  void syncControls();

  RegistrationController* controller_;
  QComboBox* engine_;
  QPushButton* register_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* state_;
  QLabel* lastRun_;
  QComboBox* fusion_;
  QSlider* opacity_;
  QSpinBox* square_;
  QComboBox* map_;
  QWidget* status_;
  QProgressBar* statusProgress_;
  bool modelEngineUsable_ = false; ///< the learned engine's model was found and its hash checked
};

} // namespace lightbox
