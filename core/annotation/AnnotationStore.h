// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"
#include "core/annotation/Measurement.h"

#include <stdexcept>
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
  bool operator==(const SeriesAnnotations& o) const {
    return measurements == o.measurements && findings == o.findings && findingsRun == o.findingsRun &&
           hasFindingsRun == o.hasFindingsRun && patient == o.patient;
  }
  bool operator!=(const SeriesAnnotations& o) const { return !(*this == o); }
};

/// A saved annotation file exists but cannot be parsed (corrupt, truncated, newer format).
struct AnnotationReadError : std::runtime_error {
  AnnotationReadError(std::string file, const std::string& reason)
      : std::runtime_error(file + ": cannot read annotations: " + reason), path(std::move(file)) {}
  std::string path;
};

/// Annotations cannot be written (folder missing and not creatable, read-only, disk full).
struct AnnotationWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What opening a series' annotations found. When the file could not be read it is moved aside
/// (never overwritten); when it cannot even be moved, the series must stay read-only.
struct OpenedAnnotations {
  SeriesAnnotations annotations;
  std::string unreadablePath; ///< the file that could not be read; empty when all was well
  std::string movedTo;        ///< where that file now is; empty when it could not be moved
  std::string problem;        ///< one sentence for the reader (empty when all was well)
  /// True when an unreadable file still sits where saving would overwrite it.
  bool readOnly() const { return !unreadablePath.empty() && movedTo.empty(); }
};

/// Keeps each series' annotations in `<folder>/<file name of the series key>.json`. Every save is
/// crash-safe: the JSON goes to a temporary file in the same folder, is flushed to disk, then
/// renamed over the old one, so a killed process leaves either the previous or the new state,
/// never a torn file.
class AnnotationStore {
public:
  explicit AnnotationStore(std::string folder);
  /// $LIGHTBOX_ANNOTATIONS, else next to the study index (…/lightbox/annotations).
  static std::string defaultFolder();
  const std::string& folder() const { return folder_; }

  /// One file per key, and two keys never share one: letters, digits, '.' and '-' stay as they
  /// are (a UID keeps its readable name), every other byte (including '_') becomes `_XX` hex.
  /// Names that would pass 200 bytes are cut and end in `_~` plus a 64-bit hash of the key.
  std::string pathFor(const std::string& seriesKey) const;
  /// Where the series' label map is saved: beside its review, `<name>.labels`.
  std::string labelsPathFor(const std::string& seriesKey) const;
  /// Empty when nothing was saved; throws AnnotationReadError naming the file when it is
  /// unreadable. Reads only: never moves or changes a file.
  SeriesAnnotations load(const std::string& seriesKey) const;
  /// load() for a reader opening the series: an unreadable file is moved aside to
  /// `<name>.json.unreadable-<YYYYmmdd-HHMMSS>` and the result says where, so the next save
  /// cannot overwrite it. Never throws for an unreadable file.
  OpenedAnnotations open(const std::string& seriesKey) const;
  /// Throws AnnotationWriteError naming the file when it cannot be written.
  void save(const std::string& seriesKey, const SeriesAnnotations& annotations) const;
  /// Throws AnnotationWriteError naming the folder when nothing could be saved into it.
  void checkWritable() const;

private:
  /// The file a key's annotations are read from: pathFor(), or the name an earlier version gave
  /// non-UID keys when only that exists and it says it belongs to this key.
  std::string existingPathFor(const std::string& seriesKey) const;
  std::string folder_;
};

} // namespace lightbox
