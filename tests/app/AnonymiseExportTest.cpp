// SPDX-License-Identifier: Apache-2.0
// Issue 27: File > Export anonymised with the PS3.15 options `lightbox anonymise` has. The dialog
// turns its choices into the options (and remembers them), and the window's export applies them:
// on the LIDC slab, dates shifted by 10 days, descriptions kept, the mapping file written for the
// reader only; with the basic profile the dates are dummies and the description is gone.
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/AnonymiseDialog.h"
#include "app/viewer/MainWindow.h"
#include "core/dicom/DicomHeaderDump.h"

#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QDate>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>

using namespace lightbox;

namespace {

std::string tagValue(const std::string& file, const std::string& tag) {
  for (const DicomTagLine& line : dumpDicomHeader(file)) {
    if (line.depth == 0 && line.tag == tag) return line.value;
  }
  return {};
}

std::vector<std::string> dicomFiles(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(folder)) {
    if (f.path().extension() == ".dcm") out.push_back(f.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("Export anonymised: the dialog's options reach the export (dates, descriptions, mapping)",
          "[viewer][window][anonymise]") {
  // The LIDC slab has no Study Description: a copy gets one (DCMTK's dcmodify), so keeping and
  // removing it can be told apart.
  const std::string scratch = test::scratchFolder("anonymise-dialog");
  const std::string source = scratch + "/source";
  std::filesystem::create_directories(source);
  for (const std::string& f : dicomFiles(test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom"))) {
    std::filesystem::copy_file(f, source + "/" + std::filesystem::path(f).filename().string());
  }
  QProcess modify;
  QStringList args{"-nb", "-i", "(0008,1030)=CHEST FOLLOW-UP TEST"};
  for (const std::string& f : dicomFiles(source)) args << QString::fromStdString(f);
  modify.start("dcmodify", args);
  REQUIRE(modify.waitForFinished(60000));
  REQUIRE(modify.exitCode() == 0);
  const std::string firstSource = dicomFiles(source).front();
  const std::string sourceDate = tagValue(firstSource, "(0008,0020)");
  const std::string sourceDescription = tagValue(firstSource, "(0008,1030)");
  REQUIRE(sourceDate.size() == 8);
  REQUIRE(sourceDescription == "CHEST FOLLOW-UP TEST");

  // The dialog: OK only with a folder (and a non-zero shift, and a mapping path when asked).
  const QString out = QString::fromStdString(scratch + "/shifted");
  const QString mapping = QString::fromStdString(scratch + "/mapping.csv");
  QSettings().remove("anonymise"); // the test settings outlive a run: start from nothing remembered
  {
    AnonymiseDialog dialog;
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    dialog.folderField()->clear();
    CHECK_FALSE(ok->isEnabled());
    CHECK_FALSE(dialog.problem().isEmpty());
    dialog.folderField()->setText(out);
    CHECK(ok->isEnabled());
    CHECK(dialog.options().dates == AnonymiseOptions::Dates::Dummy);
    dialog.shiftDates()->setChecked(true);
    dialog.shiftDays()->setValue(0);
    CHECK_FALSE(ok->isEnabled()); // a shift of 0 days would keep the dates
    dialog.shiftDays()->setValue(10);
    dialog.keepDescriptions()->setChecked(true);
    dialog.keepMapping()->setChecked(true);
    dialog.mappingField()->clear();
    CHECK_FALSE(ok->isEnabled());
    dialog.mappingField()->setText(mapping);
    CHECK(ok->isEnabled());
    const AnonymiseOptions o = dialog.options();
    CHECK(o.dates == AnonymiseOptions::Dates::Shift);
    CHECK(o.shiftDays == 10);
    CHECK(o.keepDescriptions);
    CHECK(o.mappingPath == mapping.toStdString());
    CHECK(dialog.outputFolder() == out);
    if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
      dialog.show();
      dialog.grab().save(QString(shots) + "/anonymise-dialog.png");
    }
    dialog.remember();
  }
  AnonymiseDialog again; // remembered, but the mapping is asked for each time
  CHECK(again.outputFolder() == out);
  CHECK(again.shiftDates()->isChecked());
  CHECK(again.shiftDays()->value() == 10);
  CHECK(again.keepDescriptions()->isChecked());
  CHECK_FALSE(again.keepMapping()->isChecked());
  CHECK(again.mappingField()->text() == mapping);
  CHECK(again.options().mappingPath.empty());

  // The export with those options, off the GUI thread.
  MainWindow window;
  window.resize(1200, 800);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(source)));
  AnonymiseOptions shifted;
  shifted.dates = AnonymiseOptions::Dates::Shift;
  shifted.shiftDays = 10;
  shifted.keepDescriptions = true;
  shifted.mappingPath = mapping.toStdString();
  REQUIRE(window.exportAnonymised(out, shifted));
  const std::vector<std::string> written = dicomFiles(out.toStdString());
  REQUIRE(written.size() == 16);
  const QDate expected = QDate::fromString(QString::fromStdString(sourceDate), "yyyyMMdd").addDays(10);
  for (const std::string& f : written) {
    CHECK(tagValue(f, "(0008,0020)") == expected.toString("yyyyMMdd").toStdString());
    CHECK(tagValue(f, "(0008,1030)") == sourceDescription);
    CHECK(tagValue(f, "(0010,0020)") != "LIDC-IDRI-0001");
  }
  struct stat st {};
  REQUIRE(stat(mapping.toStdString().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // The basic profile: dummy dates, no description, no mapping.
  const QString basic = QString::fromStdString(scratch + "/basic");
  REQUIRE(window.exportAnonymised(basic, AnonymiseOptions{}));
  const std::vector<std::string> plain = dicomFiles(basic.toStdString());
  REQUIRE(plain.size() == 16);
  CHECK(tagValue(plain.front(), "(0008,0020)") != sourceDate);
  CHECK(tagValue(plain.front(), "(0008,0020)") != expected.toString("yyyyMMdd").toStdString());
  CHECK(tagValue(plain.front(), "(0008,1030)").empty());
}
