// SPDX-License-Identifier: Apache-2.0
#include "core/util/AtomicFile.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

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

bool processAlive(long pid) {
  if (pid <= 0) return false;
  return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

std::size_t removeStaleTemporaries(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string prefix = atomicTemporaryPrefix(p.filename().string());
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // <prefix><pid>.<n>
    const std::string rest = name.substr(prefix.size());
    const std::size_t dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789") != dot) continue;
    if (processAlive(std::stol(rest.substr(0, dot)))) continue;
    std::error_code rm;
    if (std::filesystem::remove(e.path(), rm)) ++removed;
  }
  return removed;
}

std::string syncFolderToDisk(const std::string& folder) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec))
    if (e.is_regular_file()) paths.push_back(e.path().string());
  if (ec) return folder + ": " + ec.message();
  paths.push_back(folder);
  for (const std::string& p : paths) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return p + ": " + std::strerror(errno);
    const bool ok = ::fsync(fd) == 0;
    const std::string reason = ok ? std::string() : p + ": " + std::strerror(errno);
    ::close(fd);
    if (!ok) return reason;
  }
  return {};
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
