// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/AnnotationStore.h"
#include "core/review/ReviewChanges.h"

#include <cstddef>

namespace lightbox {

/// One change to a series' review, kept as the delta it made (the one measurement or finding
/// before and after, never a copy of the whole review). Applied forward by redo() and backward by
/// undo(); each is exact, so undoing every edit restores the review value for value.
class Edit {
public:
  virtual ~Edit() = default;
  virtual void redo(SeriesAnnotations& review) const = 0;
  virtual void undo(SeriesAnnotations& review) const = 0;
  /// Memory the delta holds, the measure the history is capped by.
  virtual std::size_t bytes() const = 0;
  virtual ReviewChanges changes() const = 0;
  /// Folds `later` into this edit when it continues the same change (the moves of one drag);
  /// true when it did, and `later` is then not kept.
  virtual bool absorb(const Edit& later) { (void)later; return false; }
};

} // namespace lightbox
