// SPDX-License-Identifier: Apache-2.0
#include "core/review/DetectionImport.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace lightbox {

ImportedDetection importDetection(const nlohmann::json& j, std::optional<double> fpPerScan) {
  ImportedDetection out;
  try {
    const nlohmann::json& model = j.at("model");
    FindingsRun& run = out.run;
    run.model = model.at("name").get<std::string>();
    run.modelVersion = model.at("version").get<std::string>();
    run.modelSha256 = model.at("sha256").get<std::string>();
    run.backend = model.value("backend", "");
    run.licence = model.value("licence", "");
    run.intendedUse = model.value("intended_use", "");
    run.warnings = j.value("warnings", std::vector<std::string>{});
    run.ranAt = j.value("ran_at", "");
    const nlohmann::json& op = j.at("operating_point");
    run.fpPerScan = fpPerScan.value_or(op.at("fp_per_scan").get<double>());
    if (j.contains("operating_points")) {
      for (const nlohmann::json& p : j.at("operating_points")) {
        run.operatingPoints.emplace_back(p.at("fp_per_scan").get<double>(), p.at("threshold").get<double>());
      }
    } else {
      // Written before the table was part of the file: the one point it was written at.
      if (fpPerScan && *fpPerScan != op.at("fp_per_scan").get<double>()) {
        throw std::runtime_error("the file holds only the operating point it was written at (" +
                                 std::to_string(op.at("fp_per_scan").get<double>()) +
                                 " FP/scan); run detect again to choose another");
      }
      run.operatingPoints.emplace_back(op.at("fp_per_scan").get<double>(), op.at("threshold").get<double>());
    }
    // The same fields as a saved review's findings, without the reader's part.
    out.findings = findingsFromJson(j.at("findings"));
    for (Finding& f : out.findings) {
      // A detection is a proposal: whatever a file says, no reader decision comes in with it.
      f.state = FindingState::Proposed;
      f.rejectReason.clear();
      f.measurementId = 0;
      f.editedType.clear();
      f.upperLobe = f.spiculated = false;
    }
    if (j.contains("series")) out.seriesUid = j.at("series").value("series_instance_uid", "");
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("not a detection result of lightbox detect: ") + e.what());
  }
  return out;
}

} // namespace lightbox
