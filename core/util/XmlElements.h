// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// Contents of every <tag ...>...</tag> element directly in `xml` (no nesting of the same tag). A
/// reader for simple, known XML (LIDC reader files), not a general parser.
inline std::vector<std::string> xmlElements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag, close = "</" + tag + ">";
  std::size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string::npos) {
    const std::size_t after = pos + open.size();
    if (after < xml.size() && xml[after] != '>' && xml[after] != ' ') {
      pos = after; // a longer tag name with this prefix
      continue;
    }
    const std::size_t start = xml.find('>', pos);
    const std::size_t end = xml.find(close, start);
    if (start == std::string::npos || end == std::string::npos) break;
    out.push_back(xml.substr(start + 1, end - start - 1));
    pos = end + close.size();
  }
  return out;
}

/// The first such element's contents, or an empty string.
inline std::string xmlFirst(const std::string& xml, const std::string& tag) {
  const std::vector<std::string> e = xmlElements(xml, tag);
  return e.empty() ? std::string() : e.front();
}

} // namespace lightbox
