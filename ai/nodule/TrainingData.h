// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/NoduleDetector.h"
#include "ai/nodule/ReferenceNodules.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lightbox {

/// A nodule written into a real scan.
struct SyntheticNodule {
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0;
  std::string type; ///< "solid", "part-solid", "ground-glass"
  std::string site; ///< "isolated", "juxta-vascular", "juxta-pleural"
  double hu = 0;    ///< plateau (the solid part's for part-solid)
  double ggoHu = 0; ///< ground-glass plateau (part-solid and ground-glass)
  double coreFraction = 0; ///< part-solid: solid core diameter / diameter
};

/// Picks `count` sites in the prepared scan's lungs (isolated: away from pleura and vessels;
/// juxta-vascular: against a vessel, its centre in aerated lung; juxta-pleural: touching the
/// pleura), with diameters log-uniform in 3-30 mm and types solid 60% / part-solid 20% /
/// ground-glass 20%, kept at least `keepAwayMm` from each point of `avoid`.
std::vector<SyntheticNodule> planSyntheticNodules(const PreparedScan& scan, std::size_t count, std::mt19937& rng,
                                                  const std::vector<ReferenceNodule>& avoid, double keepAwayMm);

/// Writes the nodules into `hu` (modality values, any voxel type): lobulated ellipsoids, 3x3x3
/// supersampled for the partial-volume edge on the scan's own (anisotropic) grid, blended over
/// the background so vessels stay visible through ground glass, with noise inside.
void insertSyntheticNodules(Volume& hu, const std::vector<SyntheticNodule>& nodules, std::mt19937& rng);

struct DatasetBackground {
  std::string path;
  std::vector<ReferenceNodule> avoid; ///< real nodules: no insertions or negatives near them
};

struct DatasetOptions {
  std::vector<DatasetBackground> backgrounds;
  std::size_t copies = 20;          ///< augmented scans per background
  std::size_t nodulesPerCopy = 8;
  std::size_t validationEvery = 5;  ///< every n-th copy is held out for calibration
  std::uint32_t seed = 1;
  std::string outFolder;
  bool writeValidationScans = false; ///< also write held-out scans as NIfTI + ground-truth JSON
  NoduleDetectorSettings detector;
  std::vector<int> scales{1, 2}; ///< channels of each patch (cutPatches)
};

/// Writes `dataset.json` (patch edge, spacing, scales), `patches.i16` (int16 HU, N x C x p^3), `patches.csv` (one row per patch) and `nodules.csv`
/// (every inserted nodule, whether a candidate found it). Returns a one-line summary per scan.
std::vector<std::string> writeNoduleDataset(const DatasetOptions& options);

} // namespace lightbox
