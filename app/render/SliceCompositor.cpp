// SPDX-License-Identifier: Apache-2.0
#include "app/render/SliceCompositor.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

/// `values` are the slice's own samples (before windowing), for the difference and a colour map
/// over the image.
void drawFusion(SliceImage& img, const SlicePlane& plane, const std::vector<float>& values, const WindowLevel& sliceWindow,
                const FusionLayer& layer) {
  if (!layer.image) {
    return;
  }
  const std::vector<float> other =
      sampleSlice(*layer.image, plane, Interpolation::Linear, std::numeric_limits<float>::quiet_NaN());
  const std::size_t w = img.width, h = img.height;
  const double lo = layer.window.center - 0.5 * layer.window.width;
  const double width = std::max(layer.window.width, 1e-6);
  const double diffScale = 255.0 / std::max(sliceWindow.width, 1e-6);
  const double sliceLo = sliceWindow.center - 0.5 * sliceWindow.width;
  const double square = std::max(layer.squareMm, 1e-3) / plane.pixelMm; // in display pixels
  const std::size_t colours = layer.colourMap.size();
  // The slice's own value through the colour map over the slice's window, blended onto `p`.
  auto colourOfSlice = [&](std::uint8_t* p, float value) {
    if (colours == 0 || !std::isfinite(value)) {
      return;
    }
    const double s = std::clamp((double(value) - sliceLo) * diffScale / 255.0, 0.0, 1.0);
    const Rgba& c =
        layer.colourMap[std::min(colours - 1, std::size_t(s * double(colours - 1) + 0.5))];
    blend(p, c, layer.opacity * c[3] / 255.0);
  };
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x) {
      const float v = other[y * w + x];
      std::uint8_t* p = img.rgba.data() + 4 * (y * w + x);
      if (std::isnan(v)) {
        // Outside the image under a colour map (the PET reaches beyond its CT): the colour still
        // goes over the slice's own grey, so no uptake is shown grey alone.
        if (layer.mode == FusionLayer::Mode::ColourMapOverImage) {
          colourOfSlice(p, values[y * w + x]);
        }
        continue;
      }
      const double t = std::clamp((double(v) - lo) / width, 0.0, 1.0);
      const auto grey = std::uint8_t(std::lround(255.0 * t));
      switch (layer.mode) {
      case FusionLayer::Mode::Blend: blend(p, Rgba{grey, grey, grey, 255}, layer.opacity); break;
      case FusionLayer::Mode::Checkerboard:
        if ((long(std::floor(double(x) / square)) + long(std::floor(double(y) / square))) % 2 != 0) {
          p[0] = p[1] = p[2] = grey;
        }
        break;
      case FusionLayer::Mode::Difference: {
        const double d = double(values[y * w + x]) - double(v);
        p[0] = p[1] = p[2] = std::uint8_t(std::lround(std::clamp(127.5 + d * diffScale, 0.0, 255.0)));
        break;
      }
      case FusionLayer::Mode::Colour:
        p[0] = p[2] = grey; // the image in magenta, the slice (its grey, already in p[1]) in green
        break;
      case FusionLayer::Mode::ColourMap:
        if (colours > 0) {
          const Rgba& c = layer.colourMap[std::min(colours - 1, std::size_t(t * double(colours - 1) + 0.5))];
          blend(p, c, layer.opacity * c[3] / 255.0);
        }
        break;
      case FusionLayer::Mode::ColourMapOverImage:
        p[0] = p[1] = p[2] = grey;
        colourOfSlice(p, values[y * w + x]);
        break;
      }
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
  for (const FusionLayer& layer : overlays.fusions) {
    drawFusion(img, plane, values, window, layer);
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
