// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

/// A synthetic nodule of known position and size: ground truth for the AI tests.
struct PhantomNodule {
  std::string id;
  std::string type; ///< "solid", "part-solid" or "ground-glass"
  std::string site; ///< "isolated", "juxta-vascular" or "juxta-pleural"
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0.0;
  double hu = 0.0;          ///< plateau value (the solid core for part-solid)
  double solidCoreMm = 0.0; ///< part-solid only
  bool operator==(const PhantomNodule& o) const {
    return id == o.id && type == o.type && site == o.site && centerLps == o.centerLps &&
           diameterMm == o.diameterMm && hu == o.hu && solidCoreMm == o.solidCoreMm;
  }
};

struct ChestPhantomSpec {
  unsigned matrix = 512;        ///< rows = columns
  unsigned slices = 120;
  double pixelMm = 0.7;
  double sliceMm = 1.25;
  double noiseHu = 12.0;        ///< Gaussian noise SD inside the body
  std::uint32_t seed = 20260101;
  /// DICOM DA of the study: the same patient scanned on another day is a prior or a follow-up
  /// (a new study and series UID every time).
  std::string studyDate = "20260101";
};

struct ChestPhantom {
  VolumeGeometry geometry;          ///< the grid written (LPS; axial, head first)
  std::vector<PhantomNodule> nodules;
  std::string seriesInstanceUid;
  std::vector<std::string> files;
};

/// The nodules a phantom of this spec holds (position, size, type), without writing anything.
std::vector<PhantomNodule> phantomNodules(const ChestPhantomSpec& spec);

/// HU volume of the synthetic chest (row-major, i fastest), deterministic for a given spec.
std::vector<std::int16_t> renderChestPhantom(const ChestPhantomSpec& spec, VolumeGeometry& geometry);

/// Writes the phantom as a CT Image Storage series into `folder`, plus `phantom.json` with the
/// nodule ground truth. Throws std::runtime_error naming the path when writing fails.
ChestPhantom writeChestPhantom(const std::string& folder, const ChestPhantomSpec& spec = {});

} // namespace lightbox
