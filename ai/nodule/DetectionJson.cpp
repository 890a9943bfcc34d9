// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/DetectionJson.h"

#include "ai/nodule/DetectionFindings.h"
#include "core/util/JsonNumbers.h"

namespace lightbox {

namespace {

/// The manifest's whole table, so a review can move the operating point after the run.
nlohmann::json operatingPoints(const ModelManifest& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [fp, threshold] : m.fpAndThresholds()) out.push_back({{"fp_per_scan", fp}, {"threshold", threshold}});
  return out;
}

} // namespace

nlohmann::json detectionToJson(const DetectionResult& r, const ModelManifest& m, double fpPerScan, double threshold) {
  nlohmann::json findings = nlohmann::json::array();
  for (const NoduleFinding& f : r.findings) {
    findings.push_back({{"id", f.id},
                        {"center_lps", f.centerLps},
                        {"diameter_mm", f.diameterMm},
                        {"solid_diameter_mm", f.solidDiameterMm},
                        {"volume_mm3", f.volumeMm3},
                        {"type", f.type},
                        {"score", f.score},
                        {"probability", f.probability},
                        {"logit", f.logit},
                        {"mean_hu", f.meanHu},
                        {"size_capped", f.sizeCapped},
                        {"size_source", f.sizeSource},
                        {"at_operating_point", f.score >= threshold}});
  }
  return {{"model",
           {{"name", m.name},
            {"version", m.version},
            {"task", m.task},
            {"sha256", m.weightsSha256},
            {"licence", m.licence},
            {"intended_use", m.intendedUse},
            {"backend", r.backend}}},
          {"warnings", r.warnings},
          {"operating_point", {{"fp_per_scan", fpPerScan}, {"threshold", threshold}}},
          {"operating_points", operatingPoints(m)},
          {"ran_at", utcNowIso8601()},
          {"candidates", r.candidates},
          {"merged_findings", r.mergedFindings},
          {"lung_volume_ml", r.lungVolumeMl},
          {"timing_s",
           {{"prepare", r.prepareSeconds},
            {"inference", r.inferenceSeconds},
            {"sizing", r.sizingSeconds}}},
          {"findings", findings}};
}

VolumeGeometry geometryFromJson(const nlohmann::json& j) {
  VolumeGeometry g;
  for (int a = 0; a < 3; ++a) {
    g.size[a] = jsonInteger<std::size_t>(j.at("size").at(a));
    g.spacing[a] = j.at("spacing_mm").at(a).get<double>();
    g.origin[a] = j.at("origin_lps").at(a).get<double>();
    for (int b = 0; b < 3; ++b) g.direction[a][b] = j.at("direction").at(a).at(b).get<double>();
  }
  return g;
}

} // namespace lightbox
