// SPDX-License-Identifier: Apache-2.0
#include "core/io/NiftiWriter.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace lightbox {
namespace {

constexpr int kHeaderBytes = 348;
constexpr float kVoxOffset = 352.0f; // header + the 4-byte "no extension" flag
constexpr std::int16_t kDtInt16 = 4;
constexpr std::int16_t kDtFloat32 = 16;
constexpr std::int16_t kXformScannerAnat = 1;
constexpr std::uint8_t kUnitsMm = 2;
constexpr std::uint8_t kUnitsSec = 8;

template <typename T> void put(unsigned char* header, std::size_t offset, T value) {
  if constexpr (std::is_floating_point_v<T>) {
    value += T(0); // -0 becomes +0, as niftilib writes it
  }
  std::memcpy(header + offset, &value, sizeof(T));
}

/// The quaternion parameters of a rotation (rows r[i][j]) and its qfac, as NIfTI-1 defines them
/// (nifti1.h: a proper rotation after flipping the third column when the determinant is negative).
struct Quaternion {
  double b = 0, c = 0, d = 0, qfac = 1;
};

Quaternion toQuaternion(double r[3][3]) {
  Quaternion q;
  const double det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
                     r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
                     r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  if (det < 0) {
    q.qfac = -1;
    for (int i = 0; i < 3; ++i)
      r[i][2] = -r[i][2];
  }
  double a = r[0][0] + r[1][1] + r[2][2] + 1.0;
  if (a > 0.5) {
    a = 0.5 * std::sqrt(a);
    q.b = 0.25 * (r[2][1] - r[1][2]) / a;
    q.c = 0.25 * (r[0][2] - r[2][0]) / a;
    q.d = 0.25 * (r[1][0] - r[0][1]) / a;
    return q;
  }
  const double xd = 1.0 + r[0][0] - (r[1][1] + r[2][2]);
  const double yd = 1.0 + r[1][1] - (r[0][0] + r[2][2]);
  const double zd = 1.0 + r[2][2] - (r[0][0] + r[1][1]);
  if (xd > 1.0) {
    q.b = 0.5 * std::sqrt(xd);
    q.c = 0.25 * (r[0][1] + r[1][0]) / q.b;
    q.d = 0.25 * (r[0][2] + r[2][0]) / q.b;
    a = 0.25 * (r[2][1] - r[1][2]) / q.b;
  } else if (yd > 1.0) {
    q.c = 0.5 * std::sqrt(yd);
    q.b = 0.25 * (r[0][1] + r[1][0]) / q.c;
    q.d = 0.25 * (r[1][2] + r[2][1]) / q.c;
    a = 0.25 * (r[0][2] - r[2][0]) / q.c;
  } else {
    q.d = 0.5 * std::sqrt(zd);
    q.b = 0.25 * (r[0][2] + r[2][0]) / q.d;
    q.c = 0.25 * (r[1][2] + r[2][1]) / q.d;
    a = 0.25 * (r[1][0] - r[0][1]) / q.d;
  }
  if (a < 0) {
    q.b = -q.b;
    q.c = -q.c;
    q.d = -q.d;
  }
  return q;
}

void fillHeader(unsigned char* h, const VolumeGeometry& g, std::size_t timePoints, bool isInt16) {
  std::memset(h, 0, kHeaderBytes + 4);
  put<std::int32_t>(h, 0, kHeaderBytes);
  h[38] = 'r'; // "regular", as niftilib writes it
  const bool fourD = timePoints > 1;
  const std::int16_t dim[8] = {std::int16_t(fourD ? 4 : 3),
                               std::int16_t(g.size[0]),
                               std::int16_t(g.size[1]),
                               std::int16_t(g.size[2]),
                               std::int16_t(fourD ? timePoints : 1),
                               1,
                               1,
                               1};
  for (int i = 0; i < 8; ++i)
    put<std::int16_t>(h, 40 + 2 * i, dim[i]);
  put<std::int16_t>(h, 70, isInt16 ? kDtInt16 : kDtFloat32);
  put<std::int16_t>(h, 72, isInt16 ? 16 : 32);

  // LPS (ours and DICOM's) to RAS (NIfTI's): the first two world axes change sign.
  double r[3][3];
  double offset[3];
  for (int row = 0; row < 3; ++row) {
    const double sign = row < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 3; ++c)
      r[row][c] = sign * g.direction[c][row];
    offset[row] = sign * g.origin[row];
  }
  for (int row = 0; row < 3; ++row) { // sform: the full affine
    for (int c = 0; c < 3; ++c)
      put<float>(h, 280 + 16 * row + 4 * c, float(r[row][c] * g.spacing[c]));
    put<float>(h, 280 + 16 * row + 12, float(offset[row]));
  }
  const Quaternion q = toQuaternion(r);
  const float pixdim[8] = {float(q.qfac),
                           float(g.spacing[0]),
                           float(g.spacing[1]),
                           float(g.spacing[2]),
                           fourD ? 1.0f : 0.0f,
                           0,
                           0,
                           0};
  for (int i = 0; i < 8; ++i)
    put<float>(h, 76 + 4 * i, pixdim[i]);
  put<float>(h, 108, kVoxOffset);
  put<float>(h, 112, 1.0f); // scl_slope: values are stored as they are
  h[123] = fourD ? (kUnitsMm | kUnitsSec) : kUnitsMm;
  put<std::int16_t>(h, 252, kXformScannerAnat);
  put<std::int16_t>(h, 254, kXformScannerAnat);
  const float quatern[6] = {float(q.b),       float(q.c),       float(q.d),
                            float(offset[0]), float(offset[1]), float(offset[2])};
  for (int i = 0; i < 6; ++i)
    put<float>(h, 256 + 4 * i, quatern[i]);
  std::memcpy(h + 344, "n+1", 4);
}

