// SPDX-License-Identifier: Apache-2.0
#include "core/io/ImageFileIO.h"

#include "core/io/NiftiWriter.h"
#include "core/util/MemoryBudget.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOBase.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace lightbox {
namespace {

void registerFactories() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
  });
}

bool endsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) {
    return false;
  }
  std::string tail = s.substr(s.size() - suffix.size());
  std::transform(tail.begin(), tail.end(), tail.begin(), ::tolower);
  return tail == suffix;
}

template <typename T, unsigned D> std::vector<Volume> toVolumes(const itk::Image<T, D>* image) {
  const auto region = image->GetLargestPossibleRegion();
  const auto& sp = image->GetSpacing();
  const auto& org = image->GetOrigin();
  const auto& dir = image->GetDirection();
  VolumeGeometry g;
  for (unsigned c = 0; c < 3; ++c) {
    g.size[c] = c < D ? region.GetSize(c) : 1;
    g.spacing[c] = c < D ? sp[c] : 1.0;
    g.origin[c] = c < D ? org[c] : 0.0;
    for (unsigned r = 0; r < 3; ++r) {
      g.direction[c][r] = (c < D && r < D) ? dir(r, c) : (r == c ? 1.0 : 0.0);
    }
  }
  const std::size_t frames = D > 3 ? region.GetSize(3) : 1;
  const std::size_t n = g.voxelCount();
  const T* data = image->GetBufferPointer();
  std::vector<Volume> out;
  for (std::size_t t = 0; t < frames; ++t) {
    Volume v;
    v.geometry = g;
    v.voxels = std::vector<T>(data + t * n, data + (t + 1) * n);
    out.push_back(std::move(v));
  }
  return out;
}

template <typename T, unsigned D> std::vector<Volume> readAs(const std::string& path) {
  auto reader = itk::ImageFileReader<itk::Image<T, D>>::New();
  reader->SetFileName(path);
  reader->Update();
  return toVolumes<T, D>(reader->GetOutput());
}

template <typename T, unsigned D>
void writeAs(const std::vector<Volume>& volumes, const std::string& path) {
  using Image = itk::Image<T, D>;
  const VolumeGeometry& g = volumes.front().geometry;
  typename Image::RegionType region;
  typename Image::SpacingType spacing;
  typename Image::PointType origin;
  typename Image::DirectionType direction;
  direction.SetIdentity();
  for (unsigned c = 0; c < 3; ++c) {
    region.SetSize(c, g.size[c]);
    spacing[c] = g.spacing[c];
    origin[c] = g.origin[c];
    for (unsigned r = 0; r < 3; ++r) {
      direction(r, c) = g.direction[c][r];
    }
  }
  if constexpr (D == 4) {
    region.SetSize(3, volumes.size());
    spacing[3] = 1.0;
    origin[3] = 0.0;
  }
  auto image = Image::New();
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  T* dst = image->GetBufferPointer();
  for (const Volume& v : volumes) {
    if (!sameGrid(v.geometry, g)) {
      throw std::runtime_error(path + ": volumes of a 4D series must share one grid");
    }
    std::visit([&](const auto& src) {
      for (const auto& x : src) {
        *dst++ = T(x);
      }
    }, v.voxels);
  }
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->SetUseCompression(true);
  writer->Update();
}

/// What Lightbox needs from a NIfTI-1 header besides ITK's reading of it: whether it asks for no
/// rescaling (scl_slope 0 or 1, scl_inter 0: the stored integers are the values) and its bits per
/// voxel as stored (ITK reports a rescaled file as float). Reads the 348-byte header (gzread reads
/// plain files too); empty when it is not one.
struct NiftiFacts {
  bool unscaled = false;
  unsigned bitsPerVoxel = 0;
};

