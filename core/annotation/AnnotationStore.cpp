// SPDX-License-Identifier: Apache-2.0
#include "core/annotation/AnnotationStore.h"

#include "core/index/StudyIndex.h"

#include <nlohmann/json.hpp>

#include <cerrno>
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

std::string AnnotationStore::pathFor(const std::string& seriesKey) const {
  // UIDs are digits and dots; anything else (a file name key) is made safe for a file name.
  std::string name;
  for (char c : seriesKey) {
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  }
  return (fs::path(folder_) / (name + ".json")).string();
}

SeriesAnnotations AnnotationStore::load(const std::string& seriesKey) const {
  const std::string path = pathFor(seriesKey);
  SeriesAnnotations out;
  if (!fs::exists(path)) {
    return out;
  }
  std::ifstream in(path);
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (j.contains("measurements")) {
      out.measurements = measurementsFromJson(j.at("measurements"));
    }
    if (j.contains("findings")) {
      out.findings = findingsFromJson(j.at("findings"));
    }
    if (j.contains("findings_run")) {
      out.findingsRun = findingsRunFromJson(j.at("findings_run"));
      out.hasFindingsRun = true;
    }
    if (j.contains("patient_factors")) {
      out.patient = patientFactorsFromJson(j.at("patient_factors"));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": cannot read annotations: " + e.what());
  }
  return out;
}

void AnnotationStore::save(const std::string& seriesKey, const SeriesAnnotations& annotations) const {
  const std::string path = pathFor(seriesKey);
  std::error_code ec;
  fs::create_directories(folder_, ec);
  nlohmann::json j;
  j["format"] = "lightbox-annotations/1";
  j["series"] = seriesKey;
  j["measurements"] = toJson(annotations.measurements);
  j["findings"] = toJson(annotations.findings);
  if (annotations.hasFindingsRun) {
    j["findings_run"] = toJson(annotations.findingsRun);
  }
  j["patient_factors"] = toJson(annotations.patient);
  const std::string text = j.dump(1);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(path + ": cannot save annotations: " + std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(path + ": cannot save annotations: " + std::strerror(err));
    }
    written += std::size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    throw std::runtime_error(path + ": cannot save annotations: " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error(path + ": cannot save annotations: " + std::strerror(errno));
  }
}

} // namespace lightbox
