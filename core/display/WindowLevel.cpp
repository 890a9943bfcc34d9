// SPDX-License-Identifier: Apache-2.0
#include "core/display/WindowLevel.h"

#include "core/volume/Volume.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lightbox {

const std::vector<WindowPreset>& windowPresets() {
  static const std::vector<WindowPreset> presets{
      {"lung", '1', {-600, 1500}},  {"mediastinum", '2', {40, 400}}, {"bone", '3', {400, 1800}},
      {"brain", '4', {40, 80}},     {"abdomen", '5', {40, 350}},     {"liver", '6', {60, 160}},
  };
  return presets;
}

WindowLevel windowPreset(const std::string& name) {
  std::string names;
  for (const WindowPreset& p : windowPresets()) {
    if (p.name == name) {
      return p.window;
    }
    names += (names.empty() ? "" : ", ") + p.name;
  }
  throw std::invalid_argument("unknown window preset '" + name + "' (" + names + ")");
}

bool isSuvUnits(const std::string& units) {
  return units.rfind("SUV", 0) == 0;
}

const std::vector<WindowPreset>& suvWindowPresets() {
  static const std::vector<WindowPreset> presets{
      {"SUV 0-3", '1', {1.5, 3}},
      {"SUV 0-5", '2', {2.5, 5}},
      {"SUV 0-10", '3', {5, 10}},
      {"SUV 0-20", '4', {10, 20}},
  };
  return presets;
}

const std::vector<WindowPreset>& windowPresetsFor(const std::string& units) {
  return isSuvUnits(units) ? suvWindowPresets() : windowPresets();
}

WindowLevel defaultSuvWindow() {
  return {2.5, 5};
}

int valueDecimals(const std::string& units, double windowWidth) {
  if (units == "HU")
    return 0;
  if (isSuvUnits(units))
    return 2;
  return windowWidth < 10 ? 2 : windowWidth < 100 ? 1 : 0;
}

WindowLevel percentileWindow(const Volume& v) {
  std::vector<float> sample;
  const std::size_t n = v.geometry.voxelCount();
  const std::size_t step = std::max<std::size_t>(1, n / 200000);
  for (std::size_t i = 0; i < n; i += step) {
    sample.push_back(float(v.value(i)));
  }
  if (sample.empty()) {
    return {};
  }
  std::sort(sample.begin(), sample.end());
  const double lo = sample[sample.size() / 100], hi = sample[sample.size() * 99 / 100];
  return {0.5 * (lo + hi), std::max(hi - lo, 1.0)};
}

std::string orientationLetters(const Vec3& d) {
  const char* pos = "LPS";
  const char* neg = "RAI";
  std::vector<std::pair<double, char>> parts;
  for (int a = 0; a < 3; ++a) {
    if (std::abs(d[a]) > 0.25) {
      parts.emplace_back(std::abs(d[a]), d[a] > 0 ? pos[a] : neg[a]);
    }
  }
  std::sort(parts.begin(), parts.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < 2; ++i) {
    out += parts[i].second;
  }
  return out;
}

} // namespace lightbox