std::optional<NiftiFacts> niftiFacts(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  unsigned char h[348];
  const int n = gzread(f, h, sizeof h);
  gzclose(f);
  if (n != int(sizeof h)) return std::nullopt;
  const auto word = [&](int offset, bool swap) {
    unsigned char b[4] = {h[offset], h[offset + 1], h[offset + 2], h[offset + 3]};
    if (swap) {
      std::swap(b[0], b[3]);
      std::swap(b[1], b[2]);
    }
    std::uint32_t u;
    std::memcpy(&u, b, 4);
    return u;
  };
  bool swap = false;
  if (word(0, false) != 348) {
    if (word(0, true) != 348) return std::nullopt;
    swap = true;
  }
  float slope, inter;
  const std::uint32_t s = word(112, swap), i = word(116, swap);
  std::memcpy(&slope, &s, 4);
  std::memcpy(&inter, &i, 4);
  NiftiFacts facts;
  facts.unscaled = (slope == 0.0f || slope == 1.0f) && inter == 0.0f;
  // Bits per voxel from the datatype code, as niftilib reads it (bitpix is sometimes wrong).
  const unsigned datatype = swap ? unsigned(h[70]) << 8 | h[71] : unsigned(h[71]) << 8 | h[70];
  switch (datatype) {
    case 2: case 256: facts.bitsPerVoxel = 8; break;                  // uint8, int8
    case 4: case 512: facts.bitsPerVoxel = 16; break;                 // int16, uint16
    case 8: case 16: case 768: facts.bitsPerVoxel = 32; break;        // int32, float32, uint32
    case 32: case 64: case 1024: case 1280: facts.bitsPerVoxel = 64; break; // complex64, float64, int64, uint64
    case 128: facts.bitsPerVoxel = 24; break;                         // RGB24
    case 2304: facts.bitsPerVoxel = 32; break;                        // RGBA32
    case 1536: case 1792: facts.bitsPerVoxel = 128; break;            // float128, complex128
    default: facts.bitsPerVoxel = 0; break;                           // unknown: ITK's figure stays
  }
  return facts;
}

/// Stores float voxels as int16 when every value is an integer in int16's range.
void compactIfIntegral(Volume& v) {
  if (v.voxelType() != VoxelType::Float32) return;
  const auto& f = std::get<std::vector<float>>(v.voxels);
  for (float x : f) {
    if (x != std::nearbyint(x) || x < -32768.0f || x > 32767.0f) {
      return;
    }
  }
  v.voxels = std::vector<std::int16_t>(f.begin(), f.end());
}

/// Refuses, before a voxel is allocated, an image whose header declares more voxel bytes than its
/// file can hold (a truncated or damaged file: ITK would allocate the whole declared image first and
/// fail only when the data runs out; a 112-byte .nii.gz declared 2.4 GB) or than this machine can
/// take. Data in the header's own file only: uncompressed, the file must be at least that large;
/// gzip-compressed, deflate expands at most 1032:1. A detached data file (NRRD "data file",
/// MetaImage ElementDataFile) and bzip2 (no useful bound) are left to the reader.
void requirePlausibleSize(const std::string& path, const itk::ImageIOBase& io, const std::optional<NiftiFacts>& nifti) {
  const double voxels = double(io.GetImageSizeInPixels()) * double(io.GetNumberOfComponents());
  double declared = double(io.GetImageSizeInBytes());
  // As stored: ITK reports a rescaled NIfTI in the float it reads it as.
  if (nifti && nifti->bitsPerVoxel > 0) declared = voxels * nifti->bitsPerVoxel / 8.0;
  // Held once as ITK's buffer and once in our volumes (float unless int16).
  const double needed = declared + voxels * 4.0;
  if (needed > 1.8e19) throw std::runtime_error("the header declares an image too large for any machine");
  std::error_code ec;
  const double fileBytes = double(std::filesystem::file_size(path, ec));
  if (!ec) {
    bool inFile = true;
    bool compressed = endsWith(path, ".gz");
    if (endsWith(path, ".nrrd") || endsWith(path, ".nhdr") || endsWith(path, ".mha") || endsWith(path, ".mhd")) {
      std::ifstream in(path, std::ios::binary);
      std::string header(65536, '\0');
      in.read(header.data(), std::streamsize(header.size()));
      header.resize(std::size_t(in.gcount()));
      const bool nrrd = header.compare(0, 4, "NRRD") == 0;
      const auto blank = header.find("\n\n"); // NRRD: the header ends at the first blank line
      if (blank != std::string::npos && nrrd) header.resize(blank);
      // Lower case without blanks: "ElementDataFile = LOCAL" and "data file:" match in every spelling.
      header.erase(std::remove_if(header.begin(), header.end(), [](char c) { return c == ' ' || c == '\t'; }),
                   header.end());
      std::transform(header.begin(), header.end(), header.begin(),
                     [](unsigned char c) { return char(std::tolower(c)); });
      const auto has = [&](const char* key) { return header.find(key) != std::string::npos; };
      inFile = nrrd ? !has("datafile:") : has("elementdatafile=local");
      compressed = has("encoding:gz") || has("compresseddata=true");
      if (has("encoding:bz")) inFile = false;
      // NRRD text encodings and ASCII MetaImage need at least two characters a value.
      if (has("encoding:ascii") || has("encoding:text") || has("encoding:txt") || has("binarydata=false")) {
        compressed = false;
        if (inFile && 2.0 * voxels > fileBytes) {
          throw std::runtime_error("the header declares " + std::to_string(std::uint64_t(voxels)) +
                                   " values in text but the file has " + std::to_string(std::uint64_t(fileBytes)) +
                                   " bytes: the file is truncated or damaged");
        }
        inFile = false; // checked
      }
    }
    if (inFile) {
      const double room = compressed ? 1032.0 * fileBytes + 65536.0 : fileBytes;
      if (declared > room) {
        throw std::runtime_error("the header declares " + formatBytes(std::uint64_t(declared)) + " of voxels but the " +
                                 (compressed ? std::string("compressed file (") : std::string("file (")) +
                                 std::to_string(std::uint64_t(fileBytes)) +
                                 " bytes) cannot hold them: the file is truncated or damaged");
      }
    }
  }
  requireMemory(std::uint64_t(needed), "The image (" + std::to_string(std::uint64_t(voxels)) + " voxels)");
}

} // namespace

