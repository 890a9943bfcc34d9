// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/LabelMap.h"

#include <string>

namespace lightbox {

/// Saves a label map with its segment table, crash-safe (temporary file, fsync, rename): one JSON
/// header line (format, grid, segments, run count) followed by the voxels as runs of (value: 1
/// byte, length: 4 bytes little-endian), x fastest. A lesion's map of a 512x512x300 CT is a few KB.
/// Throws std::runtime_error naming the file and the reason.
void saveLabelMap(const LabelMap& map, const std::string& path);

/// Reads a file saveLabelMap wrote. The map must lie on `expected` (the series it was saved with);
/// a different grid, a truncated or corrupt file, or an unknown format throws std::runtime_error
/// naming the file and the reason.
LabelMap loadLabelMap(const std::string& path, const VolumeGeometry& expected);

} // namespace lightbox