/// Plain file or gzip stream, one interface.
class Sink {
public:
  Sink(const std::string& path, bool gz) : gz_(gz) {
    if (gz_) {
      gzFile_ = gzopen(path.c_str(), "wb6");
    } else {
      file_ = std::fopen(path.c_str(), "wb");
    }
    if (!gzFile_ && !file_) {
      throw std::runtime_error(std::strerror(errno ? errno : EIO));
    }
  }
  ~Sink() {
    if (file_)
      std::fclose(file_);
    if (gzFile_)
      gzclose(gzFile_);
  }
  void write(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    while (bytes > 0) {
      const std::size_t chunk =
          std::min<std::size_t>(bytes, std::size_t(1) << 30); // gzwrite takes an unsigned
      const bool ok = gz_ ? gzwrite(gzFile_, p, unsigned(chunk)) == int(chunk)
                          : std::fwrite(p, 1, chunk, file_) == chunk;
      if (!ok)
        throw std::runtime_error(std::string("write failed: ") +
                                 std::strerror(errno ? errno : EIO));
      p += chunk;
      bytes -= chunk;
    }
  }
  void close() {
    const bool ok = gz_ ? gzclose(gzFile_) == Z_OK : std::fclose(file_) == 0;
    gzFile_ = nullptr;
    file_ = nullptr;
    if (!ok)
      throw std::runtime_error(std::string("write failed: ") + std::strerror(errno ? errno : EIO));
  }

private:
  bool gz_;
  std::FILE* file_ = nullptr;
  gzFile gzFile_ = nullptr;
};

template <typename To> void writeVoxels(Sink& sink, const Volume& v) {
  std::visit(
      [&](const auto& src) {
        using From = typename std::decay_t<decltype(src)>::value_type;
        if constexpr (std::is_same_v<From, To>) {
          sink.write(src.data(), src.size() * sizeof(To));
        } else { // a 4D series whose volumes differ in type: converted a slab at a time
          std::vector<To> buffer(std::size_t(1) << 16);
          for (std::size_t i = 0; i < src.size(); i += buffer.size()) {
            const std::size_t n = std::min(buffer.size(), src.size() - i);
            for (std::size_t k = 0; k < n; ++k)
              buffer[k] = To(src[i + k]);
            sink.write(buffer.data(), n * sizeof(To));
          }
        }
      },
      v.voxels);
}

} // namespace

void writeNifti(const std::vector<Volume>& volumes, const std::string& path) {
  if (volumes.empty()) {
    throw std::runtime_error(path + ": nothing to write");
  }
  const VolumeGeometry& g = volumes.front().geometry;
  for (const Volume& v : volumes) {
    if (!sameGrid(v.geometry, g)) {
      throw std::runtime_error(path + ": volumes of a 4D series must share one grid");
    }
    if (std::visit([](const auto& x) { return x.size(); }, v.voxels) != g.voxelCount()) {
      throw std::runtime_error(path + ": a volume holds fewer or more voxels than its grid");
    }
  }
  if (volumes.size() > 32767) {
    throw std::runtime_error(path + ": NIfTI-1 holds at most 32767 volumes, not " + std::to_string(volumes.size()));
  }
  for (std::size_t s : g.size) {
    if (s == 0 || s > 32767) {
      throw std::runtime_error(path + ": NIfTI-1 holds 1-32767 voxels along an axis, not " +
                               std::to_string(s));
    }
  }
  const bool isInt16 = volumes.front().voxelType() == VoxelType::Int16;
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  unsigned char header[kHeaderBytes + 4];
  fillHeader(header, g, volumes.size(), isInt16);
  const std::string partial = path + ".partial";
  try {
    Sink sink(partial, gz);
    sink.write(header, sizeof header);
    for (const Volume& v : volumes) {
      isInt16 ? writeVoxels<std::int16_t>(sink, v) : writeVoxels<float>(sink, v);
    }
    sink.close();
    std::filesystem::rename(partial, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw std::runtime_error(path + ": " + e.what());
  }
}

} // namespace lightbox
