// SPDX-License-Identifier: Apache-2.0
#include "core/util/AtomicFile.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

namespace lightbox {

std::string atomicTemporaryPrefix(const std::string& path) { return path + ".tmp."; }

std::string writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
  // A name of this writer's own: two processes (or threads) saving the same file at once never
  // write into one temporary file; the last rename wins with a whole file.
  static std::atomic<unsigned> counter{0};
  const std::string tmp = atomicTemporaryPrefix(path) + writerTag() + "." + std::to_string(++counter);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode));
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

std::string writerTag() {
  static const std::string tag = [] {
    char host[256] = {0};
    if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
    std::string name;
    for (const char* c = host; *c; ++c) name += std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' ? *c : '_';
    return name;
  }();
  return std::to_string(::getpid()) + "@" + tag;
}

bool staleLocalWriter(const std::string& tag) {
  const std::size_t at = tag.find('@');
  const std::string pidText = tag.substr(0, at);
  if (pidText.empty() || pidText.size() > 9 || pidText.find_first_not_of("0123456789") != std::string::npos) return false;
  if (at != std::string::npos) {
    const std::string mine = writerTag();
    if (tag.substr(at) != mine.substr(mine.find('@'))) return false; // another machine's writer
  }
  const long pid = std::strtol(pidText.c_str(), nullptr, 10);
  if (pid <= 0) return false;
  return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

std::size_t removeStaleTemporaries(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string prefix = atomicTemporaryPrefix(p.filename().string());
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // <prefix><writer tag>.<n>
    const std::string rest = name.substr(prefix.size());
    const std::size_t dot = rest.rfind('.');
    if (dot == std::string::npos || !staleLocalWriter(rest.substr(0, dot))) continue;
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
    if (std::string reason = syncToDisk(p); !reason.empty()) return reason;
  }
  return {};
}

std::string syncToDisk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return path + ": " + std::strerror(errno);
  const bool ok = ::fsync(fd) == 0;
  const std::string reason = ok ? std::string() : path + ": " + std::strerror(errno);
  ::close(fd);
  return reason;
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
