// SPDX-License-Identifier: Apache-2.0
#include "core/phantom/DicomSeriesWriter.h"

#include <gdcmAttribute.h>
#include <gdcmItem.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

void putString(gdcm::DataSet& ds, std::uint16_t g, std::uint16_t e, gdcm::VR vr, std::string value) {
  if (value.size() % 2) {
    value.push_back(vr == gdcm::VR::UI ? '\0' : ' ');
  }
  gdcm::DataElement de(gdcm::Tag(g, e));
  de.SetVR(vr);
  de.SetByteValue(value.data(), gdcm::VL(std::uint32_t(value.size())));
  ds.Replace(de);
}

std::string decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

std::string joinDecimals(std::initializer_list<double> values) {
  std::string out;
  for (double v : values) {
    out += (out.empty() ? "" : "\\") + decimal(v);
  }
  return out;
}

void writePetFields(gdcm::DataSet& ds, const DicomSeriesSpec::Pet& pet) {
  auto put = [&](gdcm::DataSet& to, std::uint16_t g, std::uint16_t e, gdcm::VR vr, const std::string& v) {
    if (!v.empty()) putString(to, g, e, vr, v);
  };
  put(ds, 0x0054, 0x1001, gdcm::VR::CS, pet.units);
  put(ds, 0x0054, 0x1102, gdcm::VR::CS, pet.decayCorrection);
  put(ds, 0x0028, 0x0051, gdcm::VR::CS, pet.correctedImage);
  put(ds, 0x0008, 0x0021, gdcm::VR::DA, pet.seriesDate);
  put(ds, 0x0008, 0x0031, gdcm::VR::TM, pet.seriesTime);
  if (pet.patientWeightKg > 0) putString(ds, 0x0010, 0x1030, gdcm::VR::DS, decimal(pet.patientWeightKg));
  gdcm::Item item;
  item.SetVLToUndefined();
  gdcm::DataSet& nested = item.GetNestedDataSet();
  if (pet.totalDoseBq > 0) putString(nested, 0x0018, 0x1074, gdcm::VR::DS, decimal(pet.totalDoseBq));
  if (pet.halfLifeS > 0) putString(nested, 0x0018, 0x1075, gdcm::VR::DS, decimal(pet.halfLifeS));
  put(nested, 0x0018, 0x1072, gdcm::VR::TM, pet.injectionTime);
  put(nested, 0x0018, 0x1078, gdcm::VR::DT, pet.injectionDateTime);
  gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems();
  sq->SetLengthToUndefined();
  sq->AddItem(item);
  gdcm::DataElement de(gdcm::Tag(0x0054, 0x0016));
  de.SetVR(gdcm::VR::SQ);
  de.SetValue(*sq);
  de.SetVLToUndefined();
  ds.Replace(de);
}

template <std::uint16_t G, std::uint16_t E> void putUS(gdcm::DataSet& ds, unsigned v) {
  gdcm::Attribute<G, E> at{static_cast<std::uint16_t>(v)};
  ds.Replace(at.GetAsDataElement());
}

} // namespace

std::string generateUid() {
  gdcm::UIDGenerator gen;
  return gen.Generate();
}

