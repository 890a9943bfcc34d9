// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/ClassicalSegmenter.h"

#include "core/segmentation/VoxelFlood.h"

#include <algorithm>
#include <limits>
#include <chrono>
#include <cmath>
#include <queue>
#include <stdexcept>

namespace lightbox {
namespace {

struct Patch {
  std::size_t nx = 0, ny = 0, nz = 0;
  std::size_t at(std::size_t i, std::size_t j, std::size_t k) const { return i + nx * (j + ny * k); }
  std::size_t size() const { return nx * ny * nz; }
};

/// 6-connected flood of `allowed` from `seed`.
std::vector<std::uint8_t> flood(const Patch& p, const std::vector<std::uint8_t>& allowed, std::size_t seed) {
  return flood6(p.nx, p.ny, p.nz, allowed, seed);
}

/// Erosion (dilate = false) or dilation by an ellipsoid of rx, ry, rz voxels (rz = 0: a disc in
/// the slice).
std::vector<std::uint8_t> morph(const Patch& p, const std::vector<std::uint8_t>& in, double rx, double ry, double rz,
                                bool dilate) {
  std::vector<std::array<long, 3>> offsets;
  const long ix = long(std::floor(rx)), iy = long(std::floor(ry)), iz = long(std::floor(rz));
  for (long dz = -iz; dz <= iz; ++dz)
    for (long dy = -iy; dy <= iy; ++dy)
      for (long dx = -ix; dx <= ix; ++dx) {
        const double e = (dx * dx) / std::max(rx * rx, 1e-9) + (dy * dy) / std::max(ry * ry, 1e-9) +
                         (dz == 0 ? 0.0 : (dz * dz) / std::max(rz * rz, 1e-9));
        if (e <= 1.0 + 1e-9) offsets.push_back({dx, dy, dz});
      }
  std::vector<std::uint8_t> out(p.size(), 0);
  for (std::size_t k = 0; k < p.nz; ++k)
    for (std::size_t j = 0; j < p.ny; ++j)
      for (std::size_t i = 0; i < p.nx; ++i) {
        bool v = !dilate;
        for (const auto& [dx, dy, dz] : offsets) {
          const long a = long(i) + dx, b = long(j) + dy, c = long(k) + dz;
          const bool inside = a >= 0 && b >= 0 && c >= 0 && a < long(p.nx) && b < long(p.ny) && c < long(p.nz) &&
                              in[p.at(std::size_t(a), std::size_t(b), std::size_t(c))];
          if (dilate && inside) { v = true; break; }
          if (!dilate && !inside) { v = false; break; }
        }
        out[p.at(i, j, k)] = v;
      }
  return out;
}

/// Voxels of `within` reachable from `from` by a path inside `within` no longer than `limitMm`
/// (6-connected steps weighted by the spacing): thin parts of the lesion (spicules, lobulations)
/// that an opening removed come back, a vessel only for its first `limitMm`.
std::vector<std::uint8_t> regrow(const Patch& p, const std::vector<std::uint8_t>& from, const std::vector<std::uint8_t>& within,
                                 const Vec3& spacing, double limitMm) {
  std::vector<float> dist(p.size(), std::numeric_limits<float>::infinity());
  using Item = std::pair<float, std::size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (std::size_t n = 0; n < p.size(); ++n)
    if (from[n]) {
      dist[n] = 0;
      queue.push({0.0f, n});
    }
  while (!queue.empty()) {
    const auto top = queue.top(); // not a structured binding: the lambda below uses d (C++17)
    const auto d = top.first;
    const auto n = top.second;
    queue.pop();
    if (d > dist[n]) continue;
    const std::size_t i = n % p.nx, j = (n / p.nx) % p.ny, k = n / (p.nx * p.ny);
    auto step = [&](bool ok, std::size_t m, double len) {
      if (!ok || !within[m]) return;
      const float nd = float(d + len);
      if (nd <= limitMm && nd < dist[m]) {
        dist[m] = nd;
        queue.push({nd, m});
      }
    };
    step(i > 0, n - 1, spacing[0]);
    step(i + 1 < p.nx, n + 1, spacing[0]);
    step(j > 0, n - p.nx, spacing[1]);
    step(j + 1 < p.ny, n + p.nx, spacing[1]);
    step(k > 0, n - p.nx * p.ny, spacing[2]);
    step(k + 1 < p.nz, n + p.nx * p.ny, spacing[2]);
  }
  std::vector<std::uint8_t> out(p.size());
  for (std::size_t n = 0; n < p.size(); ++n) out[n] = dist[n] <= limitMm;
  return out;
}

bool touchesLimit(const Patch& p, const std::vector<std::uint8_t>& m, const std::vector<std::uint8_t>& limitShell) {
  for (std::size_t n = 0; n < p.size(); ++n)
    if (m[n] && limitShell[n]) return true;
  return false;
}

void fillHolesPerSlice(const Patch& p, std::vector<std::uint8_t>& m) {
  std::vector<std::uint8_t> outside(p.nx * p.ny);
  std::vector<std::size_t> stack;
  for (std::size_t k = 0; k < p.nz; ++k) {
    std::fill(outside.begin(), outside.end(), 0);
    auto seed = [&](std::size_t i, std::size_t j) {
      const std::size_t n = i + p.nx * j;
      if (!m[p.at(i, j, k)] && !outside[n]) {
        outside[n] = 1;
        stack.push_back(n);
      }
    };
    for (std::size_t i = 0; i < p.nx; ++i) { seed(i, 0); seed(i, p.ny - 1); }
    for (std::size_t j = 0; j < p.ny; ++j) { seed(0, j); seed(p.nx - 1, j); }
    while (!stack.empty()) {
      const std::size_t n = stack.back();
      stack.pop_back();
      const std::size_t i = n % p.nx, j = n / p.nx;
      if (i > 0) seed(i - 1, j);
      if (i + 1 < p.nx) seed(i + 1, j);
      if (j > 0) seed(i, j - 1);
      if (j + 1 < p.ny) seed(i, j + 1);
    }
    for (std::size_t j = 0; j < p.ny; ++j)
      for (std::size_t i = 0; i < p.nx; ++i)
        if (!outside[i + p.nx * j]) m[p.at(i, j, k)] = 1;
  }
}

} // namespace

LesionMask segmentClassical(const Volume& image, const Vec3& seedLps, const ClassicalOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const VolumeGeometry& g = image.geometry;
  const Vec3 c = g.lpsToIjk(seedLps);
  long seed[3];
  for (int a = 0; a < 3; ++a) {
    seed[a] = std::lround(c[a]);
    if (seed[a] < 0 || seed[a] >= long(g.size[a])) {
      throw std::invalid_argument("the seed point lies outside the series");
    }
  }
  LesionMask out;
  out.engine = "classical";
  out.engineVersion = "1";
  long lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    const long r = long(std::ceil(options.searchRadiusMm / g.spacing[a]));
    lo[a] = std::max(0L, seed[a] - r);
    hi[a] = std::min(long(g.size[a]), seed[a] + r + 1);
  }
  Patch p{std::size_t(hi[0] - lo[0]), std::size_t(hi[1] - lo[1]), std::size_t(hi[2] - lo[2])};
  for (int a = 0; a < 3; ++a) {
    out.box.lo[a] = std::size_t(lo[a]);
    out.box.hi[a] = std::size_t(hi[a]);
  }
  // Patch values, lightly smoothed in-plane (3x3 mean) against noise on sharp kernels.
  std::vector<float> raw(p.size()), v(p.size());
  for (std::size_t k = 0; k < p.nz; ++k)
    for (std::size_t j = 0; j < p.ny; ++j)
      for (std::size_t i = 0; i < p.nx; ++i)
        raw[p.at(i, j, k)] = float(image.value(std::size_t(lo[0]) + i, std::size_t(lo[1]) + j, std::size_t(lo[2]) + k));
  for (std::size_t k = 0; k < p.nz; ++k)
    for (std::size_t j = 0; j < p.ny; ++j)
      for (std::size_t i = 0; i < p.nx; ++i) {
        double s = 0;
        int n = 0;
        for (long dj = -1; dj <= 1; ++dj)
          for (long di = -1; di <= 1; ++di) {
            const long a = long(i) + di, b = long(j) + dj;
            if (a < 0 || b < 0 || a >= long(p.nx) || b >= long(p.ny)) continue;
            s += raw[p.at(std::size_t(a), std::size_t(b), k)];
            ++n;
          }
        v[p.at(i, j, k)] = float(s / n);
      }
  const std::size_t seedN = p.at(std::size_t(seed[0] - lo[0]), std::size_t(seed[1] - lo[1]), std::size_t(seed[2] - lo[2]));
  // Search ball (in mm) and its outer shell: a region that reaches the shell has leaked.
  std::vector<std::uint8_t> ball(p.size(), 0), shell(p.size(), 0);
  std::vector<float> around;
  for (std::size_t k = 0; k < p.nz; ++k)
    for (std::size_t j = 0; j < p.ny; ++j)
      for (std::size_t i = 0; i < p.nx; ++i) {
        const Vec3 d = g.ijkToLps({double(lo[0]) + double(i), double(lo[1]) + double(j), double(lo[2]) + double(k)}) - seedLps;
        const double r = norm(d);
        const std::size_t n = p.at(i, j, k);
        ball[n] = r <= options.searchRadiusMm;
        shell[n] = ball[n] && r > options.searchRadiusMm - 1.5 * std::max(g.spacing[0], g.spacing[1]);
        if (ball[n]) around.push_back(v[n]);
      }
  // Lesion value: median of the click's 3x3x3 neighbourhood.
  std::vector<float> centre;
  for (long dk = -1; dk <= 1; ++dk)
    for (long dj = -1; dj <= 1; ++dj)
      for (long di = -1; di <= 1; ++di) {
        const long a = seed[0] - lo[0] + di, b = seed[1] - lo[1] + dj, cc = seed[2] - lo[2] + dk;
        if (a < 0 || b < 0 || cc < 0 || a >= long(p.nx) || b >= long(p.ny) || cc >= long(p.nz)) continue;
        centre.push_back(v[p.at(std::size_t(a), std::size_t(b), std::size_t(cc))]);
      }
  std::nth_element(centre.begin(), centre.begin() + long(centre.size() / 2), centre.end());
  const double lesion = centre[centre.size() / 2];
  std::sort(around.begin(), around.end());
  const double median = around[around.size() / 2];
  out.brighter = lesion >= median;
  // Surroundings: the most common value on the far side of the lesion's (the tissue the lesion
  // sits in: lung, liver, brain), from a histogram of the search ball between its 2nd and 98th
  // percentiles; a low (high) percentile would be air or fluid wherever the ball reaches them.
  const double lowValue = around[std::size_t(double(around.size() - 1) * 0.02)];
  const double highValue = around[std::size_t(double(around.size() - 1) * 0.98)];
  double background = around[std::size_t(double(around.size() - 1) * (out.brighter ? 0.25 : 0.75))];
  if (highValue > lowValue) {
    constexpr int kBins = 100;
    std::vector<double> histogram(kBins, 0.0);
    const double width = (highValue - lowValue) / kBins;
    for (float x : around) {
      if (x < lowValue || x > highValue || (out.brighter ? x >= lesion : x <= lesion)) continue;
      histogram[std::size_t(std::min(kBins - 1, int((x - lowValue) / width)))] += 1;
    }
    int peak = -1;
    double best = 0;
    for (int b = 0; b < kBins; ++b) {
      double sum = 0;
      for (int d = -2; d <= 2; ++d) sum += histogram[std::size_t(std::clamp(b + d, 0, kBins - 1))];
      if (sum > best) best = sum, peak = b;
    }
    if (peak >= 0) background = lowValue + (peak + 0.5) * width;
  }
  // 40 % of the way from the surroundings to the lesion: a little outside the half-way (physical)
  // edge, as readers outline "just outside" a lesion (chosen on the LIDC lesion, where 0.3-0.5
  // were tried: see the notes).
  out.threshold = background + 0.4 * (lesion - background);
  std::vector<std::uint8_t> allowed(p.size());
  for (std::size_t n = 0; n < p.size(); ++n) {
    allowed[n] = ball[n] && (out.brighter ? v[n] >= out.threshold : v[n] <= out.threshold);
  }
  allowed[seedN] = 1;
  const std::vector<std::uint8_t> grown = flood(p, allowed, seedN);
  std::vector<std::uint8_t> best = grown;
  // Split from touching vessels / wall: the smallest in-plane opening (by reconstruction from the
  // click's component) whose result stays off the search limit.
  if (touchesLimit(p, grown, shell)) {
    bool split = false;
    for (double rMm : {1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0}) {
      const double rx = rMm / g.spacing[0], ry = rMm / g.spacing[1];
      // Erode in the slice (thin slices keep their core), dilate back in 3D: the lesion's first
      // and last slices, too small to survive the erosion, come back from their neighbours.
      const std::vector<std::uint8_t> eroded = morph(p, grown, rx, ry, 0.0, false);
      // The eroded voxel nearest the click seeds the component.
      std::size_t nearest = p.size();
      double bestD = 1e300;
      for (std::size_t n = 0; n < p.size(); ++n) {
        if (!eroded[n]) continue;
        const double di = double(n % p.nx) - double(seed[0] - lo[0]), dj = double((n / p.nx) % p.ny) - double(seed[1] - lo[1]),
                     dk = double(n / (p.nx * p.ny)) - double(seed[2] - lo[2]);
        const double d = std::pow(di * g.spacing[0], 2) + std::pow(dj * g.spacing[1], 2) + std::pow(dk * g.spacing[2], 2);
        if (d < bestD) { bestD = d; nearest = n; }
      }
      if (nearest == p.size() || bestD > rMm * rMm * 4 + 4) break; // nothing of the lesion survives
      std::vector<std::uint8_t> core = flood(p, eroded, nearest);
      std::vector<std::uint8_t> opened = morph(p, core, rx, ry, rMm / g.spacing[2], true);
      for (std::size_t n = 0; n < p.size(); ++n) opened[n] = opened[n] && grown[n];
      opened = flood(p, opened, opened[seedN] ? seedN : nearest);
      best = opened;
      out.splitRadiusMm = rMm;
      if (!touchesLimit(p, opened, shell)) {
        split = true;
        const std::vector<std::uint8_t> full = regrow(p, opened, grown, g.spacing, 0.5 * rMm);
        if (!touchesLimit(p, full, shell)) best = full;
        break;
      }
    }
    if (!split) out.warning = "the region reaches the search limit: the lesion could not be separated from its surroundings";
  }
  fillHolesPerSlice(p, best);
  out.mask = std::move(best);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::vector<std::uint8_t> fullGridMask(const VolumeGeometry& g, const LesionMask& lesion) {
  std::vector<std::uint8_t> full(g.voxelCount(), 0);
  std::size_t m = 0;
  for (std::size_t k = lesion.box.lo[2]; k < lesion.box.hi[2]; ++k)
    for (std::size_t j = lesion.box.lo[1]; j < lesion.box.hi[1]; ++j)
      for (std::size_t i = lesion.box.lo[0]; i < lesion.box.hi[0]; ++i, ++m)
        full[i + g.size[0] * (j + g.size[1] * k)] = lesion.mask[m];
  return full;
}

Segment engineSegment(std::uint8_t label, std::string name, const std::uint8_t rgb[3], const LesionMask& lesion,
                      std::size_t voxels) {
  Segment s;
  s.label = label;
  s.name = std::move(name);
  for (int c = 0; c < 3; ++c) s.rgb[c] = rgb[c];
  s.origin = SegmentOrigin::Automatic;
  s.algorithm = lesion.engine;
  s.algorithmVersion = lesion.engineVersion;
  s.weightsSha256 = lesion.weightsSha256;
  s.automaticVoxels = voxels;
  return s;
}

} // namespace lightbox
