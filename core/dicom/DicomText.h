// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// A DICOM text value decoded to UTF-8, and whether bytes had to be replaced on the way.
struct DecodedText {
  std::string utf8;   ///< always valid UTF-8; undecodable bytes are U+FFFD
  bool lossy = false; ///< true when a byte could not be decoded (or the character set is unknown)
  bool operator==(const DecodedText& o) const { return utf8 == o.utf8 && lossy == o.lossy; }
};

/// How a value's code extensions reset (PS3.5 6.1.2.5.3): a Person Name (PN) returns to the
/// initial sets at '^', '=' and '\\'; other string VRs at '\\' and at control characters.
enum class TextVr { PersonName, Other };

/// Decodes `raw` (one element's bytes, any padding included) by the Specific Character Set
/// (0008,0005) value `specificCharacterSet` (as stored: terms separated by '\\', the first
/// possibly empty) into UTF-8: single-byte ISO_IR 100-148, 13, 166, 203; ISO 2022 code extensions
/// (Latin/Cyrillic/Greek/Arabic/Hebrew/Thai G1 sets, JIS X 0201/0208/0212, KS X 1001, GB2312);
/// GB18030, GBK and ISO_IR 192. Conversion goes through glibc iconv (converters cached per thread);
/// ASCII values and ISO_IR 192 values that are valid UTF-8 are returned as they are, without it.
/// Never throws; an unknown character set or a bad byte gives U+FFFD and `lossy`.
DecodedText decodeDicomText(const std::string& raw, const std::string& specificCharacterSet,
                            TextVr vr = TextVr::Other);

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates).
bool isValidUtf8(const std::string& s);

/// `s` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string sanitizeUtf8(const std::string& s);

} // namespace lightbox
