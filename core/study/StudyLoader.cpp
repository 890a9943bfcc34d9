// SPDX-License-Identifier: Apache-2.0
#include "core/study/StudyLoader.h"

#include "core/io/ImageFileIO.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace lightbox {

StudyScan scanStudy(const std::string& path, unsigned threads, const ScanProgress& progress) {
  StudyScan out;
  out.path = path;
  ScanResult scan = scanPath(path, threads, progress);
  out.filesSeen = scan.filesSeen;
  out.cancelled = scan.cancelled;
  for (IngestIssue& issue : scan.issues) {
    if (issue.kind == IssueKind::NotDicom) {
      ++out.notDicom;
      out.notDicomFiles.push_back(std::move(issue.path));
    } else {
      out.fileIssues.push_back(std::move(issue));
    }
  }
  AssemblyResult assembled = assembleSeries(scan.frames);
  out.series = std::move(assembled.series);
  out.assemblyIssues = std::move(assembled.issues);
  return out;
}

namespace {

constexpr std::size_t kMaxFilesNamed = 20;

/// "no loadable image series found in PATH", then each rejected file with its reason.
std::string noSeriesMessage(const StudyScan& scan) {
  std::string message = "no loadable image series found in " + scan.path;
  for (std::size_t i = 0; i < scan.fileIssues.size() && i < kMaxFilesNamed; ++i) {
    message += "\n  " + scan.fileIssues[i].path + ": " + scan.fileIssues[i].message;
  }
  if (scan.fileIssues.size() > kMaxFilesNamed) {
    message += "\n  ... and " + std::to_string(scan.fileIssues.size() - kMaxFilesNamed) + " more files";
  }
  return message;
}

} // namespace

const AssembledSeries& selectSeries(const StudyScan& scan, const std::string& selector) {
  if (scan.series.empty()) {
    throw NoImageSeriesError("no loadable image series found in " + scan.path);
  }
  if (selector.empty()) {
    return *std::max_element(scan.series.begin(), scan.series.end(),
                             [](const AssembledSeries& a, const AssembledSeries& b) {
                               return a.frameCount() < b.frameCount();
                             });
  }
  if (std::all_of(selector.begin(), selector.end(), ::isdigit)) {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), index);
    if (ec == std::errc() && end == selector.data() + selector.size() && index >= 1 && index <= scan.series.size()) {
      return scan.series[index - 1];
    }
    throw UnknownSeriesError("series " + selector + " does not exist (" +
                             std::to_string(scan.series.size()) + " series found)");
  }
  for (const AssembledSeries& s : scan.series) {
    if (s.header->seriesInstanceUid == selector) {
      return s;
    }
  }
  throw UnknownSeriesError("no series with UID " + selector + " in " + scan.path);
}

LoadedSeries loadPath(const std::string& path, const std::string& selector, const LoadOptions& options) {
  if (isResearchImageFile(path) && std::filesystem::is_regular_file(path)) {
    LoadedSeries out;
    out.volumes = readResearchImage(path);
    return out;
  }
  const StudyScan scan = scanStudy(path, options.threads);
  if (scan.series.empty()) {
    throw NoImageSeriesError(noSeriesMessage(scan));
  }
  LoadedSeries loaded = loadSeries(selectSeries(scan, selector), options);
  loaded.rejectedFiles = scan.fileIssues;
  return loaded;
}

} // namespace lightbox
