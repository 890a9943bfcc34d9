// SPDX-License-Identifier: Apache-2.0
#include "core/annotation/Finding.h"

#include "core/util/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace lightbox {

const char* toString(FindingState s) {
  switch (s) {
  case FindingState::Proposed: return "proposed";
  case FindingState::Accepted: return "accepted";
  case FindingState::Rejected: return "rejected";
  case FindingState::Edited: return "edited";
  }
  return "proposed";
}

namespace {
FindingState stateFromString(const std::string& s) {
  for (FindingState f : {FindingState::Proposed, FindingState::Accepted, FindingState::Rejected, FindingState::Edited}) {
    if (s == toString(f)) return f;
  }
  throw std::runtime_error("unknown finding state '" + s + "'");
}
} // namespace

bool Finding::operator==(const Finding& o) const {
  return id == o.id && centerLps == o.centerLps && diameterMm == o.diameterMm && solidDiameterMm == o.solidDiameterMm &&
         volumeMm3 == o.volumeMm3 && sizeCapped == o.sizeCapped && sizeSource == o.sizeSource && type == o.type && score == o.score && probability == o.probability &&
         state == o.state && rejectReason == o.rejectReason && measurementId == o.measurementId &&
         editedType == o.editedType && upperLobe == o.upperLobe && spiculated == o.spiculated &&
         segmentLabel == o.segmentLabel && maskLongAxisMm == o.maskLongAxisMm && maskShortAxisMm == o.maskShortAxisMm &&
         maskVolumeMm3 == o.maskVolumeMm3;
}

bool anyFindingDecided(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.state != FindingState::Proposed; });
}

bool FindingsRun::operator==(const FindingsRun& o) const {
  return model == o.model && modelVersion == o.modelVersion && modelSha256 == o.modelSha256 && backend == o.backend &&
         licence == o.licence && intendedUse == o.intendedUse && warnings == o.warnings && fpPerScan == o.fpPerScan &&
         operatingPoints == o.operatingPoints && ranAt == o.ranAt && source == o.source &&
         sourceFolder == o.sourceFolder;
}

double thresholdForFpPerScan(const std::vector<std::pair<double, double>>& operatingPoints, double fpPerScan,
                             double fallback) {
  if (operatingPoints.empty()) return fallback;
  double t = operatingPoints.front().second;
  for (const auto& [fp, thr] : operatingPoints) {
    if (fp <= fpPerScan + 1e-9) t = thr;
  }
  return t;
}

double FindingsRun::threshold() const { return thresholdForFpPerScan(operatingPoints, fpPerScan, 0.5); }

bool PatientFactors::operator==(const PatientFactors& o) const {
  return ageYears == o.ageYears && sex == o.sex && familyHistory == o.familyHistory && emphysema == o.emphysema;
}

nlohmann::json toJson(const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : findings) {
    out.push_back({{"id", f.id}, {"center_lps", f.centerLps}, {"diameter_mm", f.diameterMm},
                   {"solid_diameter_mm", f.solidDiameterMm}, {"volume_mm3", f.volumeMm3},
                   {"size_capped", f.sizeCapped}, {"size_source", f.sizeSource}, {"type", f.type},
                   {"score", f.score}, {"probability", f.probability}, {"state", toString(f.state)},
                   {"reject_reason", f.rejectReason}, {"measurement_id", f.measurementId},
                   {"edited_type", f.editedType}, {"upper_lobe", f.upperLobe}, {"spiculated", f.spiculated},
                   {"segment_label", f.segmentLabel}, {"mask_long_axis_mm", f.maskLongAxisMm},
                   {"mask_short_axis_mm", f.maskShortAxisMm}, {"mask_volume_mm3", f.maskVolumeMm3}});
  }
  return out;
}

