// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace lightbox::test {

std::string sharedData(const std::string& relative) {
  const char* env = std::getenv("LIGHTBOX_SHARED_DATA");
  const fs::path root = env && *env ? fs::path(env) : fs::path(LIGHTBOX_SHARED_DATA_DIR);
  const fs::path p = root / relative;
  if (!fs::exists(p)) {
    FAIL("shared test data missing: " << p.string()
                                      << " (set LIGHTBOX_SHARED_DATA to the folder holding ct/, mr/, ...)");
  }
  return p.string();
}

namespace {
struct ScratchRoot {
  fs::path path;
  ScratchRoot() {
    path = fs::temp_directory_path() / ("lightbox-test-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~ScratchRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
} // namespace

ProcessResult runProgram(const std::string& binary, const std::vector<std::string>& args) {
  static int calls = 0;
  const std::string io = scratchFolder("process-io-" + std::to_string(++calls));
  const std::string outPath = io + "/stdout", errPath = io + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> all{binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  ProcessResult p;
  p.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  p.out = fileText(outPath);
  p.err = fileText(errPath);
  return p;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string scratchFolder(const std::string& name) {
  static ScratchRoot root;
  const fs::path p = root.path / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::vector<fs::path> sortedDicomFiles(const std::string& source) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(source)) {
    if (e.is_regular_file() && e.path().extension() == ".dcm") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  return files;
}

std::size_t copyWithFrameOfReferencePerSlice(const std::string& source, const std::string& destination) {
  fs::create_directories(destination);
  const std::vector<fs::path> files = sortedDicomFiles(source);
  for (std::size_t k = 0; k < files.size(); ++k) {
    const fs::path copy = fs::path(destination) / files[k].filename();
    fs::copy_file(files[k], copy, fs::copy_options::overwrite_existing);
    const std::string uid = "2.25.31415926535897932384626" + std::to_string(k + 1);
    const std::string command =
        "dcmodify -q -nb -m '(0020,0052)=" + uid + "' '" + copy.string() + "' 2>&1";
    const int rc = std::system(command.c_str());
    if (rc != 0) {
      FAIL("dcmodify (package dcmtk) failed with status " << rc << " on " << copy.string());
    }
  }
  return files.size();
}

/// float32 rounding of rescaled values (NIfTI scl_slope is float32): 1e-6 of the value.
constexpr double kRelativeValueTolerance = 1e-6;

WorldComparison compareInWorld(const Volume& ours, const Volume& reference, double valueTolerance) {
  WorldComparison c;
  const VolumeGeometry& g = ours.geometry;
  const VolumeGeometry& r = reference.geometry;
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        ++c.voxels;
        const Vec3 lps = g.ijkToLps({double(i), double(j), double(k)});
        const Vec3 idx = r.lpsToIjk(lps);
        const Vec3 rounded{std::round(idx[0]), std::round(idx[1]), std::round(idx[2])};
        c.maxIndexErrorMm = std::max(c.maxIndexErrorMm, norm(lps - r.ijkToLps(rounded)));
        if (rounded[0] < 0 || rounded[1] < 0 || rounded[2] < 0 || rounded[0] >= double(r.size[0]) ||
            rounded[1] >= double(r.size[1]) || rounded[2] >= double(r.size[2])) {
          ++c.outside;
          continue;
        }
        const double a = ours.value(i, j, k);
        const double b = reference.value(std::size_t(rounded[0]), std::size_t(rounded[1]), std::size_t(rounded[2]));
        const double d = std::abs(a - b);
        c.maxAbsDifference = std::max(c.maxAbsDifference, d);
        if (d > valueTolerance + kRelativeValueTolerance * std::max(std::abs(a), std::abs(b))) {
          ++c.mismatches;
        }
      }
    }
  }
  return c;
}

std::vector<std::uint8_t> atLeastHalf(const std::vector<const std::vector<std::uint8_t>*>& masks) {
  std::vector<std::uint8_t> out(masks.front()->size(), 0);
  for (std::size_t n = 0; n < out.size(); ++n) {
    std::size_t votes = 0;
    for (const auto* m : masks) votes += (*m)[n] != 0;
    out[n] = 2 * votes >= masks.size();
  }
  return out;
}

LidcConsensus lidcConsensus(const std::string& xmlPath, const VolumeGeometry& geometry) {
  const std::vector<ReaderOutline> outlines = readLidcOutlines(xmlPath, geometry);
  const ReaderConsensus rc = readerConsensus(outlines);
  REQUIRE(!rc.readers.empty());
  LidcConsensus c;
  for (const ReaderOutline* o : rc.readers) c.readers.push_back(o->mask);
  c.mask = rc.mask;
  c.centroid = measureMask(geometry, c.mask).centroidLps;
  return c;
}

double readersAgreement(const LidcConsensus& c) {
  double agreement = 0;
  for (std::size_t r = 0; r < c.readers.size(); ++r) {
    std::vector<const std::vector<std::uint8_t>*> others;
    for (std::size_t o = 0; o < c.readers.size(); ++o)
      if (o != r) others.push_back(&c.readers[o]);
    agreement += diceCoefficient(c.readers[r], atLeastHalf(others));
  }
  return c.readers.empty() ? 0.0 : agreement / double(c.readers.size());
}

} // namespace lightbox::test
