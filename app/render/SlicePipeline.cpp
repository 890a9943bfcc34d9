// SPDX-License-Identifier: Apache-2.0
#include "app/render/SlicePipeline.h"

#include "app/render/OffscreenPng.h"
#include "app/render/TextFont.h"

#include <algorithm>
#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>
#include <vtkTexture.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <stdexcept>

namespace lightbox {

Rgba planeColour(ViewPlane plane) {
  switch (plane) {
  case ViewPlane::Axial: return {230, 60, 60, 255};
  case ViewPlane::Sagittal: return {235, 210, 60, 255};
  case ViewPlane::Coronal: return {70, 200, 90, 255};
  }
  return {255, 255, 255, 255};
}

namespace {

/// A round length (1, 2, 5 x 10^n mm) near `target` mm.
double roundLength(double target) {
  const double p = std::pow(10.0, std::floor(std::log10(std::max(target, 1e-3))));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * p <= target) return m * p;
  }
  return p;
}

} // namespace

namespace {

/// Text over images: a dark translucent box behind it and a shadow, so it stays readable over
/// bone, contrast and bright MR as well as over air.
void readableOnAnyTissue(vtkTextProperty* p) {
  p->SetShadow(true);
  p->SetShadowOffset(1, -1);
  p->SetBackgroundColor(0.0, 0.0, 0.0);
  p->SetBackgroundOpacity(0.45);
}

/// Width and height in pixels a text of `fontSize` takes at most (monospaced estimate, lines
/// split at '\n'): enough to keep it inside the view.
std::pair<int, int> textExtent(const std::string& text, int fontSize) {
  std::size_t longest = 0, lines = 1, current = 0;
  for (char c : text) {
    if (c == '\n') {
      ++lines;
      current = 0;
    } else {
      longest = std::max(longest, ++current);
    }
  }
  return {int(0.62 * fontSize * double(longest)) + 2, int(1.25 * fontSize * double(lines))};
}

/// `text` with its lines broken so that none is wider than `maxChars` columns: at spaces, and
/// before or after a CJK character (two columns wide; Chinese has no spaces between words). A
/// word wider than that stays whole on its own line.
std::string wrapWords(const std::string& text, std::size_t maxChars) {
  std::string out, line, word;
  std::size_t lineColumns = 0, wordColumns = 0;
  bool spaceBefore = false;
  auto flushWord = [&] {
    if (word.empty()) return;
    const std::size_t gap = !line.empty() && spaceBefore ? 1 : 0;
    if (!line.empty() && lineColumns + gap + wordColumns > maxChars) {
      out += line + "\n";
      line.clear();
      lineColumns = 0;
    } else if (gap) {
      line += ' ';
      ++lineColumns;
    }
    line += word;
    lineColumns += wordColumns;
    word.clear();
    wordColumns = 0;
    spaceBefore = false;
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const std::string character = text.substr(i, length);
    i += length;
    if (character == " ") {
      flushWord();
      spaceBefore = true;
    } else if (character == "\n") {
      flushWord();
      out += line + "\n";
      line.clear();
      lineColumns = 0;
      spaceBefore = false;
    } else if (length >= 3) { // U+0800 and above: CJK, a break on both sides
      flushWord();
      word = character;
      wordColumns = 2;
      flushWord();
    } else {
      word += character;
      ++wordColumns;
    }
  }
  flushWord();
  return out + line;
}

} // namespace

struct SlicePipeline::Impl {
  std::shared_ptr<const Volume> volume;
  std::string patientText, seriesText;
  std::vector<int> sliceNumbers; ///< Instance Number per k (0: none); empty: none known
  CornerWords words;
  SliceViewState state;
  OverlayLayers overlays;
  SlicePlane plane;
  SliceImage image;
  bool stale = true; ///< state, overlays or volume changed since the last composite
  double scaleBar = 0.0;

  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkImageData> imageData;
  // The composited slice as a texture on one quad (pixel centres at whole numbers, rows up). Not
  // a vtkImageActor: its mapper's draw cost about 4 ms more per 816x814 frame on llvmpipe.
  vtkNew<vtkPolyData> quad;
  vtkNew<vtkTexture> texture;
  vtkNew<vtkActor> imageActor;
  // Corner text as four plain text actors with a fixed font size: vtkCornerAnnotation fits its
  // font by rendering the text repeatedly, which cost about 40 ms of every frame on llvmpipe.
  // 0 lower left, 1 lower right, 2 upper left, 3 upper right (vtkCornerAnnotation's order).
  vtkNew<vtkTextActor> corners[4];
  vtkNew<vtkTextActor> letters[4]; // left, right, top, bottom
  // Screen-space vector overlays: crosshair lines, polylines, handles, scale bar.
  vtkNew<vtkPolyData> lines;
  vtkNew<vtkActor2D> linesActor;
  vtkNew<vtkTextActor> scaleText;
  vtkNew<vtkTextActor> banner;
  std::vector<vtkSmartPointer<vtkTextActor>> labelActors;
  std::vector<vtkSmartPointer<vtkTextActor>> legendActors; ///< colour bar titles and numbers

