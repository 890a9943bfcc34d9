// SPDX-License-Identifier: Apache-2.0
#include "core/volume/Volume.h"

#include <algorithm>

namespace lightbox {

std::size_t Volume::bytes() const {
  return std::visit([](const auto& v) { return v.size() * sizeof(v[0]); }, voxels);
}

double Volume::value(std::size_t linearIndex) const {
  return std::visit([linearIndex](const auto& v) { return double(v[linearIndex]); }, voxels);
}

std::pair<double, double> Volume::range() const {
  return std::visit(
      [](const auto& v) -> std::pair<double, double> {
        if (v.empty()) {
          return {0.0, 0.0};
        }
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        return {double(*lo), double(*hi)};
      },
      voxels);
}

} // namespace lightbox
