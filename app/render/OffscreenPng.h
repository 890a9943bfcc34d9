// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

class vtkRenderer;

namespace lightbox {

/// Renders `renderer` alone in an offscreen window of width x height and writes a PNG; the
/// renderer is detached again afterwards. Throws std::runtime_error naming `path` on failure.
void renderOffscreenPng(vtkRenderer* renderer, const std::string& path, int width, int height);

} // namespace lightbox
