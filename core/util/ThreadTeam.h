// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace lightbox {

/// A fixed team of threads for many short parallel steps in a row (an optimiser's iterations of a
/// few milliseconds each). parallelFor starts its threads for every call, and on a two-core
/// virtual machine the started thread often found its share already taken by the caller: the
/// instance optimisation ran two thirds on one core. Here the helpers wait between steps, spinning
/// for a short while (kSpin) before they sleep, so a step starts on every thread at once.
///
/// run(work) calls work(t) once for every t in [0, size()), t = 0 on the calling thread, and
/// returns when all have finished; the first exception a call throws is rethrown there. Which t
/// runs where never changes the work: results do not depend on timing. One run at a time, from
/// the thread that owns the team.
class ThreadTeam {
public:
  /// `threads` in all, the caller included (0: hardware concurrency).
  explicit ThreadTeam(unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    size_ = threads;
    helpers_.reserve(threads - 1);
    try {
      for (unsigned t = 1; t < threads; ++t) helpers_.emplace_back([this, t] { helperLoop(t); });
    } catch (...) { // a thread could not start: the ones that did are stopped and joined
      stopHelpers();
      throw;
    }
  }
  ~ThreadTeam() { stopHelpers(); }
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  unsigned size() const { return size_; }

private:
  void stopHelpers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true, std::memory_order_release);
      epoch_.fetch_add(1, std::memory_order_acq_rel);
    }
    wake_.notify_all();
    for (std::thread& h : helpers_) h.join();
  }

public:
  void run(const std::function<void(unsigned)>& work) {
    if (size_ == 1) {
      work(0);
      return;
    }
    if (work_) throw std::logic_error("ThreadTeam::run called from inside a run");
    work_ = &work;
    pending_.store(size_ - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      epoch_.fetch_add(1, std::memory_order_acq_rel);
    }
    wake_.notify_all();
    try {
      work(0);
    } catch (...) {
      keepError(std::current_exception());
    }
    for (unsigned spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < 4096) {
        pause();
      } else {
        std::this_thread::yield();
      }
    }
    work_ = nullptr;
    if (error_) {
      std::exception_ptr e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

  /// work(t, begin, end) for `parts` equal parts of [0, count), part t on thread t % size():
  /// the parts do not depend on the team's size.
  template <typename Work> void forParts(std::size_t count, std::size_t parts, const Work& work) {
    run([&](unsigned t) {
      for (std::size_t p = t; p < parts; p += size_) work(p, count * p / parts, count * (p + 1) / parts);
    });
  }

private:
  static constexpr std::chrono::microseconds kSpin{2000};

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  void keepError(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = e;
  }

  void helperLoop(unsigned t) {
    std::uint64_t seen = 0;
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (unsigned spins = 0; epoch_.load(std::memory_order_acquire) == seen; ++spins) {
        // Pause first, then yield: with more threads than cores the caller still gets a core.
        if (spins < 1024) {
          pause();
        } else {
          std::this_thread::yield();
        }
        if ((spins & 255u) == 255u && std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lock(mutex_);
          wake_.wait(lock, [&] { return epoch_.load(std::memory_order_acquire) != seen; });
          break;
        }
      }
      seen = epoch_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_acquire)) return;
      try {
        (*work_)(t);
      } catch (...) {
        keepError(std::current_exception());
      }
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  unsigned size_ = 1;
  std::vector<std::thread> helpers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<unsigned> pending_{0};
  std::atomic<bool> stop_{false};
  const std::function<void(unsigned)>* work_ = nullptr;
  std::exception_ptr error_;
};

} // namespace lightbox
