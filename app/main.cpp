// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/viewer/ViewerApp.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

/// `lightbox` alone opens the default study; `lightbox view [PATH] [--screenshot OUT.png]`.
int runView(int argc, char** argv) {
  std::string path, screenshot;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--screenshot") && i + 1 < argc) {
      screenshot = argv[++i];
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "lightbox view: unknown option %s\nusage: lightbox view [PATH] [--screenshot OUT.png]\n",
                   argv[i]);
      return lightbox::cli::kExitUsage;
    } else {
      path = argv[i];
    }
  }
  try {
    if (path.empty()) {
      path = lightbox::cli::ensureDefaultStudy();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lightbox: cannot create the default study: %s\n", e.what());
    return lightbox::cli::kExitFailure;
  }
  return lightbox::runViewer(argc, argv, path, screenshot);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "view")) {
    return runView(argc, argv);
  }
  return lightbox::cli::runCommandLine(argc, argv);
}
