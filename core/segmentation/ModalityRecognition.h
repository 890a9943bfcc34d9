// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// What a series without a modality tag (a NIfTI, NRRD or MetaImage file) most likely is, from its
/// values alone, and why.
struct RecognisedModality {
  std::string modality; ///< "CT", "PT" (PET) or "MR"
  std::string evidence; ///< the values that decided it, for the reader
  double shareAtOrBelowMinus900 = 0, shareSoftTissue = 0, median = 0, min = 0, max = 0;
  bool integral = false;
};

/// CT when the values look like Hounsfield units: at least 0.5 % of voxels at or below -900 (air
/// around a limb, lung), or, for a crop without air, whole numbers reaching -100 or below (fat)
/// with at least 20 % of voxels between -100 and 100 (soft tissue). PET when nothing is negative,
/// the values are fractional (a 0/1 mask or a label map is not a PET), the largest value is at most
/// 100 and the median at most 5 (SUV: background near 0-2, lesions
/// 2-40). Anything else is MR (arbitrary, non-negative units). Designed on the sarcoma set's CT,
/// T1 MR and SUV PET images and the POPI / LIDC CTs (tests/core/ModalityRecognitionTest.cpp).
RecognisedModality recogniseModality(const Volume& image);

/// The units a recognised image is read in: "HU" for CT, "SUV" for PET (values in SUV were what
/// made it PET), "" for MR.
std::string recognisedUnits(const RecognisedModality& r);

/// A research image (NIfTI, NRRD, MetaImage) read without units: recognised from its first
/// volume's values and every volume read in the recognised units (the viewer and `lightbox
/// review`; `lightbox segment` recognises too but sets only HU, for the model's CT channel).
/// Nothing (and nothing changed) when the units are known or there is no volume. A pass over
/// every voxel. For research files only: a DICOM series says its modality.
std::optional<RecognisedModality> recogniseMissingUnits(std::vector<Volume>& volumes);

} // namespace lightbox
