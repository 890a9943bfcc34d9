// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/display/WindowLevel.h"
#include "core/dicom/IngestIssue.h"
#include "core/volume/SliceSampler.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace lightbox {

/// The open study as the viewer sees it: the volume, the shared crosshair and display state.
/// Views observe it and send commands to it; widgets hold no truth.
class ViewerDocument : public QObject {
  Q_OBJECT
public:
  explicit ViewerDocument(QObject* parent = nullptr);

  /// Replaces the open volume; the crosshair moves to its centre.
  void setVolume(std::shared_ptr<const Volume> volume, QString patientText, QString seriesText,
                 std::vector<IngestIssue> issues, WindowLevel initialWindow);
  std::shared_ptr<const Volume> volume() const { return volume_; }
  const QString& patientText() const { return patientText_; }
  const QString& seriesText() const { return seriesText_; }
  const std::vector<IngestIssue>& issues() const { return issues_; }

  const Vec3& crosshair() const { return crosshair_; }
  void setCrosshair(const Vec3& lps); ///< clamped into the volume's bounds
  /// Moves the crosshair by `steps` slices along `plane`'s normal.
  void scroll(ViewPlane plane, int steps);

  const WindowLevel& window() const { return window_; }
  void setWindow(const WindowLevel& window);
  /// The window the series itself asks for (DICOM VOI), or the initial one.
  const WindowLevel& seriesWindow() const { return seriesWindow_; }
  bool inverted() const { return inverted_; }
  void setInverted(bool inverted);
  bool annotationsVisible() const { return annotations_; }
  void setAnnotationsVisible(bool visible);

  /// Value at an LPS point (nearest voxel), or NaN outside the volume.
  double valueAt(const Vec3& lps) const;

signals:
  void volumeChanged();
  void crosshairChanged();
  void displayChanged();

private:
  std::shared_ptr<const Volume> volume_;
  QString patientText_, seriesText_;
  std::vector<IngestIssue> issues_;
  Vec3 crosshair_{0, 0, 0};
  WindowLevel window_, seriesWindow_;
  bool inverted_ = false;
  bool annotations_ = true;
};

} // namespace lightbox
