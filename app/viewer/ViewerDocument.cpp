// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/ViewerDocument.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lightbox {

ViewerDocument::ViewerDocument(QObject* parent) : QObject(parent) {}

void ViewerDocument::setVolume(std::shared_ptr<const Volume> volume, QString patientText, QString seriesText,
                               std::vector<IngestIssue> issues, WindowLevel initialWindow) {
  volume_ = std::move(volume);
  patientText_ = std::move(patientText);
  seriesText_ = std::move(seriesText);
  issues_ = std::move(issues);
  window_ = seriesWindow_ = initialWindow;
  const VolumeGeometry& g = volume_->geometry;
  crosshair_ = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
  emit volumeChanged();
}

void ViewerDocument::setCrosshair(const Vec3& lps) {
  if (!volume_) {
    return;
  }
  const VolumeGeometry& g = volume_->geometry;
  Vec3 ijk = g.lpsToIjk(lps);
  for (int a = 0; a < 3; ++a) {
    ijk[a] = std::clamp(ijk[a], 0.0, double(g.size[a] - 1));
  }
  crosshair_ = g.ijkToLps(ijk);
  emit crosshairChanged();
}

void ViewerDocument::scroll(ViewPlane plane, int steps) {
  if (!volume_) {
    return;
  }
  const auto [right, down] = screenAxes(plane);
  const Vec3 n = normalized(cross(right, down));
  const Vec3 scrollAxis{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])};
  setCrosshair(crosshair_ + scrollAxis * (double(steps) * sliceSpacing(volume_->geometry, plane)));
}

void ViewerDocument::setWindow(const WindowLevel& window) {
  window_ = {window.center, std::max(window.width, 1.0)};
  emit displayChanged();
}

void ViewerDocument::setInverted(bool inverted) {
  inverted_ = inverted;
  emit displayChanged();
}

void ViewerDocument::setAnnotationsVisible(bool visible) {
  annotations_ = visible;
  emit displayChanged();
}

double ViewerDocument::valueAt(const Vec3& lps) const {
  if (!volume_) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const VolumeGeometry& g = volume_->geometry;
  const Vec3 ijk = g.lpsToIjk(lps);
  std::size_t idx[3];
  for (int a = 0; a < 3; ++a) {
    const double r = std::round(ijk[a]);
    if (r < 0 || r >= double(g.size[a])) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    idx[a] = std::size_t(r);
  }
  return volume_->value(idx[0], idx[1], idx[2]);
}

} // namespace lightbox
