// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/display/WindowLevel.h"
#include "core/volume/SliceSampler.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lightbox {

using Rgba = std::array<std::uint8_t, 4>;

/// How one label of a label map overlay is drawn.
struct LabelStyle {
  bool visible = true;
  double opacity = 0.4; ///< of the fill
  bool fill = true;
  bool outline = true;
  bool dashed = false; ///< the outline in dashes (the model's uncertainty band)
  bool operator==(const LabelStyle& o) const {
    return visible == o.visible && opacity == o.opacity && fill == o.fill && outline == o.outline && dashed == o.dashed;
  }
};

/// Label map overlay: a volume of integer labels (0 = none) drawn with per-label colour; filled
/// with `opacity` and/or outlined, or as `styles` says for the labels it lists.
struct LabelMapLayer {
  std::shared_ptr<const Volume> labels;
  std::map<int, Rgba> colours;
  double opacity = 0.4;
  bool outline = true;
  std::map<int, LabelStyle> styles;
  /// Changes when the labels change in place (the same volume, edited): the slice is composited
  /// again.
  std::uint64_t revision = 0;
};

/// Point markers (findings, probe points, measurement handles) at LPS positions.
struct Marker {
  Vec3 lps{0, 0, 0};
  Rgba colour{255, 255, 0, 255};
  double radiusMm = 3.0;
  bool filled = false;
};

/// A line through LPS points (measurements, outlines, contours), drawn crisp in screen space by
/// the pipeline when every point lies within `slabMm` of the shown plane.
struct Polyline {
  std::vector<Vec3> lps;
  Rgba colour{255, 255, 0, 255};
  bool handles = false; ///< small squares at the points (editable shapes)
  bool line = true;     ///< false: only the handles
  double slabMm = 1.0;
};

/// Text anchored at an LPS point (shown with the same rule as polylines).
struct TextLabel {
  Vec3 lps{0, 0, 0};
  std::string text;
  Rgba colour{255, 255, 0, 255};
  double slabMm = 1.0;
};

/// A second image over the slice: a registered prior resampled onto the current grid, or a map
/// computed from a registration (Jacobian determinant, displacement, local alignment quality).
/// Sampled trilinearly on the shown plane (any grid; NaN voxels and points outside it leave the
/// slice as it is) and combined with the grey slice pixel by pixel.
struct FusionLayer {
  enum class Mode {
    Blend,        ///< the image's grey over the slice with `opacity`
    Checkerboard, ///< squares of `squareMm` alternate between the slice and the image
    Difference,   ///< slice minus image, mid-grey where equal, `window.width` across the grey range
    Colour,       ///< image in magenta, slice in green: grey where they agree
    ColourMap,    ///< the image's values through `colourMap` over `window` (lo = center - width/2)
                  ///< with `opacity`
    /// The image in grey through `window` as the base, the slice's own values through `colourMap`
    /// over the slice's window on it with `opacity`: a PET current series over its CT.
    ColourMapOverImage,
  };
  std::shared_ptr<const Volume> image;
  Mode mode = Mode::Blend;
  WindowLevel window; ///< grey mapping of the image (the colour map's range in ColourMap mode)
  double opacity = 0.5;
  double squareMm = 20.0;
  std::vector<Rgba> colourMap; ///< low to high values (ColourMap)
  std::uint64_t revision = 0;  ///< changes when the image is replaced in place
  bool operator==(const FusionLayer& o) const {
    return image == o.image && mode == o.mode && window == o.window && opacity == o.opacity && squareMm == o.squareMm &&
           colourMap == o.colourMap && revision == o.revision;
  }
};

/// A colour bar with numbers drawn at the view's right edge (the legend of a colour map).
struct ColourLegend {
  std::string title;
  std::vector<Rgba> colours;                      ///< bottom (low) to top (high)
  std::vector<std::pair<double, std::string>> ticks; ///< position 0 (bottom) .. 1 (top), text
  bool operator==(const ColourLegend& o) const { return title == o.title && colours == o.colours && ticks == o.ticks; }
};

/// Everything drawn over the grey slice, in order: the general overlay mechanism that AI results
/// and annotations draw through. Label maps and markers are composited into the slice image;
/// polylines and labels are drawn by the pipeline in screen space.
struct OverlayLayers {
  std::vector<FusionLayer> fusions; ///< composited first, under the label maps
  std::vector<LabelMapLayer> labelMaps;
  std::vector<Marker> markers;
  /// Markers are shown on slices within this distance (mm) of their centre.
  double markerSlabMm = 3.0;
  std::vector<Polyline> polylines;
  std::vector<TextLabel> labels;
  std::vector<ColourLegend> legends; ///< drawn by the pipeline in screen space
};

/// How grey values are formed: window, inversion and thick-slab projection.
struct GreyMapping {
  WindowLevel window;
  bool invert = false;
  SlabMode slab = SlabMode::None;
  double slabMm = 0.0;
};

/// A composited display slice, RGBA row-major, row 0 at the top.
struct SliceImage {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  Rgba pixel(std::size_t x, std::size_t y) const {
    const std::uint8_t* p = rgba.data() + 4 * (y * width + x);
    return {p[0], p[1], p[2], p[3]};
  }
};

/// Samples `volume` on `plane` (a slab when asked), maps it through the window (optionally
/// inverted), blends label maps and markers.
SliceImage compositeSlice(const Volume& volume, const SlicePlane& plane, const GreyMapping& grey,
                          const OverlayLayers& overlays);
inline SliceImage compositeSlice(const Volume& volume, const SlicePlane& plane, const WindowLevel& window,
                                 bool invert, const OverlayLayers& overlays) {
  return compositeSlice(volume, plane, GreyMapping{window, invert, SlabMode::None, 0.0}, overlays);
}

} // namespace lightbox
