// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/NoduleDetector.h"
#include "core/annotation/Finding.h"

#include <string>
#include <vector>

namespace lightbox {

/// A detection run as the review takes it: the run with its model provenance and operating point,
/// and every finding as a proposal (filtering by operating point is the review's job).
struct DetectionFindings {
  FindingsRun run;
  std::vector<Finding> findings;
};

/// Turns detector output into review findings, with the manifest's provenance, the backend and
/// pre-flight warnings of the run, the manifest's operating points and `fpPerScan` as the current
/// one. `ranAt` is ISO 8601 UTC (utcNowIso8601() when empty). The one conversion the viewer and
/// the command line share.
DetectionFindings findingsFromDetection(const DetectionResult& result, const ModelManifest& manifest,
                                        double fpPerScan, std::string ranAt = {});

/// Now as ISO 8601 UTC to the second, e.g. "2026-11-30T22:11:41Z".
std::string utcNowIso8601();

} // namespace lightbox
