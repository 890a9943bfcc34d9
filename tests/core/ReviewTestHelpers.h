// SPDX-License-Identifier: Apache-2.0
// Synthetic findings and runs for the review tests.
#pragma once

#include "core/annotation/Finding.h"

#include <fstream>
#include <sstream>
#include <string>

namespace lightbox::test {

inline Finding makeFinding(const std::string& id, Vec3 centre, double diameterMm, double score,
                           const std::string& type = "solid") {
  Finding f;
  f.id = id;
  f.centerLps = centre;
  f.diameterMm = diameterMm;
  f.solidDiameterMm = type == "solid" ? diameterMm : type == "part-solid" ? diameterMm / 2 : 0;
  f.volumeMm3 = 0.5236 * diameterMm * diameterMm * diameterMm;
  f.type = type;
  f.score = score;
  f.probability = score * 0.9;
  return f;
}

/// A run with the shipped model's kind of operating points (FP per scan, threshold).
inline FindingsRun makeRun(double fpPerScan = 1.0) {
  FindingsRun run;
  run.model = "test-model";
  run.modelVersion = "1.0";
  run.modelSha256 = std::string(64, 'a');
  run.backend = "cpu";
  run.operatingPoints = {{0.5, 0.8}, {1.0, 0.5}, {8.0, 0.1}};
  run.fpPerScan = fpPerScan;
  run.ranAt = "2026-11-30T12:00:00Z";
  return run;
}

inline std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace lightbox::test
