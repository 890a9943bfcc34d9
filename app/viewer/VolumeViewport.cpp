// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/VolumeViewport.h"

#include "app/i18n/Terms.h"

#include "app/render/ImageFramePipeline.h"
#include "app/viewer/ViewerDocument.h"

#include <QCoreApplication>
#include <QEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <chrono>
#include <cmath>

namespace lightbox {
VolumeViewport::VolumeViewport(ViewerDocument* document, QWidget* parent)
    : VtkViewport(parent), document_(document), display_(std::make_unique<ImageFramePipeline>()) {
  setFocusPolicy(Qt::StrongFocus);
  // Frames are rendered off the GUI thread, but they still take the CPU the slice views want: a
  // new one is asked for only once the reader's input rests, never in the middle of a burst.
  setDeferral(300, 60 * 60 * 1000);
  display_->attach(renderWindow());
  connect(document_, &ViewerDocument::volumeChanged, this, [this] {
    window_ = document_->window();
    camera_ = anteriorCamera(*document_->volume());
    hasVolume_ = true;
    labelsSnapshot_.reset(); // the previous series' segments are never drawn on this one
    snapshotOf_ = nullptr;
    // The previous series' frame is never shown again: black with the note until the first frame.
    frameRgb_.clear();
    frameChanged_ = true;
    shownVolume_ = nullptr;
    surfaces_.clear();
    error_.clear();
    update();
  });
  connect(document_, &ViewerDocument::crosshairChanged, this, &VolumeViewport::requestFrame);
  connect(document_, &ViewerDocument::displayChanged, this, &VolumeViewport::requestFrame);
  // Segment surfaces follow when a stroke ends, never per brush dab; they are built on the render
  // thread, from a snapshot of the revision the frame asks for.
  connect(document_, &ViewerDocument::segmentsChanged, this, &VolumeViewport::segmentsChanged);
  connect(document_, &ViewerDocument::segmentDisplayChanged, this, &VolumeViewport::segmentsChanged);
}

VolumeViewport::~VolumeViewport() {
  worker_.reset(); // joins the render thread first: its callback reaches this object
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

void VolumeViewport::setPreset(VolumePreset preset) {
  window_ = document_->window();
  preset_ = preset;
  update();
}

void VolumeViewport::rotate(double azimuthDeg, double elevationDeg) {
  camera_ = rotateCamera(camera_, azimuthDeg, elevationDeg);
  update();
}

void VolumeViewport::zoom(double factor) {
  camera_ = zoomCamera(camera_, factor);
  update();
}

void VolumeViewport::resetCamera() {
  if (!hasVolume_) return;
  camera_ = anteriorCamera(*document_->volume());
  update();
}

bool VolumeViewport::rendering() const {
  return hasVolume_ && (frameDirty() || framePending() || fullGeneration_ < requestedGeneration_);
}

VolumeScene VolumeViewport::scene(int width, int height) {
  VolumeScene s;
  s.volume = document_->volume();
  s.preset = preset_;
  s.window = window_;
  s.crosshair = document_->crosshair();
  s.crosshairVisible = document_->crosshairLinesVisible();
  s.camera = camera_;
  if (!document_->stroking()) {
    // The render thread reads the labels while the reader may paint the next stroke: it gets a
    // copy, made once per revision it draws.
    shownStyles_ = segmentStyles();
    shownRevision_ = document_->labels().revision;
    std::shared_ptr<const Volume> labels = document_->labelVolume();
    if (!labels) {
      labelsSnapshot_.reset();
    } else if (!labelsSnapshot_ || snapshotOf_ != labels.get() || snapshotRevision_ != shownRevision_ ||
               !(labelsSnapshot_->geometry.size == labels->geometry.size)) {
      // Keyed on the document's label volume too: revisions restart with every series' map.
      labelsSnapshot_ = std::make_shared<const Volume>(*labels);
      snapshotOf_ = labels.get();
      snapshotRevision_ = shownRevision_;
    }
  }
  s.labels = labelsSnapshot_;
  s.labelsRevision = snapshotRevision_;
  s.segments = shownStyles_;
  s.width = width;
  s.height = height;
  return s;
}

void VolumeViewport::ensureWorker() {
  if (worker_) return;
  worker_ = std::make_unique<VolumeRenderWorker>([this](VolumeFrame f) {
    // The queued call holds the only reference (moved in): the frame is freed on the GUI thread,
    // never by the worker releasing its copy after the GUI thread moved from it (ThreadSanitizer).
    auto frame = std::make_shared<VolumeFrame>(std::move(f));
    QMetaObject::invokeMethod(
        this, [this, frame = std::move(frame)] { frameArrived(std::move(*frame)); }, Qt::QueuedConnection);
  });
}

bool VolumeViewport::prepareFrame(int width, int height) {
  if (!hasVolume_) {
    return false;
  }
  const VolumeScene s = scene(width, height);
  // A repaint while a change waits for another view's input to pause (a frame arriving in the middle
  // of a key burst) shows that frame and asks for nothing: the change is asked for when input rests.
  if (!(s == requested_) && !framePending()) {
    ensureWorker();
    requested_ = s;
    requestedGeneration_ = worker_->request(s);
  }
  if (frameChanged_) {
    if (frameRgb_.empty()) {
      display_->clearFrame();
    } else {
      display_->setFrame(frameWidth_, frameHeight_, frameRgb_);
    }
    frameChanged_ = false;
  }
  const QString note = !error_.isEmpty() ? tr("3D view unavailable: %1").arg(error_)
                       : fullGeneration_ < requestedGeneration_ || !(s == requested_) ? tr("rendering...")
                                                                                      : QString();
  const char* preset = toString(document_->volume()->units == "HU" ? preset_ : VolumePreset::Mip);
  display_->setText(tr("3D %1").arg(term(preset)).toStdString(), note.toStdString());
  return true;
}

void VolumeViewport::prepareGrab() {
  if (!hasVolume_ || frameWidth() <= 0 || frameHeight() <= 0) return;
  const VolumeScene s = scene(frameWidth(), frameHeight());
  if (s == requested_ && fullGeneration_ == requestedGeneration_) return; // on screen already
  ensureWorker();
  requested_ = s;
  VolumeFrame frame = worker_->renderNow(s);
  requestedGeneration_ = frame.generation;
  frameArrived(std::move(frame));
}

void VolumeViewport::frameArrived(VolumeFrame frame) {
  const bool newer = frame.generation > shownGeneration_ ||
                     (frame.generation == shownGeneration_ && shownCoarse_ && !frame.coarse);
  if (!newer || frame.scene.volume != document_->volume()) return; // older than the one shown, or another series
  logFrameEvent(QString("3d-render generation=%1 %2 %3x%4 render_ms=%5")
                    .arg(frame.generation).arg(frame.coarse ? "coarse" : "full").arg(frame.width).arg(frame.height)
                    .arg(frame.renderMs, 0, 'f', 1),
                frame.finished);
  shownGeneration_ = frame.generation;
  shownCoarse_ = frame.coarse;
  if (!frame.coarse) fullGeneration_ = frame.generation;
  if (!frame.error.empty()) {
    error_ = QString::fromStdString(frame.error);
    update();
    return;
  }
  error_.clear();
  frameRgb_ = std::move(frame.rgb);
  frameWidth_ = frame.width;
  frameHeight_ = frame.height;
  frameChanged_ = true;
  shownVolume_ = frame.scene.volume.get();
  shownPreset_ = frame.scene.preset;
  if (!frame.coarse) {
    ++framesRendered_;
    surfaces_ = std::move(frame.surfaces);
  }
  update();
}

QString VolumeViewport::frameDescription() const {
  return objectName() + QString(" generation=%1 %2").arg(shownGeneration_).arg(shownCoarse_ ? "coarse" : "full");
}

void VolumeViewport::mousePressEvent(QMouseEvent* e) { last_ = e->position(); }

void VolumeViewport::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton) {
    const QPointF d = e->position() - last_;
    rotate(-d.x() * 0.5, d.y() * 0.5);
  }
  last_ = e->position();
}

void VolumeViewport::mouseDoubleClickEvent(QMouseEvent*) { emit maximizeRequested(this); }

void VolumeViewport::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) update(); // the corner's words are set with each frame
  VtkViewport::changeEvent(e);
}

void VolumeViewport::wheelEvent(QWheelEvent* e) { zoom(std::pow(1.1, e->angleDelta().y() / 120.0)); }

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
  case Qt::Key_Home: resetCamera(); return;
  case Qt::Key_X: document_->setCrosshairLinesVisible(!document_->crosshairLinesVisible()); return;
  default: VtkViewport::keyPressEvent(e);
  }
}

} // namespace lightbox
