// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/PromptableLesionInput.h"

#include "core/segmentation/ModalityRecognition.h"

#include <algorithm>
#include <cmath>

namespace lightbox {
namespace {

constexpr double kSigma = 1.5;

/// Mean of the valid samples of the 3x3x3 block around `at` (clamped one sample inside the cube).
double clickValue(const std::vector<float>& s, const std::vector<float>& valid, std::size_t e,
                  const Vec3& at) {
  long c[3];
  for (int a = 0; a < 3; ++a)
    c[a] = std::clamp(long(std::lround(at[a])), 1L, long(e) - 2);
  double sum = 0;
  std::size_t n = 0;
  for (long z = c[2] - 1; z <= c[2] + 1; ++z)
    for (long y = c[1] - 1; y <= c[1] + 1; ++y)
      for (long x = c[0] - 1; x <= c[0] + 1; ++x) {
        const std::size_t q = std::size_t(x) + e * (std::size_t(y) + e * std::size_t(z));
        if (valid[q] > 0.5f)
          sum += s[q], ++n;
      }
  if (n)
    return sum / double(n);
  for (std::size_t q = 0; q < s.size(); ++q)
    if (valid[q] > 0.5f)
      sum += s[q], ++n;
  return n ? sum / double(n) : 0.0;
}

/// Median and 5-95 % spread of the valid samples, as robust_stats (index p * (n - 1) rounded).
std::pair<double, double> robustStats(const std::vector<float>& s,
                                      const std::vector<float>& valid) {
  std::vector<float> v;
  v.reserve(s.size());
  for (std::size_t q = 0; q < s.size(); ++q)
    if (valid[q] > 0.5f)
      v.push_back(s[q]);
  if (v.empty())
    return {0.0, 1.0};
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  auto q = [&](double p) {
    return double(v[std::min(n - 1, std::size_t(p * double(n - 1) + 0.5))]);
  };
  return {q(0.5), std::max(q(0.95) - q(0.05), 1e-6)};
}

} // namespace

const char* toString(LesionModality m) {
  switch (m) {
  case LesionModality::CT:
    return "CT";
  case LesionModality::MR:
    return "MR";
  case LesionModality::PT:
    return "PT";
  }
  return "MR";
}

LesionModality lesionModalityOf(const Volume& image) {
  if (image.units == "HU")
    return LesionModality::CT;
  if (image.units.rfind("SUV", 0) == 0)
    return LesionModality::PT;
  const std::string m = recogniseModality(image).modality;
  return m == "CT" ? LesionModality::CT : m == "PT" ? LesionModality::PT : LesionModality::MR;
}

std::vector<float> patchValidity(const VolumeGeometry& g, const PatchGrid& patch) {
  const std::size_t n = patch.edge;
  const Vec3 origin = g.lpsToIjk(patch.toLps({0, 0, 0}));
  std::array<Vec3, 3> step;
  for (int a = 0; a < 3; ++a) {
    Vec3 unit{0, 0, 0};
    unit[a] = 1;
    step[a] = g.lpsToIjk(patch.toLps(unit)) - origin;
  }
  std::vector<float> out(patch.count(), 0.0f);
  std::size_t q = 0;
  for (std::size_t c = 0; c < n; ++c)
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t a = 0; a < n; ++a, ++q) {
        const Vec3 x = origin + step[0] * double(a) + step[1] * double(b) + step[2] * double(c);
        bool inside = true;
        for (int k = 0; k < 3; ++k)
          inside = inside && x[k] >= -0.5 && x[k] <= double(g.size[k]) - 0.5;
        out[q] = inside ? 1.0f : 0.0f;
      }
  return out;
}

