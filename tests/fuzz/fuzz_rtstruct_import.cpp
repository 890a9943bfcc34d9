// SPDX-License-Identifier: Apache-2.0
// Fuzz target: RTSTRUCT import (ROI contours rasterised onto a series): the rt-utils phantom's two
// CT slices (seg-sr/rt-utils_rtstruct_phantom).
#include "core/segmentation/RtStructImport.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  const lightbox::SegSourceSeries& series = lightbox::fuzz::sharedSourceSeries("seg-sr/rt-utils_rtstruct_phantom");
  const std::string path = lightbox::fuzz::writeInput(data, size, ".dcm");
  try {
    const lightbox::ImportedSeg seg = lightbox::importRtStruct(path, series);
    (void)lightbox::segToLabelMap(seg, series.geometry);
  } catch (const std::exception&) {
  }
  return 0;
}
