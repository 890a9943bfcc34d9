// SPDX-License-Identifier: Apache-2.0
#include "core/review/EditHistory.h"

#include <stdexcept>

namespace lightbox {

EditHistory::EditHistory(Limits limits) : limits_(limits) {}

void EditHistory::commit(std::unique_ptr<Edit> edit, const std::string& label) {
  if (!edit) return;
  if (depth_ > 0) {
    if (open_.edits.empty() || !open_.edits.back()->absorb(*edit)) open_.edits.push_back(std::move(edit));
    return;
  }
  Step step;
  step.label = label;
  step.edits.push_back(std::move(edit));
  push(std::move(step));
}

void EditHistory::beginGroup(const std::string& label) {
  if (depth_++ == 0) {
    open_ = Step{};
    open_.label = label;
  }
}

void EditHistory::endGroup() {
  if (depth_ == 0) throw std::logic_error("EditHistory::endGroup without beginGroup");
  if (--depth_ == 0 && !open_.edits.empty()) push(std::move(open_));
  if (depth_ == 0) open_ = Step{};
}

void EditHistory::push(Step step) {
  for (std::size_t i = done_; i < steps_.size(); ++i) bytes_ -= steps_[i].bytes;
  steps_.erase(steps_.begin() + std::ptrdiff_t(done_), steps_.end());
  step.bytes = step.label.size();
  for (const auto& e : step.edits) step.bytes += e->bytes();
  bytes_ += step.bytes;
  steps_.push_back(std::move(step));
  done_ = steps_.size();
  prune();
}

void EditHistory::prune() {
  // Oldest first, while over the cap and more done steps than the minimum remain.
  while (bytes_ > limits_.maxBytes && done_ > limits_.minSteps) {
    bytes_ -= steps_.front().bytes;
    steps_.pop_front();
    --done_;
  }
}

std::string EditHistory::undoLabel() const { return canUndo() ? steps_[done_ - 1].label : std::string(); }
std::string EditHistory::redoLabel() const { return canRedo() ? steps_[done_].label : std::string(); }

ReviewChanges EditHistory::undo(SeriesAnnotations& review) {
  if (depth_ > 0) throw std::logic_error("undo while an edit group is open");
  ReviewChanges changed;
  if (!canUndo()) return changed;
  const Step& step = steps_[--done_];
  for (auto it = step.edits.rbegin(); it != step.edits.rend(); ++it) {
    (*it)->undo(review);
    changed |= (*it)->changes();
  }
  return changed;
}

ReviewChanges EditHistory::redo(SeriesAnnotations& review) {
  if (depth_ > 0) throw std::logic_error("redo while an edit group is open");
  ReviewChanges changed;
  if (!canRedo()) return changed;
  const Step& step = steps_[done_++];
  for (const auto& e : step.edits) {
    e->redo(review);
    changed |= e->changes();
  }
  return changed;
}

std::size_t EditHistory::lastStepBytes() const { return canUndo() ? steps_[done_ - 1].bytes : 0; }

std::vector<std::string> EditHistory::labels() const {
  std::vector<std::string> out;
  for (const Step& s : steps_) out.push_back(s.label);
  return out;
}

void EditHistory::clear() {
  steps_.clear();
  done_ = 0;
  bytes_ = 0;
  depth_ = 0;
  open_ = Step{};
}

} // namespace lightbox
