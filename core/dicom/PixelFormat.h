// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace lightbox {

/// How stored pixel values are laid out and what they mean (one sample per pixel).
struct PixelFormat {
  unsigned bitsAllocated = 16;
  unsigned bitsStored = 16;
  unsigned highBit = 15;
  bool isSigned = false;
  bool monochrome1 = false; ///< inverted grey scale: converted to MONOCHROME2 on load

  /// Smallest and largest stored value the format can hold.
  std::pair<double, double> storedRange() const;
  bool operator==(const PixelFormat& o) const {
    return bitsAllocated == o.bitsAllocated && bitsStored == o.bitsStored && highBit == o.highBit &&
           isSigned == o.isSigned && monochrome1 == o.monochrome1;
  }
};

/// Converts `count` stored pixels (rows of `width` pixels, `srcStride` pixels apart) to modality
/// values: masks to BitsStored, sign-extends, inverts MONOCHROME1, applies slope/intercept.
/// `src` may alias `dst` when both are 16-bit with equal strides (in-place conversion).
template <typename Out>
void convertStoredPixels(const void* src, std::size_t srcStride, Out* dst, std::size_t width,
                         std::size_t height, const PixelFormat& format, double slope, double intercept);

} // namespace lightbox
