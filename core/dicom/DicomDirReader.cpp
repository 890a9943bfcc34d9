// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomDirReader.h"

#include "core/dicom/DicomStreamCheck.h"

#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {

std::vector<std::string> readDicomDirFiles(const std::string& dicomdirPath) {
  if (const StreamCheck stream = checkDicomStream(dicomdirPath, StreamExtent::WholeFile); !stream.ok()) {
    throw std::runtime_error(dicomdirPath + ": DICOMDIR could not be read: " + describe(stream));
  }
  gdcm::Reader reader;
  reader.SetFileName(dicomdirPath.c_str());
  bool read = false;
  try {
    read = reader.Read();
  } catch (const std::exception&) {
    read = false;
  }
  if (!read) {
    throw std::runtime_error(dicomdirPath + ": DICOMDIR could not be parsed");
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
