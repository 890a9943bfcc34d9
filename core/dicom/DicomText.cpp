// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomText.h"

#include <cerrno>
#include <cstring>
#include <iconv.h>
#include <memory>
#include <unordered_map>
#include <vector>

namespace lightbox {
namespace {

const char* const kReplacement = "\xEF\xBF\xBD"; // U+FFFD

/// One iconv converter per source encoding and thread: iconv_t is not safe to share between
/// threads, and opening one costs more than converting a name, so the header scan's workers keep
/// their own.
class ConverterCache {
public:
  ~ConverterCache() {
    for (auto& [name, cd] : converters_) {
      if (cd != invalid()) iconv_close(cd);
    }
  }
  iconv_t get(const std::string& encoding) {
    auto it = converters_.find(encoding);
    if (it == converters_.end()) {
      it = converters_.emplace(encoding, iconv_open("UTF-8", encoding.c_str())).first;
    }
    return it->second;
  }
  static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

private:
  std::unordered_map<std::string, iconv_t> converters_;
};

ConverterCache& converters() {
  static thread_local ConverterCache cache;
  return cache;
}

/// Converts `bytes` from `encoding` to UTF-8, appending to `out`; a byte iconv refuses becomes
/// U+FFFD and the conversion goes on after it.
void convertLossy(const std::string& encoding, const std::string& bytes, std::string& out, bool& lossy) {
  if (bytes.empty()) return;
  iconv_t cd = converters().get(encoding);
  if (cd == ConverterCache::invalid()) {
    for (std::size_t i = 0; i < bytes.size(); ++i) out += kReplacement;
    lossy = true;
    return;
  }
  iconv(cd, nullptr, nullptr, nullptr, nullptr); // initial shift state
  std::vector<char> in(bytes.begin(), bytes.end());
  char* inPtr = in.data();
  std::size_t inLeft = in.size();
  std::vector<char> buffer(4 * bytes.size() + 16);
  while (inLeft > 0) {
    char* outPtr = buffer.data();
    std::size_t outLeft = buffer.size();
    const std::size_t rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft);
    out.append(buffer.data(), buffer.size() - outLeft);
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;
    // EILSEQ (a byte not in the set) or EINVAL (a truncated multi-byte character).
    out += kReplacement;
    lossy = true;
    ++inPtr;
    --inLeft;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  char* outPtr = buffer.data();
  std::size_t outLeft = buffer.size();
  iconv(cd, nullptr, nullptr, &outPtr, &outLeft); // flush any shift state
  out.append(buffer.data(), buffer.size() - outLeft);
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return s.substr(b, e - b);
}

std::vector<std::string> terms(const std::string& specificCharacterSet) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t bs = specificCharacterSet.find('\\', start);
    out.push_back(trimmed(specificCharacterSet.substr(start, bs == std::string::npos ? std::string::npos : bs - start)));
    if (bs == std::string::npos) break;
    start = bs + 1;
  }
  return out;
}

/// The graphic sets ISO 2022 designates (PS3.3 C.12.1.1.2, tables C.12-3 and C.12-4).
enum class SetKind { None, Ascii, Katakana, SingleByte, Jis0208, Jis0212, Ksx1001, Gb2312 };
struct GraphicSet {
  SetKind kind = SetKind::None;
  const char* iconvName = nullptr; ///< the 96-character G1 sets (ISO 8859 parts, TIS 620)
};

struct Designation {
  const char* term;   ///< defined term in (0008,0005)
  const char* escape; ///< its escape sequence, ESC excluded
  bool g1;
  GraphicSet set;
};

