// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class vtkRenderWindow;

namespace lightbox {

/// Shows a frame rendered elsewhere (the 3D view's, from its render thread) stretched over the
/// whole viewport, smoothly scaled when its size differs from the viewport's (a coarse frame, or
/// the last frame while a resized one renders), with corner text and a note. Without a frame the
/// viewport is black with the note. Costs a texture upload and one quad: a few milliseconds.
class ImageFramePipeline {
public:
  ImageFramePipeline();
  ~ImageFramePipeline();
  ImageFramePipeline(const ImageFramePipeline&) = delete;
  ImageFramePipeline& operator=(const ImageFramePipeline&) = delete;

  void attach(vtkRenderWindow* window);
  /// `rgb`: width x height RGB, rows bottom-up. Copied.
  void setFrame(int width, int height, const std::vector<std::uint8_t>& rgb);
  void clearFrame();
  bool hasFrame() const;
  /// Lower left: what is shown ("3D bone"); lower right: a note ("rendering...").
  void setText(const std::string& corner, const std::string& note);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lightbox
