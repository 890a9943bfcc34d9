// SPDX-License-Identifier: Apache-2.0
// Fuzz target: one DICOM file from header to voxels: header scan, series assembly and the frame
// decode of every series it yields (native little/big endian, deflate, RLE, JPEG baseline,
// lossless, JPEG-LS, JPEG 2000 through GDCM's codecs; mosaics; multi-frame). A frame that cannot
// be decoded must become an issue, never a crash.
#include "core/dicom/DicomHeaderReader.h"
#include "core/dicom/SeriesAssembler.h"
#include "core/volume/VolumeLoader.h"
#include "tests/fuzz/FuzzSupport.h"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > lightbox::fuzz::kMaxInputBytes) return 0;
  static const bool quiet = (lightbox::quietGdcm(), true);
  (void)quiet;
  const std::string path = lightbox::fuzz::writeInput(data, size, ".dcm");
  lightbox::HeaderReadResult header = lightbox::readDicomHeader(path);
  if (header.frames.empty()) return 0;
  const lightbox::AssemblyResult assembled = lightbox::assembleSeries(header.frames);
  lightbox::LoadOptions options;
  options.threads = 1;
  for (const auto& series : assembled.series) {
    // The harness's own memory ceiling (libFuzzer's -rss_limit_mb is 2 GB): a header may claim
    // any matrix; the loader refuses what the machine cannot hold (loadSeries's memory check),
    // which on a 24 GB machine is more than the fuzzer allows.
    const double bytes = double(series.geometry.voxelCount()) * 4.0 * double(series.volumes.size());
    if (bytes > 256.0 * 1024 * 1024) continue;
    try {
      (void)lightbox::loadSeries(series, options);
    } catch (const std::exception&) {
      // A refusal with a reason is a correct answer.
    }
  }
  return 0;
}
