// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/FrameDecoder.h"

#include "core/dicom/CheckedGdcmRead.h"
#include "core/dicom/CompressedFrameCheck.h"
#include "core/dicom/PixelFormat.h"
#include "core/dicom/TransferSyntaxNames.h"

#include <gdcmImage.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfFragments.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

/// Explicit VR Big Endian stores each value most significant byte first.
void swapToHostOrder(char* data, std::size_t bytes, std::size_t bytesPerPixel) {
  for (std::size_t i = 0; i + bytesPerPixel <= bytes; i += bytesPerPixel) {
    std::reverse(data + i, data + i + bytesPerPixel);
  }
}

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
      if (info.nativeBigEndian) {
        swapToHostOrder(reinterpret_cast<char*>(t.destination), frameBytes, bytesPerPixel);
      }
      convertStoredPixels(t.destination, f.columns, t.destination, f.columns, f.rows, format,
                          f.rescaleSlope, f.rescaleIntercept);
      continue;
    }
    scratch.resize(frameBytes);
    file.readExactly(scratch.data(), frameBytes, offset);
    if (info.nativeBigEndian) {
      swapToHostOrder(scratch.data(), frameBytes, bytesPerPixel);
    }
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

/// The bytes of each fragment (a missing value: a null entry).
std::vector<FragmentBytes> fragmentBytesOf(const gdcm::SequenceOfFragments& fragments) {
  std::vector<FragmentBytes> parts(fragments.GetNumberOfFragments());
  for (unsigned i = 0; i < fragments.GetNumberOfFragments(); ++i) {
    const gdcm::ByteValue* bytes = fragments.GetFragment(i).GetByteValue();
    if (bytes && bytes->GetPointer()) {
      parts[i] = {reinterpret_cast<const std::uint8_t*>(bytes->GetPointer()), bytes->GetLength()};
    }
  }
  return parts;
}

/// Every JPEG or JPEG 2000 codestream in the pixel data must match the header before GDCM's codec
/// sees it (core/dicom/CompressedFrameCheck.h: the codecs overrun their buffer or assert otherwise).
/// Does nothing for other transfer syntaxes.
void checkCompressedFragments(const gdcm::DataElement& pixels, const DicomFileInfo& info, gdcm::TransferSyntax::TSType ts) {
  using TS = gdcm::TransferSyntax;
  const bool j2k = ts == TS::JPEG2000Lossless || ts == TS::JPEG2000 || ts == TS::JPEG2000Part2Lossless ||
                   ts == TS::JPEG2000Part2;
  const bool jpeg = ts == TS::JPEGBaselineProcess1 || ts == TS::JPEGExtendedProcess2_4 ||
                    ts == TS::JPEGExtendedProcess3_5 || ts == TS::JPEGSpectralSelectionProcess6_8 ||
                    ts == TS::JPEGFullProgressionProcess10_12 || ts == TS::JPEGLosslessProcess14 ||
                    ts == TS::JPEGLosslessProcess14_1 || ts == TS::JPEGLSLossless || ts == TS::JPEGLSNearLossless;
  if (!j2k && !jpeg) return;
  const char* family = j2k ? "JPEG 2000" : "JPEG";
  const gdcm::SequenceOfFragments* fragments = pixels.GetSequenceOfFragments();
  if (!fragments || fragments->GetNumberOfFragments() == 0) {
    throw std::runtime_error(std::string(family) + " pixel data without fragments");
  }
  const FrameExpected expected{info.storedRows, info.storedColumns, info.samplesPerPixel, info.bitsAllocated};
  const std::vector<FragmentBytes> parts = fragmentBytesOf(*fragments);
  std::size_t codestreams = 0;
  // A header cut over fragments is joined only for one frame: decodeWithGdcm hands GDCM that frame
  // as one fragment, while a multi-frame image's frames go to it fragment by fragment.
  if (const std::string why = compressedFragmentsProblem(parts, j2k, expected, &codestreams, info.numberOfFrames <= 1);
      !why.empty()) {
    throw std::runtime_error(why);
  }
  if (codestreams == 0) throw std::runtime_error(std::string("no ") + family + " image in the pixel data");
}

