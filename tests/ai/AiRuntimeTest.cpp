// SPDX-License-Identifier: Apache-2.0
#include "ai/runtime/AiRuntime.h"

#include <catch2/catch.hpp>

using namespace lightbox;

TEST_CASE("the embedded LibTorch runtime reports itself and honours the thread count", "[ai]") {
  const AiRuntimeInfo info = aiRuntimeInfo();
  CHECK(info.backend == "LibTorch");
  CHECK_THAT(info.version, Catch::StartsWith("1.13"));
  setAiThreads(1);
  CHECK(aiRuntimeInfo().intraOpThreads == 1);
  setAiThreads(2);
  CHECK(aiRuntimeInfo().intraOpThreads == 2);
  setAiThreads(0); // clamped to one thread
  CHECK(aiRuntimeInfo().intraOpThreads == 1);
}
