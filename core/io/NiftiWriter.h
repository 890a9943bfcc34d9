// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

/// Writes one volume (3D) or several volumes on one grid (4D) as NIfTI-1 (.nii, or .nii.gz through
/// zlib), straight from the volumes' voxel buffers: no copy of the image is made. The header is the
/// one ITK's NIfTI writer gives (RAS qform and sform, scanner-anatomical codes, millimetres), so
/// any reader sees the same geometry. The file appears complete or not at all (written beside it,
/// then renamed). Throws std::runtime_error naming the file and the reason.
void writeNifti(const std::vector<Volume>& volumes, const std::string& path);

} // namespace lightbox
