// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a model manifest (resources/models/MANIFEST.md): parsing and validation, then the
// checks inspectModel makes (weights file, sha256), which must report problems, never throw.
#include "ai/runtime/ModelManifest.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  const std::string path = lightbox::fuzz::writeInput(data, size, ".json");
  try {
    const lightbox::ModelManifest m = lightbox::readModelManifest(path);
    (void)m.probability(0.3);
    (void)m.thresholdForFpPerScan(1.0);
  } catch (const std::exception&) {
  }
  (void)lightbox::inspectModel(path);
  return 0;
}
