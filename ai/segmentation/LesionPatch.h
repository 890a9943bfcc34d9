// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/Tensor.h"
#include "core/volume/Volume.h"

#include <cstddef>
#include <vector>

namespace lightbox {

/// The cube a lesion model sees: `edge`^3 samples `spacingMm` apart along the scan's own axes,
/// centred on the click. Sample (a, b, c) (x fastest) lies at
/// centre + sum_axis (index_axis - edge/2 + 0.5) * spacingMm * direction_axis.
struct PatchGrid {
  Vec3 centreLps{0, 0, 0};
  double spacingMm = 1.5;
  std::size_t edge = 32;
  std::array<Vec3, 3> direction{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};

  std::size_t count() const { return edge * edge * edge; }
  Vec3 toLps(const Vec3& patchIndex) const;
  Vec3 toPatch(const Vec3& lps) const; ///< continuous patch index of an LPS point
};

PatchGrid patchAround(const VolumeGeometry& scan, const Vec3& centreLps, double spacingMm, std::size_t edge);

/// Trilinear samples of the volume on the patch (x fastest); outside the volume: `outside`.
std::vector<float> samplePatch(const Volume& volume, const PatchGrid& patch, float outside);

/// Trilinear value of a patch map (`edge`^3, x fastest) at a continuous patch index; samples
/// outside the cube count as 0.
float patchValue(const std::vector<float>& map, std::size_t edge, const Vec3& patchIndex);

/// A reader's click in patch indices: positive (part of the lesion) or negative (not).
struct PatchClick {
  Vec3 at{0, 0, 0};
  bool positive = true;
};

/// The click-relative intensity reference of a patch: the mean of the 4x4x4 samples around the
/// centre (the first click) and the scale differences are measured in (CT: 300 HU; other modalities:
/// half the click value, at least 5 % of the patch's largest absolute value).
struct PatchIntensity {
  float clickValue = 0;
  float scale = 1;
  bool isCt = true;
};
PatchIntensity patchIntensity(const std::vector<float>& samples, std::size_t edge, bool isCt);

/// The model input (1, 6, edge, edge, edge): three views of (value - click value) / scale through
/// tanh at 1/3, 1 and 10/3 of the scale; an absolute view (CT: HU -1000..400 onto -1..1; other
/// modalities: value / click value - 1, clipped to -1..2); then the positive and the negative
/// clicks as Gaussians (sigma 1.5 samples, peak 1, cut at 3 sigma).
/// ai/training/lesion_model.py builds the same tensor.
Tensor lesionModelInput(const std::vector<float>& samples, std::size_t edge, const PatchIntensity& intensity,
                        const std::vector<PatchClick>& clicks);

/// The shape of the default golden input (also built by ai/training/lesion_model.py): a lobulated
/// blob of 0 on -800 with ripples; returns samples on a `edge`^3 patch.
std::vector<float> lesionGoldenSamples(std::size_t edge);

} // namespace lightbox
