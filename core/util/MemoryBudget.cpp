// SPDX-License-Identifier: Apache-2.0
#include "core/util/MemoryBudget.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace lightbox {
namespace {

constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();

/// A "Key:   123 kB" line of a /proc file, in bytes; kUnknown when absent.
std::uint64_t procKib(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':') {
      std::istringstream v(line.substr(key.size() + 1));
      std::uint64_t kib = 0;
      if (v >> kib) return kib * 1024;
    }
  }
  return kUnknown;
}

/// A file holding one number ("max" or a count of bytes); kUnknown when absent or "max".
std::uint64_t numberIn(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s == "max") return kUnknown;
  try {
    return std::stoull(s);
  } catch (...) {
    return kUnknown;
  }
}

/// This process's cgroup folder (v2: the "0::" line of /proc/self/cgroup).
std::string cgroupV2Folder() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  }
  return {};
}

std::uint64_t roomUnder(std::uint64_t limit, std::uint64_t used) {
  if (limit == kUnknown) return kUnknown;
  if (used == kUnknown) used = 0;
  return limit > used ? limit - used : 0;
}

} // namespace

/// A "key value" line of a cgroup memory.stat file; 0 when absent.
std::uint64_t statValue(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string k;
  std::uint64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

/// A cgroup's usage less its inactive file cache, which the kernel reclaims before it kills
/// anything (reading a series fills the cgroup with cache: counting it would refuse series that fit).
std::uint64_t usedWithoutCache(std::uint64_t used, std::uint64_t inactiveFile) {
  if (used == kUnknown) return kUnknown;
  return used > inactiveFile ? used - inactiveFile : 0;
}

std::optional<std::uint64_t> availableMemoryBytes() {
  std::uint64_t room = procKib("/proc/meminfo", "MemAvailable");
  if (const std::string cg = cgroupV2Folder(); !cg.empty()) {
    room = std::min(room, roomUnder(numberIn(cg + "/memory.max"),
                                    usedWithoutCache(numberIn(cg + "/memory.current"),
                                                     statValue(cg + "/memory.stat", "inactive_file"))));
  }
  room = std::min(room, roomUnder(numberIn("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
                                  usedWithoutCache(numberIn("/sys/fs/cgroup/memory/memory.usage_in_bytes"),
                                                   statValue("/sys/fs/cgroup/memory/memory.stat", "total_inactive_file"))));
  rlimit as{};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    room = std::min(room, roomUnder(std::uint64_t(as.rlim_cur), procKib("/proc/self/status", "VmSize")));
  }
  if (room == kUnknown) return std::nullopt;
  return room;
}

std::string formatBytes(std::uint64_t bytes) {
  char s[32];
  const double mib = double(bytes) / (1024.0 * 1024.0);
  if (mib >= 1024.0) {
    std::snprintf(s, sizeof s, "%.1f GB", mib / 1024.0);
  } else {
    std::snprintf(s, sizeof s, "%.0f MB", mib);
  }
  return s;
}

void requireMemory(std::uint64_t bytes, const std::string& what, std::optional<std::uint64_t> available) {
  if (!available || bytes <= *available) return; // unknown: let the allocation decide
  throw NotEnoughMemory(what + " needs " + formatBytes(bytes) + " of memory; " + formatBytes(*available) +
                        " is available to Lightbox on this machine: close other programs, or open a part of it");
}

} // namespace lightbox
