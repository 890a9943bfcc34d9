// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomScanner.h"

#include "core/dicom/DicomDirReader.h"
#include "core/dicom/DicomHeaderReader.h"
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {

std::vector<std::string> listCandidateFiles(const std::string& path) {
  std::error_code ec;
  const fs::path root(path);
  if (!fs::exists(root, ec)) {
    throw std::runtime_error("path does not exist: " + path);
  }
  if (fs::is_regular_file(root, ec)) {
    if (root.filename() == "DICOMDIR") {
      return readDicomDirFiles(path);
    }
    return {path};
  }
  const fs::path dicomdir = root / "DICOMDIR";
  if (fs::is_regular_file(dicomdir, ec)) {
    return readDicomDirFiles(dicomdir.string());
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    throw std::runtime_error("cannot list folder " + path + ": " + ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      break;
    }
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

ScanResult scanFiles(const std::vector<std::string>& files, unsigned threads,
                     const ScanProgress& progress) {
  quietGdcm();
  std::vector<HeaderReadResult> perFile(files.size());
  std::atomic<std::size_t> done{0};
  std::atomic<bool> cancel{false};
  std::mutex progressMutex;
  parallelFor(files.size(), threads, [&](std::size_t i) {
    if (cancel.load(std::memory_order_relaxed)) {
      return;
    }
    perFile[i] = readDicomHeader(files[i]);
    const std::size_t n = ++done;
    if (progress) {
      std::lock_guard<std::mutex> lock(progressMutex);
      if (!progress(n, files.size())) {
        cancel = true;
      }
    }
  });

  ScanResult result;
  result.filesSeen = files.size();
  result.cancelled = cancel.load();
  for (HeaderReadResult& r : perFile) {
    for (DicomFrame& f : r.frames) {
      result.frames.push_back(std::move(f));
    }
    if (r.issue) {
      result.issues.push_back(std::move(*r.issue));
    }
  }
  return result;
}

ScanResult scanPath(const std::string& path, unsigned threads, const ScanProgress& progress) {
  return scanFiles(listCandidateFiles(path), threads, progress);
}

} // namespace lightbox
