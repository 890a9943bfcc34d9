// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/viewer/ViewerDocument.h"

#include <QUndoCommand>

#include <vector>

namespace lightbox {

/// One segmentation edit on the undo stack: the label map's delta (swapped on undo and redo) and
/// the segment table before and after. Pushing calls redo() once: the edit is already applied.
class LabelStepCommand : public QUndoCommand {
public:
  LabelStepCommand(ViewerDocument* doc, LabelDelta delta, std::vector<Segment> before, const QString& text)
      : QUndoCommand(text), doc_(doc), other_(std::move(before)) {
    deltas_.push_back(std::move(delta));
  }
  /// A stroke: its dabs' deltas in the order they were made.
  LabelStepCommand(ViewerDocument* doc, std::vector<LabelDelta> deltas, std::vector<Segment> before, const QString& text)
      : QUndoCommand(text), doc_(doc), deltas_(std::move(deltas)), other_(std::move(before)) {}
  void redo() override {
    if (pushed_) apply(false);
    pushed_ = true;
  }
  void undo() override { apply(true); }

private:
  void apply(bool backwards = false) {
    if (backwards) {
      for (auto it = deltas_.rbegin(); it != deltas_.rend(); ++it) swapDelta(doc_->labels_, *it);
    } else {
      for (LabelDelta& d : deltas_) swapDelta(doc_->labels_, d);
    }
    std::swap(doc_->labels_.segments, other_);
    // The model runs behind refinement describe the map as it was written: after an undo or redo
    // they no longer do, so refinement starts again from a new click (and the band goes).
    doc_->engineRuns_.clear();
    doc_->labelsChanged();
  }
  ViewerDocument* doc_;
  std::vector<LabelDelta> deltas_;
  std::vector<Segment> other_; ///< the table the next apply() restores
  bool pushed_ = false;
};

} // namespace lightbox
