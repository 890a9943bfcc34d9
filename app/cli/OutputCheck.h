// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

namespace lightbox::cli {

/// An output the command was asked to write cannot be written: exit code 1, the message names
/// the path.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Checks, before any long work, that `path` can be created or replaced: its folder exists and
/// takes a new file. Leaves nothing behind. Throws OutputError naming the path.
void requireWritableFile(const std::string& path);

/// Checks that `folder` exists or can be created and takes a new file (it is created when
/// missing). Throws OutputError naming the folder.
void requireWritableFolder(const std::string& folder);

} // namespace lightbox::cli
