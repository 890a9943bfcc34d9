// SPDX-License-Identifier: Apache-2.0
#include "tests/fuzz/FuzzSupport.h"

#include "core/dicom/DicomHeaderReader.h"
#include "core/study/StudyLoader.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lightbox::fuzz {

namespace {

struct Scratch {
  std::string folder;
  Scratch() {
    const char* tmp = std::getenv("TMPDIR");
    const fs::path base = (tmp && *tmp) ? fs::path(tmp) : fs::path("/tmp");
    folder = (base / ("lightbox-fuzz-" + std::to_string(::getpid()))).string();
    fs::create_directories(folder);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(folder, ec);
  }
};

} // namespace

const std::string& scratchFolder() {
  static Scratch scratch;
  return scratch.folder;
}

std::string writeInput(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
  const std::string path = scratchFolder() + "/input" + suffix;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::abort();
  }
  if (size && std::fwrite(data, 1, size, f) != size) {
    std::perror(path.c_str());
    std::abort();
  }
  std::fclose(f);
  return path;
}

const SegSourceSeries& sharedSourceSeries(const std::string& relativeFolder) {
  static std::map<std::string, std::unique_ptr<SegSourceSeries>> loaded;
  auto& slot = loaded[relativeFolder];
  if (!slot) {
    const char* env = std::getenv("LIGHTBOX_FUZZ_SHARED");
    const std::string shared = (env && *env) ? std::string(env) : std::string(LIGHTBOX_SHARED_DATA_DIR);
    const std::string folder = shared + "/" + relativeFolder;
    try {
      quietGdcm();
      const StudyScan scan = scanStudy(folder, 1);
      if (scan.series.empty()) throw std::runtime_error("no image series there");
      slot = std::make_unique<SegSourceSeries>(segSourceOf(scan.series.front()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz: the source series %s cannot be read: %s\n", folder.c_str(), e.what());
      std::abort();
    }
  }
  return *slot;
}

} // namespace lightbox::fuzz
