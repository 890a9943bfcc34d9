// SPDX-License-Identifier: Apache-2.0
// Times Lightbox's load of one series from a folder: header scan + assembly + pixel decode.
// One load per process, so peak RSS (measured by the calling script) is that of one load.
#include "core/study/StudyLoader.h"

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lightbox_bench_load FOLDER [THREADS]\n");
    return 2;
  }
  const unsigned threads = argc > 2 ? unsigned(std::stoul(argv[2])) : 0;
  const auto t0 = std::chrono::steady_clock::now();
  lightbox::LoadOptions options;
  options.threads = threads;
  const lightbox::LoadedSeries loaded = lightbox::loadPath(argv[1], {}, options);
  const auto t1 = std::chrono::steady_clock::now();
  const auto& v = loaded.volumes.front();
  std::printf("lightbox %zux%zux%zu %zu bytes %.4f s\n", v.geometry.size[0], v.geometry.size[1],
              v.geometry.size[2], v.bytes(), std::chrono::duration<double>(t1 - t0).count());
  return 0;
}
