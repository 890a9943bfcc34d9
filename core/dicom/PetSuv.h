// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomFrame.h"

#include <string>

namespace lightbox {

/// How a PET series' stored values become SUV (body weight).
struct SuvConversion {
  bool ok = false;
  double factor = 1.0;      ///< SUVbw = value x factor (g/mL per Bq/mL)
  std::string reason;       ///< when !ok: what is missing or unsupported, naming the DICOM element
  std::string detail;       ///< when ok: the numbers used, for the reader ("70 kg, 370 MBq at 09:12:00, ...")
  double decayedDoseBq = 0; ///< the injected dose decayed to the scan start
};

/// SUVbw of a PET series in Bq/mL (Units BQML): weight (g) over the injected dose decayed to the
/// series start (Decay Correction START: from the Radiopharmaceutical Start DateTime, else Time, to
/// the earlier of Series Time and Acquisition Time, with the Radionuclide Half Life; ADMIN: no
/// decay). Values already in g/mL (Units GML) need no conversion (factor 1). Philips counts (CNTS)
/// use the private SUV Scale Factor (7053,1000) when present. Anything else is refused with the
/// reason: a missing weight, dose, half-life or injection time, Decay Correction NONE, an injection
/// after the scan, units that are not activity.
SuvConversion suvBodyWeight(const PetDoseInfo& pet);

/// Seconds of a DICOM DA + TM ("YYYYMMDD", "HHMMSS.FFFFFF" or "HH:MM:SS") or DT
/// ("YYYYMMDDHHMMSS.FFFFFF", offset ignored) since 1970-01-01; a negative value when unparseable.
double dicomDateTimeSeconds(const std::string& date, const std::string& time);
double dicomDateTimeSeconds(const std::string& dateTime);

} // namespace lightbox
