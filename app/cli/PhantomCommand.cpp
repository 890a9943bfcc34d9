// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

#include "core/phantom/ChestPhantom.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace lightbox::cli {

int runMakePhantom(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"slices", "matrix", "seed", "study-date"});
  if (args.positional().size() != 1) {
    throw UsageError("usage: lightbox make-phantom OUT_DIR [--slices N] [--matrix N] [--seed S] [--study-date YYYYMMDD]");
  }
  ChestPhantomSpec spec;
  spec.slices = unsigned(args.integer("slices", spec.slices, 8, 4096));
  spec.matrix = unsigned(args.integer("matrix", spec.matrix, 64, 4096));
  spec.seed = std::uint32_t(args.integer("seed", spec.seed, 0, 0xFFFFFFFFll));
  spec.studyDate = args.option("study-date", spec.studyDate);
  if (spec.studyDate.size() != 8 || spec.studyDate.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("option --study-date must be YYYYMMDD, not '" + spec.studyDate + "'");
  }
  requireWritableFolder(args.positional()[0]);
  const ChestPhantom p = writeChestPhantom(args.positional()[0], spec);
  std::printf("wrote %zu slices (%ux%u, %.2f x %.2f x %.2f mm) and phantom.json with %zu nodules to %s\n",
              p.files.size(), spec.matrix, spec.matrix, spec.pixelMm, spec.pixelMm, spec.sliceMm,
              p.nodules.size(), args.positional()[0].c_str());
  return kExitOk;
}

std::string defaultStudyFolder() {
  if (const char* p = std::getenv("LIGHTBOX_DEFAULT_STUDY"); p && *p) {
    return p;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return (fs::path(xdg) / "lightbox" / "phantom").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".cache" / "lightbox" / "phantom").string();
}

std::string ensureDefaultStudy() {
  const std::string folder = defaultStudyFolder();
  if (!fs::exists(fs::path(folder) / "phantom.json")) {
    std::fprintf(stderr, "generating the default study (synthetic chest CT) in %s\n", folder.c_str());
    writeChestPhantom(folder);
  }
  return folder;
}

} // namespace lightbox::cli
