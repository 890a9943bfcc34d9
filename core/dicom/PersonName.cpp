// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/PersonName.h"

#include <vector>

namespace lightbox {

namespace {

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = s.find(separator, start)) != std::string::npos; start = end + 1)
    parts.push_back(s.substr(start, end - start));
  parts.push_back(s.substr(start));
  return parts;
}

std::string trimmed(const std::string& s) {
  const std::size_t first = s.find_first_not_of(' ');
  if (first == std::string::npos)
    return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

/// True when UTF-8 `s` has a character of U+1000 and above (Hangul, kana, CJK ideographs; U+1000-10FF is Myanmar, rare in names).
bool hasEastAsian(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE1)
      return true; // the lead byte of U+1000 and above (U+1000-10FF is Myanmar: rare)
  }
  return false;
}

/// One component group: family^given^middle^prefix^suffix.
std::string group(const std::string& g) {
  std::vector<std::string> parts = split(g, '^');
  for (std::string& p : parts)
    p = trimmed(p);
  const std::string family = parts[0];
  if (hasEastAsian(g)) {
    std::string out = family;
    for (std::size_t n = 1; n < parts.size() && n < 3; ++n)
      out += parts[n];
    return out;
  }
  std::string given;
  for (std::size_t n = 1; n < parts.size() && n < 3; ++n) {
    if (!parts[n].empty())
      given += (given.empty() ? "" : " ") + parts[n];
  }
  std::string out = family.empty() ? given : given.empty() ? family : family + ", " + given;
  if (parts.size() > 3 && !parts[3].empty())
    out = parts[3] + " " + out; // prefix
  if (parts.size() > 4 && !parts[4].empty())
    out += ", " + parts[4]; // suffix
  return out;
}

} // namespace

std::string displayPersonName(const std::string& personName) {
  if (personName.find_first_of("^=") == std::string::npos)
    return personName;
  const std::vector<std::string> groups = split(personName, '=');
  const std::string alphabetic = group(groups[0]);
  const std::string ideographic = groups.size() > 1 ? group(groups[1]) : std::string();
  const std::string phonetic = groups.size() > 2 ? group(groups[2]) : std::string();
  if (alphabetic.empty())
    return ideographic.empty() ? phonetic : ideographic;
  if (!ideographic.empty())
    return alphabetic + " (" + ideographic + ")";
  return alphabetic;
}

} // namespace lightbox
