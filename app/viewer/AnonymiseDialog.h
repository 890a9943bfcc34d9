// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/Anonymiser.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace lightbox {

/// File > Export anonymised... (issue 27): where to, and the PS3.15 options `lightbox anonymise`
/// has: dates replaced by dummies (the basic profile), kept (Retain Longitudinal Temporal
/// Information, full dates) or shifted by a number of days (modified dates); descriptions kept
/// (Clean Descriptors: kept as they are, not cleaned: said); a mapping file of the replaced UIDs
/// kept only if asked (with it, a later export of another series of the same study gets the same
/// new UIDs). The choices are remembered for the next export.
class AnonymiseDialog : public QDialog {
  Q_OBJECT
public:
  explicit AnonymiseDialog(QWidget* parent = nullptr);

  QString outputFolder() const;
  AnonymiseOptions options() const;
  /// Remembers the choices (called when the dialog is accepted).
  void remember() const;

  QLineEdit* folderField() const { return folder_; }
  QRadioButton* dummyDates() const { return dummy_; }
  QRadioButton* keepDates() const { return keep_; }
  QRadioButton* shiftDates() const { return shift_; }
  QSpinBox* shiftDays() const { return days_; }
  QCheckBox* keepDescriptions() const { return descriptions_; }
  QCheckBox* keepMapping() const { return mapping_; }
  QLineEdit* mappingField() const { return mappingPath_; }
  /// Why OK is disabled (empty when it is enabled).
  QString problem() const;

private:
  void update();

  QLineEdit* folder_;
  QRadioButton* dummy_;
  QRadioButton* keep_;
  QRadioButton* shift_;
  QSpinBox* days_;
  QCheckBox* descriptions_;
  QCheckBox* mapping_;
  QLineEdit* mappingPath_;
  QLabel* problem_;
  QDialogButtonBox* buttons_;
};

} // namespace lightbox
