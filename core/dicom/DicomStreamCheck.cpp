// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomStreamCheck.h"

#include <gdcmTransferSyntax.h>

#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace lightbox {
namespace {

constexpr std::uint32_t kUndefinedLength = 0xffffffffu;
constexpr int kMaxNesting = 32;
constexpr std::size_t kWindowBytes = 64 * 1024;
/// A deflated data set may inflate to this much at most (a small file inflating to gigabytes is a
/// decompression bomb, refused by name).
constexpr std::size_t kMaxInflatedBytes = std::size_t(256) << 20;
/// Elements and items one check may visit (a crafted file whose values parse both as implicit and
/// explicit sequences at every level would otherwise cost exponential time).
constexpr std::uint64_t kMaxElementsVisited = 20'000'000;

constexpr std::uint32_t tagOf(std::uint16_t group, std::uint16_t element) {
  return (std::uint32_t(group) << 16) | element;
}
constexpr std::uint32_t kItem = tagOf(0xfffe, 0xe000);
constexpr std::uint32_t kItemEnd = tagOf(0xfffe, 0xe00d);
constexpr std::uint32_t kSequenceEnd = tagOf(0xfffe, 0xe0dd);
constexpr std::uint32_t kPixelData = tagOf(0x7fe0, 0x0010);

/// Thrown inside the walker, turned into a StreamCheck at the public entry points.
struct StreamDefect {
  StreamProblem problem;
  std::string reason;
  bool final = false; ///< a limit was hit (nesting, work): no other reading of the bytes is tried
};

std::string tagText(std::uint32_t tag) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "(%04X,%04X)", unsigned(tag >> 16), unsigned(tag & 0xffff));
  return buf;
}

[[noreturn]] void fail(StreamProblem problem, std::string reason) {
  throw StreamDefect{problem, std::move(reason)};
}

[[noreturn]] void failFinal(StreamProblem problem, std::string reason) {
  throw StreamDefect{problem, std::move(reason), true};
}

/// Bytes of a file (read through a window that moves with the walk, so skipped values are never
/// read) or of a buffer in memory.
class ByteSource {
public:
  ByteSource(const std::uint8_t* bytes, std::size_t size) : memory_(bytes), size_(size) {}
  ByteSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

  std::uint64_t size() const { return size_; }

  /// Pointer to `n` bytes at `offset`, or nullptr when they run past the end.
  const std::uint8_t* at(std::uint64_t offset, std::size_t n) {
    if (offset > size_ || n > size_ - offset) {
      return nullptr;
    }
    if (memory_) {
      return memory_ + offset;
    }
    if (offset < windowStart_ || offset + n > windowStart_ + window_.size()) {
      load(offset, std::max(n, kWindowBytes));
    }
    return window_.data() + (offset - windowStart_);
  }

private:
  void load(std::uint64_t offset, std::size_t n) {
    n = std::size_t(std::min<std::uint64_t>(n, size_ - offset));
    window_.resize(n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, window_.data() + got, n - got, off_t(offset + got));
      if (r <= 0) {
        fail(StreamProblem::Truncated, "the file could not be read at byte " + std::to_string(offset + got) +
                                           (r < 0 ? std::string(": ") + std::strerror(errno) : std::string()));
      }
      got += std::size_t(r);
    }
    windowStart_ = offset;
  }

  const std::uint8_t* memory_ = nullptr;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::vector<std::uint8_t> window_;
  std::uint64_t windowStart_ = 0;
};

struct Encoding {
  bool explicitVr = true;
  bool bigEndian = false;
};

/// The VRs GDCM reads, and whether their length field is 32 bits in explicit syntaxes.
bool knownVr(char a, char b, bool& longLength) {
  static const char* const kShort[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
                                       "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"};
  static const char* const kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* v : kShort) {
    if (v[0] == a && v[1] == b) {
      longLength = false;
      return true;
    }
  }
  for (const char* v : kLong) {
    if (v[0] == a && v[1] == b) {
      longLength = true;
      return true;
    }
  }
  return false;
}

struct ElementHeader {
  std::uint32_t tag = 0;
  char vr[2] = {0, 0}; ///< {0, 0} for implicit syntaxes and item/delimiter tags
  std::uint32_t length = 0;
  std::uint64_t valueOffset = 0;

  bool hasVr(const char* v) const { return vr[0] == v[0] && vr[1] == v[1]; }
};

