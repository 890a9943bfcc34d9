// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/PixelFormat.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using namespace lightbox;

TEST_CASE("12-bit stored values are masked and sign-extended", "[pixels]") {
  const std::vector<std::uint16_t> raw{0x0F0F, 0xFFFF, 0x0800, 0x07FF, 0xF001};
  std::vector<float> out(raw.size());
  PixelFormat unsignedFmt{16, 12, 11, false, false};
  convertStoredPixels(raw.data(), raw.size(), out.data(), raw.size(), 1, unsignedFmt, 1.0, 0.0);
  CHECK(out == std::vector<float>{3855, 4095, 2048, 2047, 1});
  PixelFormat signedFmt{16, 12, 11, true, false};
  convertStoredPixels(raw.data(), raw.size(), out.data(), raw.size(), 1, signedFmt, 1.0, 0.0);
  CHECK(out == std::vector<float>{-241, -1, -2048, 2047, 1});
}

TEST_CASE("MONOCHROME1 is inverted to MONOCHROME2 before rescale", "[pixels]") {
  const std::vector<std::uint16_t> raw{0, 1000, 4095};
  std::vector<std::int16_t> out(raw.size());
  PixelFormat mono1{16, 12, 11, false, true};
  convertStoredPixels(raw.data(), raw.size(), out.data(), raw.size(), 1, mono1, 1.0, -1024.0);
  CHECK(out == std::vector<std::int16_t>{4095 - 1024, 3095 - 1024, -1024});
}

TEST_CASE("rescale slope and intercept give modality values, in place too", "[pixels]") {
  std::vector<std::uint16_t> buffer{0, 1024, 2000};
  auto* inPlace = reinterpret_cast<std::int16_t*>(buffer.data());
  convertStoredPixels(buffer.data(), 3, inPlace, 3, 1, PixelFormat{16, 16, 15, false, false}, 1.0,
                      -1024.0);
  CHECK(std::vector<std::int16_t>(inPlace, inPlace + 3) ==
        std::vector<std::int16_t>{-1024, 0, 976});
  const std::vector<std::uint8_t> bytes{10, 20};
  std::vector<float> out(2);
  convertStoredPixels(bytes.data(), 2, out.data(), 2, 1, PixelFormat{8, 8, 7, false, false}, 0.5,
                      1.0);
  CHECK(out == std::vector<float>{6.0f, 11.0f});
}

TEST_CASE("a mosaic tile is cut out with the full row stride", "[pixels]") {
  // 4x2 stored matrix, tile of 2x2 starting at column 2.
  const std::vector<std::uint16_t> raw{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> tile(4);
  convertStoredPixels(raw.data() + 2, 4, tile.data(), 2, 2, PixelFormat{16, 16, 15, false, false},
                      1.0, 0.0);
  CHECK(tile == std::vector<float>{3, 4, 7, 8});
}

TEST_CASE("stored pixels convert to the DICOM value for every bit layout, sign and intercept",
          "[pixels]") {
  // An independent reference (PS3.5 8.1.1: the stored value sits in bits highBit-bitsStored+1 ..
  // highBit, two's complement when signed), against every layout of 8- and 16-bit words,
  // intercepts that take the fast integer path and one that does not (a fraction). Random words
  // with every bit set somewhere, including the bits outside the stored ones.
  std::mt19937 rng(20261205);
  for (unsigned allocated : {8u, 16u}) {
    std::vector<std::uint16_t> words(4096);
    for (auto& w : words)
      w = std::uint16_t(rng() & (allocated == 8 ? 0xFFu : 0xFFFFu));
    words[0] = 0;
    words[1] = allocated == 8 ? 0xFF : 0xFFFF;
    for (unsigned stored = 1; stored <= allocated; ++stored) {
      for (unsigned high = stored - 1; high < allocated; ++high) {
        for (bool isSigned : {false, true}) {
          for (double intercept : {0.0, -1024.0, 3000.0, 0.5}) {
            PixelFormat f;
            f.bitsAllocated = allocated;
            f.bitsStored = stored;
            f.highBit = high;
            f.isSigned = isSigned;
            std::vector<float> out(words.size());
            std::vector<std::int16_t> asInt(words.size()); // the integer output takes the fast path
            const bool intPath = intercept == std::round(intercept);
            const std::vector<std::uint8_t> bytes(words.begin(), words.end());
            const void* raw =
                allocated == 8 ? static_cast<const void*>(bytes.data()) : words.data();
            convertStoredPixels(raw, words.size(), out.data(), words.size(), 1, f, 1.0, intercept);
            if (intPath)
              convertStoredPixels(raw, words.size(), asInt.data(), words.size(), 1, f, 1.0,
                                  intercept);
            for (std::size_t n = 0; n < words.size(); ++n) {
              long v = long(words[n] >> (high + 1 - stored)) & ((1L << stored) - 1);
              if (isSigned && (v >> (stored - 1)) & 1)
                v -= 1L << stored;
              const double expected = double(v) + intercept;
              INFO("allocated " << allocated << " stored " << stored << " high " << high
                                << " signed " << isSigned << " intercept " << intercept << " word "
                                << words[n]);
              REQUIRE(out[n] == Approx(expected).margin(1e-6));
              if (intPath && expected >= -32768 && expected <= 32767) {
                REQUIRE(asInt[n] == std::int16_t(expected));
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("fuzz findings: a High Bit or Bits Stored outside the word is held inside it", "[pixel][fuzz]") {
  // High Bit 7908 (a damaged header, found by fuzzing) shifted a 64-bit value by 7893 bits.
  const std::vector<std::uint16_t> raw = {0, 1, 1000, 0x7fff, 0xffff};
  std::vector<float> expected(raw.size()), out(raw.size());
  PixelFormat normal;
  convertStoredPixels(raw.data(), raw.size(), expected.data(), raw.size(), 1, normal, 1.0, 0.0);
  for (const auto& [stored, high] : {std::pair{16u, 7908u}, std::pair{300u, 299u}}) {
    PixelFormat damaged;
    damaged.bitsStored = stored;
    damaged.highBit = high;
    convertStoredPixels(raw.data(), raw.size(), out.data(), raw.size(), 1, damaged, 1.0, 0.0);
    INFO("bits stored " << stored << ", high bit " << high);
    CHECK(out == expected); // the whole 16-bit word, as a well-formed header would give it
  }
}
