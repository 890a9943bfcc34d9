// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace lightbox {

/// Competing geodesic fronts inside a mask (the correction step of interactive segmentation,
/// as in GeoS and DeepIGeoS): fronts start from the "keep" voxels and from the "claim" voxels
/// at once and grow through the mask's 26-connected voxels, each voxel going to the front that
/// reaches it first. A step between neighbours p and q costs its length in mm times
/// 1 + contrastWeight * min(|value(p) - value(q)| / valueScale, 4): a front crosses an edge in
/// the image only at a price, so where the image shows one the split follows it; where it shows
/// none the split falls halfway between the two fronts' sources.
struct GeodesicGrid {
  std::array<std::size_t, 3> size{0, 0, 0}; ///< x fastest
  std::array<double, 3> spacingMm{1, 1, 1};
};

/// 1 for the mask voxels the claim front reaches first (the part a remove click at `claim` takes
/// away), else 0. `values` (same box; may be empty: lengths only) and its `valueScale` > 0 set the
/// edge cost; `keep` and `claim` are voxel indices (those outside the mask are ignored). Voxels
/// no front reaches (another component) are not claimed; without a claim source in the mask
/// nothing is, without a keep source the whole component of the claims is. The claim front stops
/// at a geodesic distance of `claimReachMm`. When more than `maxVoxels` mask voxels (0: no limit)
/// lie within that reach of the claims (along each axis), the split is made on cells of several
/// voxels (about maxVoxels of them there, each as wide along every axis finer than that; a cell is
/// in the mask when one of its voxels is, its value is their mean), each voxel taking its cell's
/// side: there a gap in the mask narrower than a cell no longer parts two components, and a keep
/// source in the claim's own cell leaves nothing claimed.
std::vector<std::uint8_t>
geodesicClaim(const GeodesicGrid& grid, const std::vector<std::uint8_t>& mask,
              const std::vector<float>& values, double valueScale, double contrastWeight,
              const std::vector<std::size_t>& keep, const std::vector<std::size_t>& claim,
              double claimReachMm = std::numeric_limits<double>::infinity(),
              std::size_t maxVoxels = 0);

} // namespace lightbox