/// Walks elements, items and fragments, throwing StreamDefect at the first defect.
class StreamWalker {
public:
  StreamWalker(ByteSource& src, std::string where) : src_(src), where_(std::move(where)) {}

  /// The top-level data set from `pos` to the end of the file (or to Pixel Data, for Header).
  void walkDataSet(std::uint64_t pos, Encoding enc, StreamExtent extent) {
    if (pos >= src_.size()) {
      fail(StreamProblem::Truncated, "the file ends before its data set begins (byte " + std::to_string(pos) + ")");
    }
    while (pos < src_.size()) {
      if (src_.size() - pos < 4) {
        return; // a few trailing bytes after the last element: ignored, as every reader does
      }
      const ElementHeader h = readHeader(pos, enc, "");
      if ((h.tag >> 16) == 0xfffe) {
        fail(StreamProblem::Malformed, tagText(h.tag) + " (an item or delimiter tag) appears outside a sequence" + at(pos));
      }
      if (extent == StreamExtent::Header && h.tag == kPixelData) {
        return; // the header ends here; pixel data is checked by the decoder's whole-file walk
      }
      pos = walkValue(h, enc, 0);
      if (extent == StreamExtent::Header && h.tag > kPixelData) {
        return;
      }
    }
  }

private:
  std::string at(std::uint64_t pos) const { return " at byte " + std::to_string(pos) + where_; }

