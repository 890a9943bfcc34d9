// SPDX-License-Identifier: Apache-2.0
#include "core/registration/PairRegistrationStore.h"

#include "core/annotation/AnnotationStore.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace lightbox {
namespace {

namespace fs = std::filesystem;

std::string withoutJson(const std::string& path) {
  const std::string ext = ".json";
  return path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0
             ? path.substr(0, path.size() - ext.size())
             : path;
}

} // namespace

std::string pairRegistrationPath(const AnnotationStore& store, const std::string& currentKey,
                                 const std::string& priorKey) {
  const std::string folder = withoutJson(store.pathFor(currentKey)) + ".registration";
  return (fs::path(folder) / fs::path(store.pathFor(priorKey)).filename()).string();
}

void savePairRegistration(const std::string& path, const PairRegistration& r) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) {
    throw TransformFileError("cannot create the folder " + fs::path(path).parent_path().string() + ": " + ec.message());
  }
  const std::string transformPath = withoutJson(path) + ".transform.json";
  saveTransform(r.transform, transformPath);
  const nlohmann::json j = {{"format", "lightbox-pair-registration"},
                            {"version", 1},
                            {"current_series", r.currentSeries},
                            {"prior_series", r.priorSeries},
                            {"engine", r.engine},
                            {"created", r.createdAt},
                            {"seconds", r.seconds},
                            {"folding_fraction", r.foldingFraction},
                            {"transform", fs::path(transformPath).filename().string()}};
  const std::string failed = writeFileAtomically(path, j.dump(2) + "\n");
  if (!failed.empty()) {
    throw TransformFileError("cannot write " + path + ": " + failed);
  }
}

std::optional<PairRegistration> loadPairRegistration(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  try {
    const nlohmann::json j = nlohmann::json::parse(text.str());
    if (j.value("format", "") != "lightbox-pair-registration") {
      throw TransformFileError(path + " is not a pair registration");
    }
    PairRegistration r;
    r.currentSeries = j.at("current_series").get<std::string>();
    r.priorSeries = j.at("prior_series").get<std::string>();
    r.engine = j.at("engine").get<std::string>();
    r.createdAt = j.value("created", "");
    r.seconds = j.value("seconds", 0.0);
    r.foldingFraction = j.value("folding_fraction", 0.0);
    r.transform = loadTransform((fs::path(path).parent_path() / j.at("transform").get<std::string>()).string());
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw TransformFileError("cannot read " + path + ": " + e.what());
  }
}

} // namespace lightbox
