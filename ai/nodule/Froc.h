// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/ReferenceNodules.h"

#include <string>
#include <vector>

namespace lightbox {

struct ScoredPoint {
  Vec3 centerLps{0, 0, 0};
  double score = 0;
};

/// One scan's detections and reference.
struct ScanForEvaluation {
  std::string name;
  std::vector<ScoredPoint> detections;
  std::vector<ReferenceNodule> reference;
};

struct FrocPoint {
  double fpPerScan = 0;   ///< the rate asked for
  double sensitivity = 0; ///< best sensitivity reached at or below that rate
  double threshold = 0;   ///< lowest score threshold that stays at or below the rate
};

struct FrocResult {
  std::size_t scans = 0, nodules = 0, detections = 0;
  std::vector<FrocPoint> points; ///< at 1/8, 1/4, 1/2, 1, 2, 4, 8 FP per scan
  double cpm = 0;                ///< mean of the seven sensitivities (LUNA16)
  double maxSensitivity = 0;     ///< with every detection kept
  double fpPerScanAtMax = 0;
};

/// FROC by the LUNA16 rules: a detection within a reference nodule's radius hits it (several hits
/// on one nodule count once and are not false positives); detections on nodules that do not count
/// are ignored; everything else is a false positive.
FrocResult computeFroc(const std::vector<ScanForEvaluation>& scans);

} // namespace lightbox
