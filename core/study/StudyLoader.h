// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomScanner.h"
#include "core/dicom/SeriesAssembler.h"
#include "core/volume/VolumeLoader.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lightbox {

/// Everything found under a path: assembled series and what was set aside, with reasons.
struct StudyScan {
  std::string path;
  std::vector<AssembledSeries> series;
  std::vector<IngestIssue> fileIssues; ///< per-file problems (not-DICOM files are only counted)
  std::vector<IngestIssue> assemblyIssues;
  std::size_t filesSeen = 0;
  std::size_t notDicom = 0;
  /// The files that are not DICOM (a research image, a report, a stray file), by path: skipped,
  /// and named so the reader knows what was not opened.
  std::vector<std::string> notDicomFiles;
  bool cancelled = false;
};

/// Scans (header-only) and assembles everything under `path` (folder, file or DICOMDIR).
StudyScan scanStudy(const std::string& path, unsigned threads = 0, const ScanProgress& progress = {});

/// The scanned path holds no image series that could be loaded.
struct NoImageSeriesError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A series selector names no series of the scan.
struct UnknownSeriesError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Picks a series: by position in `scan.series` (1-based, as `lightbox info` lists them) or by
/// Series Instance UID (the first part when a series was split). Empty selector: the only series,
/// else the one with the most frames. Throws NoImageSeriesError when the scan found none, and
/// UnknownSeriesError when the selector matches none.
const AssembledSeries& selectSeries(const StudyScan& scan, const std::string& selector);

/// Loads a DICOM series (chosen by `selector` as above) or a NIfTI/NRRD/MetaImage file.
LoadedSeries loadPath(const std::string& path, const std::string& selector = {},
                      const LoadOptions& options = {});

} // namespace lightbox
