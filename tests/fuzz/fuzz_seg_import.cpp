// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DICOM SEG import (binary, fractional, overlapping segments, deflated frames,
// per-frame functional groups) onto a real source series: the three CT slices that the dcmqi
// liver SEGs reference (seg-sr/dcmqi_liver_ct3slice/ct), so seeds get past the matching and into
// frame placement, unpacking and the label map.
#include "core/dicom/DicomHeaderReader.h"
#include "core/segmentation/DicomSegImport.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  const lightbox::SegSourceSeries& series = lightbox::fuzz::sharedSourceSeries("seg-sr/dcmqi_liver_ct3slice/ct");
  const std::string path = lightbox::fuzz::writeInput(data, size, ".dcm");
  try {
    const lightbox::ImportedSeg seg = lightbox::importDicomSeg(path, series);
    (void)lightbox::segToLabelMap(seg, series.geometry);
  } catch (const std::exception&) {
    // A refusal naming the file and the reason is a correct answer.
  }
  return 0;
}
