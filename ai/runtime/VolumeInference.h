// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/SlidingWindow.h"
#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

/// What pre-flight needs to know about a scan beyond its voxels.
struct ScanFacts {
  std::string modality;        ///< DICOM Modality ("CT", "MR", ...); empty when unknown
  double sliceThicknessMm = 0; ///< DICOM Slice Thickness; 0 when unknown (the spacing is used)
};

/// Checks a scan against the model's input contract: modality, slice thickness, spacing and
/// coverage along z. Each returned line names the check, the scan's value and the model's limit;
/// an empty list means the scan is inside the model's intended use.
std::vector<std::string> preflightWarnings(const ModelManifest& manifest, const Volume& volume,
                                           const ScanFacts& facts);

/// Resamples `volume` (trilinear, along its own axes, same origin and direction) to `spacing`.
/// The result covers the same extent: size = floor((n - 1) * s / t) + 1 per axis.
FloatGrid resampleToSpacing(const Volume& volume, const Vec3& spacing, VolumeGeometry& resampled);
/// Trilinear resampling of one channel of `grid` (on `gridGeometry`) onto `target`.
Volume resampleToGeometry(const FloatGrid& grid, std::size_t channel, const VolumeGeometry& gridGeometry,
                          const VolumeGeometry& target);

/// Clips to the manifest's intensity window and maps it linearly onto its normalised range.
void normaliseIntensity(std::vector<float>& values, const ModelManifest& manifest);

/// Runs a dense (probability-map) model on a whole volume: resample to the model's spacing,
/// normalise, sliding-window inference with blending, and resample every output channel back onto
/// the volume's own grid.
std::vector<Volume> runDenseModel(const Volume& volume, const ModelManifest& manifest,
                                  const ModelRunner& runner, const ProgressCallback& progress = {});

} // namespace lightbox
