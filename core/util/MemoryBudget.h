// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace lightbox {

/// Memory this process can still take, in bytes: the smallest of the machine's available memory
/// (MemAvailable in /proc/meminfo), the room left under this process's cgroup limit (v2
/// memory.max, v1 memory.limit_in_bytes; the cgroup's reclaimable file cache counts as room) and
/// the room left under its address-space limit (RLIMIT_AS, `ulimit -v`). Empty when none of them
/// can be read.
std::optional<std::uint64_t> availableMemoryBytes();

/// The series (or other data) does not fit in the memory this process can take.
struct NotEnoughMemory : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws NotEnoughMemory, saying what needs how much and how much is available, when `bytes`
/// exceed `available` (nothing is refused when it is unknown). Refusing up front is what keeps
/// a series the machine cannot hold from ending in the kernel's OOM kill, which loses the
/// reader's unsaved view and tells nothing.
void requireMemory(std::uint64_t bytes, const std::string& what,
                   std::optional<std::uint64_t> available = availableMemoryBytes());

/// "4.0 GB", "512 MB": bytes in the reader's units (powers of 1024, one decimal above 1 GB).
std::string formatBytes(std::uint64_t bytes);

} // namespace lightbox
