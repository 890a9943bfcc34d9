// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/LesionPatch.h"

#include <algorithm>
#include <cmath>

namespace lightbox {

Vec3 PatchGrid::toLps(const Vec3& p) const {
  const double h = double(edge) / 2 - 0.5;
  Vec3 out = centreLps;
  for (int a = 0; a < 3; ++a) out = out + direction[a] * ((p[a] - h) * spacingMm);
  return out;
}

Vec3 PatchGrid::toPatch(const Vec3& lps) const {
  // The directions are the scan's: orthonormal for every series the loader accepts.
  const Vec3 d = lps - centreLps;
  const double h = double(edge) / 2 - 0.5;
  return {dot(d, direction[0]) / spacingMm + h, dot(d, direction[1]) / spacingMm + h, dot(d, direction[2]) / spacingMm + h};
}

PatchGrid patchAround(const VolumeGeometry& scan, const Vec3& centreLps, double spacingMm, std::size_t edge) {
  PatchGrid p;
  p.centreLps = centreLps;
  p.spacingMm = spacingMm;
  p.edge = edge;
  p.direction = scan.direction;
  return p;
}

float patchValue(const std::vector<float>& map, std::size_t edge, const Vec3& x) {
  const long n = long(edge);
  const long a0 = long(std::floor(x[0])), b0 = long(std::floor(x[1])), c0 = long(std::floor(x[2]));
  const double fa = x[0] - double(a0), fb = x[1] - double(b0), fc = x[2] - double(c0);
  double v = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const long a = a0 + (corner & 1), b = b0 + ((corner >> 1) & 1), c = c0 + (corner >> 2);
    if (a < 0 || b < 0 || c < 0 || a >= n || b >= n || c >= n) continue;
    const double w = ((corner & 1) ? fa : 1 - fa) * (((corner >> 1) & 1) ? fb : 1 - fb) * ((corner >> 2) ? fc : 1 - fc);
    v += w * map[std::size_t(a + n * (b + n * c))];
  }
  return float(v);
}

std::vector<float> samplePatch(const Volume& volume, const PatchGrid& patch, float outside) {
  const VolumeGeometry& g = volume.geometry;
  const std::size_t n = patch.edge;
  const Vec3 origin = g.lpsToIjk(patch.toLps({0, 0, 0}));
  std::array<Vec3, 3> step;
  for (int a = 0; a < 3; ++a) {
    Vec3 unit{0, 0, 0};
    unit[a] = 1;
    step[a] = g.lpsToIjk(patch.toLps(unit)) - origin;
  }
  const long nx = long(g.size[0]), ny = long(g.size[1]), nz = long(g.size[2]);
  std::vector<float> out(patch.count(), outside);
  std::size_t q = 0;
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t b = 0; b < n; ++b) {
      for (std::size_t a = 0; a < n; ++a, ++q) {
        const Vec3 x = origin + step[0] * double(a) + step[1] * double(b) + step[2] * double(c);
        // Outside the volume (half a voxel past the edge voxels' centres): `outside`.
        if (x[0] < -0.5 || x[1] < -0.5 || x[2] < -0.5 || x[0] > double(nx) - 0.5 || x[1] > double(ny) - 0.5 ||
            x[2] > double(nz) - 0.5) {
          continue;
        }
        const long i0 = long(std::floor(x[0])), j0 = long(std::floor(x[1])), k0 = long(std::floor(x[2]));
        const double fx = x[0] - double(i0), fy = x[1] - double(j0), fz = x[2] - double(k0);
        double sum = 0;
        for (int corner = 0; corner < 8; ++corner) {
          const double w = ((corner & 1) ? fx : 1 - fx) * (((corner >> 1) & 1) ? fy : 1 - fy) * ((corner >> 2) ? fz : 1 - fz);
          if (w <= 0) continue;
          const long i = std::clamp(i0 + (corner & 1), 0L, nx - 1), j = std::clamp(j0 + ((corner >> 1) & 1), 0L, ny - 1),
                     k = std::clamp(k0 + (corner >> 2), 0L, nz - 1);
          sum += w * volume.value(std::size_t(i), std::size_t(j), std::size_t(k));
        }
        out[q] = float(sum);
      }
    }
  }
  return out;
}

