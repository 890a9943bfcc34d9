// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/VolumeRenderWorker.h"
#include "app/viewer/VtkViewport.h"

#include <QPoint>

#include <memory>
#include <vector>

namespace lightbox {

class ImageFramePipeline;
class ViewerDocument;

/// The 3D view of a document: volume rendering with presets, the crosshair in 3D.
/// Left drag rotates, wheel zooms, 1-4 choose bone / soft tissue / lung / MIP, Home resets.
///
/// Ray casting takes seconds a frame on software OpenGL, so it never runs on the GUI thread: the
/// view's state is a VolumeScene value; a frame of it is asked of a VolumeRenderWorker (its own
/// thread, GL context and copy of the volume), which answers with a coarse frame first and the full
/// one when no newer scene was asked for. The view draws the newest frame it has, scaled to its
/// size, with "rendering..." while the current scene's full frame is not there yet: the area never
/// shows anything but this view's own frame, or black with the note.
class VolumeViewport : public VtkViewport {
  Q_OBJECT
public:
  explicit VolumeViewport(ViewerDocument* document, QWidget* parent = nullptr);
  ~VolumeViewport() override;

  void setPreset(VolumePreset preset);
  /// Camera moves, as the mouse and Home make them.
  void rotate(double azimuthDeg, double elevationDeg);
  void zoom(double factor);
  void resetCamera();
  /// The volume drawn in the frame on screen (null while there is none, e.g. right after a series
  /// was opened: the view is black with "rendering..." then, never the previous series).
  const Volume* shownVolume() const { return shownVolume_; }
  /// 3D frames rendered in full quality and shown so far.
  std::uint64_t framesRendered() const { return framesRendered_; }
  /// True while the full frame of the view's current state is not on screen yet.
  bool rendering() const;
  /// The preset of the frame on screen.
  VolumePreset shownPreset() const { return shownPreset_; }
  /// The segment surfaces as of the last full frame.
  const std::vector<SegmentSurfaceInfo>& segmentSurfaces() const { return surfaces_; }

signals:
  void maximizeRequested(QWidget* view);

protected:
  bool prepareFrame(int width, int height) override;
  void prepareGrab() override;
  QString frameDescription() const override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  /// A language change draws the view's words (preset, "rendering...") again.
  void changeEvent(QEvent* e) override;

private:
  /// The scene this view shows now, for a width x height frame.
  VolumeScene scene(int width, int height);
  /// The segments as the 3D view draws them (colour, visibility).
  std::vector<SegmentSurfaceStyle> segmentStyles() const;
  /// Asks for a frame when the surfaces would change: another label map revision, colour or
  /// visibility (a rename or an opacity drag costs no 3D frame).
  void segmentsChanged();
  /// A frame from the render thread (on the GUI thread): shown if newer than the one on screen.
  void frameArrived(VolumeFrame frame);
  /// The render thread starts with the first frame (a window without a 3D view never starts one).
  void ensureWorker();

  ViewerDocument* document_;
  std::unique_ptr<ImageFramePipeline> display_;
  bool hasVolume_ = false;
  VolumePreset preset_ = VolumePreset::Bone;
  WindowLevel window_; ///< for MIP and non-CT volumes: the document's, as of the open or the preset
  VolumeCamera camera_;
  std::shared_ptr<const Volume> labelsSnapshot_; ///< the label map as the render thread reads it
  std::uint64_t snapshotRevision_ = 0;
  const Volume* snapshotOf_ = nullptr; ///< the document label volume the snapshot copies
  std::vector<SegmentSurfaceStyle> shownStyles_; ///< handed to the renderer with the last request
  std::uint64_t shownRevision_ = 0;
  std::uint64_t requestedGeneration_ = 0;
  VolumeScene requested_;                 ///< the scene last asked for
  std::uint64_t shownGeneration_ = 0;     ///< of the frame on screen
  bool shownCoarse_ = false;
  bool frameChanged_ = false;             ///< a frame arrived and is not uploaded yet
  std::vector<std::uint8_t> frameRgb_;    ///< the frame on screen
  int frameWidth_ = 0, frameHeight_ = 0;
  std::uint64_t fullGeneration_ = 0;      ///< of the last full frame shown
  std::uint64_t framesRendered_ = 0;
  const Volume* shownVolume_ = nullptr;
  VolumePreset shownPreset_ = VolumePreset::Bone;
  std::vector<SegmentSurfaceInfo> surfaces_;
  QString error_;
  QPointF last_;
  // Last: stopped (and its thread joined) before the members its callback reaches are destroyed.
  std::unique_ptr<VolumeRenderWorker> worker_;
};

} // namespace lightbox
