// SPDX-License-Identifier: Apache-2.0
// The persistent thread team the instance optimisation runs its iterations on: every share runs
// exactly once per step, over thousands of steps in a row (the helpers alternate between spinning
// and sleeping), the parts cover the range whatever the team's size, and an exception reaches the
// caller with the team still usable.
#include "core/util/ThreadTeam.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace lightbox;

TEST_CASE("thread team: each share once per step, parts cover the range, errors reach the caller",
          "[util][threads]") {
  for (unsigned size : {1u, 2u, 3u}) {
    ThreadTeam team(size);
    REQUIRE(team.size() == size);
    std::vector<std::atomic<unsigned>> calls(size);
    for (int step = 0; step < 1000; ++step) {
      team.run([&](unsigned t) { calls[t].fetch_add(1); });
      if (step == 500) std::this_thread::sleep_for(std::chrono::milliseconds(20)); // helpers go to sleep
    }
    for (unsigned t = 0; t < size; ++t) CHECK(calls[t].load() == 1000u);

    // 7 parts of 1000 items: each item once, the parts the same for any team size.
    std::vector<int> hits(1000, 0);
    std::vector<std::pair<std::size_t, std::size_t>> parts(7);
    team.forParts(hits.size(), parts.size(), [&](std::size_t p, std::size_t begin, std::size_t end) {
      parts[p] = {begin, end};
      for (std::size_t i = begin; i < end; ++i) ++hits[i];
    });
    CHECK(std::accumulate(hits.begin(), hits.end(), 0) == 1000);
    CHECK(std::count(hits.begin(), hits.end(), 1) == 1000);
    CHECK(parts[0] == std::make_pair(std::size_t(0), std::size_t(142)));
    CHECK(parts[6] == std::make_pair(std::size_t(857), std::size_t(1000)));

    // A share that throws: the caller gets it once the step has ended, and the team goes on.
    CHECK_THROWS_WITH(team.run([&](unsigned t) {
      if (t == size - 1) throw std::runtime_error("share failed");
    }),
                      "share failed");
    std::atomic<unsigned> after{0};
    team.run([&](unsigned) { after.fetch_add(1); });
    CHECK(after.load() == size);
  }
}
