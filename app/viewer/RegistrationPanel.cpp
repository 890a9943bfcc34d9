// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/RegistrationPanel.h"

#include "app/i18n/Terms.h"

#include "ai/registration/LearnedRegistration.h"
#include "app/viewer/RegistrationController.h"

#include <QActionGroup>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cmath>
#include <iterator>

namespace lightbox {
namespace {

constexpr RegistrationEngine kEngines[] = {RegistrationEngine::Rigid, RegistrationEngine::Affine,
                                           RegistrationEngine::Deformable, RegistrationEngine::Model};
constexpr FusionMode kFusionModes[] = {FusionMode::Off, FusionMode::Blend, FusionMode::Checkerboard,
                                       FusionMode::Difference, FusionMode::Colour};
constexpr RegistrationMap kMaps[] = {RegistrationMap::Off, RegistrationMap::Jacobian, RegistrationMap::Displacement,
                                     RegistrationMap::Quality};

/// Why the learned engine cannot be chosen (empty when it can): its model is missing or refused.
QString modelEngineProblem() {
  try {
    findModel(kRegistrationModelName, defaultModelFolders());
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

} // namespace

RegistrationPanel::RegistrationPanel(RegistrationController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller), engine_(new QComboBox), register_(new QPushButton),
      cancel_(new QPushButton), progress_(new QProgressBar), state_(new QLabel), lastRun_(new QLabel),
      fusion_(new QComboBox), opacity_(new QSlider(Qt::Horizontal)), square_(new QSpinBox), map_(new QComboBox),
      status_(new QWidget), statusProgress_(new QProgressBar), statusCancel_(new QPushButton),
      statusLabel_(new QLabel), engineLabel_(new QLabel), fusionLabel_(new QLabel), opacityLabel_(new QLabel),
      squareLabel_(new QLabel), mapLabel_(new QLabel) {
  // Items first, texts in retranslateUi(): an item's index is its engine, mode or map.
  for (std::size_t i = 0; i < std::size(kEngines); ++i) engine_->addItem(QString());
  modelProblem_ = modelEngineProblem();
  modelEngineUsable_ = modelProblem_.isEmpty();
  if (auto* model = qobject_cast<QStandardItemModel*>(engine_->model()); model && !modelEngineUsable_) {
    model->item(int(RegistrationEngine::Model))->setEnabled(false);
  }
  engine_->setCurrentIndex(int(RegistrationEngine::Affine));
  for (std::size_t i = 0; i < std::size(kFusionModes); ++i) fusion_->addItem(QString());
  for (std::size_t i = 0; i < std::size(kMaps); ++i) map_->addItem(QString());
  opacity_->setRange(5, 100);
  square_->setRange(2, 200);
  square_->setSuffix(" mm");
  progress_->setRange(0, 100);
  progress_->hide();
  cancel_->setEnabled(false);
  state_->setWordWrap(true);
  lastRun_->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  engineLabel_->setBuddy(engine_);
  form->addRow(engineLabel_, engine_);
  layout->addLayout(form);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(register_);
  buttons->addWidget(cancel_);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(state_);
  layout->addWidget(lastRun_);
  auto* display = new QFormLayout;
  fusionLabel_->setBuddy(fusion_);
  opacityLabel_->setBuddy(opacity_);
  squareLabel_->setBuddy(square_);
  mapLabel_->setBuddy(map_);
  display->addRow(fusionLabel_, fusion_);
  display->addRow(opacityLabel_, opacity_);
  display->addRow(squareLabel_, square_);
  display->addRow(mapLabel_, map_);
  layout->addLayout(display);
  layout->addStretch(1);

  auto* statusLayout = new QHBoxLayout(status_);
  statusLayout->setContentsMargins(0, 0, 0, 0);
  statusProgress_->setRange(0, 100);
  statusProgress_->setMaximumWidth(220);
  statusLayout->addWidget(statusLabel_);
  statusLayout->addWidget(statusProgress_);
  statusLayout->addWidget(statusCancel_);
  status_->hide();

  connect(register_, &QPushButton::clicked, this, &RegistrationPanel::registerPrior);
  connect(cancel_, &QPushButton::clicked, controller_, &RegistrationController::cancel);
  connect(statusCancel_, &QPushButton::clicked, controller_, &RegistrationController::cancel);
  connect(fusion_, qOverload<int>(&QComboBox::activated), this,
          [this](int i) { controller_->setFusionMode(FusionMode(i)); });
  connect(map_, qOverload<int>(&QComboBox::activated), this,
          [this](int i) { controller_->setMap(RegistrationMap(i)); });
  connect(opacity_, &QSlider::valueChanged, this, [this](int v) { controller_->setOpacity(v / 100.0); });
  connect(square_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) { controller_->setSquareMm(v); });

  connect(controller_, &RegistrationController::started, this, [this] {
    register_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setValue(0);
    progress_->show();
    statusProgress_->setValue(0);
    status_->show();
  });
  connect(controller_, &RegistrationController::progressed, this, [this](double fraction, const QString& stage) {
    const int percent = int(std::lround(100.0 * fraction));
    stage_ = stage;
    const QString format = tr("%1 %p%").arg(term(stage_.toUtf8().constData()));
    progress_->setValue(percent);
    progress_->setFormat(format);
    statusProgress_->setValue(percent);
    statusProgress_->setFormat(format);
  });
  connect(controller_, &RegistrationController::finished, this, [this](bool, const QString& message) {
    register_->setEnabled(true);
    cancel_->setEnabled(false);
    progress_->hide();
    status_->hide();
    lastRun_->setText(message);
  });
  connect(controller_, &RegistrationController::transformChanged, this, &RegistrationPanel::syncControls);
  connect(controller_, &RegistrationController::overlaysChanged, this, &RegistrationPanel::syncControls);
  retranslateUi(); // the texts, and syncControls()
}

void RegistrationPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void RegistrationPanel::retranslateUi() {
  engineLabel_->setText(tr("Engine"));
  register_->setText(tr("Register (Ctrl+R)"));
  cancel_->setText(tr("Cancel"));
  fusionLabel_->setText(tr("Fusion (F)"));
  opacityLabel_->setText(tr("Opacity (- / =)"));
  squareLabel_->setText(tr("Squares (- / =)"));
  mapLabel_->setText(tr("Map (Shift+F)"));
  statusLabel_->setText(tr("Registering"));
  statusCancel_->setText(tr("Cancel"));
  for (std::size_t i = 0; i < std::size(kEngines); ++i) {
    engine_->setItemText(int(i), term(registrationEngineName(kEngines[i])));
  }
  if (!modelEngineUsable_) {
    engine_->setItemData(int(RegistrationEngine::Model), tr("The learned engine cannot run: %1").arg(modelProblem_),
                         Qt::ToolTipRole);
  }
  for (std::size_t i = 0; i < std::size(kFusionModes); ++i) {
    const FusionMode m = kFusionModes[i];
    fusion_->setItemText(int(i), m == FusionMode::Colour ? tr("colour (prior magenta, current green)")
                                                         : term(toString(m)));
  }
  for (std::size_t i = 0; i < std::size(kMaps); ++i) map_->setItemText(int(i), term(toString(kMaps[i])));
  if (!stage_.isEmpty()) {
    const QString format = tr("%1 %p%").arg(term(stage_.toUtf8().constData()));
    progress_->setFormat(format);
    statusProgress_->setFormat(format);
  }
  retranslateMenu();
  syncControls(); // the link's line
}

RegistrationEngine RegistrationPanel::engine() const { return kEngines[engine_->currentIndex()]; }

void RegistrationPanel::setEngine(RegistrationEngine engine) { engine_->setCurrentIndex(int(engine)); }

void RegistrationPanel::registerPrior() { controller_->start(engine()); }

QString RegistrationPanel::stateText() const { return state_->text(); }

void RegistrationPanel::syncControls() {
  const QSignalBlocker b1(fusion_), b2(map_), b3(opacity_), b4(square_);
  fusion_->setCurrentIndex(int(controller_->fusionMode()));
  map_->setCurrentIndex(int(controller_->map()));
  opacity_->setValue(int(std::lround(controller_->opacity() * 100)));
  square_->setValue(int(std::lround(controller_->squareMm())));
  const QString link = controller_->linkText();
  state_->setText(link.isEmpty() ? tr("No comparison (prior) open") : link);
}

void RegistrationPanel::populateMenu(QMenu* menu) {
  // What an earlier call made goes first (null where the menu's clear() deleted it already); the
  // Engine submenu takes its actions, their group and their connections with it.
  delete registerAction_;
  delete cancelAction_;
  delete engineMenu_;
  delete separatorAction_;
  delete fusionAction_;
  delete mapAction_;
  delete strongerAction_;
  delete weakerAction_;
  registerAction_ = menu->addAction(QString(), QKeySequence("Ctrl+R"), this, &RegistrationPanel::registerPrior);
  cancelAction_ = menu->addAction(QString(), controller_, &RegistrationController::cancel);
  engineMenu_ = menu->addMenu(QString());
  auto* group = new QActionGroup(engineMenu_);
  for (RegistrationEngine e : kEngines) {
    QAction* a = engineMenu_->addAction(QString());
    a->setCheckable(true);
    a->setActionGroup(group);
    a->setChecked(e == engine());
    a->setEnabled(e != RegistrationEngine::Model || modelEngineUsable_);
    connect(a, &QAction::triggered, this, [this, e] { setEngine(e); });
    connect(engine_, qOverload<int>(&QComboBox::currentIndexChanged), a, [a, e](int i) {
      if (kEngines[i] == e) a->setChecked(true);
    });
  }
  separatorAction_ = menu->addSeparator();
  fusionAction_ = menu->addAction(QString(), QKeySequence("F"), controller_, &RegistrationController::cycleFusionMode);
  mapAction_ = menu->addAction(QString(), QKeySequence("Shift+F"), controller_, &RegistrationController::cycleMap);
  strongerAction_ = menu->addAction(QString(), QKeySequence("="), this, [this] { controller_->stepStrength(1); });
  weakerAction_ = menu->addAction(QString(), QKeySequence("-"), this, [this] { controller_->stepStrength(-1); });
  retranslateMenu();
}

void RegistrationPanel::retranslateMenu() {
  if (registerAction_) registerAction_->setText(tr("&Register prior to current"));
  if (cancelAction_) cancelAction_->setText(tr("&Cancel registration"));
  if (engineMenu_) {
    engineMenu_->setTitle(tr("&Engine"));
    const QList<QAction*> actions = engineMenu_->actions(); // in kEngines' order
    for (qsizetype i = 0; i < actions.size() && i < qsizetype(std::size(kEngines)); ++i) {
      actions[i]->setText(term(registrationEngineName(kEngines[i])));
    }
  }
  if (fusionAction_) fusionAction_->setText(tr("Next &fusion mode (off, blend, checkerboard, difference, colour)"));
  if (mapAction_) mapAction_->setText(tr("Next &map (Jacobian, displacement, local NCC, off)"));
  if (strongerAction_) strongerAction_->setText(tr("Fusion stronger / larger squares"));
  if (weakerAction_) weakerAction_->setText(tr("Fusion weaker / smaller squares"));
}

} // namespace lightbox
