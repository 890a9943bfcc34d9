// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/Registration.h"

#include <QPointer>
#include <QWidget>

class QAction;
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
  /// stronger / weaker (= / -). Safe to call again (on a cleared menu, or another one): the
  /// actions and the Engine submenu an earlier call made are deleted first, with their
  /// connections, so there is always one set. The texts follow a language change by themselves.
  void populateMenu(QMenu* menu);
  /// A progress bar and a Cancel button for the status bar, shown while a registration runs.
  QWidget* statusWidget() const { return status_; }
  /// The dock's line about the link and the last run (tests read it).
  QString stateText() const;
  QPushButton* cancelButton() const { return cancel_; }

protected:
  void changeEvent(QEvent* event) override;

private:
  void syncControls();
  /// Sets every static text (labels, buttons, combo items, the menu's actions) in the current
  /// language and refreshes the dynamic ones.
  void retranslateUi();
  /// The texts of the menu actions populateMenu made (those that still exist).
  void retranslateMenu();

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
  QPushButton* statusCancel_;
  QLabel* statusLabel_;
  QLabel* engineLabel_;
  QLabel* fusionLabel_;
  QLabel* opacityLabel_;
  QLabel* squareLabel_;
  QLabel* mapLabel_;
  QString stage_; ///< the running registration's stage as core names it (progress bars' text)
  bool modelEngineUsable_ = false; ///< the learned engine's model was found and its hash checked
  QString modelProblem_;           ///< why it cannot be used (empty when it can)
  /// What populateMenu made (null once deleted, e.g. by the menu's clear()).
  QPointer<QAction> registerAction_, cancelAction_, separatorAction_, fusionAction_, mapAction_,
      strongerAction_, weakerAction_;
  QPointer<QMenu> engineMenu_; ///< owns its engine actions and their action group
};

} // namespace lightbox
