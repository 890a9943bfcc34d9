// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/VolumeViewport.h"

#include "app/viewer/ViewerDocument.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace lightbox {

VolumeViewport::VolumeViewport(ViewerDocument* document, QWidget* parent)
    : VtkViewport(parent), document_(document), pipeline_(std::make_unique<VolumePipeline>()) {
  setFocusPolicy(Qt::StrongFocus);
  // Ray casting on software GL is the costliest frame (about a second on llvmpipe): it follows the
  // slice views only once the reader's input rests, never in the middle of a burst.
  setDeferral(300, 60 * 60 * 1000);
  pipeline_->attach(renderWindow());
  connect(document_, &ViewerDocument::volumeChanged, this, [this] {
    pipeline_->setWindow(document_->window());
    pipeline_->setVolume(document_->volume());
    pipeline_->setCrosshair(document_->crosshair());
    hasVolume_ = true;
    update();
  });
  connect(document_, &ViewerDocument::crosshairChanged, this, [this] {
    pipeline_->setCrosshair(document_->crosshair());
    requestFrame();
  });
  connect(document_, &ViewerDocument::displayChanged, this, [this] {
    pipeline_->setCrosshairVisible(document_->crosshairLinesVisible());
    requestFrame();
  });
  // Segment surfaces follow when a stroke ends, never per brush dab (a frame costs about a second
  // on software OpenGL); they are built at the frame, from the revision the frame sees.
  connect(document_, &ViewerDocument::segmentsChanged, this, &VolumeViewport::segmentsChanged);
  connect(document_, &ViewerDocument::segmentDisplayChanged, this, &VolumeViewport::segmentsChanged);
}

std::vector<SegmentSurfaceStyle> VolumeViewport::segmentStyles() const {
  std::vector<SegmentSurfaceStyle> segments;
  for (const Segment& s : document_->labels().segments) {
    segments.push_back({s.label, Rgba{s.rgb[0], s.rgb[1], s.rgb[2], 255}, document_->segmentDisplay(s.label).visible});
  }
  return segments;
}

void VolumeViewport::segmentsChanged() {
  if (document_->stroking()) return;
  if (shownRevision_ != document_->labels().revision || !(shownStyles_ == segmentStyles())) requestFrame();
}

VolumeViewport::~VolumeViewport() = default;

void VolumeViewport::setPreset(VolumePreset preset) {
  pipeline_->setWindow(document_->window());
  pipeline_->setPreset(preset);
  update();
}

bool VolumeViewport::prepareFrame(int width, int height) {
  if (!hasVolume_) {
    return false;
  }
  if (!document_->stroking()) {
    // The surfaces are rebuilt only when the label map's revision differs from the one they show.
    shownStyles_ = segmentStyles();
    shownRevision_ = document_->labels().revision;
    pipeline_->setSegments(document_->labelVolume(), shownRevision_, shownStyles_);
  }
  pipeline_->update(width, height);
  shownVolume_ = document_->volume().get();
  return true;
}

void VolumeViewport::mousePressEvent(QMouseEvent* e) { last_ = e->position(); }

void VolumeViewport::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton) {
    const QPointF d = e->position() - last_;
    pipeline_->rotate(-d.x() * 0.5, d.y() * 0.5);
    update();
  }
  last_ = e->position();
}

void VolumeViewport::mouseDoubleClickEvent(QMouseEvent*) { emit maximizeRequested(this); }

void VolumeViewport::wheelEvent(QWheelEvent* e) {
  pipeline_->zoom(std::pow(1.1, e->angleDelta().y() / 120.0));
  update();
}

void VolumeViewport::keyPressEvent(QKeyEvent* e) {
  if (isShortcutKey(e)) {
    VtkViewport::keyPressEvent(e); // the window's shortcuts, never a preset
    return;
  }
  switch (e->key()) {
  case Qt::Key_1: setPreset(VolumePreset::Bone); return;
  case Qt::Key_2: setPreset(VolumePreset::SoftTissue); return;
  case Qt::Key_3: setPreset(VolumePreset::Lung); return;
  case Qt::Key_4: setPreset(VolumePreset::Mip); return;
  case Qt::Key_Home: pipeline_->resetCamera(); update(); return;
  case Qt::Key_X: document_->setCrosshairLinesVisible(!document_->crosshairLinesVisible()); return;
  default: VtkViewport::keyPressEvent(e);
  }
}

} // namespace lightbox
