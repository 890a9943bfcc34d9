// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

namespace lightbox {

/// Age in whole years at `studyDate` from `birthDate` (both DICOM DA, YYYYMMDD); empty when either
/// is missing or malformed.
std::optional<int> ageAt(const std::string& birthDate, const std::string& studyDate);

/// Whole years from a DICOM Age String (AS: "077Y", "018M", "010W", "120D"); empty when malformed.
std::optional<int> ageFromAgeString(const std::string& ageString);

/// The patient's age at the study and where it came from.
struct PatientAgeFact {
  std::optional<int> years;
  std::string source; ///< "Patient's Age 077Y", "birth date 19450301 and study date 20220412", or "" (unknown)
};

/// Patient's Age (0010,1010) when it is valid, else the age at the study date from the birth date.
PatientAgeFact patientAgeOf(const std::string& ageString, const std::string& birthDate, const std::string& studyDate);

} // namespace lightbox
