// SPDX-License-Identifier: Apache-2.0
#include "core/clinical/PatientAge.h"

#include <algorithm>
#include <cctype>

namespace lightbox {

std::optional<int> ageAt(const std::string& birth, const std::string& study) {
  auto valid = [](const std::string& d) {
    return d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (!valid(birth) || !valid(study)) return std::nullopt;
  const int by = std::stoi(birth.substr(0, 4)), bmd = std::stoi(birth.substr(4));
  const int sy = std::stoi(study.substr(0, 4)), smd = std::stoi(study.substr(4));
  const int age = sy - by - (smd < bmd ? 1 : 0);
  if (age < 0 || age > 130) return std::nullopt;
  return age;
}

} // namespace lightbox