std::vector<std::string> writeDicomSeries(DicomSeriesSpec& spec, const SliceFiller& fill) {
  if (spec.studyInstanceUid.empty()) spec.studyInstanceUid = generateUid();
  if (spec.seriesInstanceUid.empty()) spec.seriesInstanceUid = generateUid();
  if (spec.frameOfReferenceUid.empty()) spec.frameOfReferenceUid = generateUid();
  std::error_code ec;
  fs::create_directories(spec.folder, ec);
  if (ec) {
    throw std::runtime_error("cannot create folder " + spec.folder + ": " + ec.message());
  }
  std::string imageType;
  for (const std::string& t : spec.imageType) {
    imageType += (imageType.empty() ? "" : "\\") + t;
  }
  std::vector<std::string> paths;
  std::vector<std::int16_t> stored(std::size_t(spec.rows) * spec.columns);
  for (std::size_t k = 0; k < spec.slicePositions.size(); ++k) {
    fill(k, stored);
    const Vec3& p = spec.slicePositions[k];
    const Vec3& r = spec.rowDirection;
    const Vec3& c = spec.columnDirection;
    gdcm::Writer writer;
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    const std::string sop = generateUid();
    putString(ds, 0x0008, 0x0008, gdcm::VR::CS, imageType);
    putString(ds, 0x0008, 0x0016, gdcm::VR::UI, spec.sopClassUid);
    putString(ds, 0x0008, 0x0018, gdcm::VR::UI, sop);
    putString(ds, 0x0008, 0x0020, gdcm::VR::DA, spec.studyDate);
    putString(ds, 0x0008, 0x0030, gdcm::VR::TM, spec.studyTime);
    putString(ds, 0x0008, 0x0050, gdcm::VR::SH, "");
    putString(ds, 0x0008, 0x0060, gdcm::VR::CS, spec.modality);
    putString(ds, 0x0008, 0x0070, gdcm::VR::LO, "Lightbox");
    putString(ds, 0x0008, 0x1030, gdcm::VR::LO, spec.studyDescription);
    putString(ds, 0x0008, 0x103e, gdcm::VR::LO, spec.seriesDescription);
    putString(ds, 0x0010, 0x0010, gdcm::VR::PN, spec.patientName);
    putString(ds, 0x0010, 0x0020, gdcm::VR::LO, spec.patientId);
    putString(ds, 0x0010, 0x0030, gdcm::VR::DA, spec.patientBirthDate);
    putString(ds, 0x0010, 0x0040, gdcm::VR::CS, spec.patientSex);
    putString(ds, 0x0018, 0x0050, gdcm::VR::DS, decimal(spec.sliceThickness));
    if (k < spec.echoNumbers.size()) {
      putString(ds, 0x0018, 0x0086, gdcm::VR::IS, std::to_string(spec.echoNumbers[k]));
    }
    putString(ds, 0x0020, 0x000d, gdcm::VR::UI, spec.studyInstanceUid);
    putString(ds, 0x0020, 0x000e, gdcm::VR::UI, spec.seriesInstanceUid);
    putString(ds, 0x0020, 0x0010, gdcm::VR::SH, "1");
    putString(ds, 0x0020, 0x0011, gdcm::VR::IS, std::to_string(spec.seriesNumber));
    if (k < spec.acquisitionNumbers.size()) {
      putString(ds, 0x0020, 0x0012, gdcm::VR::IS, std::to_string(spec.acquisitionNumbers[k]));
    }
    putString(ds, 0x0020, 0x0013, gdcm::VR::IS, std::to_string(k + 1));
    putString(ds, 0x0020, 0x0032, gdcm::VR::DS, joinDecimals({p[0], p[1], p[2]}));
    putString(ds, 0x0020, 0x0037, gdcm::VR::DS, joinDecimals({r[0], r[1], r[2], c[0], c[1], c[2]}));
    putString(ds, 0x0020, 0x0052, gdcm::VR::UI, spec.frameOfReferenceUid);
    putUS<0x0028, 0x0002>(ds, 1);
    putString(ds, 0x0028, 0x0004, gdcm::VR::CS, "MONOCHROME2");
    putUS<0x0028, 0x0010>(ds, spec.rows);
    putUS<0x0028, 0x0011>(ds, spec.columns);
    putString(ds, 0x0028, 0x0030, gdcm::VR::DS, joinDecimals({spec.spacingY, spec.spacingX}));
    putUS<0x0028, 0x0100>(ds, 16);
    putUS<0x0028, 0x0101>(ds, spec.bitsStored);
    putUS<0x0028, 0x0102>(ds, spec.bitsStored - 1);
    putUS<0x0028, 0x0103>(ds, spec.isSigned ? 1 : 0);
    putString(ds, 0x0028, 0x1050, gdcm::VR::DS, decimal(spec.windowCenter));
    putString(ds, 0x0028, 0x1051, gdcm::VR::DS, decimal(spec.windowWidth));
    putString(ds, 0x0028, 0x1052, gdcm::VR::DS, decimal(spec.rescaleIntercept));
    putString(ds, 0x0028, 0x1053, gdcm::VR::DS,
              decimal(k < spec.rescaleSlopes.size() ? spec.rescaleSlopes[k] : spec.rescaleSlope));
    putString(ds, 0x0028, 0x1054, gdcm::VR::LO, spec.modality == "CT" ? "HU" : spec.modality == "PT" ? "BQML" : "US");
    if (spec.modality == "PT") writePetFields(ds, spec.pet);
    gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
    pixels.SetVR(gdcm::VR::OW);
    pixels.SetByteValue(reinterpret_cast<const char*>(stored.data()),
                        gdcm::VL(std::uint32_t(stored.size() * sizeof(std::int16_t))));
    ds.Replace(pixels);

    gdcm::FileMetaInformation& meta = writer.GetFile().GetHeader();
    meta.SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    char name[64];
    std::snprintf(name, sizeof(name), "%s%04zu.dcm", spec.filePrefix.c_str(), k + 1);
    const std::string path = (fs::path(spec.folder) / name).string();
    writer.SetFileName(path.c_str());
    writer.SetCheckFileMetaInformation(true);
    if (!writer.Write()) {
      throw std::runtime_error("cannot write DICOM file " + path);
    }
    paths.push_back(path);
  }
  return paths;
}

} // namespace lightbox
