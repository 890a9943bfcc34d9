// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the fuzz targets (issue 25): the readers take paths, so each input is written to a
// file of this process's own first. The same target sources build two ways: with libFuzzer under
// clang (scripts/fuzz.sh, LIGHTBOX_FUZZ=ON) and, in every normal build, with ReplayMain.cpp as
// `fuzz_replay_<target>`, which CTest runs over tests/fuzz/regressions/<target> and the seeds.

#include "core/segmentation/DicomSegImport.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace lightbox::fuzz {

/// Writes the input to `<per-process folder>/input<suffix>` and returns that path.
std::string writeInput(const std::uint8_t* data, std::size_t size, const std::string& suffix);

/// A per-process scratch folder (created once, removed at exit).
const std::string& scratchFolder();

/// The source series a SEG, RTSTRUCT or SR is matched against: the series in
/// `<shared data>/<relativeFolder>` (LIGHTBOX_FUZZ_SHARED overrides the shared data folder), loaded
/// once. Aborts naming the folder when it is missing: a fuzz run without its series would test
/// only the early refusals.
const SegSourceSeries& sharedSourceSeries(const std::string& relativeFolder);

/// Draws values from the input bytes (libFuzzer's FuzzedDataProvider is clang-only; the replay
/// build uses GCC). Past the end every draw gives its smallest value.
class ByteReader {
public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t remaining() const { return size_ - pos_; }
  std::uint64_t bits(int bytes) {
    std::uint64_t v = 0;
    for (int b = 0; b < bytes && pos_ < size_; ++b) v = (v << 8) | data_[pos_++];
    return v;
  }
  /// An integer in [lo, hi].
  template <typename T> T range(T lo, T hi) {
    const std::uint64_t span = std::uint64_t(hi) - std::uint64_t(lo);
    if (span == 0) return lo;
    return T(std::uint64_t(lo) + bits(span < 256 ? 1 : span < 65536 ? 2 : 4) % (span + 1));
  }
  bool flag() { return bits(1) & 1; }
  double anyDouble() {
    const std::uint64_t b = bits(8);
    double d;
    static_assert(sizeof d == sizeof b);
    std::memcpy(&d, &b, sizeof d);
    return d;
  }
  template <typename T, std::size_t N> const T& pick(const T (&values)[N]) { return values[range<std::size_t>(0, N - 1)]; }

private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

/// Largest input the targets accept (larger ones are ignored; libFuzzer's -max_len is smaller).
constexpr std::size_t kMaxInputBytes = 8u << 20;

} // namespace lightbox::fuzz
