// SPDX-License-Identifier: Apache-2.0
#include "core/annotation/AnnotationStore.h"

#include "core/util/AtomicFile.h"

#include "core/index/StudyIndex.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace lightbox {
namespace fs = std::filesystem;

AnnotationStore::AnnotationStore(std::string folder) : folder_(std::move(folder)) {}

std::string AnnotationStore::defaultFolder() {
  if (const char* p = std::getenv("LIGHTBOX_ANNOTATIONS"); p && *p) {
    return p;
  }
  return (fs::path(StudyIndex::defaultPath()).parent_path() / "annotations").string();
}

namespace {

constexpr const char* kFormat = "lightbox-annotations/1";
/// Longest file name stem before it is cut and hashed (file systems allow 255 bytes).
constexpr std::size_t kMaxStem = 200;

bool keptAsIs(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

/// 64-bit FNV-1a.
std::uint64_t hashKey(const std::string& key) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : key) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return h;
}

/// What one annotation file holds, with the key it was written for.
struct ParsedFile {
  SeriesAnnotations annotations;
  std::string seriesKey;
};

ParsedFile parseFile(const std::string& path) {
  ParsedFile out;
  std::ifstream in(path);
  if (!in) {
    throw AnnotationReadError(path, std::strerror(errno));
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_object()) {
      throw std::runtime_error("not a JSON object");
    }
    if (j.contains("format") && j.at("format") != kFormat) {
      throw std::runtime_error("format " + j.at("format").dump() + " is not " + kFormat +
                               " (written by a newer version?)");
    }
    if (j.contains("series") && j.at("series").is_string()) {
      out.seriesKey = j.at("series").get<std::string>();
    }
    if (j.contains("measurements")) {
      out.annotations.measurements = measurementsFromJson(j.at("measurements"));
    }
    if (j.contains("findings")) {
      out.annotations.findings = findingsFromJson(j.at("findings"));
    }
    if (j.contains("findings_run")) {
      out.annotations.findingsRun = findingsRunFromJson(j.at("findings_run"));
      out.annotations.hasFindingsRun = true;
    }
    if (j.contains("patient_factors")) {
      out.annotations.patient = patientFactorsFromJson(j.at("patient_factors"));
    }
  } catch (const std::exception& e) {
    throw AnnotationReadError(path, e.what());
  }
  return out;
}

} // namespace

std::string AnnotationStore::labelsPathFor(const std::string& seriesKey) const {
  const std::string review = pathFor(seriesKey);
  return review.substr(0, review.rfind(".json")) + ".labels";
}

std::string AnnotationStore::pathFor(const std::string& seriesKey) const {
  static const char* kHex = "0123456789ABCDEF";
  std::string name;
  for (char c : seriesKey) {
    if (keptAsIs(c)) {
      name += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      name += {'_', kHex[b >> 4], kHex[b & 15]};
    }
  }
  if (name.size() > kMaxStem) {
    char hash[24];
    std::snprintf(hash, sizeof(hash), "_~%016llx", static_cast<unsigned long long>(hashKey(seriesKey)));
    name = name.substr(0, kMaxStem - 20) + hash;
  }
  return (fs::path(folder_) / (name + ".json")).string();
}

std::string AnnotationStore::existingPathFor(const std::string& seriesKey) const {
  const std::string path = pathFor(seriesKey);
  if (fs::exists(path)) {
    return path;
  }
  // Before the names were made injective, every byte other than [A-Za-z0-9.-] became '_'.
  std::string legacy;
  for (char c : seriesKey) {
    legacy += keptAsIs(c) ? c : '_';
  }
  const std::string legacyPath = (fs::path(folder_) / (legacy + ".json")).string();
  std::error_code ec; // a name too long for the file system simply does not exist
  if (legacyPath != path && fs::exists(legacyPath, ec)) {
    try {
      if (parseFile(legacyPath).seriesKey == seriesKey) {
        return legacyPath;
      }
    } catch (const AnnotationReadError&) {
      // Unreadable and possibly another key's: not ours to read or to move.
    }
  }
  return path;
}

SeriesAnnotations AnnotationStore::load(const std::string& seriesKey) const {
  const std::string path = existingPathFor(seriesKey);
  if (!fs::exists(path)) {
    return {};
  }
  return parseFile(path).annotations;
}

OpenedAnnotations AnnotationStore::open(const std::string& seriesKey) const {
  OpenedAnnotations out;
  // What a writer killed mid-save left beside the review and the label map (issue 25).
  removeStaleTemporaries(pathFor(seriesKey));
  removeStaleTemporaries(labelsPathFor(seriesKey));
  try {
    out.annotations = load(seriesKey);
    return out;
  } catch (const AnnotationReadError& e) {
    out.unreadablePath = e.path;
    std::string reason;
    const std::string aside = moveAside(e.path, reason);
    if (!aside.empty()) {
      out.movedTo = aside;
      out.problem = std::string(e.what()) + "; the file was moved aside to " + aside +
                    " and is kept; this series starts with no saved measurements";
    } else {
      out.problem = std::string(e.what()) + "; it could not be moved aside (" + reason +
                    "), so this series is read-only: nothing will be saved over it";
    }
  }
  return out;
}

void AnnotationStore::checkWritable() const {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec || !fs::is_directory(folder_)) {
    throw AnnotationWriteError(folder_ + ": cannot save annotations here: " +
                               (ec ? ec.message() : std::string("not a folder")));
  }
  const std::string probe = (fs::path(folder_) / (".write-test-" + std::to_string(::getpid()))).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw AnnotationWriteError(folder_ + ": cannot save annotations here: " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

void AnnotationStore::save(const std::string& seriesKey, const SeriesAnnotations& annotations) const {
  const std::string path = pathFor(seriesKey);
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) {
    throw AnnotationWriteError(path + ": cannot save annotations: folder " + folder_ + ": " + ec.message());
  }
  nlohmann::json j;
  j["format"] = kFormat;
  j["series"] = seriesKey;
  j["measurements"] = toJson(annotations.measurements);
  j["findings"] = toJson(annotations.findings);
  if (annotations.hasFindingsRun) {
    j["findings_run"] = toJson(annotations.findingsRun);
  }
  j["patient_factors"] = toJson(annotations.patient);
  const std::string text = j.dump(1);
  if (const std::string reason = writeFileAtomically(path, text); !reason.empty()) {
    throw AnnotationWriteError(path + ": cannot save annotations: " + reason);
  }
}

} // namespace lightbox
