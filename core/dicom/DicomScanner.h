// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomFrame.h"
#include "core/dicom/IngestIssue.h"

#include <functional>
#include <string>
#include <vector>

namespace lightbox {

/// Called with (files done, files total); return false to cancel the scan.
using ScanProgress = std::function<bool(std::size_t done, std::size_t total)>;

struct ScanResult {
  std::vector<DicomFrame> frames;  ///< every image frame found, in file order
  std::vector<IngestIssue> issues; ///< per-file problems (NotDicom files included, as Info)
  std::size_t filesSeen = 0;
  bool cancelled = false;
};

/// Lists the files under `path`: a single file, a folder (recursively, hidden entries skipped),
/// or a DICOMDIR (the files its directory records reference).
std::vector<std::string> listCandidateFiles(const std::string& path);

/// Header-only scan of `files` on `threads` worker threads (0: hardware concurrency).
ScanResult scanFiles(const std::vector<std::string>& files, unsigned threads = 0,
                     const ScanProgress& progress = {});

/// listCandidateFiles + scanFiles.
ScanResult scanPath(const std::string& path, unsigned threads = 0, const ScanProgress& progress = {});

} // namespace lightbox
