// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/IngestIssue.h"
#include "core/dicom/SeriesAssembler.h"
#include "core/volume/Volume.h"

#include <functional>
#include <stdexcept>
#include <vector>

namespace lightbox {

struct LoadOptions {
  unsigned threads = 0; ///< 0: hardware concurrency
  /// Resample uneven, gapped or tilted stacks onto AssembledSeries::geometry. When false they are
  /// returned as the raw sorted stack with the nominal spacing (geometrically approximate).
  bool resampleToUniform = true;
  /// Philips MR: floating-point values FP = DV / (RS * SS) instead of the displayed values DV
  /// (what dcm2niix writes by default); no effect on other data.
  bool philipsFloatValues = false;
  /// (slices done, slices total); return false to cancel (loadSeries then throws LoadCancelled).
  std::function<bool(std::size_t, std::size_t)> progress;
};

struct LoadedSeries {
  std::vector<Volume> volumes; ///< one per time point
  std::vector<IngestIssue> issues; ///< assembly issues plus per-file decode failures
  std::vector<IngestIssue> rejectedFiles; ///< loadPath: files of the path left out, each with its reason
};

struct LoadCancelled : std::runtime_error {
  LoadCancelled() : std::runtime_error("load cancelled") {}
};

/// Decodes every slice of an assembled series in parallel. A slice that fails to decode is shown
/// blank (padding value) and reported with its file and reason; the rest of the series loads.
LoadedSeries loadSeries(const AssembledSeries& series, const LoadOptions& options = {});

/// Voxel type the series needs: Int16 when every frame's rescale is integral and the modality
/// range fits, else Float32.
VoxelType voxelTypeFor(const AssembledSeries& series);

} // namespace lightbox