const Designation kDesignations[] = {
    {"ISO 2022 IR 6", "(B", false, {SetKind::Ascii, nullptr}},
    {"", "(J", false, {SetKind::Ascii, nullptr}}, // JIS X 0201 Romaji: read as ASCII
    {"ISO 2022 IR 13", ")I", true, {SetKind::Katakana, nullptr}},
    {"ISO 2022 IR 87", "$B", false, {SetKind::Jis0208, nullptr}},
    {"ISO 2022 IR 159", "$(D", false, {SetKind::Jis0212, nullptr}},
    {"ISO 2022 IR 149", "$)C", true, {SetKind::Ksx1001, nullptr}},
    {"ISO 2022 IR 58", "$)A", true, {SetKind::Gb2312, nullptr}},
    {"ISO 2022 IR 100", "-A", true, {SetKind::SingleByte, "ISO-8859-1"}},
    {"ISO 2022 IR 101", "-B", true, {SetKind::SingleByte, "ISO-8859-2"}},
    {"ISO 2022 IR 109", "-C", true, {SetKind::SingleByte, "ISO-8859-3"}},
    {"ISO 2022 IR 110", "-D", true, {SetKind::SingleByte, "ISO-8859-4"}},
    {"ISO 2022 IR 144", "-L", true, {SetKind::SingleByte, "ISO-8859-5"}},
    {"ISO 2022 IR 127", "-G", true, {SetKind::SingleByte, "ISO-8859-6"}},
    {"ISO 2022 IR 126", "-F", true, {SetKind::SingleByte, "ISO-8859-7"}},
    {"ISO 2022 IR 138", "-H", true, {SetKind::SingleByte, "ISO-8859-8"}},
    {"ISO 2022 IR 148", "-M", true, {SetKind::SingleByte, "ISO-8859-9"}},
    {"ISO 2022 IR 203", "-b", true, {SetKind::SingleByte, "ISO-8859-15"}},
    {"ISO 2022 IR 166", "-T", true, {SetKind::SingleByte, "TIS-620"}},
};

/// Single-byte (and multi-byte, non-ISO 2022) defined terms and their iconv names.
const char* plainEncoding(const std::string& term) {
  static const std::unordered_map<std::string, const char*> kPlain = {
      {"ISO_IR 100", "ISO-8859-1"}, {"ISO_IR 101", "ISO-8859-2"}, {"ISO_IR 109", "ISO-8859-3"},
      {"ISO_IR 110", "ISO-8859-4"}, {"ISO_IR 144", "ISO-8859-5"}, {"ISO_IR 127", "ISO-8859-6"},
      {"ISO_IR 126", "ISO-8859-7"}, {"ISO_IR 138", "ISO-8859-8"}, {"ISO_IR 148", "ISO-8859-9"},
      {"ISO_IR 203", "ISO-8859-15"}, {"ISO_IR 166", "TIS-620"}, {"GB18030", "GB18030"},
      {"GBK", "GBK"}, {"ISO_IR 13", "JIS_X0201"}};
  const auto it = kPlain.find(term);
  return it == kPlain.end() ? nullptr : it->second;
}

void appendCodePoint(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

/// ISO 2022 code extensions: a run of bytes of one set is converted at once.
DecodedText decodeIso2022(const std::string& raw, const std::vector<std::string>& setTerms, TextVr vr) {
  DecodedText result;
  GraphicSet initialG0{SetKind::Ascii, nullptr};
  GraphicSet initialG1{};
  bool unknownTerm = false;
  // The first term sets the initial state; any later term only allows its escape sequence.
  if (!setTerms.empty() && !setTerms.front().empty()) {
    const std::string first = setTerms.front();
    bool found = false;
    for (const Designation& d : kDesignations) {
      if (d.term[0] != '\0' && first == d.term) {
        (d.g1 ? initialG1 : initialG0) = d.set;
        found = true;
      }
    }
    unknownTerm = !found && first != "ISO_IR 6";
  }
  GraphicSet g0 = initialG0, g1 = initialG1;
  std::string runEncoding;
  std::string run;
  auto flush = [&]() {
    convertLossy(runEncoding, run, result.utf8, result.lossy);
    run.clear();
    runEncoding.clear();
  };
  auto addToRun = [&](const char* encoding, const std::string& bytes) {
    if (runEncoding != encoding) {
      flush();
      runEncoding = encoding;
    }
    run += bytes;
  };
  auto bad = [&]() {
    flush();
    result.utf8 += kReplacement;
    result.lossy = true;
  };
  const std::size_t n = raw.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char b = static_cast<unsigned char>(raw[i]);
    if (b == 0x1B) {
      bool matched = false;
      for (const Designation& d : kDesignations) {
        const std::size_t len = std::strlen(d.escape);
        if (raw.compare(i + 1, len, d.escape) == 0) {
          flush();
          (d.g1 ? g1 : g0) = d.set;
          i += 1 + len;
          matched = true;
          break;
        }
      }
      if (!matched) {
        bad();
        ++i;
      }
      continue;
    }
    // In a two-byte set (JIS X 0208/0212 in G0) the bytes 0x21..0x7E are halves of characters:
    // '=', '^' and '\\' there are kanji bytes (0x3D55 is 春), never separators; PS3.5 6.1.2.5.3 has
    // the writer switch back to ASCII before any separator.
    const bool twoByteG0 = g0.kind == SetKind::Jis0208 || g0.kind == SetKind::Jis0212;
    const bool delimiter = !(twoByteG0 && b >= 0x21 && b <= 0x7E) &&
                           (b == '\\' || (vr == TextVr::PersonName ? (b == '^' || b == '=')
                                                                  : (b == '\r' || b == '\n' || b == '\t' || b == '\f')));
    if (delimiter) {
      flush();
      result.utf8 += char(b);
      g0 = initialG0;
      g1 = initialG1;
      ++i;
      continue;
    }
    if (b < 0x80) {
      if (twoByteG0 && b >= 0x21 && b <= 0x7E) {
        const unsigned char c = i + 1 < n ? static_cast<unsigned char>(raw[i + 1]) : 0;
        if (c < 0x21 || c > 0x7E) {
          bad();
          ++i;
          continue;
        }
        // JIS X 0208/0212 in G0 are EUC-JP with the high bits set (0212 behind SS3).
        std::string bytes;
        if (g0.kind == SetKind::Jis0212) bytes += char(0x8F);
        bytes += char(b | 0x80);
        bytes += char(c | 0x80);
        addToRun("EUC-JP", bytes);
        i += 2;
        continue;
      }
      flush();
      result.utf8 += char(b);
      ++i;
      continue;
    }
    switch (g1.kind) {
    case SetKind::Katakana:
      if (b >= 0xA1 && b <= 0xDF) {
        flush();
        appendCodePoint(result.utf8, 0xFF61 + (b - 0xA1)); // half-width katakana
      } else {
        bad();
      }
      ++i;
      break;
    case SetKind::SingleByte:
      addToRun(g1.iconvName, std::string(1, char(b)));
      ++i;
      break;
    case SetKind::Ksx1001:
    case SetKind::Gb2312: {
      const unsigned char c = i + 1 < n ? static_cast<unsigned char>(raw[i + 1]) : 0;
      if (c < 0xA1) {
        bad();
        ++i;
        break;
      }
      addToRun(g1.kind == SetKind::Ksx1001 ? "EUC-KR" : "EUC-CN", std::string{char(b), char(c)});
      i += 2;
      break;
    }
    default:
      bad();
      ++i;
      break;
    }
  }
  flush();
  if (unknownTerm) result.lossy = true;
  return result;
}

