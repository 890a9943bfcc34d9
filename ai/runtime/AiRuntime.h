// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// What the embedded inference backend is and how it will run. No Torch types leak from here.
struct AiRuntimeInfo {
  std::string backend; ///< "LibTorch"
  std::string version; ///< e.g. "1.13.1"
  int intraOpThreads = 0;
};

AiRuntimeInfo aiRuntimeInfo();

/// Sets the number of CPU threads inference may use (at least 1).
void setAiThreads(int threads);

} // namespace lightbox
