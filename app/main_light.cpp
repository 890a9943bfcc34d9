// SPDX-License-Identifier: Apache-2.0
// `lightbox`: the light front. Commands that need only the core (info, import, list, convert,
// make-phantom, default-study, --help) run here and start in milliseconds; the viewer and the
// commands that need Torch or VTK are handed, same arguments and same process, to `lightbox-full`
// beside this executable, so no command pays for libraries it does not use.
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::string fullExecutable() {
  if (const char* override = std::getenv("LIGHTBOX_FULL"); override && *override) return override;
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "lightbox-full";
  self[n] = '\0';
  std::string path(self);
  return path.substr(0, path.rfind('/') + 1) + "lightbox-full";
}

} // namespace

int main(int argc, char** argv) {
  const bool viewer = argc < 2 || !std::strcmp(argv[1], "view");
  if (viewer || lightbox::cli::isHeavyCommand(argv[1])) {
    const std::string full = fullExecutable();
    // A bare name (no /proc) is looked up on PATH, never in the current folder.
    if (full.find('/') == std::string::npos) {
      ::execvp(full.c_str(), argv);
    } else {
      ::execv(full.c_str(), argv);
    }
    std::fprintf(stderr, "lightbox: cannot start %s: %s\n", full.c_str(), std::strerror(errno));
    return lightbox::cli::kExitFailure;
  }
  return lightbox::cli::runCommandLine(argc, argv, lightbox::cli::lightCommands());
}
