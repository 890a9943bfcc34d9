// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/NoduleDetector.h"

#include "ai/runtime/ModelRunner.h"
#include "core/util/ParallelFor.h"
#include "core/volume/Trilinear.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Separable Gaussian smoothing of a scalar grid, sigma in voxels, borders clamped. In place on
/// the copy it returns (one grid of floats, not three: the detector's peak memory on a long CT).
/// Each pass convolves a whole row of x at a time (the x pass: one row; the y pass: a slice's rows;
/// the z pass: one row at every z), so the inner loop runs over contiguous x and vectorises. Every
/// output voxel is summed as before, tap by tap from -radius to +radius, each float product added
/// in double: the result is the same to the bit as a voxel-by-voxel loop.
std::vector<float> gaussian(const std::vector<float>& in, const std::array<std::size_t, 3>& n, double sigma,
                            unsigned threads) {
  const int radius = std::max(1, int(std::ceil(3.0 * sigma)));
  std::vector<float> kernel(2 * radius + 1);
  double sum = 0;
  for (int t = -radius; t <= radius; ++t) {
    sum += kernel[t + radius] = float(std::exp(-0.5 * t * t / (sigma * sigma)));
  }
  for (float& k : kernel) k = float(k / sum);
  std::vector<float> a = in;
  const std::size_t nx = n[0], ny = n[1], nz = n[2];
  // x: each row padded with its end values, then every tap added over the whole row.
  parallelFor(ny * nz, threads, [&](std::size_t row) {
    thread_local std::vector<float> padded;
    thread_local std::vector<double> acc;
    float* line = &a[row * nx];
    padded.resize(nx + 2 * std::size_t(radius));
    for (int t = 0; t < radius; ++t) {
      padded[std::size_t(t)] = line[0];
      padded[nx + std::size_t(radius + t)] = line[nx - 1];
    }
    std::copy(line, line + nx, padded.begin() + radius);
    acc.assign(nx, 0.0);
    for (int o = 0; o <= 2 * radius; ++o) {
      const float w = kernel[std::size_t(o)];
      const float* src = padded.data() + o;
      double* dst = acc.data();
      for (std::size_t t = 0; t < nx; ++t)
        dst[t] += double(w * src[t]);
    }
    for (std::size_t t = 0; t < nx; ++t)
      line[t] = float(acc[t]);
  });
  // y and z: the rows along the axis (len of them, each nx floats, `step` floats apart from
  // `first`) are copied out, then each output row sums the clamped input rows.
  auto alongRows = [&](float* first, std::size_t len, std::size_t step) {
    thread_local std::vector<float> rows;
    thread_local std::vector<double> acc;
    rows.resize(len * nx);
    for (std::size_t t = 0; t < len; ++t)
      std::copy(first + t * step, first + t * step + nx, &rows[t * nx]);
    acc.resize(nx);
    for (std::size_t t = 0; t < len; ++t) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int o = -radius; o <= radius; ++o) {
        const float w = kernel[std::size_t(o + radius)];
        const std::size_t q = std::size_t(std::clamp<long>(long(t) + o, 0, long(len) - 1));
        const float* src = &rows[q * nx];
        double* dst = acc.data();
        for (std::size_t i = 0; i < nx; ++i)
          dst[i] += double(w * src[i]);
      }
      float* out = first + t * step;
      for (std::size_t i = 0; i < nx; ++i)
        out[i] = float(acc[i]);
    }
  };
  parallelFor(nz, threads, [&](std::size_t k) { alongRows(&a[k * nx * ny], ny, nx); });
  parallelFor(ny, threads, [&](std::size_t j) { alongRows(&a[j * nx], nz, nx * ny); });
  return a;
}

