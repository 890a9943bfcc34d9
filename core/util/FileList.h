// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// The regular files named by `paths`, in order: a file as it is, a folder as every regular file
/// under it (recursively, sorted by path; unreadable subfolders skipped).
std::vector<std::string> regularFilesUnder(const std::vector<std::string>& paths);

} // namespace lightbox
