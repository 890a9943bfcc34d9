// SPDX-License-Identifier: Apache-2.0
// Fuzz target: series assembly from a set of frame headers (grouping, splits by echo/phase/
// orientation/size, sorting along the normal, uneven gaps, missing slices, gantry tilt, repeats,
// NaN and infinite coordinates). The input bytes describe up to 48 frames; values are drawn from
// small sets so that coincident positions and orientations, the cases that matter, are common.
#include "core/dicom/SeriesAssembler.h"
#include "tests/fuzz/FuzzSupport.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>

namespace {

double pick(lightbox::fuzz::ByteReader& in) {
  static const double values[] = {0.0, 1.0, -1.0, 0.5, 2.5, 3.0, 1e-7, 1e9,
                                  std::numeric_limits<double>::quiet_NaN(),
                                  std::numeric_limits<double>::infinity(), 0.7071067811865476, -0.7071067811865476};
  switch (in.range<int>(0, 3)) {
  case 0: return in.pick(values);
  case 1: return double(in.range<int>(-40, 40));
  case 2: return double(in.range<int>(-400, 400)) * 0.25;
  default: return in.anyDouble();
  }
}

lightbox::Vec3 vec(lightbox::fuzz::ByteReader& in) { return {pick(in), pick(in), pick(in)}; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lightbox::operator+;
  lightbox::fuzz::ByteReader in(data, size);
  const int fileCount = in.range<int>(1, 4);
  std::vector<std::shared_ptr<lightbox::DicomFileInfo>> files;
  for (int n = 0; n < fileCount; ++n) {
    auto f = std::make_shared<lightbox::DicomFileInfo>();
    f->path = "/fuzz/" + std::to_string(n) + ".dcm";
    static const char* const modalities[] = {"CT", "MR", "PT", "SEG", "CR", ""};
    f->modality = in.pick(modalities);
    static const char* const classes[] = {"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4.1",
                                          "1.2.840.10008.5.1.4.1.1.66.4", ""};
    f->sopClassUid = in.pick(classes);
    f->sopInstanceUid = "1.2.3." + std::to_string(n);
    f->seriesInstanceUid = in.flag() ? "1.2.9" : "1.2.9." + std::to_string(n);
    f->studyInstanceUid = "1.2.8";
    f->frameOfReferenceUid = in.flag() ? "1.2.7" : "";
    static const char* const kinds[] = {"AXIAL", "LOCALIZER", "M", "P", "MOSAIC"};
    if (in.flag()) f->imageType = {"ORIGINAL", "PRIMARY", in.pick(kinds)};
    f->storedRows = in.range<unsigned>(0, 8);
    f->storedColumns = in.range<unsigned>(0, 8);
    f->numberOfFrames = in.range<unsigned>(0, 48);
    f->samplesPerPixel = in.range<unsigned>(0, 3);
    static const unsigned bitDepths[] = {0u, 1u, 8u, 16u, 32u};
    f->bitsAllocated = in.pick(bitDepths);
    f->bitsStored = f->bitsAllocated;
    static const char* const photometrics[] = {"MONOCHROME2", "MONOCHROME1", "RGB", "PALETTE COLOR", ""};
    f->photometric = in.pick(photometrics);
    f->gantryTilt = pick(in);
    f->isEnhanced = in.flag();
    f->mosaicTiles = in.flag() ? in.range<unsigned>(0, 16) : 0;
    f->hasPixelData = true;
    files.push_back(std::move(f));
  }
  std::vector<lightbox::DicomFrame> frames;
  const int frameCount = in.range<int>(1, 48);
  lightbox::Vec3 position = vec(in), row{1, 0, 0}, column{0, 1, 0};
  for (int n = 0; n < frameCount && in.remaining() > 0; ++n) {
    lightbox::DicomFrame fr;
    fr.file = files[in.range<std::size_t>(0, files.size() - 1)];
    fr.frameIndex = in.range<unsigned>(0, 64);
    fr.mosaicTile = in.range<int>(-1, 15);
    fr.rows = in.range<unsigned>(0, 8);
    fr.columns = in.range<unsigned>(0, 8);
    fr.hasPosition = in.flag();
    fr.hasOrientation = in.flag();
    fr.hasPixelSpacing = in.flag();
    // Mostly a stack: the next slice a step along the normal; sometimes anything.
    if (in.flag()) {
      row = vec(in);
      column = vec(in);
    }
    position = in.flag() ? position + lightbox::Vec3{0, 0, pick(in)} : vec(in);
    fr.position = position;
    fr.rowDirection = row;
    fr.columnDirection = column;
    fr.spacingX = pick(in);
    fr.spacingY = pick(in);
    fr.sliceThickness = pick(in);
    fr.spacingBetweenSlices = pick(in);
    fr.rescaleSlope = in.flag() ? 1.0 : pick(in);
    fr.rescaleIntercept = in.flag() ? -1024.0 : pick(in);
    fr.echoNumber = in.range<int>(0, 3);
    fr.acquisitionNumber = in.range<int>(0, 3);
    fr.instanceNumber = in.range<int>(-2, 64);
    fr.temporalPosition = in.range<int>(0, 3);
    fr.stackIndex = in.range<int>(0, 2);
    const int dims = in.range<int>(0, 3);
    for (int d = 0; d < dims; ++d) fr.dimensionIndex.push_back(in.range<unsigned>(0, 8));
    frames.push_back(std::move(fr));
  }
  if (std::getenv("LIGHTBOX_FUZZ_VERBOSE")) { // triage: the frames this input describes
    for (const auto& fr : frames)
      std::fprintf(stderr, "frame %s#%u pos(%d) %g %g %g row %g %g %g col %g %g %g sp(%d) %g %g rows %u cols %u\n",
                   fr.file->path.c_str(), fr.frameIndex, fr.hasPosition, fr.position[0], fr.position[1], fr.position[2],
                   fr.rowDirection[0], fr.rowDirection[1], fr.rowDirection[2], fr.columnDirection[0],
                   fr.columnDirection[1], fr.columnDirection[2], fr.hasPixelSpacing, fr.spacingX, fr.spacingY, fr.rows,
                   fr.columns);
  }
  const lightbox::AssemblyResult result = lightbox::assembleSeries(frames);
  // Invariants: no frame placed twice; every grid the loader will allocate has a finite,
  // positive spacing and a size the frames can fill.
  std::size_t placed = 0;
  for (const auto& s : result.series) {
    (void)s.displayName();
    placed += s.frameCount();
    for (int a = 0; a < 3; ++a) {
      const double sp = s.geometry.spacing[a];
      if (!(std::isfinite(sp) && sp > 0)) {
        std::fprintf(stderr, "series %s: spacing[%d] = %g\n", s.displayName().c_str(), a, sp);
        std::abort();
      }
    }
    if (!std::isfinite(s.geometry.origin[0]) || !std::isfinite(s.geometry.origin[1]) || !std::isfinite(s.geometry.origin[2])) {
      std::fprintf(stderr, "series %s: origin not finite\n", s.displayName().c_str());
      std::abort();
    }
  }
  if (placed > frames.size()) std::abort();
  return 0;
}