/// Compressed (encapsulated) or deflated pixel data, decoded by GDCM's codecs. The image is built
/// from the header values this reader has already checked, not by gdcm::ImageReader: that one
/// parses the image attributes again through gdcm::Attribute, which asserts (aborting the whole
/// process) on values it does not expect, e.g. a NumberOfFrames it cannot read.
template <typename Out> void decodeWithGdcm(const std::vector<FrameTarget<Out>>& targets) {
  const DicomFileInfo& info = *targets.front().frame->file;
  const std::string tsName = transferSyntaxName(info.transferSyntaxUid);
  // The whole file is parsed here (fragments, trailing elements): GDCM must only see it whole.
  gdcm::Reader reader;
  if (const CheckedReadFailure failed = readWithGdcm(reader, info.path, StreamExtent::WholeFile); !failed.reason.empty()) {
    throw std::runtime_error(failed.streamRejected ? failed.reason : "image could not be read (" + tsName + ")");
  }
  const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
  const gdcm::Tag pixelTag(0x7fe0, 0x0010);
  if (!ds.FindDataElement(pixelTag) || ds.GetDataElement(pixelTag).IsEmpty()) {
    throw std::runtime_error("pixel data missing or empty (" + tsName + ")");
  }
  const gdcm::TransferSyntax ts = gdcm::TransferSyntax::GetTSType(info.transferSyntaxUid.c_str());
  if (ts == gdcm::TransferSyntax::TS_END) {
    throw std::runtime_error("unsupported transfer syntax " + info.transferSyntaxUid);
  }
  if (info.bitsAllocated == 0 || info.bitsStored > info.bitsAllocated || info.highBit >= info.bitsAllocated) {
    throw std::runtime_error("inconsistent pixel format (BitsAllocated " + std::to_string(info.bitsAllocated) +
                             ", BitsStored " + std::to_string(info.bitsStored) + ", HighBit " +
                             std::to_string(info.highBit) + ")");
  }
  gdcm::Image image;
  image.SetNumberOfDimensions(info.numberOfFrames > 1 ? 3 : 2);
  image.SetDimension(0, info.storedColumns);
  image.SetDimension(1, info.storedRows);
  if (info.numberOfFrames > 1) {
    image.SetDimension(2, info.numberOfFrames);
  }
  const PixelFormat declared = headerFormat(info);
  image.SetPixelFormat(gdcm::PixelFormat(1, std::uint16_t(declared.bitsAllocated), std::uint16_t(declared.bitsStored),
                                         std::uint16_t(declared.highBit), declared.isSigned ? 1 : 0));
  gdcm::PhotometricInterpretation pi = gdcm::PhotometricInterpretation::GetPIType(info.photometric.c_str());
  if (pi == gdcm::PhotometricInterpretation::UNKNOWN || pi == gdcm::PhotometricInterpretation::PI_END) {
    pi = gdcm::PhotometricInterpretation::MONOCHROME2;
  }
  image.SetPhotometricInterpretation(pi);
  image.SetTransferSyntax(ts);
  const gdcm::DataElement& pixels = ds.GetDataElement(pixelTag);
  checkCompressedFragments(pixels, info, ts);
  // One frame in several fragments: joined into one for the codec (GDCM 3.0's JPEG codec reads a
  // single frame from its first fragment only; the standard lets an encoder split it anywhere).
  gdcm::DataElement joined = pixels;
  const gdcm::SequenceOfFragments* fragments = pixels.GetSequenceOfFragments();
  if (info.numberOfFrames <= 1 && fragments && fragments->GetNumberOfFragments() > 1) {
    std::vector<char> bytes;
    for (const FragmentBytes& f : fragmentBytesOf(*fragments)) {
      if (f.data) bytes.insert(bytes.end(), f.data, f.data + f.size);
    }
    if (bytes.size() % 2) bytes.push_back(0); // a fragment's length is even
    // A copy keeps the offset table's item tag.
    gdcm::SmartPointer<gdcm::SequenceOfFragments> one = new gdcm::SequenceOfFragments(*fragments);
    one->Clear();
    gdcm::Fragment fragment;
    fragment.SetByteValue(bytes.data(), gdcm::VL(std::uint32_t(bytes.size())));
    one->AddFragment(fragment);
    joined.SetValue(*one);
  }
  image.SetDataElement(joined);
  std::vector<char> buffer(image.GetBufferLength());
  bool decoded = false;
  try {
    decoded = image.GetBuffer(buffer.data());
  } catch (const std::exception&) {
    decoded = false;
  }
  if (!decoded) {
    throw std::runtime_error("pixel data could not be decoded (" + tsName + ")");
  }
  // A codec may correct the declared format from its stream (e.g. a J2K pixel sign mismatch).
  const gdcm::PixelFormat& pf = image.GetPixelFormat();
  if (pf.GetSamplesPerPixel() != 1) {
    throw std::runtime_error("colour image cannot be loaded as a grey-scale volume");
  }
  PixelFormat format = declared;
  format.bitsAllocated = pf.GetBitsAllocated();
  format.bitsStored = pf.GetBitsStored();
  format.highBit = pf.GetHighBit();
  format.isSigned = pf.GetPixelRepresentation() == 1;
  if (format.bitsAllocated != 8 && format.bitsAllocated != 16 && format.bitsAllocated != 32) {
    throw std::runtime_error("decoded BitsAllocated " + std::to_string(format.bitsAllocated) + " is not supported");
  }
  const unsigned* dims = image.GetDimensions();
  if (dims[0] != info.storedColumns || dims[1] != info.storedRows) {
    throw std::runtime_error("decoded matrix does not match the header");
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
