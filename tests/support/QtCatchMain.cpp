// SPDX-License-Identifier: Apache-2.0
// Catch2 main for suites that need a QApplication (run under Xvfb).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>

#include "app/viewer/ViewerApp.h"

#include <cstring>

int main(int argc, char** argv) {
  // Listing tests (CTest discovery at build time) needs no display; running them does.
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--list", 6) == 0) {
      return Catch::Session().run(argc, argv);
    }
  }
  lightbox::setViewerSurfaceFormat();
  QApplication app(argc, argv);
  return Catch::Session().run(argc, argv);
}