  std::uint16_t u16(const std::uint8_t* p, bool bigEndian) const {
    return bigEndian ? std::uint16_t((p[0] << 8) | p[1]) : std::uint16_t(p[0] | (p[1] << 8));
  }
  std::uint32_t u32(const std::uint8_t* p, bool bigEndian) const {
    return bigEndian ? (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3]
                     : (std::uint32_t(p[3]) << 24) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[1]) << 8) | p[0];
  }

  const std::uint8_t* need(std::uint64_t pos, std::size_t n, const std::string& what) {
    const std::uint8_t* p = src_.at(pos, n);
    if (!p) {
      fail(StreamProblem::Truncated, "the file ends inside " + what + at(pos) + " (" + std::to_string(n) +
                                         " bytes needed, " + std::to_string(src_.size() - std::min(pos, src_.size())) +
                                         " left)");
    }
    return p;
  }

  /// Tag, VR and length at `pos`. `context` names the enclosing sequence for messages.
  ElementHeader readHeader(std::uint64_t pos, Encoding enc, const std::string& context) {
    ElementHeader h;
    const std::uint8_t* p = need(pos, 4, "an element tag" + context);
    h.tag = (std::uint32_t(u16(p, enc.bigEndian)) << 16) | u16(p + 2, enc.bigEndian);
    const std::string element = "element " + tagText(h.tag) + context;
    if ((h.tag >> 16) == 0xfffe || !enc.explicitVr) {
      h.length = u32(need(pos + 4, 4, "the length of " + element), enc.bigEndian);
      h.valueOffset = pos + 8;
      return h;
    }
    const std::uint8_t* v = need(pos + 4, 4, "the VR and length of " + element);
    bool longLength = false;
    if (!knownVr(char(v[0]), char(v[1]), longLength)) {
      char shown[16];
      std::snprintf(shown, sizeof(shown), "%02X %02X", unsigned(v[0]), unsigned(v[1]));
      fail(StreamProblem::Malformed, element + " has no valid VR (bytes " + std::string(shown) + ")" + at(pos));
    }
    h.vr[0] = char(v[0]);
    h.vr[1] = char(v[1]);
    if (longLength) {
      h.length = u32(need(pos + 8, 4, "the length of " + element), enc.bigEndian);
      h.valueOffset = pos + 12;
    } else {
      h.length = u16(v + 2, enc.bigEndian);
      h.valueOffset = pos + 8;
    }
    return h;
  }

  /// Checks the value of element `h` and returns the offset just past it.
  std::uint64_t walkValue(const ElementHeader& h, Encoding enc, int depth) {
    const std::string element = "element " + tagText(h.tag);
    if (depth > kMaxNesting) {
      failFinal(StreamProblem::Malformed, "sequences nested deeper than " + std::to_string(kMaxNesting) + " levels in " +
                                              element + at(h.valueOffset));
    }
    if (++visited_ > kMaxElementsVisited) {
      failFinal(StreamProblem::Malformed, "more than " + std::to_string(kMaxElementsVisited) +
                                              " elements to check (a crafted or broken data set)" + at(h.valueOffset));
    }
    if (h.length == kUndefinedLength) {
      if (h.tag == kPixelData) {
        if (enc.explicitVr && !(h.hasVr("OB") || h.hasVr("OW") || h.hasVr("UN"))) {
          fail(StreamProblem::Malformed, "encapsulated pixel data with VR " + std::string(h.vr, 2) + at(h.valueOffset));
        }
        return walkFragments(h.valueOffset, enc);
      }
      if (!enc.explicitVr || h.hasVr("SQ")) {
        return walkSequence(h, h.valueOffset, kUndefinedLength, enc, depth);
      }
      if (h.hasVr("UN")) {
        return walkSequence(h, h.valueOffset, kUndefinedLength, Encoding{false, enc.bigEndian}, depth);
      }
      fail(StreamProblem::Malformed, element + " has an undefined length, which VR " + std::string(h.vr, 2) +
                                         " does not allow" + at(h.valueOffset));
    }
    const std::uint64_t end = h.valueOffset + h.length;
    if (end > src_.size()) {
      fail(StreamProblem::Truncated, "the file ends inside " + element + at(h.valueOffset) + " (value of " +
                                         std::to_string(h.length) + " bytes, " +
                                         std::to_string(src_.size() - std::min(h.valueOffset, src_.size())) + " left)");
    }
    if (h.tag == kPixelData && h.hasVr("SQ")) {
      fail(StreamProblem::Malformed, "pixel data with VR SQ" + at(h.valueOffset));
    }
    if (h.hasVr("SQ")) {
      return walkSequence(h, h.valueOffset, h.length, enc, depth);
    }
    // Implicit syntaxes and VR UN hide sequences in plain values; GDCM parses them on demand, so a
    // value that starts like a sequence must be one.
    const bool mayHideSequence = !enc.explicitVr || h.hasVr("UN");
    if (mayHideSequence && h.length >= 8 && h.tag != kPixelData && startsWithItem(h.valueOffset, enc.bigEndian)) {
      try {
        walkSequence(h, h.valueOffset, h.length, Encoding{false, enc.bigEndian}, depth);
      } catch (const StreamDefect& d) {
        if (d.final) throw;
        walkSequence(h, h.valueOffset, h.length, Encoding{true, enc.bigEndian}, depth);
      }
    }
    return end;
  }

  bool startsWithItem(std::uint64_t pos, bool bigEndian) {
    const std::uint8_t* p = src_.at(pos, 4);
    return p && ((std::uint32_t(u16(p, bigEndian)) << 16) | u16(p + 2, bigEndian)) == kItem;
  }

  /// Items of sequence `owner` from `pos`, `length` bytes or up to its delimiter.
  std::uint64_t walkSequence(const ElementHeader& owner, std::uint64_t pos, std::uint32_t length, Encoding enc,
                             int depth) {
    const std::string context = " in sequence " + tagText(owner.tag);
    const bool defined = length != kUndefinedLength;
    const std::uint64_t end = defined ? pos + length : 0;
    while (!defined || pos < end) {
      const ElementHeader item = readHeader(pos, enc, context);
      if (!defined && item.tag == kSequenceEnd) {
        requireZeroLength(item, context, pos);
        return item.valueOffset;
      }
      if (item.tag != kItem) {
        fail(StreamProblem::Malformed, "expected an item" + context + ", found " + tagText(item.tag) + at(pos));
      }
      pos = walkItem(item, enc, depth + 1, context);
      if (defined && pos > end) {
        fail(StreamProblem::Malformed, "an item runs past the end of sequence " + tagText(owner.tag) + at(pos));
      }
    }
    return pos;
  }

  std::uint64_t walkItem(const ElementHeader& item, Encoding enc, int depth, const std::string& context) {
    const bool defined = item.length != kUndefinedLength;
    const std::uint64_t end = defined ? item.valueOffset + item.length : 0;
    if (defined && end > src_.size()) {
      fail(StreamProblem::Truncated, "the file ends inside an item" + context + at(item.valueOffset) + " (item of " +
                                         std::to_string(item.length) + " bytes)");
    }
    std::uint64_t pos = item.valueOffset;
    while (!defined || pos < end) {
      const ElementHeader h = readHeader(pos, enc, context);
      if (!defined && h.tag == kItemEnd) {
        requireZeroLength(h, context, pos);
        return h.valueOffset;
      }
      if ((h.tag >> 16) == 0xfffe) {
        fail(StreamProblem::Malformed, "unexpected " + tagText(h.tag) + " inside an item" + context + at(pos));
      }
      pos = walkValue(h, enc, depth);
      if (defined && pos > end) {
        fail(StreamProblem::Malformed, "element " + tagText(h.tag) + " runs past the end of its item" + context +
                                           at(h.valueOffset));
      }
    }
    return pos;
  }

  /// Encapsulated pixel data: items of defined length (offset table, fragments), then a delimiter.
  std::uint64_t walkFragments(std::uint64_t pos, Encoding enc) {
    const std::string context = " in encapsulated pixel data";
    for (;;) {
      const std::uint8_t* p = need(pos, 8, "a fragment header" + context);
      const std::uint32_t tag = (std::uint32_t(u16(p, enc.bigEndian)) << 16) | u16(p + 2, enc.bigEndian);
      const std::uint32_t length = u32(p + 4, enc.bigEndian);
      if (tag == kSequenceEnd) {
        return pos + 8;
      }
      if (tag != kItem) {
        fail(StreamProblem::Malformed, "expected a fragment" + context + ", found " + tagText(tag) + at(pos));
      }
      if (length == kUndefinedLength) {
        fail(StreamProblem::Malformed, "a fragment of undefined length" + context + at(pos));
      }
      if (pos + 8 + length > src_.size()) {
        fail(StreamProblem::Truncated, "the file ends inside a fragment" + context + at(pos + 8) + " (fragment of " +
                                           std::to_string(length) + " bytes, " +
                                           std::to_string(src_.size() - (pos + 8)) + " left)");
      }
      pos += 8 + std::uint64_t(length);
    }
  }

  void requireZeroLength(const ElementHeader& delimiter, const std::string& context, std::uint64_t pos) {
    if (delimiter.length != 0) {
      fail(StreamProblem::Malformed, "delimiter " + tagText(delimiter.tag) + context + " has length " +
                                         std::to_string(delimiter.length) + " instead of 0" + at(pos));
    }
  }

  ByteSource& src_;
  std::uint64_t visited_ = 0; ///< elements and items walked so far (kMaxElementsVisited)
  std::string where_;
};

