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

/// One undo step: measurements and findings before and after.
class SnapshotCommand : public QUndoCommand {
public:
  SnapshotCommand(ViewerDocument* doc, ViewerDocument::Snapshot before, ViewerDocument::Snapshot after,
                  const QString& text)
      : QUndoCommand(text), doc_(doc), before_(std::move(before)), after_(std::move(after)) {}
  void redo() override { doc_->applySnapshot(after_); }
  void undo() override { doc_->applySnapshot(before_); }

private:
  ViewerDocument* doc_;
  ViewerDocument::Snapshot before_, after_;
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
  // The middle of the volume, on an acquired slice.
  crosshair_ = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), double((g.size[2] - 1) / 2)});
  undo_->clear();
  measurements_.clear();
  findings_.clear();
  run_ = {};
  hasRun_ = false;
  patient_ = {};
  selected_ = 0;
  selectedFinding_.clear();
  annotationsReadOnly_ = false;
  if (!seriesKey_.isEmpty()) {
    const AnnotationStore store(AnnotationStore::defaultFolder());
    // An unreadable file is moved aside (or, when it cannot be, the series stays read-only):
    // the reader's earlier work is never saved over.
    OpenedAnnotations opened;
    try {
      opened = store.open(seriesKey_.toStdString());
    } catch (const std::exception& e) {
      // The folder itself cannot be looked at (permissions, a stale mount): nothing is read, so
      // nothing may be saved over whatever is there; the series still opens.
      opened = {};
      opened.problem = std::string(e.what()) + "; this series' measurements are shown read-only";
      annotationsReadOnly_ = true;
    }
    measurements_ = std::move(opened.annotations.measurements);
    findings_ = std::move(opened.annotations.findings);
    run_ = opened.annotations.findingsRun;
    hasRun_ = opened.annotations.hasFindingsRun;
    patient_ = opened.annotations.patient;
    annotationsReadOnly_ = annotationsReadOnly_ || opened.readOnly();
    if (!opened.problem.empty()) {
      emit annotationError(QString::fromStdString(opened.problem));
    }
    try {
      store.checkWritable(); // say so now, not after the reader's first measurement
    } catch (const std::exception& e) {
      emit annotationError(QString::fromStdString(e.what()) + "; measurements of this series will not be saved");
    }
  }
  nextId_ = 1;
  for (const Measurement& m : measurements_) {
    nextId_ = std::max(nextId_, m.id + 1);
  }
  emit volumeChanged();
  emit measurementsChanged();
  emit findingsChanged();
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
  // The acquisition plane shows acquired slices, never an image interpolated between two of them
  // (measurements there lie on a real slice); a turned plane or a slab stays where it is put.
  const PlaneSettings acquired = planeSettings(nearestViewPlane(g.direction[2]));
  if (acquired.yawDeg == 0.0 && acquired.pitchDeg == 0.0 && acquired.slab == SlabMode::None) {
    ijk[2] = std::round(ijk[2]);
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

void ViewerDocument::cycleAnnotationDetail() {
  // full -> minimal -> off -> full, as Weasis and most PACS viewers offer.
  if (annotations_ && !minimalText_) {
    minimalText_ = true;
  } else if (annotations_) {
    annotations_ = false;
    minimalText_ = false;
  } else {
    annotations_ = true;
  }
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
  Snapshot next = snapshot();
  next.measurements = std::move(after);
  push(std::move(next), what);
}

ViewerDocument::Snapshot ViewerDocument::snapshot() const { return {measurements_, findings_, run_, hasRun_}; }

void ViewerDocument::push(Snapshot after, const QString& what) {
  undo_->push(new SnapshotCommand(this, snapshot(), std::move(after), what));
}

void ViewerDocument::applySnapshot(const Snapshot& s) {
  const bool findingsDiffer = s.findings != findings_ || !(s.run == run_) || s.hasRun != hasRun_;
  measurements_ = s.measurements;
  findings_ = s.findings;
  run_ = s.run;
  hasRun_ = s.hasRun;
  save();
  emit measurementsChanged();
  if (findingsDiffer) emit findingsChanged();
}

void ViewerDocument::save() {
  if (seriesKey_.isEmpty()) return;
  if (annotationsReadOnly_) {
    emit annotationError("not saved: the series' annotation file could not be read nor moved aside (" +
                         QString::fromStdString(AnnotationStore(AnnotationStore::defaultFolder())
                                                    .pathFor(seriesKey_.toStdString())) +
                         "); move it away and reopen the series");
    return;
  }
  try {
    SeriesAnnotations a;
    a.measurements = measurements_;
    a.findings = findings_;
    a.findingsRun = run_;
    a.hasFindingsRun = hasRun_;
    a.patient = patient_;
    AnnotationStore(AnnotationStore::defaultFolder()).save(seriesKey_.toStdString(), a);
  } catch (const std::exception& e) {
    emit annotationError(e.what());
  }
}

const Finding* ViewerDocument::finding(const std::string& id) const {
  for (const Finding& f : findings_) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

void ViewerDocument::setDetectionResult(const FindingsRun& run, std::vector<Finding> findings) {
  Snapshot next = snapshot();
  next.findings = std::move(findings);
  next.run = run;
  next.hasRun = true;
  // The label counts what the reader sees: the findings at the run's operating point.
  const double threshold = run.threshold();
  const auto shown = std::count_if(next.findings.begin(), next.findings.end(),
                                   [threshold](const Finding& f) { return f.score >= threshold; });
  push(std::move(next), QString("Detect nodules (%1 findings at %2 FP/scan)").arg(shown).arg(run.fpPerScan));
}

void ViewerDocument::setFpPerScan(double fpPerScan) {
  if (run_.fpPerScan == fpPerScan) return;
  run_.fpPerScan = fpPerScan;
  save();
  emit findingsChanged();
}

std::vector<const Finding*> ViewerDocument::visibleFindings() const {
  std::vector<const Finding*> out;
  const double threshold = run_.threshold();
  for (const Finding& f : findings_) {
    // A finding the reader already decided on stays visible whatever the operating point.
    const bool decided = f.state != FindingState::Proposed;
    if (f.score < threshold && !decided) continue;
    if (hideRejected_ && f.state == FindingState::Rejected) continue;
    out.push_back(&f);
  }
  return out;
}

void ViewerDocument::setRejectedHidden(bool hidden) {
  hideRejected_ = hidden;
  emit findingsChanged();
}

void ViewerDocument::setFindingState(const std::string& id, FindingState state, const std::string& reason) {
  Snapshot next = snapshot();
  for (Finding& f : next.findings) {
    if (f.id != id) continue;
    if (f.state == state && f.rejectReason == reason) return;
    f.state = state;
    f.rejectReason = state == FindingState::Rejected ? reason : std::string();
    push(std::move(next), QString("%1 %2").arg(state == FindingState::Accepted   ? "Accept"
                                                : state == FindingState::Rejected ? "Reject"
                                                : state == FindingState::Edited   ? "Edit"
                                                                                   : "Reset",
                                               QString::fromStdString(id)));
    return;
  }
}

int ViewerDocument::editFinding(const std::string& id) {
  const Finding* f = finding(id);
  if (!f || !volume_) return 0;
  if (f->measurementId && measurement(f->measurementId)) {
    selectMeasurement(f->measurementId);
    return f->measurementId;
  }
  Snapshot next = snapshot();
  Measurement m;
  m.kind = MeasurementKind::Length;
  m.id = nextId_++;
  m.label = f->id + " diameter";
  const auto [right, down] = axes(ViewPlane::Axial);
  m.planeRight = right;
  m.planeDown = down;
  const double r = std::max(1.0, f->diameterMm / 2.0);
  m.points = {f->centerLps - right * r, f->centerLps + right * r};
  next.measurements.push_back(m);
  for (Finding& e : next.findings) {
    if (e.id == id) {
      e.state = FindingState::Edited;
      e.measurementId = m.id;
    }
  }
  push(std::move(next), QString("Edit %1").arg(QString::fromStdString(id)));
  selectMeasurement(m.id);
  return m.id;
}

void ViewerDocument::setFindingType(const std::string& id, const std::string& type) {
  Snapshot next = snapshot();
  for (Finding& f : next.findings) {
    if (f.id != id) continue;
    const std::string edited = type == f.type ? std::string() : type;
    if (f.editedType == edited) return;
    f.editedType = edited;
    if (f.state == FindingState::Proposed || f.state == FindingState::Accepted) f.state = FindingState::Edited;
    push(std::move(next), QString("Set %1 type").arg(QString::fromStdString(id)));
    return;
  }
}

void ViewerDocument::setFindingFactors(const std::string& id, bool upperLobe, bool spiculated) {
  Snapshot next = snapshot();
  for (Finding& f : next.findings) {
    if (f.id != id || (f.upperLobe == upperLobe && f.spiculated == spiculated)) continue;
    f.upperLobe = upperLobe;
    f.spiculated = spiculated;
    push(std::move(next), QString("Brock factors of %1").arg(QString::fromStdString(id)));
    return;
  }
}

double ViewerDocument::effectiveDiameter(const Finding& f) const {
  if (f.measurementId) {
    if (const Measurement* m = measurement(f.measurementId); m && m->kind == MeasurementKind::Length) {
      return lengthMm(*m);
    }
  }
  return f.diameterMm;
}

void ViewerDocument::selectFinding(const std::string& id) {
  const Finding* f = finding(id);
  if (!f) return;
  selectedFinding_ = id;
  setCrosshair(f->centerLps);
  emit findingSelected(QString::fromStdString(id));
  emit findingsChanged();
}

std::string ViewerDocument::stepFinding(int direction) {
  const std::vector<const Finding*> visible = visibleFindings();
  if (visible.empty()) return {};
  int index = -1;
  for (std::size_t i = 0; i < visible.size(); ++i) {
    if (visible[i]->id == selectedFinding_) index = int(i);
  }
  const int n = int(visible.size());
  const int next = index < 0 ? (direction > 0 ? 0 : n - 1) : ((index + direction) % n + n) % n;
  selectFinding(visible[std::size_t(next)]->id);
  return selectedFinding_;
}

QString ViewerDocument::imageWarning() const {
  const auto failed = std::count_if(issues_.begin(), issues_.end(),
                                    [](const IngestIssue& i) { return i.kind == IssueKind::PixelDecodeFailed; });
  if (failed == 0) return {};
  return QString("%1 image(s) could not be decoded and are blank: see Messages").arg(failed);
}

QString ViewerDocument::aiBanner() const {
  if (!aiProgress_.isEmpty()) return aiProgress_;
  if (!hasRun_ || run_.warnings.empty()) return {};
  // Short enough for a quarter of the screen; the full reasons are in the findings panel.
  return QString("AI: scan outside the model's intended use\n(%1, see AI findings)")
      .arg(run_.warnings.size() == 1 ? QString("1 warning") : QString("%1 warnings").arg(run_.warnings.size()));
}

QString ViewerDocument::aiWarnings() const {
  QString text;
  if (!hasRun_) return text;
  for (std::size_t i = 0; i < run_.warnings.size(); ++i) {
    text += (i ? "; " : "") + QString::fromStdString(run_.warnings[i]);
  }
  return text.isEmpty() ? text : "AI outside intended use: " + text;
}

void ViewerDocument::setAiProgress(const QString& text) {
  if (aiProgress_ == text) return;
  aiProgress_ = text;
  emit displayChanged();
}

void ViewerDocument::setPatientFactors(const PatientFactors& f) {
  if (patient_ == f) return;
  patient_ = f;
  save();
  emit findingsChanged();
}

void ViewerDocument::setPatientDefaults(int ageYears, const std::string& sex) {
  PatientFactors f = patient_;
  if (f.ageYears == 0) f.ageYears = ageYears;
  if (f.sex.empty()) f.sex = sex;
  if (!(f == patient_)) {
    patient_ = f;
    emit findingsChanged(); // not saved until the reader changes something
  }
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
