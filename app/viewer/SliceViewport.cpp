// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/SliceViewport.h"

#include "app/i18n/Terms.h"

#include "app/i18n/CoreMessages.h"
#include "app/viewer/ViewerDocument.h"
#include "core/annotation/ScoreText.h"

#include <QCoreApplication>
#include <QEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QTimer>
#include <QWheelEvent>

#include <vtkRenderWindow.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lightbox {
namespace {

constexpr double kHandlePixels = 8.0;

/// Tools that paint with the brush circle.
bool brushLike(Tool tool) { return tool == Tool::Brush || tool == Tool::Eraser || tool == Tool::ThresholdBrush; }

MeasurementKind kindOf(Tool tool) {
  switch (tool) {
  case Tool::Angle: return MeasurementKind::Angle;
  case Tool::Ellipse: return MeasurementKind::Ellipse;
  case Tool::Rectangle:
  case Tool::ThresholdBox: return MeasurementKind::Rectangle;
  case Tool::Point: return MeasurementKind::Point;
  case Tool::Arrow: return MeasurementKind::Arrow;
  case Tool::Text: return MeasurementKind::Text;
  default: return MeasurementKind::Length;
  }
}

} // namespace

SliceViewport::SliceViewport(ViewerDocument* document, ViewPlane plane, QWidget* parent)
    : VtkViewport(parent), document_(document), plane_(plane), pipeline_(std::make_unique<SlicePipeline>()),
      cine_(new QTimer(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  pipeline_->attach(renderWindow());
  setCornerWords();
  cine_->setInterval(100); // 10 slices per second
  connect(cine_, &QTimer::timeout, this, [this] {
    const InputScope scope(this); // the other views follow once the cine pauses (or every 1.5 s)
    const Vec3 before = document_->crosshair();
    document_->scroll(plane_, 1);
    if (norm(document_->crosshair() - before) < 1e-9) {
      document_->scroll(plane_, -100000); // wrap to the first slice
    }
  });
  connect(document_, &ViewerDocument::volumeChanged, this, [this] {
    pipeline_->setVolume(document_->volume(), document_->patientText().toStdString(),
                         document_->seriesText().toStdString());
    zoom_ = 1.0;
    pan_[0] = pan_[1] = 0;
    editing_.reset();
    labelCache_.clear();
    update(); // a new series: every view at once, never a frame of the previous one
  });
  connect(document_, &ViewerDocument::reportSourceChanged, this, [this] {
    // The Instance Number of each slice, as PACS numbers the images.
    std::vector<int> numbers;
    for (const SourceImage& s : document_->reportSource().slices) numbers.push_back(s.instanceNumber);
    pipeline_->setSliceNumbers(std::move(numbers));
    requestFrame();
  });
  connect(document_, &ViewerDocument::crosshairChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::crosshairChanged, this, &SliceViewport::probe); // scrolled under the pointer
  connect(document_, &ViewerDocument::displayChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::measurementsChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::findingsChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::segmentsChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::segmentDisplayChanged, this, &SliceViewport::requestFrame);
  connect(document_, &ViewerDocument::toolChanged, this, [this] {
    editing_.reset();
    setCursor(document_->tool() == Tool::Navigate ? Qt::ArrowCursor : Qt::CrossCursor);
    update();
  });
}

SliceViewport::~SliceViewport() = default;

void SliceViewport::setPlane(ViewPlane plane) {
  plane_ = plane;
  update();
}

void SliceViewport::setOverlaySource(std::function<void(OverlayLayers&)> source) {
  overlaySource_ = std::move(source);
  update();
}

void SliceViewport::setCaption(const QString& caption) {
  if (caption_ == caption) return;
  caption_ = caption;
  update();
}

bool SliceViewport::cineRunning() const { return cine_->isActive(); }

void SliceViewport::setCine(bool on) {
  if (on) {
    cine_->start();
  } else {
    cine_->stop();
  }
}

double SliceViewport::visibleSlabMm() const {
  if (!document_->volume()) return 1.0;
  const auto [r, d] = document_->axes(plane_);
  return 0.5 * sliceSpacingAlong(document_->volume()->geometry, cross(r, d)) + 1e-3;
}

void SliceViewport::syncState() const {
  SliceViewState state;
  state.plane = plane_;
  const PlaneSettings ps = document_->planeSettings(plane_);
  state.yawDeg = ps.yawDeg;
  state.pitchDeg = ps.pitchDeg;
  state.slab = ps.slab;
  state.slabMm = ps.slabMm;
  state.crosshairLps = document_->crosshair();
  state.window = document_->window();
  state.invert = document_->inverted();
  state.zoom = zoom_;
  state.panMm[0] = pan_[0];
  state.panMm[1] = pan_[1];
  state.showAnnotations = document_->annotationsVisible();
  state.minimalText = document_->minimalText();
  state.showCrosshair = document_->crosshairLinesVisible();
  for (ViewPlane other : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    if (other == plane_) continue;
    const auto [r, d] = document_->axes(other); // turned when that view is oblique
    state.referencePlanes.emplace_back(normalized(cross(r, d)), planeColour(other));
  }
  const QString imageWarning = document_->imageWarning(), ai = document_->aiBanner();
  QString banner = imageWarning.isEmpty() ? ai : ai.isEmpty() ? imageWarning : imageWarning + "\n" + ai;
  if (!caption_.isEmpty()) banner = banner.isEmpty() ? caption_ : banner + "\n" + caption_;
  state.aiBanner = banner.toStdString();
  pipeline_->setState(state);
}

void SliceViewport::syncFromDocument() {
  syncState();
  OverlayLayers overlays;
  const double slab = visibleSlabMm();
  const Volume* volume = document_->volume().get();
  auto draw = [&](const Measurement& m, bool selected) {
    const Rgba colour = selected ? Rgba{80, 220, 255, 255} : Rgba{255, 210, 40, 255};
    Polyline line;
    line.lps = outline(m);
    line.colour = colour;
    line.slabMm = slab;
    if (m.kind != MeasurementKind::Point && m.kind != MeasurementKind::Text) {
      overlays.polylines.push_back(line);
    }
    line.lps = m.points;
    line.line = false;
    line.handles = true;
    overlays.polylines.push_back(line);
    // The segment tool's box is a prompt, not a measurement: no area label.
    if (editing_ && &m == &*editing_ && document_->tool() == Tool::Segment) return;
    TextLabel label;
    label.lps = m.points.back();
    // ROI statistics sample the volume: computed once per shape, not per frame.
    auto& cached = labelCache_[m.id];
    if (!(cached.first == m)) {
      try {
        cached = {m, translateCoreMessage(describe(m, volume)).toStdString()};
      } catch (const std::exception&) {
        cached = {m, term(toString(m.kind)).toStdString()};
      }
    }
    label.text = cached.second;
    label.colour = colour;
    label.slabMm = slab;
    overlays.labels.push_back(label);
  };
  for (const Measurement& m : document_->measurements()) {
    if (editing_ && editing_->id == m.id) continue;
    draw(m, m.id == document_->selectedMeasurement());
  }
  if (editing_) {
    draw(*editing_, true);
  }
  drawFindings(overlays);
  drawSegments(overlays, slab);
  if (overlaySource_) overlaySource_(overlays);
  pipeline_->setOverlays(std::move(overlays));
}

Rgba findingColour(FindingState state) {
  switch (state) {
  case FindingState::Proposed: return {255, 140, 0, 255};
  case FindingState::Accepted: return {60, 220, 90, 255};
  case FindingState::Rejected: return {235, 60, 60, 255};
  case FindingState::Edited: return {80, 200, 255, 255};
  }
  return {255, 140, 0, 255};
}

void SliceViewport::drawSegments(OverlayLayers& overlays, double slab) const {
  if (hovering_ && brushLike(document_->tool())) {
    // The brush's size as a circle under the pointer, in this view's plane.
    const auto [r, d] = document_->axes(plane_);
    Polyline circle;
    for (int a = 0; a <= 48; ++a) {
      const double t = 2 * 3.14159265358979 * a / 48;
      circle.lps.push_back(hover_ + r * (document_->brushRadiusMm() * std::cos(t)) + d * (document_->brushRadiusMm() * std::sin(t)));
    }
    circle.colour = document_->tool() == Tool::Eraser           ? Rgba{255, 90, 90, 255}
                    : document_->tool() == Tool::ThresholdBrush ? Rgba{80, 220, 255, 255}
                                                                : Rgba{120, 255, 80, 255};
    circle.slabMm = slab;
    overlays.polylines.push_back(circle);
  }
  const LabelMap& labels = document_->labels();
  if (labels.segments.empty()) return;
  LabelMapLayer layer;
  layer.labels = document_->labelVolume();
  layer.revision = labels.revision;
  layer.opacity = 0.3;
  layer.outline = true;
  for (const Segment& s : labels.segments) {
    const Rgba colour{s.rgb[0], s.rgb[1], s.rgb[2], 255};
    layer.colours[s.label] = colour;
    const SegmentDisplay display = document_->segmentDisplay(s.label);
    layer.styles[s.label] = LabelStyle{display.visible, display.opacity, display.fill != SegmentFill::Outline,
                                       display.fill != SegmentFill::Fill};
    if (!display.visible) continue;
    // The RECIST bidirectional marker on the slice it is measured on, with the numbers; measured
    // again when the stroke ends, not on every dab.
    if (document_->stroking()) continue;
    const SegmentStats st = document_->segmentStats(s.label);
    if (st.voxels == 0) continue;
    for (const auto& [a, b] : {std::make_pair(st.longA, st.longB), std::make_pair(st.shortA, st.shortB)}) {
      Polyline axis;
      axis.lps = {a, b};
      axis.colour = colour;
      axis.slabMm = slab;
      overlays.polylines.push_back(axis);
    }
    TextLabel text;
    text.lps = st.longB;
    char line[160];
    std::snprintf(line, sizeof(line), "%s: %.1f x %.1f mm, %.2f mL", s.name.c_str(), st.longAxisMm, st.shortAxisMm,
                  st.volumeMl);
    text.text = line;
    text.colour = colour;
    text.slabMm = slab;
    overlays.labels.push_back(text);
  }
  overlays.labelMaps.push_back(std::move(layer));
  // The model's uncertainty (probability 0.3-0.7) as a white dashed outline (the segment's own
  // outline is solid, in its colour).
  if (!document_->stroking()) {
    if (auto band = document_->uncertaintyVolume()) {
      LabelMapLayer u;
      u.labels = std::move(band);
      u.revision = labels.revision;
      for (const Segment& s : labels.segments) {
        u.colours[s.label] = Rgba{255, 255, 255, 255};
        LabelStyle style{document_->segmentDisplay(s.label).visible, 0.0, false, true};
        style.dashed = true;
        u.styles[s.label] = style;
      }
      overlays.labelMaps.push_back(std::move(u));
    }
  }
}

void SliceViewport::drawFindings(OverlayLayers& overlays) const {
  const auto [right, down] = document_->axes(plane_);
  const Vec3 n = normalized(cross(right, down));
  const Vec3 c0 = document_->crosshair();
  const std::vector<const Finding*> visible = document_->visibleFindings();
  std::vector<double> scores;
  for (const Finding* f : visible) scores.push_back(f->score);
  const int decimals = scoreDecimals(scores);
  for (const Finding* f : visible) {
    // A ring just outside the nodule where the slice cuts its sphere.
    const double r = std::max(1.5, document_->effectiveDiameter(*f) / 2.0) + 2.0;
    const double d = dot(f->centerLps - c0, n);
    if (std::abs(d) >= r) continue;
    const double rho = std::sqrt(r * r - d * d);
    const Vec3 c = f->centerLps - n * d;
    const bool selected = f->id == document_->selectedFinding();
    const Rgba colour = findingColour(f->state);
    for (int ring = 0; ring < (selected ? 2 : 1); ++ring) {
      Polyline p;
      p.colour = colour;
      const double rr = rho + 1.2 * ring;
      for (int a = 0; a <= 48; ++a) {
        const double t = 2.0 * 3.14159265358979 * a / 48.0;
        p.lps.push_back(c + right * (rr * std::cos(t)) + down * (rr * std::sin(t)));
      }
      overlays.polylines.push_back(p);
    }
    TextLabel label;
    label.lps = c + right * (rho * 0.7071) - down * (rho * 0.7071);
    // The score as the findings table shows it (core/annotation/ScoreText): never rounded up, never
    // two different scores the same.
    label.text = f->id + " " + scoreText(f->score, decimals);
    // The reader's decision after the number, in the reader's language.
    if (f->state != FindingState::Proposed) label.text += " " + term(toString(f->state)).toStdString();
    label.colour = colour;
    overlays.labels.push_back(label);
  }
}

bool SliceViewport::prepareFrame(int width, int height) {
  if (!document_->volume()) {
    return false;
  }
  syncFromDocument();
  pipeline_->update(width, height);
  shownVolume_ = document_->volume().get();
  return true;
}

QString SliceViewport::frameDescription() const {
  // The position along the plane normal identifies the slice shown (the latency benchmark
  // matches frames to key presses by it).
  const SlicePlane& plane = pipeline_->plane();
  return QString("%1 %2 %3")
      .arg(objectName())
      .arg(dot(plane.origin, plane.normal()), 0, 'f', 3)
      .arg(document_->seriesKey());
}

Vec3 SliceViewport::lpsAt(const QPointF& p) const {
  syncState();
  const double dpr = devicePixelRatioF();
  return pipeline_->screenToLps(p.x() * dpr, p.y() * dpr, frameWidth(), frameHeight());
}

void SliceViewport::resizeEvent(QResizeEvent* e) {
  VtkViewport::resizeEvent(e);
  emit resized();
}

void SliceViewport::showEvent(QShowEvent* e) {
  VtkViewport::showEvent(e);
  emit resized(); // shown again at the same size: a linked comparison is framed again
}

Vec3 SliceViewport::centreLps() const {
  return lpsAt(QPointF(0.5 * width(), 0.5 * height()));
}

double SliceViewport::mmPerWidgetPixel() const {
  syncState();
  return pipeline_->mmPerScreenPixel(frameWidth(), frameHeight()) * devicePixelRatioF();
}

void SliceViewport::frameAt(const Vec3& centre, double mmPerPixel) {
  const double own = mmPerWidgetPixel(); // infinite in a view of no height
  if (!document_->volume() || !(mmPerPixel > 0) || !std::isfinite(mmPerPixel) ||
      !std::isfinite(own))
    return;
  zoom_ = std::clamp(zoom_ * own / mmPerPixel, 0.25, 16.0);
  const Vec3 shift = centre - centreLps();
  const SlicePlane& plane = pipeline_->plane();
  pan_[0] += dot(shift, plane.right);
  pan_[1] += dot(shift, plane.down);
  update();
}

QPointF SliceViewport::widgetPointOf(const Vec3& lps) const {
  syncState();
  const double dpr = devicePixelRatioF();
  const auto [x, y] = pipeline_->lpsToScreen(lps, frameWidth(), frameHeight());
  return {x / dpr, y / dpr};
}

std::optional<std::pair<int, int>> SliceViewport::handleAt(const QPointF& p) const {
  const Vec3 n = pipeline_->plane().normal();
  const Vec3 origin = pipeline_->plane().origin;
  const double slab = visibleSlabMm();
  for (const Measurement& m : document_->measurements()) {
    for (std::size_t i = 0; i < m.points.size(); ++i) {
      if (std::abs(dot(m.points[i] - origin, n)) > slab) continue;
      const QPointF q = widgetPointOf(m.points[i]);
      if (std::hypot(q.x() - p.x(), q.y() - p.y()) <= kHandlePixels) {
        return std::make_pair(m.id, int(i));
      }
    }
  }
  return std::nullopt;
}

void SliceViewport::wheelEvent(QWheelEvent* e) {
  const int steps = e->angleDelta().y() / 120;
  if (e->modifiers() & Qt::ControlModifier) {
    // Zoom about the point under the cursor: it stays where it is on the screen.
    const Vec3 before = lpsAt(e->position());
    zoom_ = std::clamp(zoom_ * std::pow(1.15, steps), 0.25, 16.0);
    const Vec3 after = lpsAt(e->position());
    const SlicePlane& plane = pipeline_->plane();
    pan_[0] += dot(before - after, plane.right);
    pan_[1] += dot(before - after, plane.down);
    update();
    emit framingChanged();
  } else {
    document_->scroll(plane_, steps);
  }
}

void SliceViewport::mousePressEvent(QMouseEvent* e) {
  if (!document_->volume()) {
    return;
  }
  const QPointF pos = e->position();
  dragStart_ = pos;
  dragWindow_ = document_->window();
  dragPan_[0] = pan_[0];
  dragPan_[1] = pan_[1];
  const PlaneSettings ps = document_->planeSettings(plane_);
  dragYaw_ = ps.yawDeg;
  dragPitch_ = ps.pitchDeg;
  dragScrolled_ = 0;
  if (drag_ == Drag::Stroke) {
    return; // another button during a brush stroke: the stroke goes on until its button is released
  }
  if (document_->tool() == Tool::Segment && (e->modifiers() & Qt::AltModifier) &&
      (e->button() == Qt::LeftButton || e->button() == Qt::RightButton)) {
    // Refinement of the selected model segment: Alt+left adds the region there, Alt+right removes it.
    document_->refineSegment(document_->selectedSegment(), lpsAt(pos), e->button() == Qt::LeftButton);
    drag_ = Drag::None;
    return;
  }
  if (e->button() == Qt::RightButton) {
    drag_ = Drag::Window;
    return;
  }
  if (e->button() == Qt::MiddleButton) {
    drag_ = Drag::Pan;
    return;
  }
  if (e->button() != Qt::LeftButton) {
    return;
  }
  if (e->modifiers() & Qt::ShiftModifier) {
    drag_ = Drag::Rotate;
    return;
  }
  if (e->modifiers() & Qt::ControlModifier) {
    drag_ = Drag::Scroll;
    return;
  }
  const Vec3 p = lpsAt(pos);
  if (brushLike(document_->tool())) {
    const auto [r, d] = document_->axes(plane_);
    if (document_->beginStroke(document_->tool() == Tool::Eraser, normalized(cross(r, d)))) {
      document_->strokeDab(p);
      drag_ = Drag::Stroke;
    }
    return;
  }
  if (document_->tool() == Tool::Segment) {
    // A click segments the lesion there; a drag draws a box that bounds it (on release).
    Measurement box;
    box.kind = MeasurementKind::Rectangle;
    box.planeRight = pipeline_->plane().right;
    box.planeDown = pipeline_->plane().down;
    box.points.assign(2, p);
    editing_ = box;
    editingPoint_ = 1;
    drag_ = Drag::Create;
    update();
    return;
  }
  if (editing_ && editing_->kind == MeasurementKind::Angle && drag_ == Drag::Create) {
    // Angle: the next click fixes the point being placed.
    ++editingPoint_;
    if (editingPoint_ >= 3) {
      document_->addMeasurement(*editing_);
      editing_.reset();
      drag_ = Drag::None;
    }
    update();
    return;
  }
  if (const auto handle = handleAt(pos)) {
    editing_ = *document_->measurement(handle->first);
    editingPoint_ = handle->second;
    document_->selectMeasurement(handle->first);
    drag_ = Drag::Handle;
    return;
  }
  if (document_->tool() == Tool::Navigate) {
    drag_ = Drag::Crosshair;
    document_->setCrosshair(p);
    return;
  }
  // Start a new measurement on this view's plane.
  Measurement m;
  m.kind = kindOf(document_->tool());
  const SlicePlane& plane = pipeline_->plane();
  m.planeRight = plane.right;
  m.planeDown = plane.down;
  m.points.assign(Measurement::pointCount(m.kind), p);
  if (m.kind == MeasurementKind::Point || m.kind == MeasurementKind::Text) {
    const int id = document_->addMeasurement(m);
    if (m.kind == MeasurementKind::Text) emit noteAdded(id);
    return;
  }
  editing_ = m;
  editingPoint_ = 1;
  drag_ = Drag::Create;
  update();
}

void SliceViewport::mouseMoveEvent(QMouseEvent* e) {
  if (!document_->volume()) {
    return;
  }
  const QPointF pos = e->position();
  const QPointF d = pos - dragStart_;
  const Vec3 p = lpsAt(pos);
  switch (drag_) {
  case Drag::Window: {
    // Window/level by right-drag: horizontal changes width, vertical the level.
    const double scale = std::max(dragWindow_.width, 10.0) / 200.0;
    document_->setWindow({dragWindow_.center + d.y() * scale, dragWindow_.width + d.x() * scale});
    break;
  }
  case Drag::Pan: {
    const double mm = pipeline_->mmPerScreenPixel(frameWidth(), frameHeight()) * devicePixelRatioF();
    pan_[0] = dragPan_[0] - d.x() * mm;
    pan_[1] = dragPan_[1] - d.y() * mm;
    update();
    emit framingChanged();
    break;
  }
  case Drag::Scroll: {
    const int steps = int(-d.y() / 4.0);
    if (steps != dragScrolled_) {
      document_->scroll(plane_, steps - dragScrolled_);
      dragScrolled_ = steps;
    }
    break;
  }
  case Drag::Rotate: {
    PlaneSettings ps = document_->planeSettings(plane_);
    ps.yawDeg = std::clamp(dragYaw_ + d.x() * 0.25, -89.0, 89.0);
    ps.pitchDeg = std::clamp(dragPitch_ - d.y() * 0.25, -89.0, 89.0);
    document_->setPlaneSettings(plane_, ps);
    break;
  }
  case Drag::Crosshair: document_->setCrosshair(p); break;
  case Drag::Stroke: document_->strokeDab(p); break;
  case Drag::Create:
  case Drag::Handle:
    if (editing_) {
      editing_->points[std::size_t(editingPoint_)] = p;
      if (editing_->kind == MeasurementKind::Angle && drag_ == Drag::Create) {
        for (std::size_t i = std::size_t(editingPoint_) + 1; i < 3; ++i) editing_->points[i] = p;
      }
      update();
    }
    break;
  case Drag::None: break; // an angle being placed stays in Drag::Create between its clicks
  }
  if (brushLike(document_->tool())) {
    hover_ = p; // the brush circle follows the pointer
    hovering_ = true;
    update();
  }
  pointer_ = pos;
  pointerInside_ = true;
  probe();
}

void SliceViewport::leaveEvent(QEvent* e) {
  pointerInside_ = false;
  VtkViewport::leaveEvent(e);
}

void SliceViewport::probe() {
  if (!pointerInside_ || !document_->volume()) return;
  const Vec3 p = lpsAt(pointer_);
  const double v = document_->valueAt(p);
  const std::string& units = document_->volume()->units;
  const QString unit = QString::fromStdString(units);
  // SUV to two decimals (a PET reads 2.47, not 2); HU whole.
  const int decimals = valueDecimals(units, document_->window().width);
  emit probed(std::isnan(v) ? QString()
                            : probePrefix_ +
                                  tr("%1 %2 at (%3, %4, %5) mm LPS")
                                      .arg(v, 0, 'f', decimals)
                                      .arg(unit)
                                      .arg(p[0], 0, 'f', 1)
                                      .arg(p[1], 0, 'f', 1)
                                      .arg(p[2], 0, 'f', 1) +
                                  (probeExtra_ ? probeExtra_(p) : QString()));
}

void SliceViewport::mouseReleaseEvent(QMouseEvent* e) {
  if (drag_ == Drag::Stroke && e->button() != Qt::LeftButton) return; // not the stroke's button
  if (drag_ == Drag::Stroke) {
    document_->endStroke();
  } else if (drag_ == Drag::Handle && editing_) {
    document_->replaceMeasurement(*editing_, tr("Edit %1").arg(term(toString(editing_->kind))));
    editing_.reset();
  } else if (drag_ == Drag::Create && editing_) {
    if (editing_->kind == MeasurementKind::Angle) {
      // Angles are placed click by click: keep drawing.
      return;
    }
    if (document_->tool() == Tool::Segment) {
      const Measurement box = *editing_;
      editing_.reset();
      drag_ = Drag::None;
      if (norm(box.points[1] - box.points[0]) < 2.0) {
        document_->segmentAt(box.points[0]); // one click, one lesion
      } else {
        document_->segmentInBox(box.points[0], box.points[1], box.planeRight, box.planeDown);
      }
      update();
      return;
    }
    if (document_->tool() == Tool::ThresholdBox) {
      // The box's rectangle is not kept as a measurement: it becomes a segment.
      document_->thresholdInBox(editing_->points[0], editing_->points[1], editing_->planeRight, editing_->planeDown);
      editing_.reset();
      drag_ = Drag::None;
      update();
      return;
    }
    // A click without a drag makes no measurement.
    if (norm(editing_->points[1] - editing_->points[0]) >= 0.5) {
      const int id = document_->addMeasurement(*editing_);
      if (editing_->kind == MeasurementKind::Arrow) emit noteAdded(id);
    }
    editing_.reset();
  }
  drag_ = Drag::None;
  update();
}

void SliceViewport::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) {
    labelCache_.clear(); // a label that fell back to the measurement's kind names it anew
    setCornerWords();
    update();
  }
  VtkViewport::changeEvent(e);
}

