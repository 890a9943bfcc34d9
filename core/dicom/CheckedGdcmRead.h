// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomStreamCheck.h"

#include <string>

namespace gdcm {
class Reader;
}

namespace lightbox {

/// Why a checked GDCM read failed: the stream check's finding, or GDCM's own refusal.
struct CheckedReadFailure {
  bool streamRejected = false; ///< checkDicomStream refused the bytes (GDCM never saw them)
  StreamCheck check;           ///< what the check found (its problem and syntax when it refused)
  std::string reason;          ///< describe(check), or "GDCM could not parse it"
};

/// Reads `path` into `reader` with GDCM only after checkDicomStream accepted it over `extent`
/// (GDCM asserts, ending the process, on streams it does not expect): the whole file, or up to the
/// Pixel Data element for StreamExtent::Header. Returns the failure, or an empty reason when read.
CheckedReadFailure readWithGdcm(gdcm::Reader& reader, const std::string& path, StreamExtent extent);

} // namespace lightbox