Tensor promptableModelInput(const std::vector<float>& s, const std::vector<float>& valid,
                            std::size_t e, LesionModality modality,
                            const std::vector<PatchClick>& clicks) {
  const std::size_t count = e * e * e;
  Tensor t;
  t.shape = {1, 10, std::int64_t(e), std::int64_t(e), std::int64_t(e)};
  t.data.assign(10 * count, 0.0f);
  Vec3 anchor{double(e) / 2 - 0.5, double(e) / 2 - 0.5, double(e) / 2 - 0.5};
  for (const PatchClick& c : clicks) {
    if (c.positive) {
      anchor = c.at;
      break;
    }
  }
  const double vc = clickValue(s, valid, e, anchor);
  const auto [m, r] = robustStats(s, valid);
  double u = 60.0;
  if (modality == LesionModality::MR)
    u = 0.1 * r;
  if (modality == LesionModality::PT)
    u = std::max(0.15 * vc, 0.3);
  const int hot = modality == LesionModality::CT ? 4 : modality == LesionModality::MR ? 5 : 6;
  float* ch = t.data.data();
  for (std::size_t q = 0; q < count; ++q) {
    const double v = s[q];
    double a = 0, b = 0;
    switch (modality) {
    case LesionModality::CT:
      a = std::clamp((v + 1000.0) / 700.0 - 1.0, -1.0, 1.0);
      b = std::tanh((v - 40.0) / 150.0);
      break;
    case LesionModality::MR:
      a = std::tanh((v - m) / (0.5 * r));
      b = std::tanh((v - m) / (0.15 * r));
      break;
    case LesionModality::PT:
      a = std::tanh(v / 3.0);
      b = std::tanh((v - m) / std::max(0.5 * r, 0.5));
      break;
    }
    const float in = valid[q];
    ch[0 * count + q] = float(std::tanh((v - vc) / u)) * in;
    ch[1 * count + q] = float(std::tanh((v - vc) / (4.0 * u))) * in;
    ch[2 * count + q] = float(a) * in;
    ch[3 * count + q] = float(b) * in;
    ch[std::size_t(hot) * count + q] = 1.0f;
    ch[7 * count + q] = in;
  }
  // Click Gaussians: only the 3-sigma box around each click is visited.
  const double cut = 3 * kSigma;
  for (const PatchClick& c : clicks) {
    float* map = ch + (c.positive ? 8 : 9) * count;
    long lo[3], hi[3];
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::max(0L, long(std::ceil(c.at[a] - cut)));
      hi[a] = std::min(long(e) - 1, long(std::floor(c.at[a] + cut)));
    }
    for (long z = lo[2]; z <= hi[2]; ++z)
      for (long y = lo[1]; y <= hi[1]; ++y)
        for (long x = lo[0]; x <= hi[0]; ++x) {
          const double d2 = (double(x) - c.at[0]) * (double(x) - c.at[0]) +
                            (double(y) - c.at[1]) * (double(y) - c.at[1]) +
                            (double(z) - c.at[2]) * (double(z) - c.at[2]);
          if (d2 > cut * cut)
            continue;
          float& o = map[std::size_t(x) + e * (std::size_t(y) + e * std::size_t(z))];
          o = std::max(o, float(std::exp(-d2 / (2 * kSigma * kSigma))));
        }
  }
  return t;
}

PromptableGoldenCase promptableGoldenCase(std::size_t edge) {
  PromptableGoldenCase g;
  const double h = double(edge) / 2 - 0.5;
  g.samples.resize(edge * edge * edge);
  g.valid.assign(edge * edge * edge, 1.0f);
  std::size_t q = 0;
  for (std::size_t c = 0; c < edge; ++c)
    for (std::size_t b = 0; b < edge; ++b)
      for (std::size_t a = 0; a < edge; ++a, ++q) {
        const double x = double(a) - h, y = double(b) - h, z = double(c) - h;
        const double rr =
            std::sqrt(x * x + y * y + 1.6 * z * z) / (12.0 + 3.0 * std::sin(0.2 * double(a)));
        g.samples[q] = float(10.0 + 50.0 / (1.0 + std::exp(8.0 * (rr - 1.0))) +
                             8.0 * std::sin(0.9 * double(b) + 0.3 * double(c)));
        if (a < 4)
          g.valid[q] = 0.0f;
      }
  g.clicks = {{Vec3{h, h, h}, true}, {Vec3{h + 16.0, h, h}, false}};
  return g;
}

} // namespace lightbox
