// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

namespace lightbox {

nlohmann::json toJson(const IngestIssue& issue);
nlohmann::json toJson(const VolumeGeometry& geometry);
/// One assembled series: description, modality, dimensions, spacing, orientation, syntaxes, warnings.
nlohmann::json toJson(const AssembledSeries& series);
/// The whole scan grouped as patients / studies / series, plus rejected files with reasons.
nlohmann::json toJson(const StudyScan& scan);

/// Three-letter orientation label of a direction (e.g. "AXIAL", "SAGITTAL", "CORONAL", "OBLIQUE").
std::string orientationLabel(const VolumeGeometry& geometry);

} // namespace lightbox
