// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomDirReader.h"

#include "core/dicom/CheckedGdcmRead.h"

#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {

std::vector<std::string> readDicomDirFiles(const std::string& dicomdirPath) {
  gdcm::Reader reader;
  if (const CheckedReadFailure failed = readWithGdcm(reader, dicomdirPath, StreamExtent::WholeFile); !failed.reason.empty()) {
    throw std::runtime_error(dicomdirPath + (failed.streamRejected ? ": DICOMDIR could not be read: " + failed.reason
                                                                   : std::string(": DICOMDIR could not be parsed")));
  }
  const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
  const gdcm::Tag kRecords(0x0004, 0x1220);
  const gdcm::Tag kFileId(0x0004, 0x1500);
  if (!ds.FindDataElement(kRecords)) {
    throw std::runtime_error(dicomdirPath + ": DICOMDIR has no directory record sequence");
  }
  gdcm::SmartPointer<gdcm::SequenceOfItems> records = ds.GetDataElement(kRecords).GetValueAsSQ();
  const fs::path base = fs::path(dicomdirPath).parent_path();
  std::vector<std::string> files;
  for (gdcm::SequenceOfItems::SizeType i = 1; records && i <= records->GetNumberOfItems(); ++i) {
    const gdcm::DataSet& item = records->GetItem(i).GetNestedDataSet();
    if (!item.FindDataElement(kFileId)) {
      continue;
    }
    const gdcm::ByteValue* bv = item.GetDataElement(kFileId).GetByteValue();
    if (!bv) {
      continue;
    }
    std::string id(bv->GetPointer(), bv->GetLength());
    while (!id.empty() && (id.back() == ' ' || id.back() == '\0')) {
      id.pop_back();
    }
    fs::path p = base;
    std::stringstream ss(id);
    std::string part;
    while (std::getline(ss, part, '\\')) {
      if (!part.empty()) {
        p /= part;
      }
    }
    files.push_back(p.string());
  }
  return files;
}

} // namespace lightbox
