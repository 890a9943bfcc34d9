// SPDX-License-Identifier: Apache-2.0
#include "core/annotation/ScoreText.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lightbox {
namespace {

constexpr int kMinDecimals = 2;
constexpr int kMaxDecimals = 9;

double truncated(double score, int decimals) {
  const double scale = std::pow(10.0, decimals);
  // The small bias keeps 0.29 (0.28999... in binary) at 0.29; a score below one stays below it.
  double steps = std::floor(std::clamp(score, 0.0, 1.0) * scale + 1e-7);
  if (score < 1.0) steps = std::min(steps, scale - 1.0);
  return steps / scale;
}

} // namespace

int scoreDecimals(const std::vector<double>& scores) {
  std::vector<double> sorted = scores;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (int d = kMinDecimals; d < kMaxDecimals; ++d) {
    bool distinct = true;
    for (std::size_t i = 1; i < sorted.size() && distinct; ++i) {
      distinct = scoreText(sorted[i - 1], d) != scoreText(sorted[i], d);
    }
    if (distinct) return d;
  }
  return kMaxDecimals;
}

std::string scoreText(double score, int decimals) {
  if (!std::isfinite(score)) return "-";
  decimals = std::clamp(decimals, 0, kMaxDecimals);
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, truncated(score, decimals));
  return text;
}

} // namespace lightbox
