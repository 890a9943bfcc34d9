// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/LungMask.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/SlidingWindow.h"
#include "ai/runtime/Tensor.h"
#include "ai/runtime/VolumeInference.h"
#include "core/volume/Volume.h"

#include <string>
#include <vector>

namespace lightbox {

class ModelRunner;

/// A blob the classical front end proposes to the network.
struct NoduleCandidate {
  Vec3 centerLps{0, 0, 0};
  double radiusMm = 0;   ///< scale of the strongest blob response (sigma * sqrt(3))
  double response = 0;   ///< scale-normalised Hessian "dot" filter
};

/// A scan prepared for nodule detection: the lungs' bounding box resampled to the model's
/// isotropic spacing, the closed lung mask on that grid, and the candidates.
struct PreparedScan {
  VolumeGeometry grid;       ///< the isotropic grid (same directions as the scan)
  FloatGrid hu;              ///< HU on `grid`
  Mask lung;                 ///< closed lung mask on `grid`
  std::vector<NoduleCandidate> candidates;
  std::size_t maxima = 0; ///< local maxima above the response floor, before suppression and the cap
  double lungVolumeMl = 0;
};

struct NoduleDetectorSettings {
  double spacingMm = 1.25;        ///< isotropic grid the candidates and patches live on
  std::size_t patch = 32;         ///< patch edge in voxels
  std::size_t maxCandidates = 1500;
  double minResponse = 0.02;
  unsigned threads = 0;
};

/// Lung mask, isotropic resampling of the lungs' box and candidate generation.
PreparedScan prepareScan(const Volume& hu, const NoduleDetectorSettings& settings = {});

/// What multi-scale patches are cut from: for each scale s, the mean of the s^3 block starting at
/// every voxel of the prepared grid (air outside it), made once per scan.
struct PatchSources {
  struct Level {
    int scale = 1;
    std::array<std::size_t, 3> size{0, 0, 0}; ///< the grid's size plus s - 1 on each axis
    std::vector<float> mean; ///< block means, index i the block from i - (s - 1); empty for s = 1 (the grid)
  };
  std::vector<Level> levels; ///< one per scale, in channel order
};
PatchSources patchSources(const PreparedScan& scan, const std::vector<int>& scales, unsigned threads = 0);

/// Patches (N, C, p, p, p) in HU centred on `centers` (LPS), cut from the prepared grid (air
/// outside it), not yet normalised. One channel per scale: scale s samples every s-th grid voxel,
/// each sample the mean of an s^3 block, so that channel covers p * s voxels of the grid around the
/// same centre (the default {1} is the plain patch).
Tensor cutPatches(const PreparedScan& scan, const std::vector<Vec3>& centers, std::size_t patch,
                  const std::vector<int>& scales = {1});
Tensor cutPatches(const PreparedScan& scan, const PatchSources& sources, const std::vector<Vec3>& centers,
                  std::size_t patch, unsigned threads = 0);

/// Size and type of a blob by radial profiles around its centre on the prepared grid.
struct NoduleMeasurement {
  double diameterMm = 0;      ///< equivalent sphere diameter of the nodule (all components)
  double solidDiameterMm = 0; ///< of the part denser than -300 HU
  double volumeMm3 = 0;
  std::string type;           ///< "solid", "part-solid" or "ground-glass"
  double meanHu = 0;
  /// The profile never fell below the threshold within the search radius: the diameter is that
  /// radius (a cap), not a measurement, e.g. a blob merged with the hilum or the chest wall.
  bool sizeCapped = false;
};
NoduleMeasurement measureNodule(const PreparedScan& scan, const Vec3& centerLps, double radiusHintMm);

struct NoduleFinding {
  std::string id;             ///< "F1", "F2", ... by rank
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0, solidDiameterMm = 0, volumeMm3 = 0;
  std::string type;
  /// The calibrated probability (the manifest's scaling of the network's logit): what the reader
  /// sees and what the operating points threshold. Equal to `probability`, kept for the JSON.
  double score = 0;
  double probability = 0;     ///< calibrated probability
  double logit = 0;           ///< the network's raw output
  double meanHu = 0;
  bool sizeCapped = false;    ///< diameter hit the measurement cap: not a size (see NoduleMeasurement)
  /// Where diameter and volume come from: "profile" (radial HU profiles, measureNodule) or "mask"
  /// (the lesion engine's mask, sizeFindingsFromMasks).
  std::string sizeSource = "profile";
};

struct DetectionResult {
  std::string modelName, modelVersion, modelSha256, backend;
  std::vector<std::string> warnings; ///< pre-flight; empty when the scan is in the intended use
  std::vector<NoduleFinding> findings; ///< by descending score, NMS applied, every candidate kept
  std::size_t candidates = 0;
  /// Findings dropped by sizeFindingsFromMasks as the same lesion as a higher-scoring finding.
  std::size_t mergedFindings = 0;
  double lungVolumeMl = 0;
  double prepareSeconds = 0, inferenceSeconds = 0;
  /// Loading the lesion model and sizing the findings on masks (sizeDetectionFromMasks).
  double sizingSeconds = 0;
};

/// The whole pipeline. Findings below the manifest's loosest operating point are dropped; the
/// caller filters further by operating point. Progress counts candidate batches.
DetectionResult detectNodules(const Volume& hu, const ScanFacts& facts, const ModelManifest& manifest,
                              const ModelRunner& runner, const ProgressCallback& progress = {},
                              const NoduleDetectorSettings& settings = {});

} // namespace lightbox
