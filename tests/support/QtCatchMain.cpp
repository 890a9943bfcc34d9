// SPDX-License-Identifier: Apache-2.0
// Catch2 main for suites that need a QApplication (run under Xvfb).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QSurfaceFormat>

#include <cstring>

int main(int argc, char** argv) {
  // Listing tests (CTest discovery at build time) needs no display; running them does.
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--list", 6) == 0) {
      return Catch::Session().run(argc, argv);
    }
  }
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(8);
  format.setStencilBufferSize(0);
  format.setAlphaBufferSize(8);
  format.setSamples(0);
  QSurfaceFormat::setDefaultFormat(format);
  QApplication app(argc, argv);
  return Catch::Session().run(argc, argv);
}
