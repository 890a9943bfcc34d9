// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a series' saved review (findings, decisions, measurements, AI runs, patient
// factors) as the annotation store reads it. A damaged file must give AnnotationReadError naming
// it (the viewer then moves it aside), never a crash or another exception type.
#include "core/annotation/AnnotationStore.h"
#include "tests/fuzz/FuzzSupport.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  static const lightbox::AnnotationStore store(lightbox::fuzz::scratchFolder() + "/annotations");
  const std::string key = "1.2.826.0.1.3680043.2.1125.1";
  const std::string path = store.pathFor(key);
  static const bool made = (store.checkWritable(), true);
  (void)made;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    (void)store.load(key);
  } catch (const lightbox::AnnotationReadError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "review JSON: %s escaped as another exception: %s\n", path.c_str(), e.what());
    std::abort();
  }
  return 0;
}