struct MetaGroup {
  std::uint64_t end = 0; ///< offset of the first data set element
  std::string transferSyntaxUid;
};

std::string trimUid(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) {
    s.pop_back();
  }
  return s;
}

/// The meta group (0002,xxxx), always Explicit VR Little Endian, from `pos`. GDCM asserts on a
/// meta element it cannot read whole, on SQ or undefined lengths there, and on a file that ends
/// right after the group.
MetaGroup walkMetaGroup(ByteSource& src, std::uint64_t pos) {
  MetaGroup meta;
  for (;;) {
    const std::uint8_t* p = src.at(pos, 4);
    if (!p) {
      fail(StreamProblem::Truncated, "the file ends inside the file meta information at byte " + std::to_string(pos) +
                                         " (no data set follows)");
    }
    if ((p[0] | (p[1] << 8)) != 0x0002) {
      meta.end = pos;
      return meta;
    }
    const std::uint32_t tag = tagOf(0x0002, std::uint16_t(p[2] | (p[3] << 8)));
    const std::string element = "file meta element " + tagText(tag);
    const std::uint8_t* v = src.at(pos + 4, 4);
    if (!v) {
      fail(StreamProblem::Truncated, "the file ends inside " + element + " at byte " + std::to_string(pos));
    }
    bool longLength = false;
    if (!knownVr(char(v[0]), char(v[1]), longLength) || (v[0] == 'S' && v[1] == 'Q')) {
      fail(StreamProblem::Malformed, element + " has no valid VR at byte " + std::to_string(pos + 4));
    }
    std::uint64_t valueOffset = pos + 8;
    std::uint32_t length = std::uint32_t(v[2] | (v[3] << 8));
    if (longLength) {
      const std::uint8_t* l = src.at(pos + 8, 4);
      if (!l) {
        fail(StreamProblem::Truncated, "the file ends inside " + element + " at byte " + std::to_string(pos));
      }
      length = std::uint32_t(l[0]) | (std::uint32_t(l[1]) << 8) | (std::uint32_t(l[2]) << 16) | (std::uint32_t(l[3]) << 24);
      valueOffset = pos + 12;
    }
    if (length == kUndefinedLength) {
      fail(StreamProblem::Malformed, element + " has an undefined length at byte " + std::to_string(pos));
    }
    const std::uint8_t* value = src.at(valueOffset, length);
    if (!value) {
      fail(StreamProblem::Truncated, "the file ends inside " + element + " at byte " + std::to_string(valueOffset) +
                                         " (value of " + std::to_string(length) + " bytes, " +
                                         std::to_string(src.size() - std::min(valueOffset, src.size())) + " left)");
    }
    if (tag == tagOf(0x0002, 0x0010)) {
      meta.transferSyntaxUid = trimUid(std::string(reinterpret_cast<const char*>(value), length));
    }
    pos = valueOffset + length;
  }
}

