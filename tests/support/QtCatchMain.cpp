// SPDX-License-Identifier: Apache-2.0
// Catch2 main for suites that need a QApplication (run under Xvfb).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QStandardPaths>

#include "app/viewer/ViewerApp.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  // Listing tests (CTest discovery at build time) needs no display; running them does.
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--list", 6) == 0) {
      return Catch::Session().run(argc, argv);
    }
  }
  // The viewer writes a study index, annotations and settings: keep them out of the user's.
  // Under $TMPDIR when set (the kill test gives each killed run a folder it removes).
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/lightbox-viewer-tests-XXXXXX";
  std::vector<char> scratchPath(pattern.begin(), pattern.end());
  scratchPath.push_back('\0');
  char* scratch = scratchPath.data();
  if (!mkdtemp(scratch)) {
    std::perror("mkdtemp");
    return 2;
  }
  setenv("LIGHTBOX_INDEX", (std::string(scratch) + "/index.sqlite").c_str(), 1);
  setenv("LIGHTBOX_ANNOTATIONS", (std::string(scratch) + "/annotations").c_str(), 1);
  setenv("XDG_CONFIG_HOME", scratch, 1);
  QStandardPaths::setTestModeEnabled(true);
  lightbox::setViewerSurfaceFormat();
  int result = 0;
  {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("LightboxTests");
    QApplication::setApplicationName("LightboxTests");
    result = Catch::Session().run(argc, argv);
  }
  // The scratch folder goes with the run (every test process made one, 1450 were left in /tmp);
  // LIGHTBOX_KEEP_TEST_SCRATCH=1 keeps it to look at.
  if (const char* keep = std::getenv("LIGHTBOX_KEEP_TEST_SCRATCH");
      keep && std::strcmp(keep, "1") == 0) {
    std::fprintf(stderr, "test scratch kept: %s\n", scratch);
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
  }
  return result;
}