  Impl() {
    renderer->SetBackground(0, 0, 0);
    texture->SetInputData(imageData);
    texture->InterpolateOff();
    texture->SetColorModeToDirectScalars();
    vtkNew<vtkPoints> quadCorners;
    quadCorners->SetNumberOfPoints(4);
    quad->SetPoints(quadCorners);
    vtkNew<vtkCellArray> polygon;
    const vtkIdType ids[4] = {0, 1, 2, 3};
    polygon->InsertNextCell(4, ids);
    quad->SetPolys(polygon);
    vtkNew<vtkFloatArray> tcoords;
    tcoords->SetNumberOfComponents(2);
    tcoords->SetNumberOfTuples(4);
    tcoords->SetTuple2(0, 0, 0);
    tcoords->SetTuple2(1, 1, 0);
    tcoords->SetTuple2(2, 1, 1);
    tcoords->SetTuple2(3, 0, 1);
    quad->GetPointData()->SetTCoords(tcoords);
    vtkNew<vtkPolyDataMapper> quadMapper;
    quadMapper->SetInputData(quad);
    imageActor->SetMapper(quadMapper);
    imageActor->SetTexture(texture);
    imageActor->GetProperty()->LightingOff();
    imageActor->ForceOpaqueOn();
    renderer->AddActor(imageActor);
    for (int i = 0; i < 4; ++i) {
      vtkTextProperty* p = corners[i]->GetTextProperty();
      p->SetFontSize(14);
      p->SetColor(0.9, 0.9, 0.6);
      readableOnAnyTissue(p);
      if (i % 2 == 1) p->SetJustificationToRight();
      else p->SetJustificationToLeft();
      if (i >= 2) p->SetVerticalJustificationToTop();
      else p->SetVerticalJustificationToBottom();
      renderer->AddViewProp(corners[i]);
    }
    banner->GetTextProperty()->SetFontSize(13);
    banner->GetTextProperty()->SetBold(true);
    banner->GetTextProperty()->SetShadow(true);
    banner->GetTextProperty()->SetColor(1.0, 0.55, 0.1);
    banner->GetTextProperty()->SetJustificationToCentered();
    banner->GetTextProperty()->SetVerticalJustificationToTop();
    banner->SetVisibility(false);
    renderer->AddViewProp(banner);
    for (auto& l : letters) {
      l->GetTextProperty()->SetFontSize(18);
      l->GetTextProperty()->SetBold(true);
      l->GetTextProperty()->SetColor(1.0, 0.85, 0.2);
      l->GetTextProperty()->SetJustificationToCentered();
      l->GetTextProperty()->SetVerticalJustificationToCentered();
      readableOnAnyTissue(l->GetTextProperty());
      renderer->AddViewProp(l);
    }
    vtkNew<vtkPolyDataMapper2D> mapper;
    mapper->SetInputData(lines);
    mapper->SetScalarModeToUseCellData();
    mapper->SetColorModeToDirectScalars();
    linesActor->SetMapper(mapper);
    linesActor->GetProperty()->SetLineWidth(2.0);
    renderer->AddViewProp(linesActor);
    scaleText->GetTextProperty()->SetFontSize(14);
    scaleText->GetTextProperty()->SetColor(0.9, 0.9, 0.9);
    scaleText->GetTextProperty()->SetJustificationToCentered();
    readableOnAnyTissue(scaleText->GetTextProperty());
    renderer->AddViewProp(scaleText);
    renderer->GetActiveCamera()->ParallelProjectionOn();
  }

