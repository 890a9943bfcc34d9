// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomFrame.h"
#include "core/dicom/IngestIssue.h"

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// Result of reading one file's header: its frames, or the reason it yields none.
struct HeaderReadResult {
  std::vector<DicomFrame> frames;
  std::optional<IngestIssue> issue; ///< set when the file yields no frames, or frames with a caveat
};

/// Header-only pass over one file (pixel data is skipped, not read). Never throws for bad input:
/// a malformed file gives an issue naming the file and the reason.
HeaderReadResult readDicomHeader(const std::string& path);

/// True for transfer syntaxes whose pixel data is stored native, little endian, unencapsulated.
bool isNativeLittleEndian(const std::string& transferSyntaxUid);

/// Silence GDCM's own stderr chatter; Lightbox reports problems itself.
void quietGdcm();

} // namespace lightbox
