// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/CompressedFrameCheck.h"

#include <algorithm>
#include <vector>

namespace lightbox {
namespace {

std::uint32_t be16(const std::uint8_t* p) { return std::uint32_t(p[0]) << 8 | p[1]; }
std::uint64_t be32(const std::uint8_t* p) {
  return std::uint64_t(p[0]) << 24 | std::uint64_t(p[1]) << 16 | std::uint64_t(p[2]) << 8 | p[3];
}

/// The offset of the codestream inside a JP2 file (its jp2c box), or size when there is none.
std::size_t jp2Codestream(const std::uint8_t* data, std::size_t size) {
  std::size_t at = 0;
  while (at + 8 <= size) {
    std::uint64_t length = be32(data + at);
    std::size_t header = 8;
    if (length == 1) { // XLBox
      if (at + 16 > size) return size;
      length = be32(data + at + 8) << 32 | be32(data + at + 12);
      header = 16;
    }
    if (data[at + 4] == 'j' && data[at + 5] == 'p' && data[at + 6] == '2' && data[at + 7] == 'c') return at + header;
    if (length == 0 || length < header || length > size - at) return size; // 0: to the end, and not jp2c
    at += std::size_t(length);
  }
  return size;
}

} // namespace

std::string jpeg2000FragmentProblem(const std::uint8_t* data, std::size_t size, const FrameExpected& expected,
                                    bool* startsCodestream) {
  if (startsCodestream) *startsCodestream = false;
  std::size_t at = 0;
  static const std::uint8_t jp2Signature[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a};
  if (size >= 12 && std::equal(jp2Signature, jp2Signature + 12, data)) {
    if (startsCodestream) *startsCodestream = true; // a JP2 file starts here, whole or not
    at = jp2Codestream(data, size);
    if (at >= size) return "a JP2 file without a codestream box";
  } else if (size < 4 || data[0] != 0xff || data[1] != 0x4f || data[2] != 0xff || data[3] != 0x51) {
    // Not the start of a codestream (SOC is always followed by SIZ): a continuation fragment, whose
    // coded data may hold FF 4F by chance.
    return {};
  }
  if (startsCodestream) *startsCodestream = true;
  const std::uint8_t* c = data + at;
  const std::size_t n = size - at;
  // SOC, then SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz {Ssiz XRsiz YRsiz}.
  if (n < 2 || c[0] != 0xff || c[1] != 0x4f) return "no JPEG 2000 start-of-codestream marker";
  if (n < 4 + 40 || c[2] != 0xff || c[3] != 0x51) return "the JPEG 2000 codestream does not start with its SIZ marker";
  const std::uint8_t* siz = c + 4;
  const std::uint32_t lsiz = be16(siz), csiz = be16(siz + 36);
  if (csiz == 0 || csiz > 16384 || lsiz != 38 + 3 * csiz || n < 4 + std::size_t(lsiz)) {
    return "the JPEG 2000 SIZ marker is damaged (length " + std::to_string(lsiz) + ", " + std::to_string(csiz) +
           " components)";
  }
  const std::uint64_t xsiz = be32(siz + 4), ysiz = be32(siz + 8), xo = be32(siz + 12), yo = be32(siz + 16);
  const std::uint64_t xt = be32(siz + 20), yt = be32(siz + 24), xto = be32(siz + 28), yto = be32(siz + 32);
  if (xo >= xsiz || yo >= ysiz || xsiz - xo != expected.columns || ysiz - yo != expected.rows) {
    return "the JPEG 2000 image is " + std::to_string(xsiz > xo ? xsiz - xo : 0) + " x " +
           std::to_string(ysiz > yo ? ysiz - yo : 0) + ", the header says " + std::to_string(expected.columns) +
           " x " + std::to_string(expected.rows);
  }
  if (xt == 0 || yt == 0 || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo) {
    return "the JPEG 2000 tile grid is damaged";
  }
  const std::uint64_t tiles = ((xsiz - xto + xt - 1) / xt) * ((ysiz - yto + yt - 1) / yt);
  if (tiles > 65535) return "the JPEG 2000 codestream has " + std::to_string(tiles) + " tiles (at most 65535)";
  if (csiz != expected.samplesPerPixel) {
    return "the JPEG 2000 codestream has " + std::to_string(csiz) + " components, the header says " +
           std::to_string(expected.samplesPerPixel) + " samples per pixel";
  }
  for (std::uint32_t i = 0; i < csiz; ++i) {
    const std::uint8_t* comp = siz + 38 + 3 * i;
    const unsigned precision = (comp[0] & 0x7fu) + 1;
    if (comp[1] != 1 || comp[2] != 1) return "a subsampled JPEG 2000 component";
    if (precision > 32 || (precision + 7) / 8 > (expected.bitsAllocated + 7) / 8) {
      return "JPEG 2000 samples of " + std::to_string(precision) + " bits do not fit Bits Allocated " +
             std::to_string(expected.bitsAllocated);
    }
  }
  return {};
}

std::string jpegFragmentProblem(const std::uint8_t* data, std::size_t size, const FrameExpected& expected,
                                bool* startsCodestream) {
  if (startsCodestream) *startsCodestream = false;
  if (size < 2 || data[0] != 0xff || data[1] != 0xd8) return {}; // not the start of an image
  if (startsCodestream) *startsCodestream = true;
  std::size_t at = 2;
  while (at < size) {
    if (data[at] != 0xff) return "the JPEG stream is damaged before its frame header";
    while (at < size && data[at] == 0xff) ++at; // fill bytes
    if (at >= size) break;
    const std::uint8_t marker = data[at++];
    if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker == 0xd9 || marker == 0xda) return "the JPEG stream has no frame header before its data";
    if (at + 2 > size) break;
    const std::size_t length = be16(data + at);
    if (length < 2 || at + length > size) return "the JPEG stream is damaged before its frame header";
    const bool sof = (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) ||
                     marker == 0xf7; // SOF55: JPEG-LS
    if (sof) {
      if (length < 8) return "the JPEG frame header is damaged";
      const unsigned precision = data[at + 2];
      const std::uint32_t rows = be16(data + at + 3), columns = be16(data + at + 5), components = data[at + 7];
      if (rows == 0) return "the JPEG frame defines its height later (DNL), which is not supported";
      if (rows != expected.rows || columns != expected.columns) {
        return "the JPEG image is " + std::to_string(columns) + " x " + std::to_string(rows) + ", the header says " +
               std::to_string(expected.columns) + " x " + std::to_string(expected.rows);
      }
      if (components != expected.samplesPerPixel) {
        return "the JPEG frame has " + std::to_string(components) + " components, the header says " +
               std::to_string(expected.samplesPerPixel) + " samples per pixel";
      }
      // JPEG-LS: GDCM sizes the decoded frame by the stream's precision and copies the header's
      // frame size out of it, so the sample size must be the header's exactly.
      const unsigned bytes = (precision + 7) / 8, allocated = (expected.bitsAllocated + 7) / 8;
      if (precision < 2 || precision > 16 || bytes > allocated || (marker == 0xf7 && bytes != allocated)) {
        return "JPEG samples of " + std::to_string(precision) + " bits do not match Bits Allocated " +
               std::to_string(expected.bitsAllocated);
      }
      return {};
    }
    at += length;
  }
  return "the JPEG stream ends before its frame header";
}

