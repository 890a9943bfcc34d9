// SPDX-License-Identifier: Apache-2.0
#include "core/registration/StageGate.h"

#include "core/volume/Trilinear.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace lightbox {
namespace {

constexpr int kBins = 32;

bool inside(const VolumeGeometry& g, const Vec3& ijk) {
  for (int a = 0; a < 3; ++a) {
    if (!(ijk[a] >= 0.0 && ijk[a] <= double(g.size[a]) - 1.0))
      return false;
  }
  return true;
}

/// The 1st and 99th percentiles of `values` (the histogram's range: outliers go to the end bins).
std::pair<double, double> robustRange(std::vector<double> values) {
  if (values.empty())
    return {0.0, 1.0};
  const auto at = [&](double q) {
    const std::size_t k = std::min(values.size() - 1, std::size_t(q * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
  };
  const double lo = at(0.01), hi = at(0.99);
  return {lo, hi > lo ? hi : lo + 1.0};
}

int bin(double v, const std::pair<double, double>& range) {
  const double t = (v - range.first) / (range.second - range.first) * kBins;
  return t > 0.0 ? int(std::min(t, double(kBins - 1)))
                 : 0; // clamped as a double: NaN and huge go to an end
}

double mutualInformation(const std::vector<double>& a, const std::vector<double>& b,
                         const std::pair<double, double>& ra, const std::pair<double, double>& rb) {
  std::vector<double> joint(kBins * kBins, 0.0), pa(kBins, 0.0), pb(kBins, 0.0);
  for (std::size_t n = 0; n < a.size(); ++n)
    joint[std::size_t(bin(a[n], ra) * kBins + bin(b[n], rb))] += 1.0;
  const double total = double(std::max<std::size_t>(1, a.size()));
  for (int i = 0; i < kBins; ++i) {
    for (int j = 0; j < kBins; ++j) {
      const double p = joint[std::size_t(i * kBins + j)] / total;
      joint[std::size_t(i * kBins + j)] = p;
      pa[std::size_t(i)] += p;
      pb[std::size_t(j)] += p;
    }
  }
  double mi = 0.0;
  for (int i = 0; i < kBins; ++i) {
    for (int j = 0; j < kBins; ++j) {
      const double p = joint[std::size_t(i * kBins + j)];
      if (p > 0)
        mi += p * std::log(p / (pa[std::size_t(i)] * pb[std::size_t(j)]));
    }
  }
  return mi;
}

std::string fmt(const char* format, double a, double b = 0.0) {
  char text[160];
  std::snprintf(text, sizeof text, format, a, b);
  return text;
}

} // namespace

StageCheck checkStage(const Volume& fixed, const Volume& moving,
                      const RegistrationTransform& before, const RegistrationTransform& after,
                      const StageGateOptions& options) {
  StageCheck check;
  const VolumeGeometry& g = fixed.geometry;
  // Held-back points: uniform in the current image, kept where it is above its background (the
  // 20th percentile of a first draw: air and padding around the patient carry no alignment).
  std::mt19937 rng(options.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto draw = [&] {
    return Vec3{unit(rng) * double(g.size[0] - 1), unit(rng) * double(g.size[1] - 1),
                unit(rng) * double(g.size[2] - 1)};
  };
  std::vector<double> probe;
  for (int n = 0; n < 2000; ++n)
    probe.push_back(trilinear(fixed, draw()));
  std::nth_element(probe.begin(), probe.begin() + 400, probe.end());
  const double background = probe[400];

  std::vector<double> f, mBefore, mAfter, change;
  for (unsigned attempt = 0; attempt < options.points * 4 && f.size() < options.points; ++attempt) {
    const Vec3 ijk = draw();
    const double value = trilinear(fixed, ijk);
    if (value <= background)
      continue;
    const Vec3 p = g.ijkToLps(ijk);
    const Vec3 qb = before.apply(p), qa = after.apply(p);
    const Vec3 ib = moving.geometry.lpsToIjk(qb), ia = moving.geometry.lpsToIjk(qa);
    if (!inside(moving.geometry, ib) || !inside(moving.geometry, ia))
      continue;
    f.push_back(value);
    mBefore.push_back(trilinear(moving, ib));
    mAfter.push_back(trilinear(moving, ia));
    const Vec3 d = qa - qb;
    change.push_back(std::sqrt(dot(d, d)));
  }
  check.points = f.size();
  if (!change.empty()) {
    check.maxChangeMm = *std::max_element(change.begin(), change.end());
    const std::size_t k = std::size_t(0.99 * double(change.size() - 1));
    std::nth_element(change.begin(), change.begin() + std::ptrdiff_t(k), change.end());
    check.p99ChangeMm = change[k];
  }
  const auto rf = robustRange(f);
  std::vector<double> both = mBefore;
  both.insert(both.end(), mAfter.begin(), mAfter.end());
  const auto rm = robustRange(both); // one range for both: the two histograms compare
  check.similarityBefore = mutualInformation(f, mBefore, rf, rm);
  check.similarityAfter = mutualInformation(f, mAfter, rf, rm);
  check.foldingFraction =
      after.foldingFraction(); // 1 for a reflecting affine, the field's share otherwise

  if (check.points < 1000) {
    check.kept = false;
    check.reason =
        fmt("too few points (%.0f) map inside the prior to judge it", double(check.points));
  } else if (check.foldingFraction > options.maxFoldingFraction) {
    check.kept = false;
    check.reason = fmt("the map folds (%.3f %% of the field)", 100.0 * check.foldingFraction);
  } else if (check.p99ChangeMm > options.maxChangeMm) {
    check.kept = false;
    check.reason =
        fmt("it moves 1 %% of the points more than %.1f mm from the previous stage (limit %.0f mm)",
            check.p99ChangeMm, options.maxChangeMm);
  } else if (!(check.similarityAfter > check.similarityBefore * (1.0 + options.minGain))) {
    check.kept = false;
    check.reason = fmt(
        "the images match no better after it (mutual information %.4f -> %.4f on held-back points)",
        check.similarityBefore, check.similarityAfter);
  }
  return check;
}

RegistrationTransform gateStage(const Volume& fixed, const Volume& moving,
                                const RegistrationTransform& before,
                                const RegistrationTransform& after, RegistrationStage& stage,
                                const StageGateOptions& options) {
  const StageCheck check = checkStage(fixed, moving, before, after, options);
  stage.checked = true;
  stage.similarityBefore = check.similarityBefore;
  stage.similarityAfter = check.similarityAfter;
  if (check.kept)
    return after;
  stage.kept = false;
  stage.droppedReason = check.reason;
  return before;
}

} // namespace lightbox
