// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lightbox {

class ModelRunner;

/// The lesion model's input normalisation (ai/segmentation/LesionPatch.h, lesionModelInput).
inline constexpr const char* kClickRelativeIntensity = "click-relative-tanh/2";
/// The promptable lesion model's normalisation (ai/segmentation/PromptableLesionInput.h).
inline constexpr const char* kPromptableIntensity = "promptable-multimodal/1";

/// One operating point of a detector: the score threshold at which the validation set gave
/// `fpPerScan` false positives per scan, and the sensitivity it had there.
struct OperatingPoint {
  double fpPerScan = 0;
  double threshold = 0;
  double sensitivity = 0;
};

/// What a model expects, what it returns and where its weights are. The schema is documented in
/// resources/models/MANIFEST.md; every field below is required unless marked optional.
struct ModelManifest {
  std::string schema; ///< "lightbox-model/1"
  std::string name, version, task, licence, intendedUse, trainingData;
  std::string weightsFile; ///< relative to the manifest's folder
  std::string weightsSha256;

  // Input contract.
  std::vector<std::string> modalities;   ///< e.g. {"CT"}
  std::string orientation;               ///< how the tensor axes map to patient axes
  std::array<double, 3> targetSpacingXyz{1, 1, 1}; ///< mm
  double maxSliceThicknessMm = 0;        ///< 0: no limit
  double minCoverageMm = 0;              ///< shortest extent along z the model needs (0: none)
  /// "window" (clip to intensityWindow, map onto normalisedRange) or kClickRelativeIntensity.
  std::string intensityMethod = "window";
  std::array<double, 2> intensityWindow{0, 1}; ///< values clipped to this range...
  std::array<double, 2> normalisedRange{0, 1}; ///< ...then mapped linearly onto this one
  std::array<std::size_t, 3> patchXyz{32, 32, 32};
  double overlap = 0.5;
  int inputChannels = 1;
  /// Optional `input.scales`: one per channel, the sampling step of that channel's patch in
  /// units of the target spacing (a multi-scale patch: {1, 2} is the patch and a context twice
  /// its extent around the same centre). Default {1}.
  std::vector<int> patchScales{1};

  // Output contract.
  std::string outputType;            ///< "logit" (one score per patch), "probability-map" or "displacement-field"
  std::vector<std::string> labels;
  double threshold = 0.5;            ///< default score threshold
  std::string calibration;           ///< "platt" or "none"
  double plattA = 1, plattB = 0; ///< p = 1 / (1 + exp(-(a * logit + b))), tail as in probability()
  std::vector<OperatingPoint> operatingPoints; ///< ascending fpPerScan

  std::string manifestPath; ///< filled in by the loader
  std::string weightsPath() const;
  /// Calibrated probability of a raw logit: the logistic of the calibrated logit z, except above
  /// kTailProbability (0.9999), where 1 - p is (1 - 0.9999) * z0 / z (z0: the logit of 0.9999)
  /// instead of 1 / (1 + e^z). The two meet at z0. The logistic's complement shrinks so fast that
  /// different findings read the same (from z = 21 at nine decimals) and become exactly 1.0 (z >
  /// 36.7): a score must keep the model's ranking visible. The tail moves a probability by less
  /// than 1e-4, below what its calibration was measured with (ECE over ten bins).
  double probability(double logit) const;
  static constexpr double kTailProbability = 0.9999;
  /// Threshold for an expected number of false positives per scan: the operating point with the
  /// largest fpPerScan not above `fpPerScan` (the strictest one when none is; `threshold` when the
  /// manifest has none). The rule itself is core's thresholdForFpPerScan (core/annotation/Finding.h).
  double thresholdForFpPerScan(double fpPerScan) const;
  /// The operating points as (FP per scan, threshold) pairs, as a FindingsRun records them.
  std::vector<std::pair<double, double>> fpAndThresholds() const;
};

/// Parses and validates a manifest file. Throws std::runtime_error naming the file and the first
/// missing or malformed field.
ModelManifest readModelManifest(const std::string& manifestPath);

/// A model found in a models folder: its manifest and whether it may be used.
struct ModelEntry {
  ModelManifest manifest;
  bool usable = false;
  std::string problem; ///< why it is refused (manifest error, missing weights, hash mismatch)
};

/// Reads the manifest and checks the weights' sha256. Never throws: problems land in `problem`.
ModelEntry inspectModel(const std::string& manifestPath);

/// Every `*.json` manifest in `folders` (missing folders are skipped), sorted by name.
std::vector<ModelEntry> listModels(const std::vector<std::string>& folders);

/// Built-in models (the project's resources/models, or $LIGHTBOX_MODELS_BUILTIN) followed by the
/// user's folder ($LIGHTBOX_MODELS, else ~/.local/share/lightbox/models).
std::vector<std::string> defaultModelFolders();

/// Finds a usable model by manifest name in `folders`. Throws std::runtime_error with the reason
/// when it is missing or refused.
ModelEntry findModel(const std::string& name, const std::vector<std::string>& folders);

/// Verifies the manifest (hash included) and loads the weights with the matching backend.
std::unique_ptr<ModelRunner> loadVerifiedModel(const ModelEntry& entry, int threads = 0);

} // namespace lightbox
