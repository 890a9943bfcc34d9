// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/FrameDecoder.h"

#include "core/dicom/PixelFormat.h"
#include "core/dicom/TransferSyntaxNames.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace lightbox {
namespace {

PixelFormat headerFormat(const DicomFileInfo& info) {
  PixelFormat f;
  f.bitsAllocated = info.bitsAllocated;
  f.bitsStored = info.bitsStored ? info.bitsStored : info.bitsAllocated;
  f.highBit = info.highBit ? info.highBit : f.bitsStored - 1;
  f.isSigned = info.pixelRepresentation == 1;
  f.monochrome1 = info.photometric == "MONOCHROME1";
  return f;
}

void checkGrey(const DicomFileInfo& info) {
  if (info.samplesPerPixel != 1) {
    throw std::runtime_error("colour image (" + info.photometric + ", " +
                             std::to_string(info.samplesPerPixel) +
                             " samples per pixel) cannot be loaded as a grey-scale volume");
  }
  if (info.bitsAllocated != 8 && info.bitsAllocated != 16 && info.bitsAllocated != 32) {
    throw std::runtime_error("unsupported BitsAllocated " + std::to_string(info.bitsAllocated));
  }
}

class FileHandle {
public:
  explicit FileHandle(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) {
      throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
    }
  }
  ~FileHandle() { ::close(fd_); }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  void readExactly(void* dst, std::size_t bytes, std::uint64_t offset) const {
    auto* p = static_cast<char*>(dst);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, bytes, off_t(offset));
      if (n <= 0) {
        throw std::runtime_error("pixel data truncated (read failed at byte " + std::to_string(offset) + ")");
      }
      p += n;
      bytes -= std::size_t(n);
      offset += std::uint64_t(n);
    }
  }

private:
  int fd_;
};

template <typename Out> void decodeNative(const std::vector<FrameTarget<Out>>& targets) {
  const DicomFileInfo& info = *targets.front().frame->file;
  const PixelFormat format = headerFormat(info);
  const std::size_t bytesPerPixel = info.bitsAllocated / 8;
  const std::size_t frameBytes = std::size_t(info.storedRows) * info.storedColumns * bytesPerPixel;
  const std::uint64_t needed = std::uint64_t(frameBytes) * info.numberOfFrames;
  if (info.nativePixelLength < needed || info.nativePixelOffset + needed > info.fileSize) {
    throw std::runtime_error("pixel data truncated: " + std::to_string(std::min<std::uint64_t>(
                                 info.nativePixelLength, info.fileSize - info.nativePixelOffset)) +
                             " of " + std::to_string(needed) + " bytes present");
  }
  FileHandle file(info.path);
  std::vector<char> scratch;
  for (const FrameTarget<Out>& t : targets) {
    const DicomFrame& f = *t.frame;
    const std::uint64_t offset = info.nativePixelOffset + std::uint64_t(f.frameIndex) * frameBytes;
    if (f.mosaicTile < 0 && sizeof(Out) == bytesPerPixel) {
      // Copy-free: read straight into the volume, convert in place.
      file.readExactly(t.destination, frameBytes, offset);
      convertStoredPixels(t.destination, f.columns, t.destination, f.columns, f.rows, format,
                          f.rescaleSlope, f.rescaleIntercept);
      continue;
    }
    scratch.resize(frameBytes);
    file.readExactly(scratch.data(), frameBytes, offset);
    std::size_t start = 0;
    if (f.mosaicTile >= 0) {
      const std::size_t perRow = info.storedColumns / f.columns;
      start = (std::size_t(f.mosaicTile) / perRow) * f.rows * info.storedColumns +
              (std::size_t(f.mosaicTile) % perRow) * f.columns;
    }
    convertStoredPixels(scratch.data() + start * bytesPerPixel, info.storedColumns, t.destination,
                        f.columns, f.rows, format, f.rescaleSlope, f.rescaleIntercept);
  }
}

template <typename Out> void decodeWithGdcm(const std::vector<FrameTarget<Out>>& targets) {
  const DicomFileInfo& info = *targets.front().frame->file;
  gdcm::ImageReader reader;
  reader.SetFileName(info.path.c_str());
  if (!reader.Read()) {
    throw std::runtime_error("image could not be read (" + transferSyntaxName(info.transferSyntaxUid) + ")");
  }
  const gdcm::Image& image = reader.GetImage();
  const gdcm::PixelFormat& pf = image.GetPixelFormat();
  if (pf.GetSamplesPerPixel() != 1) {
    throw std::runtime_error("colour image cannot be loaded as a grey-scale volume");
  }
  PixelFormat format;
  format.bitsAllocated = pf.GetBitsAllocated();
  format.bitsStored = pf.GetBitsStored();
  format.highBit = pf.GetHighBit();
  format.isSigned = pf.GetPixelRepresentation() == 1;
  format.monochrome1 = image.GetPhotometricInterpretation() == gdcm::PhotometricInterpretation::MONOCHROME1;
  const unsigned* dims = image.GetDimensions();
  if (dims[0] != info.storedColumns || dims[1] != info.storedRows) {
    throw std::runtime_error("decoded matrix does not match the header");
  }
  std::vector<char> buffer(image.GetBufferLength());
  if (!image.GetBuffer(buffer.data())) {
    throw std::runtime_error("pixel data could not be decoded (" +
                             transferSyntaxName(info.transferSyntaxUid) + ")");
  }
  const std::size_t bytesPerPixel = format.bitsAllocated / 8;
  const std::size_t frameBytes = std::size_t(info.storedRows) * info.storedColumns * bytesPerPixel;
  for (const FrameTarget<Out>& t : targets) {
    const DicomFrame& f = *t.frame;
    std::size_t start = std::size_t(f.frameIndex) * frameBytes / bytesPerPixel;
    if (f.mosaicTile >= 0) {
      const std::size_t perRow = info.storedColumns / f.columns;
      start += (std::size_t(f.mosaicTile) / perRow) * f.rows * info.storedColumns +
               (std::size_t(f.mosaicTile) % perRow) * f.columns;
    }
    if ((start + std::size_t(f.rows - 1) * info.storedColumns + f.columns) * bytesPerPixel > buffer.size()) {
      throw std::runtime_error("decoded pixel data is shorter than the header says");
    }
    convertStoredPixels(buffer.data() + start * bytesPerPixel, info.storedColumns, t.destination,
                        f.columns, f.rows, format, f.rescaleSlope, f.rescaleIntercept);
  }
}

} // namespace

template <typename Out> void decodeFileFrames(const std::vector<FrameTarget<Out>>& targets) {
  if (targets.empty()) {
    return;
  }
  const DicomFileInfo& info = *targets.front().frame->file;
  checkGrey(info);
  if (info.nativePixelOffset > 0 && (info.bitsAllocated == 8 || info.bitsAllocated == 16 || info.bitsAllocated == 32)) {
    decodeNative(targets);
  } else {
    decodeWithGdcm(targets);
  }
}

template void decodeFileFrames<std::int16_t>(const std::vector<FrameTarget<std::int16_t>>&);
template void decodeFileFrames<float>(const std::vector<FrameTarget<float>>&);

} // namespace lightbox
