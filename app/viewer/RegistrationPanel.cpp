// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/RegistrationPanel.h"

#include "ai/registration/LearnedRegistration.h"
#include "app/viewer/RegistrationController.h"

#include <QActionGroup>
#include <QComboBox>
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

namespace lightbox {
namespace {

constexpr RegistrationEngine kEngines[] = {RegistrationEngine::Rigid, RegistrationEngine::Affine,
                                           RegistrationEngine::Deformable, RegistrationEngine::Model};
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
    : QWidget(parent), controller_(controller), engine_(new QComboBox), register_(new QPushButton("Register (Ctrl+R)")),
      cancel_(new QPushButton("Cancel")), progress_(new QProgressBar), state_(new QLabel), lastRun_(new QLabel),
      fusion_(new QComboBox), opacity_(new QSlider(Qt::Horizontal)), square_(new QSpinBox), map_(new QComboBox),
      status_(new QWidget), statusProgress_(new QProgressBar) {
  for (RegistrationEngine e : kEngines) engine_->addItem(registrationEngineName(e));
  const QString modelProblem = modelEngineProblem();
  modelEngineUsable_ = modelProblem.isEmpty();
  if (auto* model = qobject_cast<QStandardItemModel*>(engine_->model()); model && !modelEngineUsable_) {
    QStandardItem* item = model->item(int(RegistrationEngine::Model));
    item->setEnabled(false);
    item->setToolTip("The learned engine cannot run: " + modelProblem);
  }
  engine_->setCurrentIndex(int(RegistrationEngine::Affine));
  for (FusionMode m : {FusionMode::Off, FusionMode::Blend, FusionMode::Checkerboard, FusionMode::Difference,
                       FusionMode::Colour}) {
    fusion_->addItem(m == FusionMode::Colour ? QString("colour (prior magenta, current green)") : QString(toString(m)));
  }
  for (RegistrationMap m : {RegistrationMap::Off, RegistrationMap::Jacobian, RegistrationMap::Displacement,
                            RegistrationMap::Quality}) {
    map_->addItem(toString(m));
  }
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
  form->addRow("Engine", engine_);
  layout->addLayout(form);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(register_);
  buttons->addWidget(cancel_);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(state_);
  layout->addWidget(lastRun_);
  auto* display = new QFormLayout;
  display->addRow("Fusion (F)", fusion_);
  display->addRow("Opacity (- / =)", opacity_);
  display->addRow("Squares (- / =)", square_);
  display->addRow("Map (Shift+F)", map_);
  layout->addLayout(display);
  layout->addStretch(1);

  auto* statusLayout = new QHBoxLayout(status_);
  statusLayout->setContentsMargins(0, 0, 0, 0);
  auto* statusCancel = new QPushButton("Cancel");
  statusProgress_->setRange(0, 100);
  statusProgress_->setMaximumWidth(220);
  statusLayout->addWidget(new QLabel("Registering"));
  statusLayout->addWidget(statusProgress_);
  statusLayout->addWidget(statusCancel);
  status_->hide();

  connect(register_, &QPushButton::clicked, this, &RegistrationPanel::registerPrior);
  connect(cancel_, &QPushButton::clicked, controller_, &RegistrationController::cancel);
  connect(statusCancel, &QPushButton::clicked, controller_, &RegistrationController::cancel);
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
    progress_->setValue(percent);
    progress_->setFormat(stage + " %p%");
    statusProgress_->setValue(percent);
    statusProgress_->setFormat(stage + " %p%");
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
  syncControls();
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
  state_->setText(link.isEmpty() ? "No comparison (prior) open" : link);
}

void RegistrationPanel::populateMenu(QMenu* menu) {
  menu->addAction("&Register prior to current", QKeySequence("Ctrl+R"), this, &RegistrationPanel::registerPrior);
  menu->addAction("&Cancel registration", controller_, &RegistrationController::cancel);
  QMenu* engines = menu->addMenu("&Engine");
  auto* group = new QActionGroup(menu);
  for (RegistrationEngine e : kEngines) {
    QAction* a = engines->addAction(registrationEngineName(e));
    a->setCheckable(true);
    a->setActionGroup(group);
    a->setChecked(e == engine());
    a->setEnabled(e != RegistrationEngine::Model || modelEngineUsable_);
    connect(a, &QAction::triggered, this, [this, e] { setEngine(e); });
    connect(engine_, qOverload<int>(&QComboBox::currentIndexChanged), a, [a, e](int i) {
      if (kEngines[i] == e) a->setChecked(true);
    });
  }
  menu->addSeparator();
  menu->addAction("Next &fusion mode (off, blend, checkerboard, difference, colour)", QKeySequence("F"), controller_,
                  &RegistrationController::cycleFusionMode);
  menu->addAction("Next &map (Jacobian, displacement, local NCC, off)", QKeySequence("Shift+F"), controller_,
                  &RegistrationController::cycleMap);
  menu->addAction("Fusion stronger / larger squares", QKeySequence("="), this, [this] { controller_->stepStrength(1); });
  menu->addAction("Fusion weaker / smaller squares", QKeySequence("-"), this, [this] { controller_->stepStrength(-1); });
}

} // namespace lightbox
