// SPDX-License-Identifier: Apache-2.0
// Every malformed file through `lightbox convert` as a separate process: the process always ends by
// itself (never a signal such as GDCM's assertion abort), and a failure names the file and why.
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  bool exited = false; ///< false: killed by a signal
  int code = -1;       ///< exit code, or the signal number
  std::string err;
};

Outcome runLightbox(const std::vector<std::string>& args, const std::string& errFile) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string binary = LIGHTBOX_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (!std::freopen(errFile.c_str(), "w", stderr) || !std::freopen("/dev/null", "w", stdout)) _exit(127);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  o.exited = WIFEXITED(status);
  o.code = o.exited ? WEXITSTATUS(status) : WTERMSIG(status);
  std::ifstream in(errFile);
  std::stringstream ss;
  ss << in.rdbuf();
  o.err = ss.str();
  return o;
}

} // namespace

TEST_CASE("convert survives every malformed file and names the file when it fails", "[cli][malformed]") {
  const std::string root = lightbox::test::sharedData("malformed");
  const std::string out = lightbox::test::scratchFolder("malformed-convert");
  int files = 0, converted = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".dcm") continue;
    ++files;
    const std::string path = e.path().string();
    const Outcome o = runLightbox({"convert", path, out + "/x.nii.gz"}, out + "/stderr.txt");
    INFO(path << "\n" << o.err);
    REQUIRE(o.exited); // a signal (SIGABRT from an assertion) fails here
    CHECK((o.code == 0 || o.code == 1 || o.code == 3));
    if (o.code == 0) {
      ++converted;
    } else {
      CHECK(o.err.find(e.path().filename().string()) != std::string::npos);
    }
  }
  CHECK(files >= 25);
  CHECK(converted >= 10);
  // The folder as a whole converts its largest loadable series.
  const Outcome all = runLightbox({"convert", root, out + "/all.nii.gz"}, out + "/stderr.txt");
  CHECK(all.exited);
  CHECK(all.code == 0);
}
