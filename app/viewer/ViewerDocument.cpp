// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/ViewerDocument.h"

#include "core/annotation/AnnotationStore.h"

#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lightbox {
namespace {

/// One undo step: the measurement list before and after.
class MeasurementsCommand : public QUndoCommand {
public:
  MeasurementsCommand(ViewerDocument* doc, std::vector<Measurement> before, std::vector<Measurement> after,
                      const QString& text)
      : QUndoCommand(text), doc_(doc), before_(std::move(before)), after_(std::move(after)) {}
  void redo() override { doc_->applyMeasurements(after_); }
  void undo() override { doc_->applyMeasurements(before_); }

private:
  ViewerDocument* doc_;
  std::vector<Measurement> before_, after_;
};

} // namespace

ViewerDocument::ViewerDocument(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {}
ViewerDocument::~ViewerDocument() = default;

void ViewerDocument::setVolume(std::shared_ptr<const Volume> volume, QString patientText, QString seriesText,
                               std::vector<IngestIssue> issues, WindowLevel initialWindow, QString seriesKey) {
  volume_ = std::move(volume);
  patientText_ = std::move(patientText);
  seriesText_ = std::move(seriesText);
  seriesKey_ = std::move(seriesKey);
  issues_ = std::move(issues);
  window_ = seriesWindow_ = initialWindow;
  planes_.clear();
  const VolumeGeometry& g = volume_->geometry;
  crosshair_ = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
  undo_->clear();
  measurements_.clear();
  selected_ = 0;
  if (!seriesKey_.isEmpty()) {
    try {
      measurements_ = AnnotationStore(AnnotationStore::defaultFolder()).load(seriesKey_.toStdString()).measurements;
    } catch (const std::exception& e) {
      emit annotationError(e.what());
    }
  }
  nextId_ = 1;
  for (const Measurement& m : measurements_) {
    nextId_ = std::max(nextId_, m.id + 1);
  }
  emit volumeChanged();
  emit measurementsChanged();
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

std::pair<Vec3, Vec3> ViewerDocument::axes(ViewPlane plane) const {
  const PlaneSettings s = planeSettings(plane);
  return obliqueAxes(plane, s.yawDeg, s.pitchDeg);
}

void ViewerDocument::scroll(ViewPlane plane, int steps) {
  if (!volume_) {
    return;
  }
  const PlaneSettings s = planeSettings(plane);
  if (s.yawDeg == 0.0 && s.pitchDeg == 0.0) {
    const auto [right, down] = screenAxes(plane);
    const Vec3 n = normalized(cross(right, down));
    const Vec3 scrollAxis{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])};
    setCrosshair(crosshair_ + scrollAxis * (double(steps) * sliceSpacing(volume_->geometry, plane)));
    return;
  }
  const auto [right, down] = axes(plane);
  const Vec3 n = normalized(cross(right, down));
  setCrosshair(crosshair_ + n * (double(steps) * sliceSpacingAlong(volume_->geometry, n)));
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

void ViewerDocument::setCrosshairLinesVisible(bool visible) {
  crosshairLines_ = visible;
  emit displayChanged();
}

PlaneSettings ViewerDocument::planeSettings(ViewPlane plane) const {
  const auto it = planes_.find(plane);
  return it != planes_.end() ? it->second : PlaneSettings{};
}

void ViewerDocument::setPlaneSettings(ViewPlane plane, const PlaneSettings& settings) {
  PlaneSettings s = settings;
  s.slabMm = std::clamp(s.slabMm, 1.0, 100.0);
  planes_[plane] = s;
  emit displayChanged();
}

void ViewerDocument::setTool(Tool tool) {
  tool_ = tool;
  emit toolChanged();
}

const Measurement* ViewerDocument::measurement(int id) const {
  for (const Measurement& m : measurements_) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

int ViewerDocument::addMeasurement(Measurement m) {
  m.id = nextId_++;
  std::vector<Measurement> after = measurements_;
  after.push_back(m);
  pushMeasurements(std::move(after), QString("Add %1").arg(toString(m.kind)));
  selectMeasurement(m.id);
  return m.id;
}

void ViewerDocument::replaceMeasurement(const Measurement& m, const QString& what) {
  std::vector<Measurement> after = measurements_;
  for (Measurement& e : after) {
    if (e.id == m.id) {
      if (e == m) return;
      e = m;
      pushMeasurements(std::move(after), what);
      return;
    }
  }
}

void ViewerDocument::removeMeasurement(int id) {
  std::vector<Measurement> after = measurements_;
  const auto it = std::find_if(after.begin(), after.end(), [id](const Measurement& m) { return m.id == id; });
  if (it == after.end()) {
    return;
  }
  const QString what = QString("Delete %1").arg(toString(it->kind));
  after.erase(it);
  pushMeasurements(std::move(after), what);
}

void ViewerDocument::selectMeasurement(int id) {
  if (selected_ != id) {
    selected_ = id;
    emit measurementsChanged();
  }
}

void ViewerDocument::pushMeasurements(std::vector<Measurement> after, const QString& what) {
  undo_->push(new MeasurementsCommand(this, measurements_, std::move(after), what));
}

void ViewerDocument::applyMeasurements(const std::vector<Measurement>& ms) {
  measurements_ = ms;
  if (!seriesKey_.isEmpty()) {
    try {
      AnnotationStore(AnnotationStore::defaultFolder()).save(seriesKey_.toStdString(), {measurements_});
    } catch (const std::exception& e) {
      emit annotationError(e.what());
    }
  }
  emit measurementsChanged();
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
