// SPDX-License-Identifier: Apache-2.0
#include "core/display/WindowLevel.h"

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
