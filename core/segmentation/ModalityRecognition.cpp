// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/ModalityRecognition.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <vector>

namespace lightbox {
namespace {

constexpr double kAirHu = -900.0;
constexpr double kAirShare = 0.005;
constexpr double kFatHu = -100.0;
constexpr double kSoftTissueShare = 0.20;
constexpr double kPetMaxSuv = 100.0;
constexpr double kPetMaxMedian = 5.0;

} // namespace

RecognisedModality recogniseModality(const Volume& image) {
  RecognisedModality r;
  const std::size_t n = image.geometry.voxelCount();
  if (n == 0) {
    r.modality = "MR";
    r.evidence = "an empty image: taken as MR";
    return r;
  }
  std::size_t air = 0, soft = 0, fractional = 0;
  r.min = std::numeric_limits<double>::infinity();
  r.max = -r.min;
  const std::size_t stride = std::max<std::size_t>(1, n / 200000);
  std::vector<float> sample;
  sample.reserve(n / stride + 1);
  for (std::size_t q = 0; q < n; ++q) {
    const double v = image.value(q);
    if (!std::isfinite(v)) continue; // NaN outside a float image's field of view says nothing
    r.min = std::min(r.min, v);
    r.max = std::max(r.max, v);
    air += v <= kAirHu;
    soft += v >= -100.0 && v <= 100.0;
    if (q % stride == 0) {
      sample.push_back(float(v));
      fractional += v != std::floor(v);
    }
  }
  if (sample.empty()) { // nothing finite
    sample.push_back(0.0f);
    r.min = r.max = 0.0;
  }
  std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(sample.size() / 2), sample.end());
  r.median = sample[sample.size() / 2];
  r.integral = fractional == 0;
  r.shareAtOrBelowMinus900 = double(air) / double(n);
  r.shareSoftTissue = double(soft) / double(n);
  char facts[200];
  std::snprintf(facts, sizeof(facts), "min %.4g, max %.4g, median %.4g, %.1f %% <= -900, %.0f %% in -100..100, %s",
                r.min, r.max, r.median, 100 * r.shareAtOrBelowMinus900, 100 * r.shareSoftTissue,
                r.integral ? "whole numbers" : "fractional values");
  if (r.shareAtOrBelowMinus900 >= kAirShare) {
    r.modality = "CT";
    r.evidence = std::string("Hounsfield units: air at or below -900 (") + facts + ")";
  } else if (r.integral && r.min <= kFatHu && r.shareSoftTissue >= kSoftTissueShare) {
    r.modality = "CT";
    r.evidence = std::string("Hounsfield units: fat below -100 and soft tissue near 0 (") + facts + ")";
  } else if (!r.integral && r.min >= 0 && r.max <= kPetMaxSuv && r.median <= kPetMaxMedian) {
    r.modality = "PT";
    r.evidence = std::string("SUV-like: non-negative, small maximum and median (") + facts + ")";
  } else {
    r.modality = "MR";
    r.evidence = std::string("neither Hounsfield units nor SUV (") + facts + ")";
  }
  return r;
}

std::string recognisedUnits(const RecognisedModality& r) {
  return r.modality == "CT" ? "HU" : r.modality == "PT" ? "SUV" : "";
}

std::optional<RecognisedModality> recogniseMissingUnits(std::vector<Volume>& volumes) {
  if (volumes.empty() || !volumes.front().units.empty())
    return std::nullopt;
  RecognisedModality r = recogniseModality(volumes.front());
  for (Volume& v : volumes)
    v.units = recognisedUnits(r);
  return r;
}

} // namespace lightbox