/// Eigenvalues of a symmetric 3x3 matrix, descending (l1 >= l2 >= l3).
void eigenSymmetric(double a, double b, double c, double d, double e, double f, double& l1, double& l2, double& l3) {
  const double p1 = d * d + e * e + f * f;
  const double q = (a + b + c) / 3.0;
  const double p2 = (a - q) * (a - q) + (b - q) * (b - q) + (c - q) * (c - q) + 2.0 * p1;
  if (p2 < 1e-30) {
    l1 = l2 = l3 = q;
    return;
  }
  const double p = std::sqrt(p2 / 6.0);
  const double ba = (a - q) / p, bb = (b - q) / p, bc = (c - q) / p, bd = d / p, be = e / p, bf = f / p;
  const double det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const double r = std::clamp(det / 2.0, -1.0, 1.0);
  const double phi = std::acos(r) / 3.0;
  l1 = q + 2.0 * p * std::cos(phi);
  l3 = q + 2.0 * p * std::cos(phi + 2.0 * kPi / 3.0);
  l2 = 3.0 * q - l1 - l3;
}

} // namespace

PreparedScan prepareScan(const Volume& hu, const NoduleDetectorSettings& settings) {
  PreparedScan out;
  const VolumeGeometry& g = hu.geometry;
  Mask air = lungAirMask(hu, settings.threads);
  std::array<std::size_t, 3> lo{g.size[0], g.size[1], g.size[2]}, hi{0, 0, 0};
  std::size_t airCount = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        if (air[i + g.size[0] * (j + g.size[1] * k)]) {
          ++airCount;
          lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
          hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        }
      }
    }
  }
  const double voxelMl = g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000.0;
  if (airCount * voxelMl < 5.0) {
    return out; // no lung: nothing to look at
  }
  // The lungs' box plus a margin, in the scan's index space.
  Vec3 from, to;
  for (int a = 0; a < 3; ++a) {
    const double margin = 15.0 / g.spacing[a];
    from[a] = std::max(0.0, double(lo[a]) - margin);
    to[a] = std::min(double(g.size[a] - 1), double(hi[a]) + margin);
  }
  const double s = settings.spacingMm;
  out.grid = g;
  out.grid.origin = g.ijkToLps(from);
  out.grid.spacing = {s, s, s};
  for (int a = 0; a < 3; ++a) {
    out.grid.size[a] = std::size_t(std::floor((to[a] - from[a]) * g.spacing[a] / s + 1e-6)) + 1;
  }
  const std::array<std::size_t, 3> n = out.grid.size;
  out.hu.size = n;
  out.hu.data.resize(out.grid.voxelCount());
  Mask airIso(out.grid.voxelCount());
  parallelFor(n[2], settings.threads, [&](std::size_t k) {
    for (std::size_t j = 0; j < n[1]; ++j) {
      for (std::size_t i = 0; i < n[0]; ++i) {
        const Vec3 p{from[0] + double(i) * s / g.spacing[0], from[1] + double(j) * s / g.spacing[1],
                     from[2] + double(k) * s / g.spacing[2]};
        const std::size_t q = i + n[0] * (j + n[1] * k);
        out.hu.data[q] = float(std::visit([&](const auto& v) { return trilinear(v.data(), g, p); }, hu.voxels));
        const std::size_t ni = std::min(g.size[0] - 1, std::size_t(std::lround(p[0])));
        const std::size_t nj = std::min(g.size[1] - 1, std::size_t(std::lround(p[1])));
        const std::size_t nk = std::min(g.size[2] - 1, std::size_t(std::lround(p[2])));
        airIso[q] = air[ni + g.size[0] * (nj + g.size[1] * nk)];
      }
    }
  });
  // The scan-grid and iso-grid air masks are done with (a byte a voxel each: 262 MB for a
  // 1000-slice 512 x 512 CT).
  Mask().swap(air);
  out.lung = closeLungMask(airIso, n, out.grid.spacing, 12.0, settings.threads);
  Mask().swap(airIso);
  out.lungVolumeMl = double(std::count(out.lung.begin(), out.lung.end(), 1)) * s * s * s / 1000.0;

  // Multi-scale Hessian "dot" filter (Li, Sone & Doi 2003) on the lungs only: bright blobs have
  // three strongly negative eigenvalues, vessels two, walls one.
  std::vector<float> base(out.hu.data.size());
  for (std::size_t q = 0; q < base.size(); ++q) {
    // Saturating at -600 HU makes ground glass as bright as solid tissue for the filter, so
    // candidates are ranked by shape, not by density (faint nodules would otherwise rank below
    // hundreds of vessel branchings).
    base[q] = out.lung[q] ? float(std::clamp((double(out.hu.data[q]) + 950.0) / 350.0, 0.0, 1.0)) : 0.0f;
  }
  // The best response and which scale gave it (an index into kScalesMm: a byte, not a float).
  constexpr double kScalesMm[] = {1.0, 1.6, 2.6, 4.2, 6.5};
  std::vector<float> best(base.size(), 0.0f);
  std::vector<std::uint8_t> bestScale(base.size(), 0);
  const std::size_t sx = 1, sy = n[0], sz = n[0] * n[1];
  for (std::uint8_t scale = 0; scale < std::size(kScalesMm); ++scale) {
    const double sigmaMm = kScalesMm[scale];
    const double sigma = sigmaMm / s;
    const std::vector<float> G = gaussian(base, n, sigma, settings.threads);
    parallelFor(n[2], settings.threads, [&](std::size_t k) {
      if (k == 0 || k + 1 >= n[2]) return;
      for (std::size_t j = 1; j + 1 < n[1]; ++j) {
        for (std::size_t i = 1; i + 1 < n[0]; ++i) {
          const std::size_t q = i + n[0] * (j + n[1] * k);
          if (!out.lung[q]) continue;
          const double c = G[q];
          const double xx = G[q + sx] - 2 * c + G[q - sx];
          const double yy = G[q + sy] - 2 * c + G[q - sy];
          const double zz = G[q + sz] - 2 * c + G[q - sz];
          // The largest eigenvalue is at least every diagonal entry: a blob needs all three
          // negative (most lung voxels fail here, before the trigonometry).
          if (xx >= 0 || yy >= 0 || zz >= 0)
            continue;
          const double xy = 0.25 * (G[q + sx + sy] - G[q + sx - sy] - G[q - sx + sy] + G[q - sx - sy]);
          const double xz = 0.25 * (G[q + sx + sz] - G[q + sx - sz] - G[q - sx + sz] + G[q - sx - sz]);
          const double yz = 0.25 * (G[q + sy + sz] - G[q + sy - sz] - G[q - sy + sz] + G[q - sy - sz]);
          double l1, l2, l3;
          eigenSymmetric(xx, yy, zz, xy, xz, yz, l1, l2, l3);
          if (l1 >= 0) continue;
          const double dot = sigma * sigma * l1 * l1 / -l3;
          if (dot > best[q]) {
            best[q] = float(dot);
            bestScale[q] = scale;
          }
        }
      }
    });
  }
  std::vector<NoduleCandidate> maxima;
  for (std::size_t k = 1; k + 1 < n[2]; ++k) {
    for (std::size_t j = 1; j + 1 < n[1]; ++j) {
      for (std::size_t i = 1; i + 1 < n[0]; ++i) {
        const std::size_t q = i + n[0] * (j + n[1] * k);
        const float r = best[q];
        if (r < settings.minResponse || out.hu.data[q] < -750.0f) continue;
        bool isMax = true;
        for (int dz = -1; dz <= 1 && isMax; ++dz)
          for (int dy = -1; dy <= 1 && isMax; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              if (best[q + dx * sx + dy * sy + dz * sz] > r) {
                isMax = false;
                break;
              }
            }
        if (isMax) {
          maxima.push_back({out.grid.ijkToLps({double(i), double(j), double(k)}),
                            float(kScalesMm[bestScale[q]]) * std::sqrt(3.0), r});
        }
      }
    }
  }
  std::sort(maxima.begin(), maxima.end(), [](const auto& a, const auto& b) { return a.response > b.response; });
  out.maxima = maxima.size();
  for (const NoduleCandidate& c : maxima) {
    if (out.candidates.size() >= settings.maxCandidates) break;
    const bool near = std::any_of(out.candidates.begin(), out.candidates.end(), [&](const NoduleCandidate& o) {
      return norm(o.centerLps - c.centerLps) < std::max(3.0, 0.5 * o.radiusMm);
    });
    if (!near) out.candidates.push_back(c);
  }
  return out;
}

