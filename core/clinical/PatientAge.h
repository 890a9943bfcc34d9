// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

namespace lightbox {

/// Age in whole years at `studyDate` from `birthDate` (both DICOM DA, YYYYMMDD); empty when either
/// is missing or malformed.
std::optional<int> ageAt(const std::string& birthDate, const std::string& studyDate);

} // namespace lightbox
