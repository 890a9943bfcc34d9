// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/Tensor.h"
#include "ai/segmentation/LesionPatch.h"
#include "core/volume/Volume.h"

#include <cstddef>
#include <string>
#include <vector>

namespace lightbox {

/// The modality the promptable lesion model normalises for.
enum class LesionModality { CT, MR, PT };

const char* toString(LesionModality m);

/// CT when the series is in Hounsfield units, PET when its units are SUV ("SUVbw", "SUV"), else
/// the modality recognised from the values (core recogniseModality: CT, PET or MR).
LesionModality lesionModalityOf(const Volume& image);

/// 1 where the patch sample lies inside the volume (up to half a voxel past the edge voxels'
/// centres, as samplePatch), else 0.
std::vector<float> patchValidity(const VolumeGeometry& geometry, const PatchGrid& patch);

/// The promptable lesion model's input (1, 10, edge, edge, edge), as
/// ai/training/promptable_lesion_model.py (model_input) builds it: two views of the contrast
/// against the clicked value, two absolute views per modality (CT: lung window and soft tissue;
/// MR: against the patch's median over its 5-95 % spread; PET: SUV and SUV against the median),
/// the modality one-hot, the inside-the-image mask, then the positive and the negative clicks as
/// Gaussians (sigma 1.5 samples). The first positive click anchors the clicked value (else the
/// cube's centre). `samples` and `valid` are x fastest.
Tensor promptableModelInput(const std::vector<float>& samples, const std::vector<float>& valid, std::size_t edge,
                            LesionModality modality, const std::vector<PatchClick>& clicks);

/// The golden case of the shipped model's test (golden_case in promptable_lesion_model.py): a
/// lobulated blob of 60 on 10 with ripples, the first four columns outside the image, a positive
/// click at the centre and a negative one 16 samples along x.
struct PromptableGoldenCase {
  std::vector<float> samples, valid;
  std::vector<PatchClick> clicks;
};
PromptableGoldenCase promptableGoldenCase(std::size_t edge);

} // namespace lightbox
