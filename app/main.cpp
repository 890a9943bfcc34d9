// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/viewer/ViewerApp.h"

#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <exception>
#include <string>

namespace {

constexpr const char* kViewUsage =
    "usage: lightbox view [PATH] [--screenshot OUT.png] [--layout 1x1|1x2|1x3|2x2] [--language en|zh_CN]\n";

/// `lightbox` alone opens the default study; `lightbox view [PATH] [--screenshot OUT.png] [--layout L]
/// [--language CODE]`.
int runView(int argc, char** argv) {
  std::string path, screenshot, layout, language;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--screenshot") && i + 1 < argc) {
      screenshot = argv[++i];
    } else if (!std::strcmp(argv[i], "--layout") && i + 1 < argc) {
      layout = argv[++i];
      if (layout != "1x1" && layout != "1x2" && layout != "1x3" && layout != "2x2") {
        std::fprintf(stderr, "lightbox view: option --layout takes 1x1, 1x2, 1x3 or 2x2, not '%s'\n%s", layout.c_str(),
                     kViewUsage);
        return lightbox::cli::kExitUsage;
      }
    } else if (!std::strcmp(argv[i], "--language") && i + 1 < argc) {
      language = argv[++i];
      if (language != "en" && language != "zh_CN") {
        std::fprintf(stderr, "lightbox view: option --language takes en or zh_CN, not '%s'\n%s", language.c_str(),
                     kViewUsage);
        return lightbox::cli::kExitUsage;
      }
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "lightbox view: unknown option %s\n%s", argv[i], kViewUsage);
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
  return lightbox::runViewer(argc, argv, path, screenshot, layout, language);
}

} // namespace

int main(int argc, char** argv) {
  // Large temporaries (volumes, registration and model tensors) come from the heap and stay there
  // when freed, instead of a fresh mapping each time: in this VM every first touch of a page is a
  // costly fault (an 8-channel product on a chest CT took 70 ms, 1 ms of it arithmetic). Blocks
  // above 32 MB (glibc's ceiling for this threshold) are still mapped; the heap is trimmed beyond
  // 512 MB of free top.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  if (argc < 2 || !std::strcmp(argv[1], "view")) {
    return runView(argc, argv);
  }
  return lightbox::cli::runCommandLine(argc, argv);
}
