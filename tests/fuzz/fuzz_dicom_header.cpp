// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the header-only scan of one DICOM file (readDicomHeader: preamble, meta group,
// every transfer syntax's element parsing, enhanced per-frame groups, mosaics, character sets).
// It must never throw, crash or hang; a bad file gives an issue.
#include "core/dicom/DicomHeaderReader.h"
#include "tests/fuzz/FuzzSupport.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  static const bool quiet = (lightbox::quietGdcm(), true);
  (void)quiet;
  const std::string path = lightbox::fuzz::writeInput(data, size, ".dcm");
  const lightbox::HeaderReadResult r = lightbox::readDicomHeader(path);
  // Every frame shares its file's facts; a frame without them would crash the assembler later.
  for (const auto& f : r.frames)
    if (!f.file) std::abort();
  return 0;
}
