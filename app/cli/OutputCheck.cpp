// SPDX-License-Identifier: Apache-2.0
#include "app/cli/OutputCheck.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

namespace lightbox::cli {
namespace fs = std::filesystem;

void requireWritableFile(const std::string& path) {
  if (path.empty()) {
    throw OutputError("cannot write to an empty path");
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw OutputError("cannot write " + path + ": it is a folder");
  }
  const bool existed = fs::exists(path, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw OutputError("cannot write " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  if (!existed) {
    ::unlink(path.c_str());
  }
}

void requireWritableFolder(const std::string& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    throw OutputError("cannot write into " + folder + ": " +
                      (ec ? ec.message() : std::string("not a folder")));
  }
  const std::string probe =
      (fs::path(folder) / (".lightbox-write-test-" + std::to_string(::getpid()))).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw OutputError("cannot write into " + folder + ": " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

} // namespace lightbox::cli
