// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/review/Edit.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace lightbox {

/// How much undo a history keeps.
struct EditHistoryLimits {
  std::size_t maxBytes = 16u << 20; ///< 16 MiB of deltas
  std::size_t minSteps = 32;        ///< kept whatever their size
};

/// A linear undo/redo list of a review's edits. A step is one or more edits under one label the
/// reader sees ("Accept F3"); edits made between beginGroup() and endGroup() form one step (one
/// mouse drag, one command that changes two things). Each edit stores only what it changed, and
/// the history is capped by the bytes its edits hold: when a new step passes the cap, the oldest
/// steps are dropped, but never below a minimum number of undoable steps (the shape of ITK-SNAP's
/// UndoDataManager).
class EditHistory {
public:
  using Limits = EditHistoryLimits;
  explicit EditHistory(Limits limits = {});
  EditHistory(EditHistory&&) = default;
  EditHistory& operator=(EditHistory&&) = default;

  /// Records an edit already applied to the review. Outside a group it becomes a step labelled
  /// `label`; inside one it joins the group's step (folded into the previous edit when it
  /// continues it). Steps that were undone cannot be redone after this.
  void commit(std::unique_ptr<Edit> edit, const std::string& label);
  /// Groups nest; the outermost label names the step. A group that recorded nothing adds no step.
  void beginGroup(const std::string& label);
  void endGroup();
  bool inGroup() const { return depth_ > 0; }

  bool canUndo() const { return done_ > 0; }
  bool canRedo() const { return done_ < steps_.size(); }
  /// Labels of the step undo() or redo() would apply; empty when there is none.
  std::string undoLabel() const;
  std::string redoLabel() const;
  /// Applies the last done step backwards to `review` (or the next undone step forwards) and says
  /// what changed; nothing when there is no such step. Throws std::logic_error inside a group.
  ReviewChanges undo(SeriesAnnotations& review);
  ReviewChanges redo(SeriesAnnotations& review);

  std::size_t undoCount() const { return done_; }
  std::size_t redoCount() const { return steps_.size() - done_; }
  /// Bytes held by every kept step's edits.
  std::size_t bytes() const { return bytes_; }
  /// Bytes of the step `undo()` would undo (0: none).
  std::size_t lastStepBytes() const;
  /// Labels of the kept steps, oldest first (the first undoCount() are done).
  std::vector<std::string> labels() const;
  const Limits& limits() const { return limits_; }
  void clear();

private:
  struct Step {
    std::string label;
    std::vector<std::unique_ptr<Edit>> edits;
    std::size_t bytes = 0;
  };
  void push(Step step);
  void prune();

  Limits limits_;
  std::deque<Step> steps_;
  std::size_t done_ = 0;
  std::size_t bytes_ = 0;
  int depth_ = 0;
  Step open_;
};

} // namespace lightbox
