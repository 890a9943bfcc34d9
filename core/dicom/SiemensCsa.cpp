// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/SiemensCsa.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace lightbox {
namespace {

/// Reads little-endian numbers from a byte range; any read past the end sets `bad`.
struct Cursor {
  const char* data;
  std::size_t size, at = 0;
  bool bad = false;
  bool has(std::size_t n) const { return !bad && n <= size && at <= size - n; }
  std::int32_t i32() {
    if (!has(4)) {
      bad = true;
      return 0;
    }
    std::uint32_t v = 0;
    for (int b = 3; b >= 0; --b) v = (v << 8) | std::uint8_t(data[at + std::size_t(b)]);
    at += 4;
    return std::int32_t(v);
  }
  std::string text(std::size_t n) {
    if (!has(n)) {
      bad = true;
      return {};
    }
    const char* p = data + at;
    at += n;
    return std::string(p, strnlen(p, n));
  }
  void skip(std::size_t n) {
    if (!has(n)) bad = true;
    else at += n;
  }
};

constexpr std::int32_t kMaxTags = 1024;
constexpr std::int32_t kMaxItems = 4096;

} // namespace

std::map<std::string, std::vector<std::string>> readSiemensCsa(const char* data, std::size_t size) {
  std::map<std::string, std::vector<std::string>> out;
  if (!data) return out;
  Cursor c{data, size};
  const bool sv10 = size >= 4 && std::memcmp(data, "SV10", 4) == 0;
  if (sv10) c.skip(8); // "SV10" and four unused bytes
  const std::int32_t tags = c.i32();
  c.skip(4); // unused (77)
  if (c.bad || tags <= 0 || tags > kMaxTags) return {};
  std::int32_t firstItems = 0;
  for (std::int32_t t = 0; t < tags; ++t) {
    const std::string name = c.text(64);
    const std::int32_t vm = c.i32();
    c.skip(4); // VR
    c.skip(4); // SyngoDT
    const std::int32_t items = c.i32();
    c.skip(4); // 77 or 205
    if (c.bad || vm < 0 || items < 0 || items > kMaxItems) return {};
    if (t == 1) firstItems = items; // CSA1 item lengths are offset by this count (nibabel)
    const std::int32_t wanted = vm > 0 ? vm : items;
    std::vector<std::string> values;
    for (std::int32_t n = 0; n < items; ++n) {
      const std::int32_t x0 = c.i32(), x1 = c.i32();
      c.skip(8);
      if (c.bad) return {};
      const std::int64_t length = sv10 ? std::int64_t(x1) : std::int64_t(x0) - firstItems;
      if (length < 0 || !c.has(std::size_t(length))) {
        if (sv10) return {};
        break; // CSA1's odd lengths: what was read stands (nibabel does the same)
      }
      std::string value = c.text(std::size_t(length));
      // Items are padded to 4 bytes; the last one's padding may be cut off at the end (nibabel
      // and GDCM read such headers).
      if (length % 4) c.skip(std::min<std::size_t>(std::size_t(4 - length % 4), c.size - c.at));
      if (c.bad) return {};
      if (n < wanted) {
        while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
        values.push_back(std::move(value));
      }
    }
    if (!name.empty()) out[name] = std::move(values);
  }
  return out;
}

} // namespace lightbox