PatchSources patchSources(const PreparedScan& scan, const std::vector<int>& scales, unsigned threads) {
  PatchSources out;
  const auto& n = scan.grid.size;
  for (int scaleIn : scales) {
    PatchSources::Level level;
    level.scale = std::max(1, scaleIn);
    const long s = level.scale, pad = s - 1;
    for (int a = 0; a < 3; ++a) level.size[a] = n[a] + std::size_t(pad);
    if (s == 1) { // the grid itself: no copy
      out.levels.push_back(std::move(level));
      continue;
    }
    const auto& m = level.size;
    level.mean.resize(m[0] * m[1] * m[2]);
    auto at = [&](long i, long j, long k) {
      if (i < 0 || j < 0 || k < 0 || i >= long(n[0]) || j >= long(n[1]) || k >= long(n[2])) return -1000.0f;
      return scan.hu.data[std::size_t(i) + n[0] * (std::size_t(j) + n[1] * std::size_t(k))];
    };
    const float norm = 1.0f / float(s * s * s);
    parallelFor(m[2], threads, [&](std::size_t kk) {
      for (std::size_t jj = 0; jj < m[1]; ++jj) {
        for (std::size_t ii = 0; ii < m[0]; ++ii) {
          const long i0 = long(ii) - pad, j0 = long(jj) - pad, k0 = long(kk) - pad;
          float sum = 0;
          for (long dk = 0; dk < s; ++dk)
            for (long dj = 0; dj < s; ++dj)
              for (long di = 0; di < s; ++di) sum += at(i0 + di, j0 + dj, k0 + dk);
          level.mean[ii + m[0] * (jj + m[1] * kk)] = sum * norm;
        }
      }
    });
    out.levels.push_back(std::move(level));
  }
  return out;
}

