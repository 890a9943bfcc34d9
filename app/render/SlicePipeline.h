// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/SliceCompositor.h"

#include <memory>
#include <string>
#include <vector>

class vtkRenderer;
class vtkRenderWindow;

namespace lightbox {

/// What one slice viewport shows: display state, never data.
struct SliceViewState {
  ViewPlane plane = ViewPlane::Axial;
  double yawDeg = 0.0, pitchDeg = 0.0; ///< oblique reformat: the plane turned (see obliqueAxes)
  Vec3 crosshairLps{0, 0, 0};          ///< the slice passes through this point
  WindowLevel window;
  bool invert = false;
  SlabMode slab = SlabMode::None;
  double slabMm = 0.0;
  double zoom = 1.0;
  double panMm[2] = {0.0, 0.0}; ///< view centre moved along the screen axes, in mm
  bool showAnnotations = true;  ///< corner text, orientation letters, scale bar
  bool minimalText = false;     ///< corner text reduced to plane, image number and window (T)
  bool showCrosshair = true;    ///< lines through the crosshair in the other planes' colours
  /// The other views' planes through the crosshair (LPS normal, colour): each is drawn as the line
  /// where it cuts this plane, so a turned (oblique) plane shows as a tilted line. Empty: the
  /// standard planes' horizontal and vertical lines.
  std::vector<std::pair<Vec3, Rgba>> referencePlanes;
  /// AI status shown at the top centre in orange whatever showAnnotations says (pre-flight
  /// warnings must not be hidden with the corner text); empty: none.
  std::string aiBanner;
  /// Screen axes (right, down) of this state.
  std::pair<Vec3, Vec3> axes() const { return obliqueAxes(plane, yawDeg, pitchDeg); }
  bool oblique() const { return yawDeg != 0.0 || pitchDeg != 0.0; }
};

/// The colour of a reading plane's crosshair line and view label: axial red, sagittal yellow,
/// coronal green (the convention of 3D Slicer and most MPR viewers).
Rgba planeColour(ViewPlane plane);

/// The corner text's words, in the reader's language (the viewer sets them from its translation;
/// English by default, as `lightbox render` and the tests draw them).
struct CornerWords {
  std::string image = "Im", thickness = "thk", zoom = "zoom", oblique = "oblique", invert = "inv", slab = "slab";
  std::string axial = "axial", coronal = "coronal", sagittal = "sagittal";
  bool operator==(const CornerWords& o) const {
    return image == o.image && thickness == o.thickness && zoom == o.zoom && oblique == o.oblique &&
           invert == o.invert && slab == o.slab && axial == o.axial && coronal == o.coronal && sagittal == o.sagittal;
  }
};

/// Owns the VTK objects of one slice viewport (composited slice image, orientation letters,
/// corner text, crosshair) and renders into any vtkRenderWindow: a widget's, or an offscreen one
/// in tests and `lightbox render`. No Qt here.
class SlicePipeline {
public:
  SlicePipeline();
  ~SlicePipeline();
  SlicePipeline(const SlicePipeline&) = delete;
  SlicePipeline& operator=(const SlicePipeline&) = delete;

  /// Setters only record the change; the slice is composited once, by update() or when the
  /// plane or image is asked for.
  void setVolume(std::shared_ptr<const Volume> volume, std::string patientText, std::string seriesText);
  /// The Instance Number of the image at each k of the volume's grid (0: none), shown as the image
  /// number in the acquisition plane; empty: the number counts slices along the grid instead.
  void setSliceNumbers(std::vector<int> instanceNumbers);
  void setCornerWords(CornerWords words);
  void setState(const SliceViewState& state);
  const SliceViewState& state() const;
  void setOverlays(OverlayLayers overlays);
  /// The plane currently shown (valid after setVolume).
  const SlicePlane& plane() const;
  /// The composited slice last uploaded to VTK.
  const SliceImage& image() const;
  /// The text in corner `i` (0 top left, 1 top right, 2 bottom left, 3 bottom right) as last drawn.
  std::string cornerText(int i) const;

  /// Adds this pipeline's renderer to `window` (once).
  void attach(vtkRenderWindow* window);
  vtkRenderer* renderer() const;
  /// Composites the slice if anything changed and fits the camera to a viewport of width x height pixels.
  void update(int width, int height);

  /// Screen pixel (x right, y down, from the viewport's top-left) <-> LPS on the shown plane, for a
  /// viewport of width x height pixels.
  Vec3 screenToLps(double x, double y, int width, int height) const;
  std::pair<double, double> lpsToScreen(const Vec3& lps, int width, int height) const;
  /// Millimetres per screen pixel at the current zoom.
  double mmPerScreenPixel(int width, int height) const;
  /// The scale bar's length in mm (a round number near a fifth of the viewport), 0 when hidden.
  double scaleBarMm() const;

  /// Renders offscreen at width x height and writes a PNG. Throws std::runtime_error on failure.
  void renderToPng(const std::string& path, int width, int height);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lightbox