void registerImageIoFactories() { registerFactories(); }

bool isResearchImageFile(const std::string& path) {
  for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
    if (endsWith(path, ext)) {
      return true;
    }
  }
  return false;
}

std::vector<Volume> readResearchImage(const std::string& path) {
  registerFactories();
  try {
    auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::ImageIOFactory::IOFileModeEnum::ReadMode);
    if (!io) {
      throw std::runtime_error("no reader for this format");
    }
    io->SetFileName(path);
    io->ReadImageInformation();
    const unsigned dims = io->GetNumberOfDimensions();
    if (io->GetNumberOfComponents() != 1) {
      throw std::runtime_error("multi-component images are not supported");
    }
    if (dims > 4) throw std::runtime_error(std::to_string(dims) + "-dimensional images are not supported");
    const bool nifti = endsWith(path, ".nii") || endsWith(path, ".nii.gz");
    const std::optional<NiftiFacts> facts = nifti ? niftiFacts(path) : std::nullopt;
    requirePlausibleSize(path, *io, facts);
    // int16 files without rescaling are read as they are (a 512 x 512 x 141 CT: 74 MB instead of a
    // float copy, its conversion and a compaction pass); anything else as float, since ITK applies
    // NIfTI scl_slope/scl_inter for float output only.
    const bool native = io->GetComponentType() == itk::IOComponentEnum::SHORT && (!nifti || (facts && facts->unscaled));
    std::vector<Volume> volumes;
    if (native) {
      volumes = dims <= 3 ? readAs<std::int16_t, 3>(path) : readAs<std::int16_t, 4>(path);
    } else {
      volumes = dims <= 3 ? readAs<float, 3>(path) : readAs<float, 4>(path);
    }
    for (Volume& v : volumes) {
      compactIfIntegral(v);
    }
    return volumes;
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(path + ": " + e.GetDescription());
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.rfind(path, 0) == 0) {
      throw;
    }
    throw std::runtime_error(path + ": " + what);
  }
}

void writeResearchImage(const std::vector<Volume>& volumes, const std::string& path) {
  registerFactories();
  if (volumes.empty()) {
    throw std::runtime_error(path + ": nothing to write");
  }
  if (!isResearchImageFile(path)) {
    throw std::runtime_error(path + ": unknown output format (use .nii, .nii.gz, .nrrd or .mha)");
  }
  if (endsWith(path, ".nii") || endsWith(path, ".nii.gz")) {
    writeNifti(volumes, path); // straight from the voxel buffers, no ITK image in between
    return;
  }
  const bool isInt16 = volumes.front().voxelType() == VoxelType::Int16;
  try {
    if (volumes.size() == 1) {
      isInt16 ? writeAs<std::int16_t, 3>(volumes, path) : writeAs<float, 3>(volumes, path);
    } else {
      isInt16 ? writeAs<std::int16_t, 4>(volumes, path) : writeAs<float, 4>(volumes, path);
    }
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(path + ": " + e.GetDescription());
  }
}

} // namespace lightbox
