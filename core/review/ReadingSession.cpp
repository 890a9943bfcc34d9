// SPDX-License-Identifier: Apache-2.0
#include "core/review/ReadingSession.h"

#include "core/review/ReviewEdits.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lightbox {
namespace {

std::string stateVerb(FindingState state) {
  switch (state) {
  case FindingState::Accepted: return "Accept";
  case FindingState::Rejected: return "Reject";
  case FindingState::Edited: return "Edit";
  case FindingState::Proposed: return "Reset";
  }
  return "Reset";
}

} // namespace

ReadingSession::ReadingSession(SeriesAnnotations review, EditHistory::Limits limits)
    : review_(std::move(review)), history_(limits) {
  for (const Measurement& m : review_.measurements) nextMeasurementId_ = std::max(nextMeasurementId_, m.id + 1);
}

ReadingSession ReadingSession::open(const AnnotationStore& store, const std::string& seriesKey,
                                    EditHistory::Limits limits) {
  // An unreadable file is moved aside (or, when it cannot be, the series stays read-only): the
  // reader's earlier work is never saved over.
  OpenedAnnotations opened;
  bool unreachable = false;
  try {
    opened = store.open(seriesKey);
  } catch (const std::exception& e) {
    // The folder itself cannot be looked at: nothing was read, so nothing may be saved over it.
    opened.problem = std::string(e.what()) + "; the review is shown read-only";
    unreachable = true;
  }
  ReadingSession session(std::move(opened.annotations), limits);
  session.store_ = store;
  session.seriesKey_ = seriesKey;
  session.readOnly_ = unreachable || opened.readOnly();
  if (!opened.problem.empty()) session.openProblems_.push_back(opened.problem);
  try {
    store.checkWritable(); // said now, not after the reader's first measurement
  } catch (const std::exception& e) {
    session.openProblems_.push_back(std::string(e.what()) + "; measurements of this series will not be saved");
  }
  return session;
}

const Measurement* ReadingSession::measurement(int id) const {
  for (const Measurement& m : review_.measurements) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

const Finding* ReadingSession::finding(const std::string& id) const {
  const std::size_t i = findingIndex(id);
  return i < review_.findings.size() ? &review_.findings[i] : nullptr;
}

std::size_t ReadingSession::findingIndex(const std::string& id) const {
  std::size_t i = 0;
  while (i < review_.findings.size() && review_.findings[i].id != id) ++i;
  return i;
}

void ReadingSession::apply(std::unique_ptr<Edit> edit, const std::string& label) {
  edit->redo(review_);
  const ReviewChanges what = edit->changes();
  history_.commit(std::move(edit), label);
  save();
  changed(what);
}

void ReadingSession::changed(const ReviewChanges& what) {
  if (what.any() && observer_) observer_(what);
}

int ReadingSession::addMeasurement(Measurement m) {
  m.id = nextMeasurementId_++;
  const int id = m.id;
  const std::string label = std::string("Add ") + toString(m.kind);
  apply(std::make_unique<MeasurementEdit>(review_.measurements.size(), std::nullopt, std::move(m)), label);
  return id;
}

bool ReadingSession::replaceMeasurement(const Measurement& m, const std::string& label) {
  for (std::size_t i = 0; i < review_.measurements.size(); ++i) {
    if (review_.measurements[i].id != m.id) continue;
    if (review_.measurements[i] == m) return false;
    apply(std::make_unique<MeasurementEdit>(i, review_.measurements[i], m), label);
    return true;
  }
  return false;
}

bool ReadingSession::removeMeasurement(int id) {
  for (std::size_t i = 0; i < review_.measurements.size(); ++i) {
    if (review_.measurements[i].id != id) continue;
    const std::string label = std::string("Delete ") + toString(review_.measurements[i].kind);
    apply(std::make_unique<MeasurementEdit>(i, review_.measurements[i], std::nullopt), label);
    return true;
  }
  return false;
}

void ReadingSession::applyDetection(const FindingsRun& run, std::vector<Finding> findings) {
  // The label counts what the reader sees: the findings at the run's operating point.
  const double threshold = run.threshold();
  const auto shown = std::count_if(findings.begin(), findings.end(),
                                   [threshold](const Finding& f) { return f.score >= threshold; });
  char label[96];
  std::snprintf(label, sizeof(label), "Detect nodules (%ld findings at %g FP/scan)", long(shown), run.fpPerScan);
  DetectionEdit::Findings before{review_.findings, review_.findingsRun, review_.hasFindingsRun};
  DetectionEdit::Findings after{std::move(findings), run, true};
  apply(std::make_unique<DetectionEdit>(std::move(before), std::move(after)), label);
}

bool ReadingSession::setFindingState(const std::string& id, FindingState state, const std::string& reason) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size()) return false;
  const Finding& f = review_.findings[i];
  if (f.state == state && f.rejectReason == reason) return false;
  Finding after = f;
  after.state = state;
  after.rejectReason = state == FindingState::Rejected ? reason : std::string();
  apply(std::make_unique<FindingEdit>(i, f, std::move(after)), stateVerb(state) + " " + id);
  return true;
}

