// SPDX-License-Identifier: Apache-2.0
// LibTorch inference timing of a TorchScript model from C++, run by bench/detect_benchmark.sh
// side by side with bench/infer_bench.py (the same model, input and thread count in Python).
// usage: lightbox_bench_infer MODEL.pt THREADS BATCH REPEATS [CHANNELS]
#include "ai/runtime/ModelRunner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: lightbox_bench_infer MODEL.pt THREADS BATCH REPEATS [CHANNELS]\n");
    return 2;
  }
  const int threads = std::stoi(argv[2]), batch = std::stoi(argv[3]), repeats = std::stoi(argv[4]);
  const int channels = argc == 6 ? std::stoi(argv[5]) : 1;
  const auto runner = lightbox::loadTorchScriptModel(argv[1], threads);
  lightbox::Tensor x;
  x.shape = {batch, channels, 32, 32, 32};
  x.data.resize(x.numel());
  // Same deterministic input as infer_bench.py: sin of the flat index.
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = float(std::sin(0.001 * double(i)));
  runner->run(x); // warm-up
  std::vector<double> ms;
  double checksum = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const lightbox::Tensor y = runner->run(x);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    checksum = y.data[0];
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%.3f %.6f\n", ms[ms.size() / 2], checksum); // median ms per batch, first output
  return 0;
}