/// How the data set after the meta group is encoded, as GDCM decides it.
enum class DataSetSyntax { ImplicitLittle, ExplicitLittle, ExplicitBig, Deflated };

bool looksExplicit(ByteSource& src, std::uint64_t pos) {
  const std::uint8_t* p = src.at(pos + 4, 2);
  bool longLength = false;
  return p && knownVr(char(p[0]), char(p[1]), longLength);
}

DataSetSyntax syntaxOf(const std::string& uid, ByteSource& src, std::uint64_t dataSetStart) {
  if (uid.empty()) {
    return looksExplicit(src, dataSetStart) ? DataSetSyntax::ExplicitLittle : DataSetSyntax::ImplicitLittle;
  }
  if (gdcm::TransferSyntax::GetTSType(uid.c_str()) == gdcm::TransferSyntax::TS_END) {
    fail(StreamProblem::UnsupportedSyntax, "transfer syntax " + uid + " is not supported by this build");
  }
  if (uid == "1.2.840.10008.1.2") return DataSetSyntax::ImplicitLittle;
  if (uid == "1.2.840.10008.1.2.2") return DataSetSyntax::ExplicitBig;
  if (uid == "1.2.840.10008.1.2.1.99") return DataSetSyntax::Deflated;
  return DataSetSyntax::ExplicitLittle;
}

/// The raw deflate stream after the meta group, inflated; it must inflate to its end.
std::vector<std::uint8_t> inflateDataSet(ByteSource& src, std::uint64_t pos) {
  const std::uint64_t compressed = src.size() - pos;
  const std::uint8_t* in = src.at(pos, std::size_t(compressed));
  if (!in || compressed == 0) {
    fail(StreamProblem::Truncated, "the deflated data set is missing");
  }
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
    fail(StreamProblem::Malformed, "the deflated data set could not be inflated");
  }
  std::vector<std::uint8_t> out(std::min(std::max<std::size_t>(std::size_t(compressed) * 4, 4096), kMaxInflatedBytes));
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = uInt(compressed);
  int status = Z_OK;
  while (status == Z_OK) {
    if (z.total_out == out.size()) {
      if (out.size() >= kMaxInflatedBytes) {
        inflateEnd(&z);
        fail(StreamProblem::Malformed, "the deflated data set inflates to more than " +
                                           std::to_string(kMaxInflatedBytes >> 20) + " MiB (refused)");
      }
      out.resize(std::min(out.size() * 2, kMaxInflatedBytes));
    }
    z.next_out = out.data() + z.total_out;
    z.avail_out = uInt(out.size() - z.total_out);
    status = inflate(&z, Z_NO_FLUSH);
  }
  const std::size_t produced = z.total_out;
  inflateEnd(&z);
  if (status != Z_STREAM_END) {
    fail(status == Z_BUF_ERROR || status == Z_OK ? StreamProblem::Truncated : StreamProblem::Malformed,
         "the deflated data set does not inflate cleanly (" +
             std::string(status == Z_BUF_ERROR || status == Z_OK ? "it ends early" : "corrupt stream") + ")");
  }
  out.resize(produced);
  return out;
}

/// Where the data set starts and how it is encoded, for a file without preamble: GDCM guesses
/// from the first tag's group; only the guesses a real file needs are accepted.
struct RawStart {
  bool metaFirst = false;
  DataSetSyntax syntax = DataSetSyntax::ExplicitLittle;
};

