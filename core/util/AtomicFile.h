// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one, never a
/// mix: a temporary file beside it, fsync, then rename over it. Returns an empty string when
/// done, else the reason (the temporary file is removed).
std::string writeFileAtomically(const std::string& path, const std::string& bytes);
/// What the temporary files of writeFileAtomically(path, ...) start with (then pid and a counter).
std::string atomicTemporaryPrefix(const std::string& path);
/// Whether a temporary file of writeFileAtomically(path, ...) is left beside `path`.
bool atomicTemporaryLeft(const std::string& path);

/// Moves a file that cannot be read out of the way, never deleting it: renames it to
/// `<path>.unreadable-<YYYYmmdd-HHMMSS>` (with `-2`, `-3`, ... when taken). Returns the new path,
/// or an empty string with `reason` set when the rename failed.
std::string moveAside(const std::string& path, std::string& reason);

} // namespace lightbox
