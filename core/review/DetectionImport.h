// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// A detection run as `lightbox detect --json` writes it, ready for a review: the run's provenance
/// and operating points, every finding it kept, and the series it was run on.
struct ImportedDetection {
  FindingsRun run;
  std::vector<Finding> findings;
  std::string seriesUid; ///< empty when the file does not say
};

/// Reads the detection JSON. `fpPerScan` overrides the operating point the file was written at.
/// Throws std::runtime_error saying which field is missing or wrong.
ImportedDetection importDetection(const nlohmann::json& detection, std::optional<double> fpPerScan = {});

} // namespace lightbox