int ReadingSession::editFinding(const std::string& id, const Vec3& right, const Vec3& down) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size()) return 0;
  const Finding& f = review_.findings[i];
  if (f.measurementId && measurement(f.measurementId)) return f.measurementId;
  Measurement m;
  m.kind = MeasurementKind::Length;
  m.id = nextMeasurementId_++;
  m.label = f.id + " diameter";
  m.planeRight = right;
  m.planeDown = down;
  const double r = std::max(1.0, f.diameterMm / 2.0);
  m.points = {f.centerLps - right * r, f.centerLps + right * r};
  Finding after = f;
  after.state = FindingState::Edited;
  after.measurementId = m.id;

  // One step: the measurement and the finding that now points at it.
  history_.beginGroup("Edit " + id);
  auto add = std::make_unique<MeasurementEdit>(review_.measurements.size(), std::nullopt, m);
  auto mark = std::make_unique<FindingEdit>(i, f, std::move(after));
  ReviewChanges what = add->changes();
  what |= mark->changes();
  add->redo(review_);
  mark->redo(review_);
  history_.commit(std::move(add), {});
  history_.commit(std::move(mark), {});
  history_.endGroup();
  save();
  changed(what);
  return m.id;
}

bool ReadingSession::setFindingType(const std::string& id, const std::string& type) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size()) return false;
  const Finding& f = review_.findings[i];
  const std::string edited = type == f.type ? std::string() : type;
  if (f.editedType == edited) return false;
  Finding after = f;
  after.editedType = edited;
  if (after.state == FindingState::Proposed || after.state == FindingState::Accepted) after.state = FindingState::Edited;
  apply(std::make_unique<FindingEdit>(i, f, std::move(after)), "Set " + id + " type");
  return true;
}

bool ReadingSession::setFindingFactors(const std::string& id, bool upperLobe, bool spiculated) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size()) return false;
  const Finding& f = review_.findings[i];
  if (f.upperLobe == upperLobe && f.spiculated == spiculated) return false;
  Finding after = f;
  after.upperLobe = upperLobe;
  after.spiculated = spiculated;
  apply(std::make_unique<FindingEdit>(i, f, std::move(after)), "Brock factors of " + id);
  return true;
}

void ReadingSession::setFpPerScan(double fpPerScan) {
  if (review_.findingsRun.fpPerScan == fpPerScan) return;
  review_.findingsRun.fpPerScan = fpPerScan;
  save();
  ReviewChanges what;
  what.run = true;
  changed(what);
}

void ReadingSession::setPatientFactors(const PatientFactors& factors) {
  if (review_.patient == factors) return;
  review_.patient = factors;
  save();
  ReviewChanges what;
  what.patient = true;
  changed(what);
}

void ReadingSession::setPatientDefaults(int ageYears, const std::string& sex) {
  PatientFactors f = review_.patient;
  if (f.ageYears == 0) f.ageYears = ageYears;
  if (f.sex.empty()) f.sex = sex;
  if (f == review_.patient) return;
  review_.patient = f; // not saved until the reader changes something
  ReviewChanges what;
  what.patient = true;
  changed(what);
}

bool ReadingSession::undo() {
  if (!history_.canUndo()) return false;
  const ReviewChanges what = history_.undo(review_);
  save();
  changed(what);
  return true;
}

bool ReadingSession::redo() {
  if (!history_.canRedo()) return false;
  const ReviewChanges what = history_.redo(review_);
  save();
  changed(what);
  return true;
}

std::vector<const Finding*> ReadingSession::visibleFindings(RejectedFindings rejected) const {
  std::vector<const Finding*> out;
  const double threshold = review_.findingsRun.threshold();
  for (const Finding& f : review_.findings) {
    // A finding the reader already decided on stays visible whatever the operating point.
    const bool decided = f.state != FindingState::Proposed;
    if (f.score < threshold && !decided) continue;
    if (rejected == RejectedFindings::Hidden && f.state == FindingState::Rejected) continue;
    out.push_back(&f);
  }
  return out;
}

double ReadingSession::effectiveDiameter(const Finding& f) const {
  if (f.measurementId) {
    if (const Measurement* m = measurement(f.measurementId); m && m->kind == MeasurementKind::Length) {
      return lengthMm(*m);
    }
  }
  // Lung-RADS v2022: the mean of the long and short axes, here of the finding's mask.
  if (f.segmentLabel && f.maskLongAxisMm > 0) return lungRadsMeanDiameterMm(f.maskLongAxisMm, f.maskShortAxisMm);
  return f.diameterMm;
}

