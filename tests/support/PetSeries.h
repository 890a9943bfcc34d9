// SPDX-License-Identifier: Apache-2.0
// A real PET in SUV written back as a DICOM PET series in Bq/mL (issue 23's SUV tests).
#pragma once

#include "core/dicom/DicomFrame.h"
#include "core/volume/Volume.h"

#include <string>

namespace lightbox::test {

/// A typical FDG study's dose fields (72.5 kg, 370 MBq, F-18, injected 63 minutes before the
/// series).
PetDoseInfo typicalFdg();

/// Writes `suv` (a PET in SUV) into `folder` as a PET series in Bq/mL with one rescale slope per
/// slice, `dose`'s fields with `weightKg` as Patient's Weight (0: left out) and, when `windowWidth`
/// > 0, that window in Bq/mL (as scanners write it). Bq/mL = SUV / suvBodyWeight(dose).factor.
void writePetSeries(const Volume& suv, const std::string& folder, const PetDoseInfo& dose,
                    double weightKg, double windowCenter = 0, double windowWidth = 0);

} // namespace lightbox::test
