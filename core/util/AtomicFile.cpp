// SPDX-License-Identifier: Apache-2.0
#include "core/util/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace lightbox {

std::string atomicTemporaryPrefix(const std::string& path) { return path + ".tmp."; }

std::string writeFileAtomically(const std::string& path, const std::string& bytes) {
  // A name of this writer's own: two processes (or threads) saving the same file at once never
  // write into one temporary file; the last rename wins with a whole file.
  static std::atomic<unsigned> counter{0};
  const std::string tmp = atomicTemporaryPrefix(path) + std::to_string(::getpid()) + "." + std::to_string(++counter);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::strerror(errno);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return reason;
    }
    written += std::size_t(n);
  }
  if (::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return reason;
  }
  if (::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return reason;
  }
  return {};
}

bool atomicTemporaryLeft(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string prefix = atomicTemporaryPrefix(p.filename().string());
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path(), ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string moveAside(const std::string& path, std::string& reason) {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &local);
  std::string aside = path + ".unreadable-" + stamp;
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(aside, ec); ++n) {
    aside = path + ".unreadable-" + stamp + "-" + std::to_string(n);
  }
  if (std::rename(path.c_str(), aside.c_str()) != 0) {
    reason = std::strerror(errno);
    return {};
  }
  return aside;
}

} // namespace lightbox
