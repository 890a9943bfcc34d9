// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/FinalizeDialog.h"

#include "app/i18n/Translations.h"
#include "app/viewer/ViewerDocument.h"
#include "core/net/PacsNode.h"
#include "core/review/FindingMask.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
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
  const ReportSource& source = document.reportSource();
  FinalizeOptions options;
  options.outputFolder = defaultReportFolder(source.studyInstanceUid);
  const QSettings settings;
  const char* user = std::getenv("USER");
  options.reader = settings.value("report/reader", user ? QString(user) : QString()).toString().toStdString();
  // The report in the reader's language (View > Language): the drafted impression here, the PDF's
  // words from the installed translation.
  options.language = parseReportLanguage(currentLanguage().toStdString()).value_or(ReportLanguage::English);
  plan_ = planReport(document.session(), document.labels(), *document.volume(), source, options);

  auto* layout = new QVBoxLayout(this);
  summary_ = new QPlainTextEdit(this);
  summary_->setReadOnly(true);
  summary_->setMinimumSize(640, 180);
  summaryLabel_ = new QLabel(this);
  layout->addWidget(summaryLabel_);
  layout->addWidget(summary_);
  // A mask whose size is far from the AI's is reported only when the reader says it is right.
  for (const ReportFinding& f : plan_.content.findings) {
    if (!f.segmentNumber || f.sizeDisagreement <= kMaskSizeConfirmFactor) continue;
    auto* box = new QCheckBox(this);
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
    sizeFindings_.push_back(f);
    layout->addWidget(box);
  }
  auto* form = new QFormLayout;
  reader_ = new QLineEdit(QString::fromStdString(options.reader), this);
  readerLabel_ = new QLabel(this);
  readerLabel_->setBuddy(reader_);
  form->addRow(readerLabel_, reader_);
  auto* folderRow = new QHBoxLayout;
  folder_ = new QLineEdit(QString::fromStdString(options.outputFolder), this);
  browse_ = new QPushButton(this);
  folderRow->addWidget(folder_);
  folderRow->addWidget(browse_);
  folderLabel_ = new QLabel(this);
  folderLabel_->setBuddy(folder_);
  form->addRow(folderLabel_, folderRow);
  nifti_ = new QCheckBox(this);
  csv_ = new QCheckBox(this);
  auto* extras = new QHBoxLayout;
  extras->addWidget(nifti_);
  extras->addWidget(csv_);
  extras->addStretch();
  alsoLabel_ = new QLabel(this);
  form->addRow(alsoLabel_, extras);
  // Send to: the archive the objects go to once written (issue 27); the list is the PACS tab's.
  sendTo_ = new QComboBox(this);
  sendTo_->addItem(QString(), QString());
  try {
    for (const PacsNode& n : loadPacsNodeList(defaultPacsNodeListPath()).nodes) {
      sendTo_->addItem(QString::fromStdString(n.label()), QString::fromStdString(n.name));
    }
  } catch (const std::exception&) {
    // A broken node list: only "keep on this computer" (the PACS tab says why).
  }
  sendToLabel_ = new QLabel(this);
  sendToLabel_->setBuddy(sendTo_);
  form->addRow(sendToLabel_, sendTo_);
  layout->addLayout(form);
  impressionLabel_ = new QLabel(this);
  layout->addWidget(impressionLabel_);
  impression_ = new QPlainTextEdit(QString::fromStdString(plan_.content.impression), this);
  impression_->setMinimumHeight(120);
  layout->addWidget(impression_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->installEventFilter(this);
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (finalize()) {
      accept();
    } else {
      QMessageBox::warning(this, tr("Report not written"), tr("%1\n\nNothing was written; the review is unchanged.").arg(error_));
    }
  });
  connect(browse_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Report folder"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
  });
  connect(folder_, &QLineEdit::editingFinished, this, [this] {
    setReportFolder(plan_, folder_->text().toStdString());
    refreshSummary();
  });
  retranslateUi(); // the texts, then the summary (refreshSummary)
}

void FinalizeDialog::retranslateUi() {
  setWindowTitle(tr("Finalize report"));
  summaryLabel_->setText(tr("What will be written:"));
  for (std::size_t i = 0; i < sizeBoxes_.size(); ++i) {
    const ReportFinding& f = sizeFindings_[i];
    sizeBoxes_[i]->setText(tr("Report %1 at its mask's size, %2 x %3 mm (the AI said %4 mm: %5x apart)")
                               .arg(QString::fromStdString(f.id))
                               .arg(f.mask.longAxisMm, 0, 'f', 1)
                               .arg(f.mask.shortAxisMm, 0, 'f', 1)
                               .arg(f.aiDiameterMm, 0, 'f', 1)
                               .arg(f.sizeDisagreement, 0, 'f', 1));
  }
  readerLabel_->setText(tr("Reader"));
  folderLabel_->setText(tr("Folder"));
  browse_->setText(tr("Browse..."));
  nifti_->setText(tr("label map as NIfTI"));
  csv_->setText(tr("measurements as CSV"));
  alsoLabel_->setText(tr("Also"));
  sendToLabel_->setText(tr("Send to"));
  sendTo_->setItemText(0, tr("Nowhere: keep it on this computer"));
  impressionLabel_->setText(tr("Impression (drafted from the findings; edit before finalizing):"));
  ok_->setText(tr("Finalize"));
  refreshSummary(); // the plan's summary and what blocks it
}

void FinalizeDialog::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QDialog::changeEvent(event);
}

bool FinalizeDialog::eventFilter(QObject* watched, QEvent* event) {
  if (watched == ok_ && event->type() == QEvent::LanguageChange) ok_->setText(tr("Finalize"));
  return QDialog::eventFilter(watched, event);
}

void FinalizeDialog::refreshSummary() {
  summary_->setPlainText(QString::fromStdString(plan_.summary()));
  std::vector<std::string> stops = plan_.content.blockers;
  for (const std::string& s : unconfirmedSizes(plan_.content)) stops.push_back(s);
  ok_->setEnabled(stops.empty());
  ok_->setToolTip(stops.empty() ? QString() : QString::fromStdString(stops.front()));
}

QString FinalizeDialog::sendNode() const { return sendTo_->currentData().toString(); }

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