  /// Composites once per change, however many setters ran before the frame.
  void recomposite() {
    if (!volume || !stale) {
      return;
    }
    stale = false;
    const auto [right, down] = state.axes();
    plane = state.oblique() ? planeThrough(volume->geometry, right, down, state.crosshairLps)
                            : planeThrough(volume->geometry, state.plane, state.crosshairLps);
    // An image drawn as the base under this one (a CT under a PET) keeps its own detail: the
    // slice is composited in its finer pixels.
    for (const FusionLayer& layer : overlays.fusions) {
      if (layer.mode == FusionLayer::Mode::ColourMapOverImage && layer.image) {
        const auto& spacing = layer.image->geometry.spacing;
        // At most 1024 pixels across (a CT's 0.7 mm over a 700 mm field is 1000).
        const double extent = double(std::max(plane.width, plane.height)) * plane.pixelMm;
        const double finest =
            std::max(std::min({spacing[0], spacing[1], spacing[2]}), extent / 1024.0);
        if (finest < plane.pixelMm) {
          plane = withPixelMm(plane, finest);
        }
      }
    }
    image = compositeSlice(*volume, plane, GreyMapping{state.window, state.invert, state.slab, state.slabMm}, overlays);
    imageData->SetDimensions(int(image.width), int(image.height), 1);
    // Three components: the composite is opaque, and an RGBA image made the axial frame of the
    // 1x1 view cost 36 ms instead of 20 ms on llvmpipe (measured with the frame log).
    imageData->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
    auto* dst = static_cast<std::uint8_t*>(imageData->GetScalarPointer());
    // VTK's image rows go up; display rows go down.
    for (std::size_t y = 0; y < image.height; ++y) {
      const std::uint8_t* src = image.rgba.data() + y * image.width * 4;
      std::uint8_t* out = dst + (image.height - 1 - y) * image.width * 3;
      for (std::size_t x = 0; x < image.width; ++x) {
        out[3 * x] = src[4 * x];
        out[3 * x + 1] = src[4 * x + 1];
        out[3 * x + 2] = src[4 * x + 2];
      }
    }
    imageData->Modified();
    const double lastX = double(image.width) - 0.5, lastY = double(image.height) - 0.5;
    vtkPoints* quadCorners = quad->GetPoints();
    quadCorners->SetPoint(0, -0.5, -0.5, 0);
    quadCorners->SetPoint(1, lastX, -0.5, 0);
    quadCorners->SetPoint(2, lastX, lastY, 0);
    quadCorners->SetPoint(3, -0.5, lastY, 0);
    quadCorners->Modified();
    quad->Modified();
  }

  double thicknessMm() const {
    if (state.slab != SlabMode::None && state.slabMm > 0) {
      return state.slabMm;
    }
    return sliceSpacingAlong(volume->geometry, plane.normal());
  }

  /// The standard plane's name in the corner's words.
  const char* planeWord() const {
    switch (state.plane) {
    case ViewPlane::Axial: return words.axial.c_str();
    case ViewPlane::Coronal: return words.coronal.c_str();
    case ViewPlane::Sagittal: return words.sagittal.c_str();
    }
    return toString(state.plane);
  }

  /// Sets a corner's text, re-rasterised only when it changed. VTK's built-in faces hold Latin,
  /// Greek and Cyrillic only: text with other characters (a Chinese or Japanese patient name) is
  /// drawn with the CJK face scripts/setup.sh installs (issue 28), when it is there.
  void setCorner(int i, const char* text) {
    const char* now = corners[i]->GetInput();
    if (now && std::strcmp(now, text) == 0) return;
    setText(corners[i], text);
  }

  /// Sets a text actor's text with a face that has its characters (TextFont.h).
  static void setText(vtkTextActor* actor, const char* text) {
    chooseFontFor(actor->GetTextProperty(), text);
    actor->SetInput(text);
  }

  /// The banner's top edge (pixels from the view's top) and its line height (13 pt bold).
  static constexpr int kBannerTop = 46, kBannerLine = 17;

  /// The banner wrapped to the view: centred text wider than a small view would lose both ends.
  std::string wrappedBanner(int width) const {
    const int maxChars = std::max(12, int((width - 16) / (0.62 * 13.0)));
    return wrapWords(state.aiBanner, std::size_t(maxChars));
  }

  int bannerLines(int width) const { return lineCount(wrappedBanner(width)); }

  static int lineCount(const std::string& text) {
    return 1 + int(std::count(text.begin(), text.end(), '\n'));
  }

