// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/NoduleDetector.h"

#include <nlohmann/json.hpp>

namespace lightbox {

/// The `lightbox detect --json` document: {"model": {...}, "series": {...}, "warnings": [...],
/// "operating_point": {...}, "findings": [{"center_lps": [x, y, z], "diameter_mm", ...}]}.
/// Findings at or above `threshold` have "at_operating_point": true.
nlohmann::json detectionToJson(const DetectionResult& result, const ModelManifest& manifest, double fpPerScan,
                               double threshold);

/// The grid a detection document was made on ("series.geometry"); throws when absent.
VolumeGeometry geometryFromJson(const nlohmann::json& geometry);

} // namespace lightbox
