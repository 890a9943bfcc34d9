// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/AnonymiseDialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lightbox {

AnonymiseDialog::AnonymiseDialog(QWidget* parent)
    : QDialog(parent), folder_(new QLineEdit), dummy_(new QRadioButton), keep_(new QRadioButton),
      shift_(new QRadioButton), days_(new QSpinBox), descriptions_(new QCheckBox), mapping_(new QCheckBox),
      mappingPath_(new QLineEdit), problem_(new QLabel),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
  setWindowTitle(tr("Export anonymised"));
  auto* browse = new QPushButton(tr("Browse..."));
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the open series anonymised into"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
  });

  dummy_->setText(tr("Replace every date with a dummy (basic profile)"));
  keep_->setText(tr("Keep the dates (retain longitudinal temporal information: full dates)"));
  shift_->setText(tr("Shift every date by (modified dates):"));
  auto* dates = new QButtonGroup(this);
  for (QRadioButton* r : {dummy_, keep_, shift_}) dates->addButton(r);
  days_->setRange(-36500, 36500);
  days_->setSuffix(tr(" days"));
  auto* shiftRow = new QHBoxLayout;
  shiftRow->addWidget(shift_);
  shiftRow->addWidget(days_);
  shiftRow->addStretch(1);
  descriptions_->setText(tr("Keep study and series descriptions (clean descriptors: kept as they are, not cleaned)"));
  mapping_->setText(tr("Keep a mapping file of the replaced UIDs (readable by you only; export another series "
                       "of the study with it and its UIDs match)"));
  mapping_->setToolTip(tr("Without it nothing links the export back to the patient"));
  auto* mappingBrowse = new QPushButton(tr("Browse..."));
  auto* mappingRow = new QHBoxLayout;
  mappingRow->addWidget(mappingPath_, 1);
  mappingRow->addWidget(mappingBrowse);
  connect(mappingBrowse, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getSaveFileName(this, tr("Mapping file"), mappingPath_->text(), tr("CSV (*.csv)"),
                                                      nullptr, QFileDialog::DontConfirmOverwrite);
    if (!file.isEmpty()) mappingPath_->setText(file);
  });
  problem_->setWordWrap(true);

  auto* form = new QFormLayout;
  form->addRow(tr("Into folder"), folderRow);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(new QLabel(tr("Dates")));
  layout->addWidget(dummy_);
  layout->addWidget(keep_);
  layout->addLayout(shiftRow);
  layout->addWidget(descriptions_);
  layout->addWidget(mapping_);
  layout->addLayout(mappingRow);
  layout->addWidget(new QLabel(tr("UIDs are replaced, private elements and identifying attributes removed "
                                  "(PS3.15 basic profile); pixel data is not changed: burned-in text is flagged, "
                                  "not removed.")));
  layout->addWidget(problem_);
  layout->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, [this] {
    if (!problem().isEmpty()) return;
    remember();
    accept();
  });
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

  const QSettings settings;
  folder_->setText(settings.value("anonymise/folder").toString());
  const QString mode = settings.value("anonymise/dates", "dummy").toString();
  (mode == "keep" ? keep_ : mode == "shift" ? shift_ : dummy_)->setChecked(true);
  days_->setValue(settings.value("anonymise/shiftDays", 0).toInt());
  descriptions_->setChecked(settings.value("anonymise/keepDescriptions", false).toBool());
  // The mapping is asked for each time (it links the export back to the patient); its path is kept.
  mapping_->setChecked(false);
  mappingPath_->setText(settings.value("anonymise/mapping").toString());
  for (QLineEdit* e : {folder_, mappingPath_}) connect(e, &QLineEdit::textChanged, this, &AnonymiseDialog::update);
  for (QAbstractButton* b : std::initializer_list<QAbstractButton*>{dummy_, keep_, shift_, mapping_}) {
    connect(b, &QAbstractButton::toggled, this, &AnonymiseDialog::update);
  }
  connect(days_, &QSpinBox::valueChanged, this, &AnonymiseDialog::update);
  update();
}

QString AnonymiseDialog::outputFolder() const { return folder_->text().trimmed(); }

AnonymiseOptions AnonymiseDialog::options() const {
  AnonymiseOptions o;
  o.dates = keep_->isChecked() ? AnonymiseOptions::Dates::Keep
            : shift_->isChecked() ? AnonymiseOptions::Dates::Shift
                                  : AnonymiseOptions::Dates::Dummy;
  o.shiftDays = shift_->isChecked() ? days_->value() : 0;
  o.keepDescriptions = descriptions_->isChecked();
  if (mapping_->isChecked()) o.mappingPath = mappingPath_->text().trimmed().toStdString();
  return o;
}

QString AnonymiseDialog::problem() const {
  if (outputFolder().isEmpty()) return tr("Choose the folder to export into.");
  if (shift_->isChecked() && days_->value() == 0) return tr("A shift of 0 days keeps the dates: choose a number of days.");
  if (mapping_->isChecked() && mappingPath_->text().trimmed().isEmpty()) return tr("Choose where the mapping file goes.");
  return {};
}

void AnonymiseDialog::update() {
  days_->setEnabled(shift_->isChecked());
  mappingPath_->setEnabled(mapping_->isChecked());
  const QString why = problem();
  problem_->setText(why);
  buttons_->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void AnonymiseDialog::remember() const {
  QSettings settings;
  settings.setValue("anonymise/folder", outputFolder());
  settings.setValue("anonymise/dates", keep_->isChecked() ? "keep" : shift_->isChecked() ? "shift" : "dummy");
  settings.setValue("anonymise/shiftDays", days_->value());
  settings.setValue("anonymise/keepDescriptions", descriptions_->isChecked());
  if (!mappingPath_->text().trimmed().isEmpty()) settings.setValue("anonymise/mapping", mappingPath_->text().trimmed());
}

} // namespace lightbox