std::string compressedFragmentsProblem(const std::vector<FragmentBytes>& fragments, bool jpeg2000,
                                       const FrameExpected& expected, std::size_t* codestreams, bool join) {
  constexpr std::size_t kHeaderBytes = 64 * 1024;
  const auto check = [&](const std::uint8_t* data, std::size_t size, bool* starts) {
    return jpeg2000 ? jpeg2000FragmentProblem(data, size, expected, starts)
                    : jpegFragmentProblem(data, size, expected, starts);
  };
  std::size_t count = 0;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    const FragmentBytes& f = fragments[i];
    if (!f.data) continue;
    bool starts = false;
    std::string why = check(f.data, f.size, &starts);
    if (!starts) continue;
    ++count;
    if (!why.empty() && join && f.size < kHeaderBytes) {
      // The header may go on in the next fragments: joined, as the codec reads the frame.
      std::vector<std::uint8_t> joined(f.data, f.data + f.size);
      for (std::size_t j = i + 1; j < fragments.size() && joined.size() < kHeaderBytes; ++j) {
        const FragmentBytes& next = fragments[j];
        if (!next.data) continue;
        bool nextStarts = false;
        check(next.data, next.size, &nextStarts);
        if (nextStarts) break; // the next frame's codestream
        joined.insert(joined.end(), next.data, next.data + std::min(next.size, kHeaderBytes - joined.size()));
      }
      if (joined.size() > f.size) why = check(joined.data(), joined.size(), nullptr);
    }
    if (!why.empty()) {
      if (codestreams) *codestreams = count;
      return why + " (fragment " + std::to_string(i + 1) + ")";
    }
  }
  if (codestreams) *codestreams = count;
  return {};
}

} // namespace lightbox
