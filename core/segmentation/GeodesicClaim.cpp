// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/GeodesicClaim.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>
#include <utility>

namespace lightbox {
namespace {

std::vector<std::uint8_t> claimOnGrid(const GeodesicGrid& grid,
                                      const std::vector<std::uint8_t>& mask,
                                      const std::vector<float>& values, double valueScale,
                                      double contrastWeight, const std::vector<std::size_t>& keep,
                                      const std::vector<std::size_t>& claim, double claimReachMm) {
  const std::size_t nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];
  const std::size_t count = nx * ny * nz;
  const bool weighted = !values.empty() && contrastWeight > 0 && valueScale > 0;
  constexpr float kFar = std::numeric_limits<float>::infinity();
  std::vector<float> distance(count, kFar);
  // 0 unreached, 1 keep, 2 claim; a voxel is final when popped at its own distance.
  std::vector<std::uint8_t> owner(count, 0);
  using Entry = std::pair<float, std::size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> front;
  auto start = [&](const std::vector<std::size_t>& sources, std::uint8_t who) {
    for (std::size_t q : sources) {
      if (q >= count || !mask[q] || owner[q] == who)
        continue;
      distance[q] = 0.0f;
      owner[q] = who;
      front.push({0.0f, q});
    }
  };
  // Claims first: a voxel that is both stays with the keep front (a remove click on a positive
  // click's voxel must not take it).
  start(claim, 2);
  start(keep, 1);
  if (std::none_of(owner.begin(), owner.end(), [](std::uint8_t o) { return o == 2; }))
    return std::vector<std::uint8_t>(count, 0);

  struct Step {
    long dx, dy, dz;
    float length;
  };
  std::vector<Step> steps;
  for (long dz = -1; dz <= 1; ++dz)
    for (long dy = -1; dy <= 1; ++dy)
      for (long dx = -1; dx <= 1; ++dx) {
        if (!dx && !dy && !dz)
          continue;
        const double l = std::sqrt(std::pow(double(dx) * grid.spacingMm[0], 2) +
                                   std::pow(double(dy) * grid.spacingMm[1], 2) +
                                   std::pow(double(dz) * grid.spacingMm[2], 2));
        steps.push_back({dx, dy, dz, float(l)});
      }
  std::vector<std::uint8_t> done(count, 0);
  while (!front.empty()) {
    const auto [d, q] = front.top();
    front.pop();
    if (done[q] || d > distance[q])
      continue;
    if (double(d) > claimReachMm)
      break; // nothing further can be claimed: the keep front's territory is not needed

    done[q] = 1;
    const long x = long(q % nx), y = long((q / nx) % ny), z = long(q / (nx * ny));
    for (const Step& s : steps) {
      const long a = x + s.dx, b = y + s.dy, c = z + s.dz;
      if (a < 0 || b < 0 || c < 0 || a >= long(nx) || b >= long(ny) || c >= long(nz))
        continue;
      const std::size_t r = std::size_t(a) + nx * (std::size_t(b) + ny * std::size_t(c));
      if (!mask[r] || done[r])
        continue;
      float cost = s.length;
      if (weighted)
        cost *= float(
            1.0 + contrastWeight *
                      std::min(std::abs(double(values[r]) - double(values[q])) / valueScale, 4.0));
      if (owner[q] == 2 && double(d + cost) > claimReachMm)
        continue;
      if (d + cost < distance[r]) {
        distance[r] = d + cost;
        owner[r] = owner[q];
        front.push({distance[r], r});
      }
    }
  }
  std::vector<std::uint8_t> out(count, 0);
  for (std::size_t q = 0; q < count; ++q)
    out[q] = owner[q] == 2;
  return out;
}

} // namespace

