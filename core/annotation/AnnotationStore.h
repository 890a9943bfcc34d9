// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"
#include "core/annotation/Measurement.h"

#include <string>
#include <vector>

namespace lightbox {

/// What a reader added to a series, saved with it.
struct SeriesAnnotations {
  std::vector<Measurement> measurements;
  std::vector<Finding> findings; ///< AI proposals and the reader's decisions on them
  FindingsRun findingsRun;       ///< meaningful when findings were produced
  bool hasFindingsRun = false;
  PatientFactors patient;
};

/// Keeps each series' annotations in `<folder>/<series key>.json`. Every save is crash-safe: the
/// JSON goes to a temporary file in the same folder, is flushed to disk, then renamed over the
/// old one, so a killed process leaves either the previous or the new state, never a torn file.
class AnnotationStore {
public:
  explicit AnnotationStore(std::string folder);
  /// $LIGHTBOX_ANNOTATIONS, else next to the study index (…/lightbox/annotations).
  static std::string defaultFolder();

  std::string pathFor(const std::string& seriesKey) const;
  /// Empty when nothing was saved; throws std::runtime_error naming the file when it is unreadable.
  SeriesAnnotations load(const std::string& seriesKey) const;
  /// Throws std::runtime_error naming the file when it cannot be written.
  void save(const std::string& seriesKey, const SeriesAnnotations& annotations) const;

private:
  std::string folder_;
};

} // namespace lightbox
