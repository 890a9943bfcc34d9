// SPDX-License-Identifier: Apache-2.0
// Runs a fuzz target over files without libFuzzer: every file named, and every file under every
// folder named (sorted), once each. Used by CTest (fuzz_regression_<target>) on the regression
// corpus and the seeds from ../shared/data in every normal build. A path that does not exist is
// an error (the data is missing: fail loudly); an input that takes more than 10 s counts as a hang.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int a = 1; a < argc; ++a) {
    const fs::path p = argv[a];
    if (fs::is_directory(p)) {
      std::vector<fs::path> inFolder;
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) inFolder.push_back(e.path());
      std::sort(inFolder.begin(), inFolder.end());
      inputs.insert(inputs.end(), inFolder.begin(), inFolder.end());
    } else if (fs::is_regular_file(p)) {
      inputs.push_back(p);
    } else {
      std::fprintf(stderr, "fuzz replay: %s does not exist (missing test data?)\n", p.c_str());
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "fuzz replay: no inputs\n");
    return 2;
  }
  int hangs = 0;
  for (const fs::path& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "%s\n", p.c_str());
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s > 10.0) {
      std::fprintf(stderr, "fuzz replay: %s took %.1f s (a hang: more than 10 s)\n", p.c_str(), s);
      ++hangs;
    }
  }
  std::printf("fuzz replay: %zu inputs, %d hangs\n", inputs.size(), hangs);
  return hangs ? 1 : 0;
}
