// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

namespace lightbox {

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one, never a
/// mix: a temporary file beside it (created with `mode`, less the umask), fsync, then rename over
/// it. Returns an empty string when done, else the reason (the temporary file is removed).
std::string writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode = 0644);
/// What the temporary files of writeFileAtomically(path, ...) start with (then the writer tag and a
/// counter).
std::string atomicTemporaryPrefix(const std::string& path);
/// Whether a temporary file of writeFileAtomically(path, ...) is left beside `path`.
bool atomicTemporaryLeft(const std::string& path);

/// This process as a writer: "<pid>@<host>" (the host's name with every character other than a
/// letter, digit or '-' as '_'), so that a folder shared by several machines (a batch on Slurm
/// nodes) never mistakes another machine's live writer for a dead local one.
std::string writerTag();
/// Whether a temporary named with `tag` (a writerTag(), or a bare pid from before hosts were
/// named) belongs to a writer on this machine whose process is gone: killed before it finished.
bool staleLocalWriter(const std::string& tag);
/// Removes the temporary files that writers of `path` killed mid-write left beside it
/// (`<path>.tmp.<writer tag>.<n>` of a local process that is gone); a live writer's and other
/// machines' are kept. Never throws. Returns how many were removed.
std::size_t removeStaleTemporaries(const std::string& path);

/// Flushes one file or folder to the disk (fsync). Returns an empty string when done, else the path
/// and the reason.
std::string syncToDisk(const std::string& path);

/// Flushes every file directly in `folder`, then the folder itself, to the disk (fsync), so that a
/// rename that publishes the folder is not followed by empty files after a power cut. Returns
/// an empty string when done, else the file and the reason.
std::string syncFolderToDisk(const std::string& folder);

/// Moves a file that cannot be read out of the way, never deleting it: renames it to
/// `<path>.unreadable-<YYYYmmdd-HHMMSS>` (with `-2`, `-3`, ... when taken). Returns the new path,
/// or an empty string with `reason` set when the rename failed.
std::string moveAside(const std::string& path, std::string& reason);

} // namespace lightbox
