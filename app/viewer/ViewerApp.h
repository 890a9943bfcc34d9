// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Runs the viewer on `path` (empty: an empty window). With a screenshot path, the window is
/// shown, rendered once, saved as PNG and the viewer exits (real-window tests, headless demos).
int runViewer(int argc, char** argv, const std::string& path, const std::string& screenshotPath);

} // namespace lightbox