  /// Columns of `text`'s longest line, counted as wrapWords counts them (U+0800 and above: two).
  static std::size_t longestLine(const std::string& text) {
    std::size_t longest = 0, line = 0;
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '\n')
        line = 0;
      else if ((byte & 0xC0) != 0x80)
        longest = std::max(longest, line += byte >= 0xE0 ? 2 : 1);
    }
    return longest;
  }

  /// Width in pixels of `text` drawn with `like`'s properties at `fontSize` (its face chosen for
  /// the text as setText chooses it).
  int textWidth(vtkTextProperty* like, const std::string& text, int fontSize) const {
    vtkNew<vtkTextProperty> p;
    p->ShallowCopy(like);
    p->SetFontSize(fontSize);
    chooseFontFor(p, text.c_str());
    int bbox[4] = {0, 0, 0, 0};
    vtkTextRenderer* renderer = vtkTextRenderer::GetInstance();
    const int dpi = this->renderer->GetVTKWindow() ? this->renderer->GetVTKWindow()->GetDPI() : 72;
    // Without FreeType's answer: a wide glyph's estimate.
    if (!renderer || !renderer->GetBoundingBox(p, text, bbox, dpi))
      return int(0.6 * fontSize * double(longestLine(text)));
    return bbox[1] - bbox[0] + 1;
  }

  /// The bottom-left corner's text wrapped at spaces so that it stays clear of the bottom-right's
  /// in a view `width` pixels wide.
  /// Measured again only when a text or the size changed (not on every frame of a drag).
  std::string fitBeside(const std::string& left, const std::string& right, int width,
                        int fontSize) {
    const std::string key =
        left + '\x1f' + right + '\x1f' + std::to_string(width) + '\x1f' + std::to_string(fontSize);
    if (key == fittedKey)
      return fitted;
    const int room = width - 4 * 6 - textWidth(corners[1]->GetTextProperty(), right, fontSize);
    std::string wrapped = left;
    for (std::size_t columns = longestLine(left); columns > 12; --columns) {
      if (textWidth(corners[0]->GetTextProperty(), wrapped, fontSize) <= room)
        break;
      wrapped = wrapWords(left, columns - 1);
    }
    fittedKey = key;
    fitted = wrapped;
    return wrapped;
  }
  std::string fittedKey, fitted;

  void annotate(int width, int height) {
    const auto [right, down] = state.axes();
    letters[0]->SetInput(orientationLetters(right * -1.0).c_str());
    letters[1]->SetInput(orientationLetters(right).c_str());
    letters[2]->SetInput(orientationLetters(down * -1.0).c_str());
    letters[3]->SetInput(orientationLetters(down).c_str());
    letters[0]->SetDisplayPosition(14, height / 2);
    letters[1]->SetDisplayPosition(width - 14, height / 2);
    // Smaller corner text in small or narrow views.
    const int fontSize = std::clamp(std::min(height / 32, width / 24), 10, 15);
    char text[320];
    const Vec3 n = plane.normal();
    // Position along the standard axis (z for axial...), signed as DICOM LPS.
    const double position = dot(state.crosshairLps, Vec3{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])});
    char slab[64] = "";
    if (state.slab != SlabMode::None && state.slabMm > 0) {
      std::snprintf(slab, sizeof(slab), "  %s %s", toString(state.slab), words.slab.c_str());
    }
    // Image number along the view's normal ("Im 71/141"), for the standard planes.
    char image[48] = "";
    if (!state.oblique()) {
      const VolumeGeometry& g = volume->geometry;
      const Vec3 ijk = g.lpsToIjk(state.crosshairLps);
      int axis = 0;
      for (int a = 1; a < 3; ++a) {
        if (std::abs(dot(g.direction[std::size_t(a)], n)) > std::abs(dot(g.direction[std::size_t(axis)], n))) axis = a;
      }
      const long index = std::lround(ijk[std::size_t(axis)]);
      const std::size_t count = g.size[std::size_t(axis)];
      // In the acquisition plane the image number is the slice's Instance Number, as PACS and the
      // report give it; elsewhere (and without one) the count along the grid.
      const bool instance = axis == 2 && index >= 0 && std::size_t(index) < sliceNumbers.size() &&
                            sliceNumbers[std::size_t(index)] > 0;
      if (instance) {
        std::snprintf(image, sizeof(image), "%s %d  ", words.image.c_str(), sliceNumbers[std::size_t(index)]);
      } else {
        std::snprintf(image, sizeof(image), "%s %ld/%zu  ", words.image.c_str(), index + 1, count);
      }
    }
    if (state.minimalText) {
      std::snprintf(text, sizeof(text), "%s%s%s%s", image, planeWord(), state.oblique() ? " " : "",
                    state.oblique() ? words.oblique.c_str() : "");
      setCorner(2, "");
    } else {
      std::snprintf(text, sizeof(text), "%s\n%s%s%s%s %.1f mm  %s %.2f mm%s", seriesText.c_str(), image, planeWord(),
                    state.oblique() ? " " : "", state.oblique() ? words.oblique.c_str() : "", position,
                    words.thickness.c_str(), thicknessMm(), slab);
      setCorner(2, patientText.c_str());
    }
    const std::string left = text;
    // A narrow window (PET in SUV: W 5 L 2.5) keeps its decimals; HU windows are whole numbers.
    const int wd = state.window.width < 20 ? 2 : 0;
    if (state.minimalText) {
      std::snprintf(text, sizeof(text), "W %.*f L %.*f%s%s", wd, state.window.width, wd,
                    state.window.center, state.invert ? " " : "",
                    state.invert ? words.invert.c_str() : "");
    } else {
      std::snprintf(text, sizeof(text), "W %.*f L %.*f%s%s\n%s %.2f", wd, state.window.width, wd,
                    state.window.center, state.invert ? " " : "",
                    state.invert ? words.invert.c_str() : "", words.zoom.c_str(), state.zoom);
    }
    setCorner(1, text);
    // The bottom-left text wraps to the room the bottom-right one leaves (a slab's words made the
    // position line run under the window's "W" in a narrow view).
    const std::string bottomLeft = fitBeside(left, text, width, fontSize);
    setCorner(0, bottomLeft.c_str());
    // In a narrow view the corner text reaches the middle: the top and bottom letters move inside
    // its lines (three at the top, as many as the bottom-left has at the bottom).
    const bool narrow = width < 700;
    const int topInset = narrow ? int(14 + 3.4 * fontSize) : 14;
    const int bottomInset = narrow ? int(14 + (1.2 * lineCount(bottomLeft)) * fontSize) : 14;
    // The banner (top centre, as many lines as it wraps to) pushes the top letter below it.
    const int bannerInset =
        state.aiBanner.empty()
            ? topInset
            : std::max(topInset, kBannerTop + kBannerLine * bannerLines(width) + 14);
    letters[2]->SetDisplayPosition(width / 2, height - bannerInset);
    letters[3]->SetDisplayPosition(width / 2, bottomInset);
    // Positions follow the size (fontSize above).
    const int margin = 6;
    const int positions[4][2] = {{margin, margin}, {width - margin, margin}, {margin, height - margin},
                                 {width - margin, height - margin}};
    for (int i = 0; i < 4; ++i) {
      if (corners[i]->GetTextProperty()->GetFontSize() != fontSize) corners[i]->GetTextProperty()->SetFontSize(fontSize);
      corners[i]->SetDisplayPosition(positions[i][0], positions[i][1]);
    }
    for (auto& l : letters) {
      l->SetVisibility(state.showAnnotations);
    }
    for (auto& c : corners) {
      c->SetVisibility(state.showAnnotations);
    }
  }

  /// Display pixels per image pixel.
  double screenScale(int width, int height) const {
    const double halfH = 0.5 * double(image.height), halfW = 0.5 * double(image.width);
    const double parallelScale = std::max(halfH, halfW * double(height) / double(std::max(width, 1))) / state.zoom;
    return 0.5 * double(height) / parallelScale;
  }

  /// Image pixel shown at the viewport centre (pan moves it).
  std::pair<double, double> viewCentrePixel() const {
    return {0.5 * double(image.width - 1) + state.panMm[0] / plane.pixelMm,
            0.5 * double(image.height - 1) + state.panMm[1] / plane.pixelMm};
  }

  std::pair<double, double> toScreen(const Vec3& lps, int width, int height) const {
    const double s = screenScale(width, height);
    const auto [px, py] = plane.lpsToPixel(lps);
    const auto [cx, cy] = viewCentrePixel();
    return {0.5 * width + (px - cx) * s - 0.5, 0.5 * height + (py - cy) * s - 0.5};
  }

  void fitCamera(int width, int height) {
    vtkCamera* cam = renderer->GetActiveCamera();
    const auto [px, py] = viewCentrePixel();
    const double cx = px, cy = double(image.height - 1) - py; // VTK rows go up
    cam->SetFocalPoint(cx, cy, 0);
    cam->SetPosition(cx, cy, 1000);
    cam->SetViewUp(0, 1, 0);
    const double aspect = double(width) / double(std::max(height, 1));
    const double halfH = 0.5 * double(image.height), halfW = 0.5 * double(image.width);
    cam->SetParallelScale(std::max(halfH, halfW / aspect) / state.zoom);
    renderer->ResetCameraClippingRange();
  }

  /// Crosshair lines, polylines with handles, scale bar and text labels, in display coordinates.
  void drawVectors(int width, int height) {
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> cells;
    vtkNew<vtkUnsignedCharArray> colours;
    colours->SetNumberOfComponents(4);
    auto addLine = [&](const std::vector<std::pair<double, double>>& screen, const Rgba& c) {
      if (screen.size() < 2) return;
      std::vector<vtkIdType> ids;
      for (const auto& [x, y] : screen) {
        ids.push_back(points->InsertNextPoint(x + 0.5, double(height) - 0.5 - y, 0));
      }
      cells->InsertNextCell(vtkIdType(ids.size()), ids.data());
      colours->InsertNextTypedTuple(c.data());
    };
    if (state.showCrosshair && !state.referencePlanes.empty()) {
      // Each other plane cuts this one along n x m, through the crosshair.
      const auto [cx, cy] = toScreen(state.crosshairLps, width, height);
      const double gap = 12, reach = 4.0 * double(std::max(width, height));
      for (const auto& [m, colour] : state.referencePlanes) {
        const Vec3 along = cross(plane.normal(), m);
        if (norm(along) < 1e-6) continue; // parallel planes do not cut
        const Vec3 d = normalized(along);
        double dx = dot(d, plane.right), dy = dot(d, plane.down);
        const double len = std::hypot(dx, dy);
        if (len < 1e-9) continue;
        dx /= len;
        dy /= len;
        Rgba c = colour;
        c[3] = 170;
        addLine({{cx - reach * dx, cy - reach * dy}, {cx - gap * dx, cy - gap * dy}}, c);
        addLine({{cx + gap * dx, cy + gap * dy}, {cx + reach * dx, cy + reach * dy}}, c);
      }
    } else if (state.showCrosshair) {
      const auto [cx, cy] = toScreen(state.crosshairLps, width, height);
      const double gap = 12;
      // Horizontal line: where the plane whose normal is screen-down cuts this view.
      const Rgba h = planeColour(nearestViewPlane(plane.down)), v = planeColour(nearestViewPlane(plane.right));
      Rgba hc = h, vc = v;
      hc[3] = vc[3] = 170;
      addLine({{0, cy}, {cx - gap, cy}}, hc);
      addLine({{cx + gap, cy}, {double(width), cy}}, hc);
      addLine({{cx, 0}, {cx, cy - gap}}, vc);
      addLine({{cx, cy + gap}, {cx, double(height)}}, vc);
    }
    const Vec3 n = plane.normal();
    auto onSlice = [&](const Vec3& p, double slabMm) { return std::abs(dot(p - plane.origin, n)) <= slabMm; };
    for (const Polyline& line : overlays.polylines) {
      bool visible = !line.lps.empty();
      for (const Vec3& p : line.lps) visible = visible && onSlice(p, line.slabMm);
      if (!visible) continue;
      std::vector<std::pair<double, double>> screen;
      for (const Vec3& p : line.lps) screen.push_back(toScreen(p, width, height));
      if (line.line) addLine(screen, line.colour);
      if (line.handles) {
        for (const auto& [x, y] : screen) {
          const double r = 4;
          addLine({{x - r, y - r}, {x + r, y - r}, {x + r, y + r}, {x - r, y + r}, {x - r, y - r}}, line.colour);
        }
      }
    }
    scaleBar = 0.0;
    if (state.showAnnotations) {
      // Scale bar: bottom right, a round length near a fifth of the viewport width.
      const double mmPerPx = plane.pixelMm / screenScale(width, height);
      scaleBar = roundLength(0.2 * width * mmPerPx);
      const double len = scaleBar / mmPerPx;
      const double x1 = width - 24.0, x0 = x1 - len, y = height - 64.0; // above the corner text
      addLine({{x0, y - 6}, {x0, y}, {x1, y}, {x1, y - 6}}, Rgba{230, 230, 230, 255});
      char t[32];
      std::snprintf(t, sizeof(t), scaleBar >= 10 ? "%.0f mm" : "%.1f mm", scaleBar);
      scaleText->SetInput(t);
      scaleText->SetDisplayPosition(int(0.5 * (x0 + x1)), int(height - y + 6));
    }
    scaleText->SetVisibility(state.showAnnotations);
    banner->SetVisibility(!state.aiBanner.empty());
    if (!state.aiBanner.empty()) {
      setText(banner, wrappedBanner(width).c_str());
      banner->SetDisplayPosition(width / 2,
                                 height - kBannerTop); // below the two lines of corner text
    }
    // Colour legends: a bar at the right edge, low at the bottom, numbers to its left.
    std::size_t legendTexts = 0;
    auto legendText = [&](const std::string& text, double x, double y, bool right) {
      if (legendTexts == legendActors.size()) {
        auto a = vtkSmartPointer<vtkTextActor>::New();
        a->GetTextProperty()->SetFontSize(13);
        a->GetTextProperty()->SetShadow(true);
        a->GetTextProperty()->SetColor(0.95, 0.95, 0.95);
        a->GetTextProperty()->SetVerticalJustificationToCentered();
        renderer->AddViewProp(a);
        legendActors.push_back(a);
      }
      vtkTextActor* a = legendActors[legendTexts++];
      setText(a, text.c_str());
      if (right) a->GetTextProperty()->SetJustificationToRight();
      else a->GetTextProperty()->SetJustificationToCentered();
      a->SetDisplayPosition(int(x), int(double(height) - y));
      a->SetVisibility(true);
    };
    double barRight = double(width) - 28.0;
    for (const ColourLegend& legend : overlays.legends) {
      if (legend.colours.empty()) continue;
      const double x1 = barRight, x0 = x1 - 14.0;
      const double top = 0.28 * height, bottom = 0.72 * height;
      const std::size_t n = legend.colours.size();
      for (double y = bottom; y >= top; y -= 2.0) {
        const double f = (bottom - y) / std::max(bottom - top, 1.0);
        addLine({{x0, y}, {x1, y}}, legend.colours[std::min(n - 1, std::size_t(f * double(n - 1) + 0.5))]);
      }
      addLine({{x0 - 1, top - 1}, {x1 + 1, top - 1}, {x1 + 1, bottom + 1}, {x0 - 1, bottom + 1}, {x0 - 1, top - 1}},
              Rgba{230, 230, 230, 255});
      for (const auto& [f, text] : legend.ticks) {
        const double y = bottom - f * (bottom - top);
        addLine({{x0 - 5, y}, {x0, y}}, Rgba{230, 230, 230, 255});
        legendText(text, x0 - 8, y, true);
      }
      legendText(legend.title, x1 + 14.0, top - 16.0, true);
      barRight = x0 - 70.0; // a second legend to the left of the first
    }
    for (std::size_t i = legendTexts; i < legendActors.size(); ++i) {
      legendActors[i]->SetVisibility(false);
    }
    lines->SetPoints(points);
    lines->SetLines(cells);
    lines->GetCellData()->SetScalars(colours);
    lines->Modified();

    std::size_t used = 0;
    for (const TextLabel& label : overlays.labels) {
      if (!onSlice(label.lps, label.slabMm)) continue;
      if (used == labelActors.size()) {
        auto a = vtkSmartPointer<vtkTextActor>::New();
        a->GetTextProperty()->SetFontSize(14);
        a->GetTextProperty()->SetShadow(true); // no box: it would hide the lesion it labels
        renderer->AddViewProp(a);
        labelActors.push_back(a);
      }
      vtkTextActor* a = labelActors[used++];
      const auto [x, y] = toScreen(label.lps, width, height);
      setText(a, label.text.c_str());
      a->GetTextProperty()->SetColor(label.colour[0] / 255.0, label.colour[1] / 255.0, label.colour[2] / 255.0);
      // Kept whole inside the view: a label that would run off the right edge goes to the left of
      // its point (never over what it labels), and near the bottom edge it moves up.
      const auto [textW, textH] = textExtent(label.text, 14);
      int px = int(x + 8);
      if (px + textW > width - 4) px = int(x - 8) - textW;
      px = std::clamp(px, 4, std::max(4, width - textW - 4));
      const int py = std::clamp(int(double(height) - y + 8), 4, std::max(4, height - textH - 4));
      a->SetDisplayPosition(px, py);
      a->SetVisibility(true);
    }
    for (std::size_t i = used; i < labelActors.size(); ++i) {
      labelActors[i]->SetVisibility(false);
    }
  }
};

