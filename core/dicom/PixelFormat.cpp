// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/PixelFormat.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace lightbox {

std::pair<double, double> PixelFormat::storedRange() const {
  const double span = std::ldexp(1.0, int(bitsStored));
  return isSigned ? std::make_pair(-span / 2, span / 2 - 1) : std::make_pair(0.0, span - 1);
}

namespace {

/// The common case, written so the compiler vectorises it: integer output, slope 1, integral
/// intercept, MONOCHROME2. Same arithmetic as convertTyped (mask, sign extension, intercept).
template <typename Raw, typename Out>
void convertIdentity(const Raw* src, std::size_t srcStride, Out* dst, std::size_t width,
                     std::size_t height, const PixelFormat& f, std::int64_t intercept) {
  using U = std::make_unsigned_t<Raw>;
  using W = std::conditional_t<sizeof(Raw) <= 2, std::int32_t, std::int64_t>;
  const unsigned shift = (f.highBit + 1 >= f.bitsStored) ? f.highBit + 1 - f.bitsStored : 0;
  const unsigned bits = f.bitsStored;
  const W mask = bits >= sizeof(W) * 8 ? W(-1) : W((std::int64_t(1) << bits) - 1);
  const W signBit = W(std::int64_t(1) << (bits - 1));
  const W offset = W(intercept);
  for (std::size_t y = 0; y < height; ++y) {
    const Raw* in = src + y * srcStride;
    Out* out = dst + y * width;
    if (f.isSigned) {
      for (std::size_t x = 0; x < width; ++x) {
        const W v = (W(U(in[x])) >> shift) & mask;
        out[x] = Out(((v ^ signBit) - signBit) + offset); // two's-complement sign extension
      }
    } else {
      for (std::size_t x = 0; x < width; ++x) {
        out[x] = Out(((W(U(in[x])) >> shift) & mask) + offset);
      }
    }
  }
}

template <typename Raw, typename Out>
void convertTyped(const Raw* src, std::size_t srcStride, Out* dst, std::size_t width,
                  std::size_t height, const PixelFormat& f, double slope, double intercept) {
  using U = std::make_unsigned_t<Raw>;
  // Bits Stored and High Bit as a damaged header may give them (High Bit 7908 was found by
  // fuzzing, issue 25), held inside the raw word so every shift below is defined: at least one
  // stored bit, at most the word, and the stored bits end inside the word.
  constexpr unsigned kWordBits = sizeof(Raw) * 8;
  const unsigned bits = std::clamp(f.bitsStored, 1u, kWordBits);
  const unsigned shift = std::min((f.highBit + 1 >= bits) ? f.highBit + 1 - bits : 0u, kWordBits - bits);
  const std::int64_t mask = bits >= 64 ? -1 : (std::int64_t(1) << bits) - 1;
  const std::int64_t signBit = std::int64_t(1) << (bits - 1);
  const std::int64_t invertBase =
      f.isSigned ? -1 : mask; // MONOCHROME1: max - v (unsigned), -1 - v (signed)
  const bool identityScale = slope == 1.0 && intercept == std::round(intercept);
  const std::int64_t intIntercept = std::int64_t(intercept);
  if constexpr (std::is_integral_v<Out>) {
    // The stored bits inside the raw word (a malformed High Bit is left to the generic path, whose
    // 64-bit shift stays defined) and an intercept the 32-bit working type holds.
    const bool fits = bits >= 1 && shift + bits <= sizeof(Raw) * 8 && std::abs(intercept) < 1e9;
    if (identityScale && !f.monochrome1 && fits) {
      convertIdentity(src, srcStride, dst, width, height, f, intIntercept);
      return;
    }
  }
  for (std::size_t y = 0; y < height; ++y) {
    const Raw* in = src + y * srcStride;
    Out* out = dst + y * width;
    for (std::size_t x = 0; x < width; ++x) {
      std::int64_t v = (std::int64_t(U(in[x])) >> shift) & mask;
      if (f.isSigned && (v & signBit)) {
        v -= (mask + 1);
      }
      if (f.monochrome1) {
        v = invertBase - v;
      }
      if constexpr (std::is_integral_v<Out>) {
        out[x] =
            identityScale ? Out(v + intIntercept) : Out(std::lround(double(v) * slope + intercept));
      } else {
        out[x] = Out(double(v) * slope + intercept);
      }
    }
  }
}

} // namespace

template <typename Out>
void convertStoredPixels(const void* src, std::size_t srcStride, Out* dst, std::size_t width,
                         std::size_t height, const PixelFormat& f, double slope, double intercept) {
  switch (f.bitsAllocated) {
  case 8:
    convertTyped(static_cast<const std::uint8_t*>(src), srcStride, dst, width, height, f, slope,
                 intercept);
    return;
  case 16:
    convertTyped(static_cast<const std::uint16_t*>(src), srcStride, dst, width, height, f, slope,
                 intercept);
    return;
  case 32:
    convertTyped(static_cast<const std::uint32_t*>(src), srcStride, dst, width, height, f, slope,
                 intercept);
    return;
  default:
    throw std::runtime_error("unsupported BitsAllocated " + std::to_string(f.bitsAllocated));
  }
}

template void convertStoredPixels<std::int16_t>(const void*, std::size_t, std::int16_t*,
                                                std::size_t, std::size_t, const PixelFormat&,
                                                double, double);
template void convertStoredPixels<float>(const void*, std::size_t, float*, std::size_t, std::size_t,
                                         const PixelFormat&, double, double);

} // namespace lightbox