void SliceViewport::setCornerWords() {
  CornerWords w;
  w.image = tr("Im", "corner text: image number").toStdString();
  w.thickness = tr("thk", "corner text: slice thickness").toStdString();
  w.zoom = tr("zoom", "corner text").toStdString();
  w.oblique = tr("oblique", "corner text: the plane").toStdString();
  w.invert = tr("inv", "corner text: inverted grey scale").toStdString();
  w.slab = tr("slab", "corner text: MIP / MinIP / mean slab").toStdString();
  w.axial = tr("axial", "corner text: the plane").toStdString();
  w.coronal = tr("coronal", "corner text: the plane").toStdString();
  w.sagittal = tr("sagittal", "corner text: the plane").toStdString();
  pipeline_->setCornerWords(std::move(w));
}

void SliceViewport::mouseDoubleClickEvent(QMouseEvent*) {
  if (!editing_) {
    emit maximizeRequested(this);
  }
}

void SliceViewport::keyPressEvent(QKeyEvent* e) {
  if (isShortcutKey(e)) {
    VtkViewport::keyPressEvent(e); // Ctrl+Shift+S saves the view; it never turns on the slab
    return;
  }
  PlaneSettings ps = document_->planeSettings(plane_);
  switch (e->key()) {
  case Qt::Key_Up: document_->scroll(plane_, 1); return;
  case Qt::Key_Down: document_->scroll(plane_, -1); return;
  case Qt::Key_PageUp: document_->scroll(plane_, 10); return;
  case Qt::Key_PageDown: document_->scroll(plane_, -10); return;
  case Qt::Key_I: document_->setInverted(!document_->inverted()); return;
  case Qt::Key_T: document_->cycleAnnotationDetail(); return;
  case Qt::Key_X: document_->setCrosshairLinesVisible(!document_->crosshairLinesVisible()); return;
  case Qt::Key_C: setCine(!cineRunning()); return;
  case Qt::Key_0: document_->setWindow(document_->seriesWindow()); return;
  case Qt::Key_S:
    ps.slab = ps.slab == SlabMode::None ? SlabMode::Mip
              : ps.slab == SlabMode::Mip ? SlabMode::MinIp
              : ps.slab == SlabMode::MinIp ? SlabMode::Mean
                                           : SlabMode::None;
    document_->setPlaneSettings(plane_, ps);
    return;
  case Qt::Key_BracketRight:
  case Qt::Key_BracketLeft: {
    const bool larger = e->key() == Qt::Key_BracketRight;
    if (brushLike(document_->tool())) {
      // With the brush or eraser, [ and ] size the brush; otherwise the slab.
      document_->setBrushRadiusMm(document_->brushRadiusMm() * (larger ? 1.25 : 0.8));
    } else {
      ps.slabMm += larger ? 2 : -2;
      document_->setPlaneSettings(plane_, ps);
    }
    return;
  }
  case Qt::Key_O:
    ps.yawDeg = ps.pitchDeg = 0;
    document_->setPlaneSettings(plane_, ps);
    return;
  case Qt::Key_Home:
    zoom_ = 1.0;
    pan_[0] = pan_[1] = 0;
    update();
    emit framingChanged();
    return;
  case Qt::Key_Delete:
  case Qt::Key_Backspace:
    if (document_->selectedMeasurement() != 0) document_->removeMeasurement(document_->selectedMeasurement());
    return;
  case Qt::Key_Escape:
    editing_.reset();
    drag_ = Drag::None;
    document_->setTool(Tool::Navigate);
    return;
  default: break;
  }
  // PET in SUV: SUV presets (0-3, 0-5, 0-10, 0-20) on keys 1-4; else the CT ones.
  for (const WindowPreset& preset :
       windowPresetsFor(document_->volume() ? document_->volume()->units : std::string())) {
    if (e->text() == QString(QChar(preset.key))) {
      document_->setWindow(preset.window);
      return;
    }
  }
  VtkViewport::keyPressEvent(e);
}

} // namespace lightbox
