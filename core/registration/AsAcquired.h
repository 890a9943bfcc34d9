// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <string>

namespace lightbox {

/// What says where a series was acquired: its DICOM Frame of Reference and patient (empty for a
/// research file: NIfTI, NRRD, MetaImage).
struct SeriesFrame {
  std::string frameOfReferenceUid, patientId;
};

/// True for PET values: SUV ("SUVbw", ...), Bq/mL, or Philips counts (CNTS) left as stored.
bool isPetUnits(const std::string& units);

/// Whether a PET and a series of another modality may be read as acquired, in scanner
/// coordinates (the two series of one PET/CT), and why; empty when not. Two DICOM series must share
/// the Frame of Reference UID and the Patient ID (a PET of another day or patient needs a
/// registration); when either is a research file, their boxes must share at least half of the
/// smaller one (then it is a guess, and the reason says so). Two PETs or no PET: never.
std::string asAcquiredReason(const Volume& current, const SeriesFrame& currentFrame,
                             const Volume& prior, const SeriesFrame& priorFrame);

} // namespace lightbox
