// SPDX-License-Identifier: Apache-2.0
#include "app/render/SliceCompositor.h"

#include <algorithm>
#include <cmath>

namespace lightbox {
namespace {

void blend(std::uint8_t* p, const Rgba& c, double alpha) {
  for (int i = 0; i < 3; ++i) {
    p[i] = std::uint8_t(std::lround(p[i] * (1.0 - alpha) + c[i] * alpha));
  }
}

void drawLabelMap(SliceImage& img, const SlicePlane& plane, const LabelMapLayer& layer) {
  if (!layer.labels) {
    return;
  }
  const std::vector<float> labels = sampleSlice(*layer.labels, plane, Interpolation::Nearest, 0.0f);
  const std::size_t w = img.width, h = img.height;
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x) {
      const int label = int(labels[y * w + x]);
      if (label == 0) {
        continue;
      }
      const auto it = layer.colours.find(label);
      const Rgba colour = it != layer.colours.end() ? it->second : Rgba{255, 0, 0, 255};
      const auto styled = layer.styles.find(label);
      const LabelStyle style = styled != layer.styles.end() ? styled->second
                                                            : LabelStyle{true, layer.opacity, true, layer.outline};
      if (!style.visible) {
        continue;
      }
      bool edge = false;
      if (style.outline) {
        edge = x == 0 || y == 0 || x + 1 == w || y + 1 == h || int(labels[y * w + x - 1]) != label ||
               int(labels[y * w + x + 1]) != label || int(labels[(y - 1) * w + x]) != label ||
               int(labels[(y + 1) * w + x]) != label;
      }
      if (edge && style.dashed && ((x + y) / 4) % 2 == 1) {
        edge = false; // the gaps of the dashes
      }
      if (!edge && !style.fill) {
        continue;
      }
      blend(img.rgba.data() + 4 * (y * w + x), colour, edge ? 1.0 : style.opacity * colour[3] / 255.0);
    }
  }
}

void drawMarker(SliceImage& img, const SlicePlane& plane, const Marker& m, double slabMm) {
  const double distance = std::abs(dot(m.lps - plane.origin, plane.normal()));
  if (distance > slabMm + m.radiusMm) {
    return;
  }
  // Radius of the sphere's cross-section on this slice, at least 2 display pixels.
  const double r = std::max(std::sqrt(std::max(m.radiusMm * m.radiusMm - distance * distance, 0.0)) / plane.pixelMm, 2.0);
  const auto [cx, cy] = plane.lpsToPixel(m.lps);
  const long x0 = std::max(0L, long(std::floor(cx - r - 1))), x1 = std::min(long(img.width) - 1, long(std::ceil(cx + r + 1)));
  const long y0 = std::max(0L, long(std::floor(cy - r - 1))), y1 = std::min(long(img.height) - 1, long(std::ceil(cy + r + 1)));
  for (long y = y0; y <= y1; ++y) {
    for (long x = x0; x <= x1; ++x) {
      const double d = std::hypot(double(x) - cx, double(y) - cy);
      const bool ring = std::abs(d - r) <= 0.75;
      if (ring || (m.filled && d <= r)) {
        blend(img.rgba.data() + 4 * (std::size_t(y) * img.width + std::size_t(x)), m.colour, m.colour[3] / 255.0);
      }
    }
  }
}

} // namespace

SliceImage compositeSlice(const Volume& volume, const SlicePlane& plane, const GreyMapping& grey,
                          const OverlayLayers& overlays) {
  const WindowLevel& window = grey.window;
  const bool invert = grey.invert;
  SliceImage img;
  img.width = plane.width;
  img.height = plane.height;
  const float outside = volume.units == "HU" ? -1024.0f : 0.0f;
  const std::vector<float> values = sampleSlab(volume, plane, grey.slab, grey.slabMm, Interpolation::Linear, outside);
  img.rgba.resize(values.size() * 4);
  const double lo = window.center - 0.5 * window.width;
  const double scale = 255.0 / std::max(window.width, 1e-6);
  for (std::size_t i = 0; i < values.size(); ++i) {
    double g = std::clamp((double(values[i]) - lo) * scale, 0.0, 255.0);
    if (invert) {
      g = 255.0 - g;
    }
    const auto v = std::uint8_t(std::lround(g));
    img.rgba[4 * i + 0] = img.rgba[4 * i + 1] = img.rgba[4 * i + 2] = v;
    img.rgba[4 * i + 3] = 255;
  }
  for (const LabelMapLayer& layer : overlays.labelMaps) {
    drawLabelMap(img, plane, layer);
  }
  for (const Marker& m : overlays.markers) {
    drawMarker(img, plane, m, overlays.markerSlabMm);
  }
  return img;
}

} // namespace lightbox
