// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/FinalizeDialog.h"

#include "app/viewer/ViewerDocument.h"
#include "core/review/FindingMask.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <cstdlib>

namespace lightbox {

FinalizeDialog::FinalizeDialog(const ViewerDocument& document, QWidget* parent) : QDialog(parent), document_(document) {
  setWindowTitle("Finalize report");
  const ReportSource& source = document.reportSource();
  FinalizeOptions options;
  options.outputFolder = defaultReportFolder(source.studyInstanceUid);
  const QSettings settings;
  const char* user = std::getenv("USER");
  options.reader = settings.value("report/reader", user ? QString(user) : QString()).toString().toStdString();
  plan_ = planReport(document.session(), document.labels(), *document.volume(), source, options);

  auto* layout = new QVBoxLayout(this);
  summary_ = new QPlainTextEdit(this);
  summary_->setReadOnly(true);
  summary_->setMinimumSize(640, 180);
  layout->addWidget(new QLabel("What will be written:", this));
  layout->addWidget(summary_);
  // A mask whose size is far from the AI's is reported only when the reader says it is right.
  for (const ReportFinding& f : plan_.content.findings) {
    if (!f.segmentNumber || f.sizeDisagreement <= kMaskSizeConfirmFactor) continue;
    auto* box = new QCheckBox(QString("Report %1 at its mask's size, %2 x %3 mm (the AI said %4 mm: %5x apart)")
                                  .arg(QString::fromStdString(f.id))
                                  .arg(f.mask.longAxisMm, 0, 'f', 1)
                                  .arg(f.mask.shortAxisMm, 0, 'f', 1)
                                  .arg(f.aiDiameterMm, 0, 'f', 1)
                                  .arg(f.sizeDisagreement, 0, 'f', 1),
                              this);
    box->setObjectName(QString("confirmSize_%1").arg(QString::fromStdString(f.id)));
    box->setProperty("findingId", QString::fromStdString(f.id));
    connect(box, &QCheckBox::toggled, this, [this] {
      std::vector<std::string> ids;
      for (QCheckBox* b : sizeBoxes_) {
        if (b->isChecked()) ids.push_back(b->property("findingId").toString().toStdString());
      }
      confirmSizes(plan_, ids);
      refreshSummary();
    });
    sizeBoxes_.push_back(box);
    layout->addWidget(box);
  }
  auto* form = new QFormLayout;
  reader_ = new QLineEdit(QString::fromStdString(options.reader), this);
  form->addRow("Reader", reader_);
  auto* folderRow = new QHBoxLayout;
  folder_ = new QLineEdit(QString::fromStdString(options.outputFolder), this);
  auto* browse = new QPushButton("Browse...", this);
  folderRow->addWidget(folder_);
  folderRow->addWidget(browse);
  form->addRow("Folder", folderRow);
  nifti_ = new QCheckBox("label map as NIfTI", this);
  csv_ = new QCheckBox("measurements as CSV", this);
  auto* extras = new QHBoxLayout;
  extras->addWidget(nifti_);
  extras->addWidget(csv_);
  extras->addStretch();
  form->addRow("Also", extras);
  layout->addLayout(form);
  layout->addWidget(new QLabel("Impression (drafted from the findings; edit before finalizing):", this));
  impression_ = new QPlainTextEdit(QString::fromStdString(plan_.content.impression), this);
  impression_->setMinimumHeight(120);
  layout->addWidget(impression_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText("Finalize");
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (finalize()) {
      accept();
    } else {
      QMessageBox::warning(this, "Report not written", error_ + "\n\nNothing was written; the review is unchanged.");
    }
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, "Report folder", folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
  });
  connect(folder_, &QLineEdit::editingFinished, this, [this] {
    setReportFolder(plan_, folder_->text().toStdString());
    refreshSummary();
  });
  refreshSummary();
}

void FinalizeDialog::refreshSummary() {
  summary_->setPlainText(QString::fromStdString(plan_.summary()));
  std::vector<std::string> stops = plan_.content.blockers;
  for (const std::string& s : unconfirmedSizes(plan_.content)) stops.push_back(s);
  ok_->setEnabled(stops.empty());
  ok_->setToolTip(stops.empty() ? QString() : QString::fromStdString(stops.front()));
}

bool FinalizeDialog::finalize() {
  // The version is chosen again now (another finalize may have written one since the dialog
  // opened), and the time is the moment the reader finalizes.
  setReportFolder(plan_, folder_->text().toStdString());
  plan_.content.finalizedAt = currentIsoTime();
  plan_.content.reader = reader_->text().trimmed().toStdString();
  plan_.options.reader = plan_.content.reader;
  plan_.content.impression = impression_->toPlainText().trimmed().toStdString();
  plan_.options.labelMapNifti = nifti_->isChecked();
  plan_.options.measurementsCsv = csv_->isChecked();
  // The file list follows the extras.
  std::vector<std::string> files;
  for (const std::string& f : plan_.files) {
    if (f != "labels.nii.gz" && f != "measurements.csv" && f != "report.json") files.push_back(f);
  }
  if (plan_.options.labelMapNifti) files.push_back("labels.nii.gz");
  if (plan_.options.measurementsCsv) files.push_back("measurements.csv");
  files.push_back("report.json");
  plan_.files = files;
  try {
    result_ = writeReport(plan_, *document_.volume());
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
  QSettings().setValue("report/reader", reader_->text().trimmed());
  return true;
}

} // namespace lightbox
