// SPDX-License-Identifier: Apache-2.0
#include "ai/runtime/ModelManifest.h"

#include "ai/runtime/ModelRunner.h"
#include "ai/runtime/Sha256.h"
#include "core/annotation/Finding.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

using nlohmann::json;

const json& field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) {
    throw std::runtime_error("missing field '" + where + key + "'");
  }
  return j.at(key);
}

std::string text(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_string() || v.get<std::string>().empty()) {
    throw std::runtime_error("field '" + where + key + "' must be a non-empty string");
  }
  return v.get<std::string>();
}

double number(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_number()) {
    throw std::runtime_error("field '" + where + key + "' must be a number");
  }
  return v.get<double>();
}

template <std::size_t N> std::array<double, N> numbers(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_array() || v.size() != N || !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number(); })) {
    throw std::runtime_error("field '" + where + key + "' must be an array of " + std::to_string(N) + " numbers");
  }
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = v[i].get<double>();
  }
  return out;
}

} // namespace

std::string ModelManifest::weightsPath() const {
  return (fs::path(manifestPath).parent_path() / weightsFile).string();
}

double ModelManifest::probability(double logit) const {
  const double z = calibration == "platt" ? plattA * logit + plattB : logit;
  static const double z0 = std::log(kTailProbability / (1.0 - kTailProbability));
  if (z >= z0)
    return 1.0 - (1.0 - kTailProbability) * z0 / z;
  return 1.0 / (1.0 + std::exp(-z));
}

std::vector<std::pair<double, double>> ModelManifest::fpAndThresholds() const {
  std::vector<std::pair<double, double>> out;
  for (const OperatingPoint& op : operatingPoints) out.emplace_back(op.fpPerScan, op.threshold);
  return out;
}

double ModelManifest::thresholdForFpPerScan(double fpPerScan) const {
  return lightbox::thresholdForFpPerScan(fpAndThresholds(), fpPerScan, threshold);
}

ModelManifest readModelManifest(const std::string& manifestPath) {
  std::ifstream f(manifestPath);
  if (!f) {
    throw std::runtime_error(manifestPath + ": cannot be read");
  }
  ModelManifest m;
  try {
    json j;
    try {
      f >> j;
    } catch (const json::exception& e) {
      throw std::runtime_error(std::string("not valid JSON (") + e.what() + ")");
    }
    m.schema = text(j, "schema", "");
    if (m.schema != "lightbox-model/1") {
      throw std::runtime_error("unknown schema '" + m.schema + "' (expected lightbox-model/1)");
    }
    m.name = text(j, "name", "");
    m.version = text(j, "version", "");
    m.task = text(j, "task", "");
    m.licence = text(j, "licence", "");
    m.intendedUse = text(j, "intended_use", "");
    m.trainingData = text(j, "training_data", "");
    const json& w = field(j, "weights", "");
    m.weightsFile = text(w, "file", "weights.");
    m.weightsSha256 = text(w, "sha256", "weights.");
    if (text(w, "format", "weights.") != "torchscript") {
      throw std::runtime_error("field 'weights.format' must be \"torchscript\" (the only backend)");
    }
    if (m.weightsFile.find("..") != std::string::npos || fs::path(m.weightsFile).is_absolute()) {
      throw std::runtime_error("field 'weights.file' must name a file next to the manifest");
    }
    const json& in = field(j, "input", "");
    for (const json& mod : field(in, "modality", "input.")) {
      m.modalities.push_back(mod.get<std::string>());
    }
    if (m.modalities.empty()) {
      throw std::runtime_error("field 'input.modality' must list at least one modality");
    }
    m.orientation = text(in, "orientation", "input.");
    m.targetSpacingXyz = numbers<3>(in, "target_spacing_xyz_mm", "input.");
    m.maxSliceThicknessMm = in.value("max_slice_thickness_mm", 0.0);
    m.minCoverageMm = in.value("min_coverage_z_mm", 0.0);
    const json& intensity = field(in, "intensity", "input.");
    m.intensityMethod = intensity.value("method", std::string("window"));
    if (m.intensityMethod == "window") {
      m.intensityWindow = numbers<2>(intensity, "window", "input.intensity.");
      m.normalisedRange = numbers<2>(intensity, "normalised_range", "input.intensity.");
    } else if (m.intensityMethod != kClickRelativeIntensity && m.intensityMethod != kPromptableIntensity) {
      throw std::runtime_error("field 'input.intensity.method' must be \"window\", \"" +
                               std::string(kClickRelativeIntensity) + "\" or \"" + kPromptableIntensity + "\", not \"" +
                               m.intensityMethod + "\"");
    }
    const std::array<double, 3> patch = numbers<3>(in, "patch_xyz", "input.");
    for (int a = 0; a < 3; ++a) {
      if (patch[a] < 1 || patch[a] != std::floor(patch[a])) {
        throw std::runtime_error("field 'input.patch_xyz' must hold positive integers");
      }
      m.patchXyz[a] = std::size_t(patch[a]);
      if (m.targetSpacingXyz[a] <= 0) {
        throw std::runtime_error("field 'input.target_spacing_xyz_mm' must be positive");
      }
    }
    m.overlap = number(in, "overlap", "input.");
    if (m.overlap < 0 || m.overlap >= 1) {
      throw std::runtime_error("field 'input.overlap' must be in [0, 1)");
    }
    m.inputChannels = int(number(in, "channels", "input."));
    if (in.contains("scales")) {
      m.patchScales.clear();
      const json& scales = in.at("scales");
      if (!scales.is_array()) throw std::runtime_error("field 'input.scales' must be a list of integers");
      for (const json& v : scales) {
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 16) {
          throw std::runtime_error("field 'input.scales' must hold integers from 1 to 16");
        }
        m.patchScales.push_back(int(v.get<long long>()));
      }
      if (int(m.patchScales.size()) != m.inputChannels) {
        throw std::runtime_error("field 'input.scales' must have one entry per input channel (" +
                                 std::to_string(m.inputChannels) + ")");
      }
    }
    const json& out = field(j, "output", "");
    m.outputType = text(out, "type", "output.");
    if (m.outputType != "logit" && m.outputType != "probability-map" && m.outputType != "displacement-field") {
      throw std::runtime_error("field 'output.type' must be \"logit\", \"probability-map\" or \"displacement-field\"");
    }
    for (const json& l : field(out, "labels", "output.")) {
      m.labels.push_back(l.get<std::string>());
    }
    m.threshold = number(out, "threshold", "output.");
    const json& cal = field(out, "calibration", "output.");
    m.calibration = text(cal, "method", "output.calibration.");
    if (m.calibration == "platt") {
      m.plattA = number(cal, "a", "output.calibration.");
      m.plattB = number(cal, "b", "output.calibration.");
    } else if (m.calibration != "none") {
      throw std::runtime_error("field 'output.calibration.method' must be \"platt\" or \"none\"");
    }
    for (const json& op : out.value("operating_points", json::array())) {
      m.operatingPoints.push_back({number(op, "fp_per_scan", "output.operating_points[]."),
                                   number(op, "threshold", "output.operating_points[]."),
                                   number(op, "sensitivity", "output.operating_points[].")});
    }
    std::sort(m.operatingPoints.begin(), m.operatingPoints.end(),
              [](const OperatingPoint& a, const OperatingPoint& b) { return a.fpPerScan < b.fpPerScan; });
  } catch (const std::exception& e) {
    throw std::runtime_error(manifestPath + ": " + e.what());
  }
  m.manifestPath = manifestPath;
  return m;
}