bool asciiOnly(const std::string& s) {
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c == 0x1B) return false;
  }
  return true;
}

} // namespace

bool isValidUtf8(const std::string& s) {
  return sanitizeUtf8(s) == s;
}

std::string sanitizeUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += char(c);
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned cp = 0;
    unsigned minCp = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; minCp = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; minCp = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; minCp = 0x10000; }
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const unsigned char t = static_cast<unsigned char>(s[i + k]);
      ok = (t & 0xC0) == 0x80;
      cp = (cp << 6) | (t & 0x3F);
    }
    ok = ok && cp >= minCp && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

DecodedText decodeDicomText(const std::string& raw, const std::string& specificCharacterSet, TextVr vr) {
  if (asciiOnly(raw)) {
    return {raw, false};
  }
  const std::vector<std::string> setTerms = terms(specificCharacterSet);
  bool iso2022 = false;
  for (const std::string& t : setTerms) {
    iso2022 = iso2022 || t.rfind("ISO 2022", 0) == 0;
  }
  if (iso2022) {
    return decodeIso2022(raw, setTerms, vr);
  }
  // One character set for the whole value (a second term without ISO 2022 is not valid DICOM:
  // the first one is used).
  const std::string& term = setTerms.front();
  DecodedText result;
  if (term == "ISO_IR 192") {
    result.utf8 = sanitizeUtf8(raw);
    result.lossy = result.utf8 != raw;
    return result;
  }
  if (const char* encoding = plainEncoding(term)) {
    if (term == "ISO_IR 13") {
      // JIS X 0201: katakana in the upper half, read directly (no iconv set needed).
      for (const char ch : raw) {
        const unsigned char b = static_cast<unsigned char>(ch);
        if (b < 0x80) result.utf8 += ch;
        else if (b >= 0xA1 && b <= 0xDF) appendCodePoint(result.utf8, 0xFF61 + (b - 0xA1));
        else { result.utf8 += kReplacement; result.lossy = true; }
      }
      return result;
    }
    convertLossy(encoding, raw, result.utf8, result.lossy);
    return result;
  }
  // Default repertoire (no or an unknown Specific Character Set): only ASCII is defined.
  for (const char ch : raw) {
    if (static_cast<unsigned char>(ch) < 0x80) result.utf8 += ch;
    else result.utf8 += kReplacement;
  }
  result.lossy = true;
  return result;
}

} // namespace lightbox