SlicePipeline::SlicePipeline() : impl_(std::make_unique<Impl>()) {}
SlicePipeline::~SlicePipeline() = default;

void SlicePipeline::setVolume(std::shared_ptr<const Volume> volume, std::string patientText, std::string seriesText) {
  impl_->volume = std::move(volume);
  impl_->patientText = std::move(patientText);
  impl_->seriesText = std::move(seriesText);
  impl_->sliceNumbers.clear(); // the previous series' numbers; setSliceNumbers gives this one's
  const VolumeGeometry& g = impl_->volume->geometry;
  impl_->state.crosshairLps = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1),
                                          0.5 * double(g.size[2] - 1)});
  impl_->stale = true;
}

std::string SlicePipeline::cornerText(int i) const {
  const char* text = impl_->corners[std::size_t(std::clamp(i, 0, 3))]->GetInput();
  return text ? text : "";
}

void SlicePipeline::setSliceNumbers(std::vector<int> instanceNumbers) {
  impl_->sliceNumbers = std::move(instanceNumbers);
  impl_->stale = true;
}

void SlicePipeline::setCornerWords(CornerWords words) {
  if (impl_->words == words) return;
  impl_->words = std::move(words);
  impl_->stale = true;
}

void SlicePipeline::setState(const SliceViewState& state) {
  const SliceViewState& o = impl_->state;
  const bool same = o.plane == state.plane && o.yawDeg == state.yawDeg && o.pitchDeg == state.pitchDeg &&
                    o.crosshairLps == state.crosshairLps && o.window == state.window && o.invert == state.invert &&
                    o.slab == state.slab && o.slabMm == state.slabMm && o.zoom == state.zoom &&
                    o.panMm[0] == state.panMm[0] && o.panMm[1] == state.panMm[1] &&
                    o.showAnnotations == state.showAnnotations && o.showCrosshair == state.showCrosshair &&
                    o.minimalText == state.minimalText &&
                    o.referencePlanes == state.referencePlanes;
  if (same) {
    impl_->state.aiBanner = state.aiBanner; // drawn in screen space: no composite
    return; // nothing to composite again (the widget syncs its state before every query)
  }
  impl_->state = state;
  impl_->stale = true;
}