std::vector<std::uint8_t> geodesicClaim(const GeodesicGrid& grid,
                                        const std::vector<std::uint8_t>& mask,
                                        const std::vector<float>& values, double valueScale,
                                        double contrastWeight, const std::vector<std::size_t>& keep,
                                        const std::vector<std::size_t>& claim, double claimReachMm,
                                        std::size_t maxVoxels) {
  const std::size_t count = grid.size[0] * grid.size[1] * grid.size[2];
  if (mask.size() != count || (!values.empty() && values.size() != count))
    throw std::invalid_argument("geodesicClaim: the mask and the values must cover the grid");
  // The voxels the fronts may visit: the mask, or its part within reach of the claims.
  std::size_t inMask = 0;
  {
    std::array<long, 3> lo{0, 0, 0},
        hi{long(grid.size[0]) - 1, long(grid.size[1]) - 1, long(grid.size[2]) - 1};
    if (std::isfinite(claimReachMm) && !claim.empty()) {
      std::array<long, 3> clo{hi}, chi{0, 0, 0};
      for (std::size_t q : claim) {
        if (q >= count)
          continue;
        const long at[3] = {long(q % grid.size[0]), long((q / grid.size[0]) % grid.size[1]),
                            long(q / (grid.size[0] * grid.size[1]))};
        for (int a = 0; a < 3; ++a) {
          const double cells = std::ceil(claimReachMm / std::max(grid.spacingMm[a], 1e-9));
          const long r = long(std::min(cells, double(grid.size[a])));
          clo[a] = std::min(clo[a], std::max(lo[a], at[a] - r));
          chi[a] = std::max(chi[a], std::min(hi[a], at[a] + r));
        }
      }
      lo = clo, hi = chi;
    }
    for (long k = lo[2]; k <= hi[2]; ++k)
      for (long j = lo[1]; j <= hi[1]; ++j)
        for (long i = lo[0]; i <= hi[0]; ++i)
          inMask += mask[std::size_t(i) +
                         grid.size[0] * (std::size_t(j) + grid.size[1] * std::size_t(k))] != 0;
  }
  if (maxVoxels == 0 || inMask <= maxVoxels)
    return claimOnGrid(grid, mask, values, valueScale, contrastWeight, keep, claim, claimReachMm);
  // Cells of f[0] x f[1] x f[2] voxels, about `target` mm wide along each axis that is finer.
  const double volume = double(inMask) * grid.spacingMm[0] * grid.spacingMm[1] * grid.spacingMm[2];
  const double target = std::cbrt(volume / double(maxVoxels));
  std::array<std::size_t, 3> f{1, 1, 1};
  GeodesicGrid coarse;
  for (int a = 0; a < 3; ++a) {
    f[a] = std::max<std::size_t>(1, std::size_t(std::ceil(target / grid.spacingMm[a] - 1e-9)));
    coarse.size[a] = (grid.size[a] + f[a] - 1) / f[a];
    coarse.spacingMm[a] = grid.spacingMm[a] * double(f[a]);
  }
  const std::size_t cx = coarse.size[0], cy = coarse.size[1];
  auto cellOf = [&](std::size_t q) {
    const std::size_t i = q % grid.size[0], j = (q / grid.size[0]) % grid.size[1],
                      k = q / (grid.size[0] * grid.size[1]);
    return i / f[0] + cx * (j / f[1] + cy * (k / f[2]));
  };
  // A cell is in the mask when any of its voxels is; its value is its mask voxels' mean.
  const std::size_t cells = coarse.size[0] * coarse.size[1] * coarse.size[2];
  std::vector<std::uint8_t> cmask(cells, 0);
  std::vector<double> sum(values.empty() ? 0 : cells, 0.0);
  std::vector<std::uint32_t> n(cells, 0);
  for (std::size_t q = 0; q < count; ++q) {
    if (!mask[q])
      continue;
    const std::size_t c = cellOf(q);
    cmask[c] = 1;
    ++n[c];
    if (!values.empty())
      sum[c] += values[q];
  }
  std::vector<float> cvalues;
  if (!values.empty()) {
    cvalues.assign(cells, 0.0f);
    for (std::size_t c = 0; c < cells; ++c)
      if (n[c])
        cvalues[c] = float(sum[c] / double(n[c]));
  }
  auto cellsOf = [&](const std::vector<std::size_t>& sources) {
    std::vector<std::size_t> out;
    for (std::size_t q : sources)
      if (q < count && mask[q])
        out.push_back(cellOf(q));
    return out;
  };
  const std::vector<std::uint8_t> claimed =
      claimOnGrid(coarse, cmask, cvalues, valueScale, contrastWeight, cellsOf(keep), cellsOf(claim),
                  claimReachMm);
  std::vector<std::uint8_t> out(count, 0);
  for (std::size_t q = 0; q < count; ++q)
    out[q] = mask[q] && claimed[cellOf(q)];
  return out;
}

} // namespace lightbox
