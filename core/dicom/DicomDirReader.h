// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// The files referenced by a DICOMDIR's directory records (ReferencedFileID), as paths relative
/// to the DICOMDIR's folder. Throws std::runtime_error naming the file when it cannot be read.
std::vector<std::string> readDicomDirFiles(const std::string& dicomdirPath);

} // namespace lightbox