const SliceViewState& SlicePipeline::state() const { return impl_->state; }

void SlicePipeline::setOverlays(OverlayLayers overlays) {
  // Only label maps and markers are composited into the slice; polylines and labels are drawn in
  // screen space every update(), so changing them alone costs no composite.
  const OverlayLayers& o = impl_->overlays;
  bool same = o.fusions == overlays.fusions && o.markerSlabMm == overlays.markerSlabMm && o.markers.size() == overlays.markers.size() &&
              o.labelMaps.size() == overlays.labelMaps.size();
  for (std::size_t i = 0; same && i < o.markers.size(); ++i) {
    const Marker &a = o.markers[i], &b = overlays.markers[i];
    same = a.lps == b.lps && a.colour == b.colour && a.radiusMm == b.radiusMm && a.filled == b.filled;
  }
  for (std::size_t i = 0; same && i < o.labelMaps.size(); ++i) {
    const LabelMapLayer &a = o.labelMaps[i], &b = overlays.labelMaps[i];
    same = a.labels == b.labels && a.revision == b.revision && a.colours == b.colours && a.opacity == b.opacity &&
           a.outline == b.outline && a.styles == b.styles;
  }
  impl_->overlays = std::move(overlays);
  impl_->stale = impl_->stale || !same;
}