std::vector<Finding> findingsFromJson(const nlohmann::json& j) {
  std::vector<Finding> out;
  for (const nlohmann::json& e : j) {
    Finding f;
    f.id = e.at("id").get<std::string>();
    f.centerLps = e.at("center_lps").get<Vec3>();
    f.diameterMm = e.at("diameter_mm").get<double>();
    f.solidDiameterMm = e.value("solid_diameter_mm", 0.0);
    f.volumeMm3 = e.value("volume_mm3", 0.0);
    f.sizeCapped = e.value("size_capped", false);
    f.sizeSource = e.value("size_source", std::string("profile"));
    if (f.sizeSource != "mask" && f.sizeSource != "profile") {
      throw std::runtime_error("finding " + f.id + ": size_source must be \"mask\" or \"profile\", not \"" +
                               f.sizeSource + "\"");
    }
    f.type = e.at("type").get<std::string>();
    f.score = e.at("score").get<double>();
    f.probability = e.value("probability", f.score);
    // A detection result's findings (lightbox detect --json) have no state yet: proposed.
    f.state = stateFromString(e.value("state", std::string("proposed")));
    f.rejectReason = e.value("reject_reason", "");
    f.measurementId = jsonInteger(e, "measurement_id", 0);
    f.editedType = e.value("edited_type", "");
    f.upperLobe = e.value("upper_lobe", false);
    f.spiculated = e.value("spiculated", false);
    f.segmentLabel = jsonInteger(e, "segment_label", 0);
    f.maskLongAxisMm = e.value("mask_long_axis_mm", 0.0);
    f.maskShortAxisMm = e.value("mask_short_axis_mm", 0.0);
    f.maskVolumeMm3 = e.value("mask_volume_mm3", 0.0);
    out.push_back(f);
  }
  return out;
}

nlohmann::json toJson(const FindingsRun& r) {
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& [fp, thr] : r.operatingPoints) ops.push_back({{"fp_per_scan", fp}, {"threshold", thr}});
  nlohmann::json j = {{"model", r.model}, {"version", r.modelVersion}, {"sha256", r.modelSha256}, {"backend", r.backend},
                      {"licence", r.licence}, {"intended_use", r.intendedUse}, {"warnings", r.warnings},
                      {"fp_per_scan", r.fpPerScan}, {"operating_points", ops}, {"ran_at", r.ranAt}};
  if (!r.source.empty()) j["source"] = {{"kind", r.source}, {"folder", r.sourceFolder}};
  return j;
}

FindingsRun findingsRunFromJson(const nlohmann::json& j) {
  FindingsRun r;
  r.model = j.value("model", "");
  r.modelVersion = j.value("version", "");
  r.modelSha256 = j.value("sha256", "");
  r.backend = j.value("backend", "");
  r.licence = j.value("licence", "");
  r.intendedUse = j.value("intended_use", "");
  r.warnings = j.value("warnings", std::vector<std::string>{});
  r.fpPerScan = j.value("fp_per_scan", 1.0);
  for (const nlohmann::json& op : j.value("operating_points", nlohmann::json::array())) {
    r.operatingPoints.emplace_back(op.at("fp_per_scan").get<double>(), op.at("threshold").get<double>());
  }
  r.ranAt = j.value("ran_at", "");
  if (j.contains("source") && j["source"].is_object()) {
    r.source = j["source"].value("kind", "");
    r.sourceFolder = j["source"].value("folder", "");
  }
  return r;
}

nlohmann::json toJson(const PatientFactors& f) {
  return {{"age_years", f.ageYears}, {"sex", f.sex}, {"family_history", f.familyHistory}, {"emphysema", f.emphysema}};
}

PatientFactors patientFactorsFromJson(const nlohmann::json& j) {
  PatientFactors f;
  f.ageYears = jsonInteger(j, "age_years", 0);
  f.sex = j.value("sex", "");
  f.familyHistory = j.value("family_history", false);
  f.emphysema = j.value("emphysema", false);
  return f;
}

} // namespace lightbox