ModelEntry inspectModel(const std::string& manifestPath) {
  ModelEntry entry;
  try {
    entry.manifest = readModelManifest(manifestPath);
  } catch (const std::exception& e) {
    entry.manifest.manifestPath = manifestPath;
    entry.manifest.name = fs::path(manifestPath).stem().string();
    entry.problem = e.what();
    return entry;
  }
  const std::string weights = entry.manifest.weightsPath();
  if (!fs::is_regular_file(weights)) {
    entry.problem = manifestPath + ": weights file " + entry.manifest.weightsFile + " not found";
    return entry;
  }
  const std::string actual = sha256File(weights);
  if (actual != entry.manifest.weightsSha256) {
    entry.problem = weights + ": sha256 " + actual + " does not match the manifest's " +
                    entry.manifest.weightsSha256 + "; the model is refused";
    return entry;
  }
  entry.usable = true;
  return entry;
}

std::vector<ModelEntry> listModels(const std::vector<std::string>& folders) {
  std::vector<ModelEntry> out;
  for (const std::string& folder : folders) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
      continue;
    }
    std::vector<std::string> manifests;
    for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") {
        manifests.push_back(e.path().string());
      }
    }
    std::sort(manifests.begin(), manifests.end());
    for (const std::string& m : manifests) {
      out.push_back(inspectModel(m));
    }
  }
  return out;
}

std::vector<std::string> defaultModelFolders() {
  std::vector<std::string> folders;
  if (const char* builtin = std::getenv("LIGHTBOX_MODELS_BUILTIN"); builtin && *builtin) {
    folders.emplace_back(builtin);
  } else {
    folders.emplace_back(LIGHTBOX_BUILTIN_MODELS_DIR);
  }
  if (const char* user = std::getenv("LIGHTBOX_MODELS"); user && *user) {
    folders.emplace_back(user);
  } else if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    folders.push_back((fs::path(xdg) / "lightbox" / "models").string());
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    folders.push_back((fs::path(home) / ".local" / "share" / "lightbox" / "models").string());
  }
  return folders;
}

ModelEntry findModel(const std::string& name, const std::vector<std::string>& folders) {
  std::string refused;
  for (ModelEntry& e : listModels(folders)) {
    if (e.manifest.name == name || fs::path(e.manifest.manifestPath).stem() == name) {
      if (e.usable) {
        return e;
      }
      refused = e.problem;
    }
  }
  if (!refused.empty()) {
    throw std::runtime_error("model '" + name + "' is refused: " + refused);
  }
  std::string searched;
  for (const std::string& f : folders) {
    searched += (searched.empty() ? "" : ", ") + f;
  }
  throw std::runtime_error("model '" + name + "' not found in " + searched);
}

std::unique_ptr<ModelRunner> loadVerifiedModel(const ModelEntry& entry, int threads) {
  const ModelEntry fresh = inspectModel(entry.manifest.manifestPath); // the file may have changed
  if (!fresh.usable) {
    throw std::runtime_error(fresh.problem);
  }
  return loadTorchScriptModel(fresh.manifest.weightsPath(), threads);
}

} // namespace lightbox