PatchIntensity patchIntensity(const std::vector<float>& s, std::size_t edge, bool isCt) {
  // The click lies between samples edge/2 - 1 and edge/2 on each axis: the 4x4x4 samples around it.
  const std::size_t h = edge / 2;
  double sum = 0;
  int count = 0;
  for (std::size_t c = h - 2; c < h + 2; ++c)
    for (std::size_t b = h - 2; b < h + 2; ++b)
      for (std::size_t a = h - 2; a < h + 2; ++a, ++count) sum += s[a + edge * (b + edge * c)];
  PatchIntensity p;
  p.isCt = isCt;
  p.clickValue = float(sum / std::max(count, 1));
  if (isCt) {
    p.scale = 300.0f;
  } else {
    float largest = 0;
    for (float v : s) largest = std::max(largest, std::abs(v));
    p.scale = std::max({0.5f * std::abs(p.clickValue), 0.05f * largest, 1e-6f});
  }
  return p;
}

Tensor lesionModelInput(const std::vector<float>& s, std::size_t edge, const PatchIntensity& in,
                        const std::vector<PatchClick>& clicks) {
  const std::size_t m = edge * edge * edge;
  Tensor t;
  t.shape = {1, 6, std::int64_t(edge), std::int64_t(edge), std::int64_t(edge)};
  t.data.assign(6 * m, 0.0f);
  const float factors[3] = {3.0f, 1.0f, 0.3f};
  for (int ch = 0; ch < 3; ++ch)
    for (std::size_t q = 0; q < m; ++q) t.data[ch * m + q] = std::tanh((s[q] - in.clickValue) / in.scale * factors[ch]);
  const float reference = std::max(std::abs(in.clickValue), 1e-6f);
  for (std::size_t q = 0; q < m; ++q) {
    t.data[3 * m + q] = in.isCt ? (std::clamp(s[q], -1000.0f, 400.0f) + 1000.0f) / 1400.0f * 2.0f - 1.0f
                                : std::clamp(s[q] / reference - 1.0f, -1.0f, 2.0f);
  }
  const double sigma = 1.5, reach = 3 * sigma;
  for (const PatchClick& click : clicks) {
    float* map = t.data.data() + (click.positive ? 4 : 5) * m;
    long lo[3], hi[3];
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::max(0L, long(std::ceil(click.at[a] - reach)));
      hi[a] = std::min(long(edge) - 1, long(std::floor(click.at[a] + reach)));
    }
    for (long c = lo[2]; c <= hi[2]; ++c)
      for (long b = lo[1]; b <= hi[1]; ++b)
        for (long a = lo[0]; a <= hi[0]; ++a) {
          const double d2 = (a - click.at[0]) * (a - click.at[0]) + (b - click.at[1]) * (b - click.at[1]) +
                            (c - click.at[2]) * (c - click.at[2]);
          if (d2 > reach * reach) continue;
          float& v = map[std::size_t(a) + edge * (std::size_t(b) + edge * std::size_t(c))];
          v = std::max(v, float(std::exp(-d2 / (2 * sigma * sigma))));
        }
  }
  return t;
}

std::vector<float> lesionGoldenSamples(std::size_t edge) {
  std::vector<float> s(edge * edge * edge);
  const double h = double(edge) / 2 - 0.5;
  std::size_t q = 0;
  for (std::size_t c = 0; c < edge; ++c)
    for (std::size_t b = 0; b < edge; ++b)
      for (std::size_t a = 0; a < edge; ++a, ++q) {
        const double x = double(a) - h, y = double(b) - h, z = double(c) - h;
        const double r = std::sqrt(x * x + y * y + 1.6 * z * z) / (6.0 + 1.5 * std::sin(0.4 * double(a)));
        s[q] = float(-800.0 + 800.0 / (1.0 + std::exp(8.0 * (r - 1.0))) + 40.0 * std::sin(0.9 * double(b) + 0.3 * double(c)));
      }
  return s;
}

} // namespace lightbox