RawStart rawDataSetStart(ByteSource& src) {
  if (src.size() == 0) {
    fail(StreamProblem::Truncated, "the file is empty (0 bytes)");
  }
  if (src.size() < 132) {
    // A file cut inside the (usually zero) preamble.
    const std::size_t n = std::size_t(std::min<std::uint64_t>(src.size(), 128));
    const std::uint8_t* head = src.at(0, n);
    if (std::all_of(head, head + n, [](std::uint8_t b) { return b == 0; })) {
      fail(StreamProblem::Truncated, "the file ends at byte " + std::to_string(src.size()) +
                                         ", inside the 128-byte DICOM preamble");
    }
  }
  const std::uint8_t* p = src.at(0, 8);
  if (!p) {
    fail(StreamProblem::NotDicom, "not a DICOM file");
  }
  const unsigned groupLittle = p[0] | (p[1] << 8);
  if (groupLittle == 0x0002 && looksExplicit(src, 0)) {
    return RawStart{true, DataSetSyntax::ExplicitLittle};
  }
  if (groupLittle == 0x0008) {
    return RawStart{false, looksExplicit(src, 0) ? DataSetSyntax::ExplicitLittle : DataSetSyntax::ImplicitLittle};
  }
  if (groupLittle == 0x0800 && looksExplicit(src, 0)) {
    return RawStart{false, DataSetSyntax::ExplicitBig};
  }
  fail(StreamProblem::NotDicom, "not a DICOM file");
}

void walkAfterMeta(ByteSource& src, std::uint64_t dataSetStart, DataSetSyntax syntax, StreamExtent extent) {
  if (syntax == DataSetSyntax::Deflated) {
    const std::vector<std::uint8_t> inflated = inflateDataSet(src, dataSetStart);
    ByteSource inner(inflated.data(), inflated.size());
    StreamWalker(inner, " of the inflated data set").walkDataSet(0, Encoding{true, false}, extent);
    return;
  }
  const Encoding enc{syntax != DataSetSyntax::ImplicitLittle, syntax == DataSetSyntax::ExplicitBig};
  StreamWalker(src, "").walkDataSet(dataSetStart, enc, extent);
}

StreamCheck check(ByteSource& src, StreamExtent extent) {
  StreamCheck result;
  try {
    const std::uint8_t* magic = src.at(128, 4);
    if (magic && std::memcmp(magic, "DICM", 4) == 0) {
      // PS3.10: the File Meta Information follows the prefix. Some writers leave it out and start
      // the data set there (group 0008, little endian), which GDCM reads as we check it. Anything
      // else GDCM reads by guessing the byte order, and may read a length in the other one: a
      // 245-byte file starting with group 0000 made it allocate 1.6 GB (found by fuzzing, issue 25).
      const std::uint8_t* first = src.at(132, 2);
      if (!first) fail(StreamProblem::Truncated, "the file ends after the DICM prefix");
      const unsigned group = unsigned(first[0] | (first[1] << 8));
      if (group != 0x0002 && group != 0x0008) {
        fail(StreamProblem::Malformed, "no file meta information (group 0002) after the DICM prefix");
      }
      const MetaGroup meta = walkMetaGroup(src, 132);
      result.transferSyntaxUid = meta.transferSyntaxUid;
      walkAfterMeta(src, meta.end, syntaxOf(meta.transferSyntaxUid, src, meta.end), extent);
      return result;
    }
    const RawStart start = rawDataSetStart(src);
    if (start.metaFirst) {
      const MetaGroup meta = walkMetaGroup(src, 0);
      result.transferSyntaxUid = meta.transferSyntaxUid;
      walkAfterMeta(src, meta.end, syntaxOf(meta.transferSyntaxUid, src, meta.end), extent);
    } else {
      walkAfterMeta(src, 0, start.syntax, extent);
    }
  } catch (const StreamDefect& d) {
    result.problem = d.problem;
    result.reason = d.reason;
  }
  return result;
}

} // namespace

std::string describe(const StreamCheck& check) {
  switch (check.problem) {
  case StreamProblem::None: return "no defect found";
  case StreamProblem::NotDicom: return "not a DICOM file";
  case StreamProblem::Truncated: return "truncated DICOM file: " + check.reason;
  case StreamProblem::Malformed: return "damaged DICOM file: " + check.reason;
  case StreamProblem::UnsupportedSyntax: return check.reason;
  }
  return check.reason;
}

StreamCheck checkDicomBytes(const std::uint8_t* bytes, std::size_t size, StreamExtent extent) {
  ByteSource src(bytes, size);
  return check(src, extent);
}

StreamCheck checkDicomStream(const std::string& path, StreamExtent extent) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return StreamCheck{StreamProblem::Truncated, std::string("cannot open the file: ") + std::strerror(errno), {}};
  }
  StreamCheck result;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    result = StreamCheck{StreamProblem::Truncated, std::string("cannot read the file: ") + std::strerror(errno), {}};
  } else {
    ByteSource src(fd, std::uint64_t(size));
    result = check(src, extent);
  }
  ::close(fd);
  return result;
}

} // namespace lightbox
