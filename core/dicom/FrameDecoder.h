// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomFrame.h"

#include <cstdint>
#include <vector>

namespace lightbox {

/// Where one frame's modality values go: a row-major slice of rows x columns voxels.
template <typename Out> struct FrameTarget {
  const DicomFrame* frame;
  Out* destination;
};

/// Decodes the given frames, all from one file, into their targets. Native little-endian data is
/// read with pread straight into the destination; other syntaxes go through GDCM's codecs.
/// Throws std::runtime_error with a readable reason (the caller names the file).
template <typename Out> void decodeFileFrames(const std::vector<FrameTarget<Out>>& targets);

} // namespace lightbox