Tensor cutPatches(const PreparedScan& scan, const std::vector<Vec3>& centers, std::size_t p,
                  const std::vector<int>& scales) {
  return cutPatches(scan, patchSources(scan, scales), centers, p);
}

Tensor cutPatches(const PreparedScan& scan, const PatchSources& sources, const std::vector<Vec3>& centers,
                  std::size_t p, unsigned threads) {
  const std::size_t channels = sources.levels.size();
  Tensor t;
  t.shape = {std::int64_t(centers.size()), std::int64_t(channels), std::int64_t(p), std::int64_t(p), std::int64_t(p)};
  t.data.assign(centers.size() * channels * p * p * p, -1000.0f);
  parallelFor(centers.size(), threads, [&](std::size_t c) {
    const Vec3 ijk = scan.grid.lpsToIjk(centers[c]);
    const long ci = std::lround(ijk[0]), cj = std::lround(ijk[1]), ck = std::lround(ijk[2]);
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const PatchSources::Level& level = sources.levels[ch];
      const long s = level.scale, pad = s - 1;
      const auto& m = level.size;
      // Sample x covers grid voxels start + s*x .. start + s*x + s-1, i.e. the block mean stored
      // at start + s*x + pad; the patch's centre is the same point (ci - 0.5) at every scale.
      const long start = -long(p / 2) * s + pad;
      float* dst = &t.data[(c * channels + ch) * p * p * p];
      for (std::size_t z = 0; z < p; ++z) {
        const long k = ck + start + long(z) * s;
        if (k < 0 || k >= long(m[2])) continue;
        for (std::size_t y = 0; y < p; ++y) {
          const long j = cj + start + long(y) * s;
          if (j < 0 || j >= long(m[1])) continue;
          const float* row = (level.mean.empty() ? scan.hu.data.data() : level.mean.data()) +
                             m[0] * (std::size_t(j) + m[1] * std::size_t(k));
          for (std::size_t x = 0; x < p; ++x) {
            const long i = ci + start + long(x) * s;
            if (i >= 0 && i < long(m[0])) dst[x + p * (y + p * z)] = row[i];
          }
        }
      }
    }
  });
  return t;
}

