// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/SlicePipeline.h"
#include "app/viewer/VtkViewport.h"
#include "core/annotation/Measurement.h"

#include <QPoint>
#include <QString>

#include <functional>

#include <map>
#include <memory>
#include <optional>

class QTimer;

namespace lightbox {

class ViewerDocument;

/// One slice view of a document: hosts a SlicePipeline; mouse and keys become commands on the
/// document (crosshair, window, oblique, slab, measurements). Zoom and pan are this view's own
/// (the window links a comparison's to its current view's through framingChanged / frameAt).
class SliceViewport : public VtkViewport {
  Q_OBJECT
public:
  SliceViewport(ViewerDocument* document, ViewPlane plane, QWidget* parent = nullptr);
  ~SliceViewport() override;

  ViewPlane plane() const { return plane_; }
  void setPlane(ViewPlane plane);
  SlicePipeline& pipeline() { return *pipeline_; }
  ViewerDocument* document() const { return document_; }
  bool cineRunning() const;
  void setCine(bool on);
  /// The volume drawn in the last frame (null before the first): tests check no view lags behind.
  const Volume* shownVolume() const { return shownVolume_; }
  /// Widget point <-> LPS on the shown plane.
  Vec3 lpsAt(const QPointF& p) const;
  QPointF widgetPointOf(const Vec3& lps) const;
  /// Adds layers over this view's slice each frame (the registered prior's fusion and maps).
  void setOverlaySource(std::function<void(OverlayLayers&)> source);
  /// A line shown at the top of the view (how a comparison is linked, what is fused); "" hides it.
  void setCaption(const QString& caption);
  /// Said before this view's pointer readout ("prior: " for the comparison view).
  void setProbePrefix(const QString& prefix) { probePrefix_ = prefix; }
  /// Added after this view's pointer readout for a point (a fused PET's SUV there); "" adds none.
  void setProbeExtra(std::function<QString(const Vec3&)> extra) { probeExtra_ = std::move(extra); }
  const QString& caption() const { return caption_; }
  /// The point at the view's centre and the millimetres one widget pixel spans there.
  Vec3 centreLps() const;
  double mmPerWidgetPixel() const;
  /// Shows `centre` at the view's centre at `mmPerPixel` (a linked comparison's framing; zoom
  /// within the view's limits). Emits nothing.
  void frameAt(const Vec3& centre, double mmPerPixel);

signals:
  /// Value under the cursor, for the status bar ("-850 HU at (x, y, z)").
  void probed(const QString& text);
  void maximizeRequested(SliceViewport* view);
  /// An arrow or a text note was placed: the window asks for its text.
  void noteAdded(int measurementId);
  /// The reader zoomed or panned this view (Ctrl+wheel, middle drag, Home).
  void framingChanged();
  /// Resized or shown again.
  void resized();

protected:
  void resizeEvent(QResizeEvent* e) override;
  void showEvent(QShowEvent* e) override;
  bool prepareFrame(int width, int height) override;
  QString frameDescription() const override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  /// A language change draws the view's words again (the captions the window sets are its own).
  void changeEvent(QEvent* e) override;

private:
  /// The corner text's words (image number, thickness, zoom, planes) in the interface's language.
  void setCornerWords();
  enum class Drag { None, Crosshair, Window, Pan, Scroll, Rotate, Create, Handle, Stroke };
  /// Pushes the document's and this view's display state to the pipeline (cheap when unchanged).
  void syncState() const;
  void syncFromDocument();
  void drawFindings(OverlayLayers& overlays) const;
  void drawSegments(OverlayLayers& overlays, double slab) const;
  Vec3 hover_{0, 0, 0}; ///< pointer position (brush circle)
  bool hovering_ = false;
  /// The measurement handle within a few pixels of `p`: (id, point index).
  std::optional<std::pair<int, int>> handleAt(const QPointF& p) const;
  double visibleSlabMm() const;

  ViewerDocument* document_;
  ViewPlane plane_;
  std::unique_ptr<SlicePipeline> pipeline_;
  QTimer* cine_;
  Drag drag_ = Drag::None;
  QPointF dragStart_;
  /// Where the pointer last was over this view: the readout follows the image under it when the
  /// slice changes without the pointer moving (scroll, cine, a linked view).
  QPointF pointer_;
  bool pointerInside_ = false;
  QString probePrefix_;
  std::function<QString(const Vec3&)> probeExtra_;
  void probe();
  void leaveEvent(QEvent* e) override;
  WindowLevel dragWindow_;
  double dragPan_[2] = {0, 0};
  double dragYaw_ = 0, dragPitch_ = 0;
  int dragScrolled_ = 0;
  double zoom_ = 1.0;
  double pan_[2] = {0, 0};
  /// The measurement being drawn or edited (not yet in the document).
  std::optional<Measurement> editing_;
  int editingPoint_ = 0;
  /// Label text per measurement id, with the shape it was computed for.
  std::map<int, std::pair<Measurement, std::string>> labelCache_;
  const Volume* shownVolume_ = nullptr;
  std::function<void(OverlayLayers&)> overlaySource_;
  QString caption_;
};

} // namespace lightbox
