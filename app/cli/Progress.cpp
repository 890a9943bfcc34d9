// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Progress.h"

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace lightbox::cli {

std::function<bool(std::size_t, std::size_t)> makeProgressPrinter(const std::string& what, bool quiet) {
  if (quiet) {
    return {};
  }
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  auto lastDecile = std::make_shared<int>(-1);
  return [what, tty, lastDecile](std::size_t done, std::size_t total) {
    if (total < 50) {
      return true;
    }
    const int decile = int(done * 10 / total);
    if (tty) {
      std::fprintf(stderr, "\r%s %zu/%zu", what.c_str(), done, total);
      if (done == total) {
        std::fputc('\n', stderr);
      }
    } else if (decile != *lastDecile) {
      *lastDecile = decile;
      std::fprintf(stderr, "%s %zu/%zu\n", what.c_str(), done, total);
    }
    return true;
  };
}

} // namespace lightbox::cli