NoduleMeasurement measureNodule(const PreparedScan& scan, const Vec3& center, double hint) {
  const auto& n = scan.grid.size;
  const double s = scan.grid.spacing[0];
  const double rMax = std::clamp(2.5 * hint, 8.0, 25.0);
  const double bin = 0.5 * s;
  const std::size_t bins = std::size_t(rMax / bin) + 1;
  // Per shell: in-lung voxels and those above -700 / -400 / -300 HU.
  std::vector<std::array<double, 4>> shell(bins, {0, 0, 0, 0});
  const Vec3 c = scan.grid.lpsToIjk(center);
  const long reach = long(std::ceil(rMax / s));
  const long ci = std::lround(c[0]), cj = std::lround(c[1]), ck = std::lround(c[2]);
  struct Sample {
    double r;
    float hu;
  };
  std::vector<Sample> samples;
  for (long k = ck - reach; k <= ck + reach; ++k) {
    for (long j = cj - reach; j <= cj + reach; ++j) {
      for (long i = ci - reach; i <= ci + reach; ++i) {
        if (i < 0 || j < 0 || k < 0 || i >= long(n[0]) || j >= long(n[1]) || k >= long(n[2])) continue;
        const std::size_t q = std::size_t(i) + n[0] * (std::size_t(j) + n[1] * std::size_t(k));
        if (!scan.lung[q]) continue;
        const double r = s * std::sqrt(double((i - ci) * (i - ci) + (j - cj) * (j - cj) + (k - ck) * (k - ck)));
        if (r > rMax) continue;
        const float v = scan.hu.data[q];
        auto& b = shell[std::min(bins - 1, std::size_t(r / bin))];
        b[0] += 1;
        b[1] += v > -700;
        b[2] += v > -400;
        b[3] += v > -300;
        samples.push_back({r, v});
      }
    }
  }
  // Radius where the shells stop being mostly above the threshold (linear between bins).
  auto radiusAbove = [&](int t) {
    double prev = 1.0;
    for (std::size_t b = 0; b < bins; ++b) {
      if (shell[b][0] == 0) continue;
      const double f = shell[b][t] / shell[b][0];
      if (f < 0.5) {
        const double w = (prev - 0.5) / std::max(1e-9, prev - f);
        return (double(b) + w) * bin;
      }
      prev = f;
    }
    return rMax;
  };
  NoduleMeasurement m;
  const double rAll = radiusAbove(1), rMid = radiusAbove(2), rSolid = radiusAbove(3);
  if (rSolid < std::max(1.0, 0.25 * rAll)) {
    m.type = "ground-glass";
  } else if (rSolid >= 0.7 * rAll) {
    m.type = "solid";
  } else {
    m.type = "part-solid";
  }
  const bool solid = m.type == "solid";
  const double r = solid ? rMid : rAll;
  m.sizeCapped = r >= rMax - 1e-9;
  const float threshold = solid ? -400.0f : -700.0f;
  m.diameterMm = 2.0 * r;
  m.solidDiameterMm = solid ? m.diameterMm : (m.type == "part-solid" ? 2.0 * rSolid : 0.0);
  double count = 0, sum = 0;
  for (const Sample& x : samples) {
    if (x.r <= r + 0.5 * s && x.hu > threshold) {
      ++count;
      sum += x.hu;
    }
  }
  m.volumeMm3 = count * s * s * s;
  m.meanHu = count > 0 ? sum / count : 0.0;
  return m;
}

