// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace lightbox {

/// Voxel storage: CT in HU fits int16 exactly; anything with a non-integer rescale or a wider
/// range is stored as float32.
enum class VoxelType { Int16, Float32 };

/// Pixels + geometry. Values are modality values (rescale applied: HU for CT).
/// A volume knows nothing about how it is displayed.
struct Volume {
  VolumeGeometry geometry;
  std::variant<std::vector<std::int16_t>, std::vector<float>> voxels;
  std::string units; ///< "HU" for CT, empty when the values have no physical unit

  VoxelType voxelType() const {
    return std::holds_alternative<std::vector<std::int16_t>>(voxels) ? VoxelType::Int16
                                                                     : VoxelType::Float32;
  }
  std::size_t bytes() const;
  double value(std::size_t linearIndex) const;
  double value(std::size_t i, std::size_t j, std::size_t k) const {
    return value(i + geometry.size[0] * (j + geometry.size[1] * k));
  }
  /// Minimum and maximum voxel value.
  std::pair<double, double> range() const;
};

} // namespace lightbox
