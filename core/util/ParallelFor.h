// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace lightbox {

/// Runs body(i) for i in [0, count) on up to `threads` threads (0: hardware concurrency), with
/// dynamic scheduling. The first exception thrown by a body is rethrown on the calling thread.
template <typename Body> void parallelFor(std::size_t count, unsigned threads, Body&& body) {
  if (threads == 0) {
    threads = std::max(1u, std::thread::hardware_concurrency());
  }
  threads = unsigned(std::min<std::size_t>(threads, count));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) {
          error = std::current_exception();
        }
        next = count;
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) {
      pool.emplace_back(worker);
    }
    worker();
    for (std::thread& t : pool) {
      t.join();
    }
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

} // namespace lightbox