DetectionResult detectNodules(const Volume& hu, const ScanFacts& facts, const ModelManifest& manifest,
                              const ModelRunner& runner, const ProgressCallback& progress,
                              const NoduleDetectorSettings& settingsIn) {
  if (manifest.patchScales.size() != std::size_t(manifest.inputChannels)) {
    throw std::runtime_error(manifest.name + ": input.channels is " + std::to_string(manifest.inputChannels) + " but " +
                             std::to_string(manifest.patchScales.size()) +
                             " patch scale(s) are given (a nodule model's channels are the scales of input.scales)");
  }
  NoduleDetectorSettings settings = settingsIn;
  settings.spacingMm = manifest.targetSpacingXyz[0];
  settings.patch = manifest.patchXyz[0];
  DetectionResult result;
  result.modelName = manifest.name;
  result.modelVersion = manifest.version;
  result.modelSha256 = manifest.weightsSha256;
  result.backend = runner.backend();
  result.warnings = preflightWarnings(manifest, hu, facts);
  if (hu.units != "HU" && facts.modality != "CT") {
    result.warnings.push_back("values are not Hounsfield units; the lung mask and candidates assume CT");
  }
  auto t0 = std::chrono::steady_clock::now();
  const PreparedScan scan = prepareScan(hu, settings);
  result.prepareSeconds = secondsSince(t0);
  result.candidates = scan.candidates.size();
  result.lungVolumeMl = scan.lungVolumeMl;
  if (scan.lungVolumeMl <= 0) {
    result.warnings.push_back("no lung found in this scan (no air region inside the body)");
    return result;
  }
  t0 = std::chrono::steady_clock::now();
  double floor = manifest.threshold;
  for (const OperatingPoint& op : manifest.operatingPoints) floor = std::min(floor, op.threshold);
  const std::size_t batch = 16;
  const std::size_t batches = (scan.candidates.size() + batch - 1) / batch;
  std::vector<std::pair<double, std::size_t>> scored; // (logit, candidate)
  const PatchSources sources = patchSources(scan, manifest.patchScales, settings.threads);
  for (std::size_t b = 0; b < batches; ++b) {
    std::vector<Vec3> centers;
    for (std::size_t c = b * batch; c < std::min(scan.candidates.size(), (b + 1) * batch); ++c) {
      centers.push_back(scan.candidates[c].centerLps);
    }
    Tensor x = cutPatches(scan, sources, centers, settings.patch, settings.threads);
    normaliseIntensity(x.data, manifest);
    const Tensor y = runner.run(x);
    if (y.data.size() != centers.size()) {
      throw std::runtime_error(manifest.name + ": expected one logit per patch, got " + std::to_string(y.data.size()) +
                               " for " + std::to_string(centers.size()));
    }
    for (std::size_t c = 0; c < centers.size(); ++c) {
      scored.emplace_back(double(y.data[c]), b * batch + c);
    }
    if (progress && !progress(b + 1, batches)) throw InferenceCancelled();
  }
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (const auto& [logit, index] : scored) {
    const double score = manifest.probability(logit);
    if (score < floor) break;
    const NoduleCandidate& cand = scan.candidates[index];
    const NoduleMeasurement m = measureNodule(scan, cand.centerLps, cand.radiusMm);
    const double radius = std::max(m.diameterMm / 2.0, 3.0);
    const bool suppressed = std::any_of(result.findings.begin(), result.findings.end(), [&](const NoduleFinding& f) {
      // One nodule often raises several candidates (centre, lobes, a vessel touching it).
      return norm(f.centerLps - cand.centerLps) < 1.2 * std::max(radius, f.diameterMm / 2.0);
    });
    if (suppressed) continue;
    NoduleFinding f;
    f.id = "F" + std::to_string(result.findings.size() + 1);
    f.centerLps = cand.centerLps;
    f.diameterMm = m.diameterMm;
    f.solidDiameterMm = m.solidDiameterMm;
    f.volumeMm3 = m.volumeMm3;
    f.type = m.type;
    f.meanHu = m.meanHu;
    f.sizeCapped = m.sizeCapped;
    f.score = score;
    f.probability = score;
    f.logit = logit;
    result.findings.push_back(f);
  }
  result.inferenceSeconds = secondsSince(t0);
  return result;
}

} // namespace lightbox
