// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

class vtkRenderer;
class vtkRenderWindow;

namespace lightbox {

/// A connection to the X server of $DISPLAY for an offscreen VTK window (VTK aborts the process
/// when its own XOpenDisplay fails, which was seen about once in eight headless renders under
/// Xvfb: this one retries, then throws). Without $DISPLAY it holds nothing and VTK decides. One
/// connection per thread that renders: an Xlib connection is used by one thread only.
class OffscreenDisplay {
public:
  OffscreenDisplay();
  ~OffscreenDisplay();
  OffscreenDisplay(const OffscreenDisplay&) = delete;
  OffscreenDisplay& operator=(const OffscreenDisplay&) = delete;
  void* display() const { return display_; } ///< the Xlib Display*, or null
  /// VTK's window on this display (no-op without one).
  void attach(vtkRenderWindow* window) const;

private:
  void* display_ = nullptr;
};

/// Renders `renderer` alone in an offscreen window of width x height and writes a PNG; the
/// renderer is detached again afterwards. Throws std::runtime_error naming `path` on failure.
void renderOffscreenPng(vtkRenderer* renderer, const std::string& path, int width, int height);

} // namespace lightbox
