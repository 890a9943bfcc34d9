// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SR TID 1500 (Measurement Report) import and the placement of its measurement
// groups on a series (seg-sr/highdicom_sr_tid1500_ct_image, the image the highdicom SR refers to).
#include "core/report/MeasurementReportSr.h"
#include "core/report/SrMeasurementImport.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  const lightbox::SegSourceSeries& series = lightbox::fuzz::sharedSourceSeries("seg-sr/highdicom_sr_tid1500_ct_image");
  const std::string path = lightbox::fuzz::writeInput(data, size, ".dcm");
  try {
    const lightbox::SrMeasurementReport report = lightbox::readMeasurementReportSr(path);
    for (const auto& g : report.groups) (void)lightbox::describeGroup(g);
    (void)lightbox::placeSrMeasurements(report, series);
  } catch (const std::exception&) {
  }
  return 0;
}
