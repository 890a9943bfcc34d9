// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/CheckedGdcmRead.h"

#include <gdcmReader.h>

#include <exception>
#include <set>

namespace lightbox {

CheckedReadFailure readWithGdcm(gdcm::Reader& reader, const std::string& path, StreamExtent extent) {
  if (StreamCheck stream = checkDicomStream(path, extent); !stream.ok()) {
    std::string reason = describe(stream);
    return {true, std::move(stream), std::move(reason)};
  }
  reader.SetFileName(path.c_str());
  bool read = false;
  try {
    const gdcm::Tag pixelData(0x7fe0, 0x0010);
    read = extent == StreamExtent::WholeFile ? reader.Read() : reader.ReadUpToTag(pixelData, std::set<gdcm::Tag>{pixelData});
  } catch (const std::exception&) {
    read = false;
  }
  return read ? CheckedReadFailure{} : CheckedReadFailure{false, {}, "GDCM could not parse it"};
}

} // namespace lightbox
