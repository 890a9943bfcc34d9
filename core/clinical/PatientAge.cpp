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

std::optional<int> ageFromAgeString(const std::string& as) {
  std::string s = as;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  if (s.size() != 4 || !std::all_of(s.begin(), s.begin() + 3, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  const int n = std::stoi(s.substr(0, 3));
  switch (std::toupper(static_cast<unsigned char>(s[3]))) {
  case 'Y': return n <= 130 ? std::optional<int>(n) : std::nullopt;
  case 'M': return n / 12;
  case 'W': return n * 7 / 365;
  case 'D': return n / 365;
  default: return std::nullopt;
  }
}

PatientAgeFact patientAgeOf(const std::string& ageString, const std::string& birthDate, const std::string& studyDate) {
  if (const auto years = ageFromAgeString(ageString)) return {years, "Patient's Age " + ageString};
  if (const auto years = ageAt(birthDate, studyDate)) {
    return {years, "birth date " + birthDate + " and study date " + studyDate};
  }
  return {};
}

} // namespace lightbox
