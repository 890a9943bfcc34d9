// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"

#include <string>
#include <vector>

namespace lightbox {

/// A nodule a reference standard says is there.
struct ReferenceNodule {
  std::string id;
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0;
  std::string type;   ///< "solid", "part-solid", "ground-glass" or empty
  int readers = 1;    ///< how many readers marked it (LIDC); 0 for generated ground truth
  /// LUNA16 rule: only nodules >= 3 mm marked by at least 3 of 4 readers count; detections on the
  /// others are neither hits nor false positives.
  bool counts = true;
};

/// Reads reference nodules from an LIDC-IDRI reader XML (pixel outlines mapped to LPS through
/// `geometry`, the series the XML belongs to; only nodules whose centre lies inside the grid's z
/// range are returned) or from a Lightbox ground-truth JSON (the phantom's `phantom.json` or a
/// dataset scan's reference). Throws std::runtime_error naming the file and the problem.
std::vector<ReferenceNodule> readReferenceNodules(const std::string& path, const VolumeGeometry& geometry);

} // namespace lightbox
