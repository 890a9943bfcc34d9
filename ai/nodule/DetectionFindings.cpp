// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/DetectionFindings.h"

#include "ai/runtime/ModelManifest.h"

#include <ctime>

namespace lightbox {

std::string utcNowIso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

DetectionFindings findingsFromDetection(const DetectionResult& r, const ModelManifest& manifest, double fpPerScan,
                                        std::string ranAt) {
  DetectionFindings out;
  FindingsRun& run = out.run;
  run.model = manifest.name;
  run.modelVersion = manifest.version;
  run.modelSha256 = manifest.weightsSha256;
  run.backend = r.backend;
  run.licence = manifest.licence;
  run.intendedUse = manifest.intendedUse;
  run.warnings = r.warnings;
  run.fpPerScan = fpPerScan;
  run.operatingPoints = manifest.fpAndThresholds();
  run.ranAt = ranAt.empty() ? utcNowIso8601() : std::move(ranAt);
  for (const NoduleFinding& n : r.findings) {
    Finding f;
    f.id = n.id;
    f.centerLps = n.centerLps;
    f.diameterMm = n.diameterMm;
    f.solidDiameterMm = n.solidDiameterMm;
    f.volumeMm3 = n.volumeMm3;
    f.sizeCapped = n.sizeCapped;
    f.sizeSource = n.sizeSource;
    f.type = n.type;
    f.score = n.score;
    f.probability = n.probability;
    out.findings.push_back(f);
  }
  return out;
}

} // namespace lightbox