const SlicePlane& SlicePipeline::plane() const {
  impl_->recomposite();
  return impl_->plane;
}

const SliceImage& SlicePipeline::image() const {
  impl_->recomposite();
  return impl_->image;
}

void SlicePipeline::attach(vtkRenderWindow* window) {
  if (!window->GetRenderers()->IsItemPresent(impl_->renderer)) {
    window->AddRenderer(impl_->renderer);
  }
}

vtkRenderer* SlicePipeline::renderer() const { return impl_->renderer; }

void SlicePipeline::update(int width, int height) {
  impl_->recomposite();
  impl_->fitCamera(width, height);
  impl_->annotate(width, height);
  impl_->drawVectors(width, height);
}

Vec3 SlicePipeline::screenToLps(double x, double y, int width, int height) const {
  impl_->recomposite();
  const double s = impl_->screenScale(width, height);
  const auto [cx, cy] = impl_->viewCentrePixel();
  const double px = (x + 0.5 - 0.5 * width) / s + cx;
  const double py = (y + 0.5 - 0.5 * height) / s + cy;
  return impl_->plane.pixelToLps(px, py);
}

std::pair<double, double> SlicePipeline::lpsToScreen(const Vec3& lps, int width, int height) const {
  impl_->recomposite();
  return impl_->toScreen(lps, width, height);
}

double SlicePipeline::mmPerScreenPixel(int width, int height) const {
  impl_->recomposite();
  return impl_->plane.pixelMm / impl_->screenScale(width, height);
}

double SlicePipeline::scaleBarMm() const { return impl_->scaleBar; }

void SlicePipeline::renderToPng(const std::string& path, int width, int height) {
  update(width, height);
  renderOffscreenPng(impl_->renderer, path, width, height);
}

} // namespace lightbox
