// SPDX-License-Identifier: Apache-2.0
// Fuzz target: NIfTI (.nii, .nii.gz), NRRD and MetaImage reading (readResearchImage: ITK's readers
// behind Lightbox's own checks). The extension is chosen from the content as a user's file would
// carry it: gzip magic -> .nii.gz, "NRRD" -> .nrrd, "ObjectType" -> .mha, anything else -> .nii.
#include "core/io/ImageFileIO.h"
#include "tests/fuzz/FuzzSupport.h"

#include <cstring>
#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  static const bool registered = (lightbox::registerImageIoFactories(), true);
  (void)registered;
  const char* suffix = ".nii";
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) suffix = ".nii.gz";
  else if (size >= 4 && std::memcmp(data, "NRRD", 4) == 0) suffix = ".nrrd";
  else if (size >= 10 && std::memcmp(data, "ObjectType", 10) == 0) suffix = ".mha";
  const std::string path = lightbox::fuzz::writeInput(data, size, suffix);
  try {
    (void)lightbox::readResearchImage(path);
  } catch (const std::exception&) {
  }
  return 0;
}
