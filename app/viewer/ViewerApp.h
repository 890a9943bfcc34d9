// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Sets the default OpenGL surface VTK renders into (3.2 core, depth 8, stencil 0, alpha 8, no
/// multisampling): works on Mesa llvmpipe as on hardware. Call before creating QApplication.
void setViewerSurfaceFormat();

/// Runs the viewer on `path` (empty: an empty window). With a screenshot path, the window is
/// shown, rendered once, saved as PNG and the viewer exits (real-window tests, headless demos).
/// `layout` ("1x1", "1x2", "1x3", "2x2"; empty: the series' default) is the initial layout.
/// `language` ("en", "zh_CN"; empty: View > Language's choice, else the system's) for this session.
int runViewer(int argc, char** argv, const std::string& path, const std::string& screenshotPath,
              const std::string& layout = {}, const std::string& language = {});

} // namespace lightbox
