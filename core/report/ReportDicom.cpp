// SPDX-License-Identifier: Apache-2.0
#include "core/report/ReportDicom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/ofstd/ofcond.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>

namespace lightbox {
namespace {

/// Decimal digits of the 128-bit number hi:lo (no leading zeros).
std::string decimal128(std::uint64_t hi, std::uint64_t lo) {
  std::string digits;
  while (hi || lo) {
    // Divide hi:lo by 10 with 32-bit limbs.
    std::uint32_t limbs[4] = {std::uint32_t(hi >> 32), std::uint32_t(hi), std::uint32_t(lo >> 32), std::uint32_t(lo)};
    std::uint64_t rem = 0;
    for (std::uint32_t& l : limbs) {
      const std::uint64_t cur = (rem << 32) | l;
      l = std::uint32_t(cur / 10);
      rem = cur % 10;
    }
    hi = (std::uint64_t(limbs[0]) << 32) | limbs[1];
    lo = (std::uint64_t(limbs[2]) << 32) | limbs[3];
    digits.insert(digits.begin(), char('0' + rem));
  }
  return digits.empty() ? "0" : digits;
}

std::uint64_t fnv1a(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  // Final avalanche (splitmix64) so nearby texts differ in every digit.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

} // namespace

void checkDcmtk(const OFCondition& status, const std::string& path, const std::string& what) {
  if (status.bad()) throw std::runtime_error(path + ": cannot write the object (" + what + ": " + status.text() + ")");
}

void saveDicomFile(DcmFileFormat& file, const std::string& writePath, const std::string& reportedPath) {
  errno = 0;
  const OFCondition status = file.saveFile(writePath.c_str(), EXS_LittleEndianExplicit);
  if (status.good()) return;
  // DCMTK's words only say the stream ended; errno names the system's reason when a write failed
  // (it may also be left over from an earlier call, so DCMTK's words stay beside it).
  const int err = errno;
  throw std::runtime_error(reportedPath + ": cannot write the object (save: " +
                           (err != 0 ? std::string(std::strerror(err)) + "; " : std::string()) + status.text() + ")");
}

std::string newDicomUid() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t(std::random_device{}()) << 32)};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL; // version 4 UUID bits, as 9834-8 expects of random UUIDs
  return "2.25." + decimal128(hi, lo);
}

std::string hashedDicomUid(const std::string& text) {
  return "2.25." + decimal128(fnv1a(text, 0xcbf29ce484222325ULL), fnv1a(text, 0x84222325cbf29ce4ULL));
}

} // namespace lightbox
