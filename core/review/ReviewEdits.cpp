// SPDX-License-Identifier: Apache-2.0
#include "core/review/ReviewEdits.h"

#include <stdexcept>

namespace lightbox {
namespace {

std::size_t stringBytes(const std::string& s) { return s.size(); }

std::size_t findingsBytes(const std::vector<Finding>& findings) {
  std::size_t n = 0;
  for (const Finding& f : findings) n += approxBytes(f);
  return n;
}

void checkIndex(std::size_t index, std::size_t size, const char* what) {
  if (index >= size) {
    throw std::logic_error(std::string("review edit out of step with the review: no ") + what + " at index " +
                           std::to_string(index));
  }
}

} // namespace

std::size_t approxBytes(const Measurement& m) {
  return sizeof(Measurement) + m.points.size() * sizeof(Vec3) + stringBytes(m.label);
}

std::size_t approxBytes(const Finding& f) {
  return sizeof(Finding) + stringBytes(f.id) + stringBytes(f.type) + stringBytes(f.rejectReason) +
         stringBytes(f.editedType);
}

std::size_t approxBytes(const FindingsRun& r) {
  std::size_t n = sizeof(FindingsRun) + r.model.size() + r.modelVersion.size() + r.modelSha256.size() +
                  r.backend.size() + r.licence.size() + r.intendedUse.size() + r.ranAt.size() +
                  r.operatingPoints.size() * sizeof(std::pair<double, double>);
  for (const std::string& w : r.warnings) n += sizeof(std::string) + w.size();
  return n;
}

std::size_t approxBytes(const SeriesAnnotations& review) {
  std::size_t n = sizeof(SeriesAnnotations) + approxBytes(review.findingsRun) + review.patient.sex.size();
  for (const Measurement& m : review.measurements) n += approxBytes(m);
  return n + findingsBytes(review.findings);
}

MeasurementEdit::MeasurementEdit(std::size_t index, std::optional<Measurement> before, std::optional<Measurement> after)
    : index_(index), before_(std::move(before)), after_(std::move(after)) {
  if (!before_ && !after_) throw std::invalid_argument("a measurement edit needs a before or an after");
}

void MeasurementEdit::apply(std::vector<Measurement>& list, std::size_t index, const std::optional<Measurement>& from,
                            const std::optional<Measurement>& to) {
  if (from && to) {
    checkIndex(index, list.size(), "measurement");
    list[index] = *to;
  } else if (to) {
    if (index > list.size()) checkIndex(index, list.size(), "measurement");
    list.insert(list.begin() + std::ptrdiff_t(index), *to);
  } else {
    checkIndex(index, list.size(), "measurement");
    list.erase(list.begin() + std::ptrdiff_t(index));
  }
}

void MeasurementEdit::redo(SeriesAnnotations& review) const { apply(review.measurements, index_, before_, after_); }
void MeasurementEdit::undo(SeriesAnnotations& review) const { apply(review.measurements, index_, after_, before_); }

std::size_t MeasurementEdit::bytes() const {
  // sizeof(*this) holds both optionals already; add what they own.
  return sizeof(*this) + (before_ ? approxBytes(*before_) - sizeof(Measurement) : 0) +
         (after_ ? approxBytes(*after_) - sizeof(Measurement) : 0);
}

ReviewChanges MeasurementEdit::changes() const {
  ReviewChanges c;
  c.measurements = true;
  return c;
}

bool MeasurementEdit::absorb(const Edit& later) {
  const auto* next = dynamic_cast<const MeasurementEdit*>(&later);
  if (!next || next->index_ != index_ || !after_ || !next->before_ || !next->after_ || !(*after_ == *next->before_)) {
    return false;
  }
  after_ = next->after_;
  return true;
}

FindingEdit::FindingEdit(std::size_t index, Finding before, Finding after)
    : index_(index), before_(std::move(before)), after_(std::move(after)) {}

void FindingEdit::redo(SeriesAnnotations& review) const {
  checkIndex(index_, review.findings.size(), "finding");
  review.findings[index_] = after_;
}

void FindingEdit::undo(SeriesAnnotations& review) const {
  checkIndex(index_, review.findings.size(), "finding");
  review.findings[index_] = before_;
}

std::size_t FindingEdit::bytes() const { return sizeof(*this) + approxBytes(before_) + approxBytes(after_) - 2 * sizeof(Finding); }

ReviewChanges FindingEdit::changes() const {
  ReviewChanges c;
  c.findings = true;
  return c;
}

bool FindingEdit::absorb(const Edit& later) {
  const auto* next = dynamic_cast<const FindingEdit*>(&later);
  if (!next || next->index_ != index_ || !(after_ == next->before_)) return false;
  after_ = next->after_;
  return true;
}

DetectionEdit::DetectionEdit(Findings before, Findings after) : before_(std::move(before)), after_(std::move(after)) {}

void DetectionEdit::apply(SeriesAnnotations& review, const Findings& to) {
  review.findings = to.findings;
  review.findingsRun = to.run;
  review.hasFindingsRun = to.hasRun;
}

void DetectionEdit::redo(SeriesAnnotations& review) const { apply(review, after_); }
void DetectionEdit::undo(SeriesAnnotations& review) const { apply(review, before_); }

std::size_t DetectionEdit::bytes() const {
  return sizeof(*this) + findingsBytes(before_.findings) + findingsBytes(after_.findings) +
         approxBytes(before_.run) + approxBytes(after_.run) - 2 * sizeof(FindingsRun);
}

ReviewChanges DetectionEdit::changes() const {
  ReviewChanges c;
  c.findings = true;
  c.run = true;
  return c;
}

} // namespace lightbox
