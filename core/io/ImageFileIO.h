// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

/// True for the research formats read through ITK: .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd.
bool isResearchImageFile(const std::string& path);

/// Registers ITK's NIfTI, NRRD and MetaImage readers and writers (once; thread-safe). Needed by any
/// code that writes those formats through ITK itself (the displacement field of a registration).
void registerImageIoFactories();

/// Reads a NIfTI / NRRD / MetaImage file into LPS volumes (one per 4th-dimension index), with the
/// same geometry model as DICOM. Integer data that fits int16 stays int16, everything else float32.
/// Throws std::runtime_error naming the file and the reason.
std::vector<Volume> readResearchImage(const std::string& path);

/// Writes one volume (3D) or several equally-shaped volumes (4D) to a NIfTI / NRRD / MetaImage
/// file chosen by extension. Throws std::runtime_error naming the file and the reason.
void writeResearchImage(const std::vector<Volume>& volumes, const std::string& path);

} // namespace lightbox