bool ReadingSession::setFindingMask(const std::string& id, int segmentLabel, double longAxisMm, double shortAxisMm,
                                    double volumeMm3) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size()) return false;
  const Finding& f = review_.findings[i];
  Finding after = f;
  after.segmentLabel = segmentLabel;
  after.maskLongAxisMm = segmentLabel ? longAxisMm : 0.0;
  after.maskShortAxisMm = segmentLabel ? shortAxisMm : 0.0;
  after.maskVolumeMm3 = segmentLabel ? volumeMm3 : 0.0;
  if (after == f) return false;
  apply(std::make_unique<FindingEdit>(i, f, std::move(after)), "Mask of " + id);
  return true;
}

bool ReadingSession::refreshFindingMask(const std::string& id, int segmentLabel, double longAxisMm,
                                        double shortAxisMm, double volumeMm3) {
  const std::size_t i = findingIndex(id);
  if (i == review_.findings.size() || !review_.findings[i].segmentLabel) return false;
  Finding& f = review_.findings[i];
  if (!segmentLabel) longAxisMm = shortAxisMm = volumeMm3 = 0;
  if (f.segmentLabel == segmentLabel && f.maskLongAxisMm == longAxisMm && f.maskShortAxisMm == shortAxisMm &&
      f.maskVolumeMm3 == volumeMm3) {
    return false;
  }
  f.segmentLabel = segmentLabel;
  f.maskLongAxisMm = longAxisMm;
  f.maskShortAxisMm = shortAxisMm;
  f.maskVolumeMm3 = volumeMm3;
  save();
  ReviewChanges what;
  what.findings = true;
  changed(what);
  return true;
}

std::string ReadingSession::stepFinding(const std::string& current, int direction, RejectedFindings rejected) const {
  const std::vector<const Finding*> visible = visibleFindings(rejected);
  if (visible.empty()) return {};
  int index = -1;
  for (std::size_t i = 0; i < visible.size(); ++i) {
    if (visible[i]->id == current) index = int(i);
  }
  const int n = int(visible.size());
  const int next = index < 0 ? (direction > 0 ? 0 : n - 1) : ((index + direction) % n + n) % n;
  return visible[std::size_t(next)]->id;
}

DecisionSupportInputs ReadingSession::decisionSupport() const {
  DecisionSupportInputs out;
  std::vector<const Finding*> kept;
  for (const Finding& f : review_.findings) {
    if (f.state != FindingState::Accepted && f.state != FindingState::Edited) continue;
    if (unmeasured(f)) {
      out.unmeasured.push_back(f.id); // no size, no category from it
      continue;
    }
    const double d = effectiveDiameter(f);
    const std::string& type = f.effectiveType();
    const double solid = type == "solid" ? d : type == "part-solid" ? std::min(f.solidDiameterMm, d) : 0.0;
    out.nodules.push_back({f.id, type, d, solid});
    kept.push_back(&f);
  }
  const PatientFactors& p = review_.patient;
  for (const Finding* f : kept) {
    BrockFactors b;
    b.ageYears = p.ageYears > 0 ? p.ageYears : 62;
    b.female = p.sex == "F";
    b.familyHistory = p.familyHistory;
    b.emphysema = p.emphysema;
    b.noduleSizeMm = effectiveDiameter(*f);
    b.type = f->effectiveType();
    b.upperLobe = f->upperLobe;
    b.spiculation = f->spiculated;
    b.noduleCount = int(kept.size());
    out.brock.push_back({f->id, b});
  }
  out.lungRads = suggestLungRads(out.nodules);
  if (!out.unmeasured.empty()) {
    // An accepted finding without a size may be the largest one: no category until it is measured.
    std::string ids;
    for (const std::string& id : out.unmeasured) ids += (ids.empty() ? "" : ", ") + id;
    out.lungRads.category = "incomplete";
    out.lungRads.nodule.clear();
    out.lungRads.rule = "accepted finding(s) " + ids + " have no size (the AI's profile hit its cap): measure them first";
    out.lungRads.management = "none suggested until every accepted finding is measured";
  }
  return out;
}

void ReadingSession::save() {
  if (!store_) return;
  if (readOnly_) {
    problem("not saved: the series' annotation file could not be read nor moved aside (" +
            store_->pathFor(seriesKey_) + "); move it away and reopen the series");
    return;
  }
  try {
    store_->save(seriesKey_, review_);
  } catch (const std::exception& e) {
    problem(e.what());
  }
}

void ReadingSession::problem(const std::string& message) const {
  if (problems_) problems_(message);
}

} // namespace lightbox
