// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomHeaderReader.h"

#include "core/dicom/CheckedGdcmRead.h"
#include "core/dicom/DicomText.h"
#include "core/dicom/SiemensCsa.h"
#include "core/dicom/TransferSyntaxNames.h"

#include <gdcmAttribute.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmPrivateTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

const char* const kExplicitBigEndian = "1.2.840.10008.1.2.2";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) {
    s.pop_back();
  }
  std::size_t b = 0;
  while (b < s.size() && s[b] == ' ') {
    ++b;
  }
  return s.substr(b);
}

std::string getString(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  if (!ds.FindDataElement(tag)) {
    return {};
  }
  const gdcm::DataElement& de = ds.GetDataElement(tag);
  const gdcm::ByteValue* bv = de.GetByteValue();
  if (!bv || !bv->GetPointer()) {
    return {};
  }
  return trim(std::string(bv->GetPointer(), bv->GetLength()));
}

/// A text element decoded by the data set's Specific Character Set; `lossy` collects the names of
/// elements that had bytes replaced.
std::string getText(const gdcm::DataSet& ds, const gdcm::Tag& tag, const std::string& charset, TextVr vr,
                    const char* elementName, std::vector<std::string>& lossy) {
  DecodedText text = decodeDicomText(getString(ds, tag), charset, vr);
  if (text.lossy) {
    lossy.emplace_back(elementName);
  }
  return std::move(text.utf8);
}

std::vector<std::string> splitValues(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, '\\')) {
    out.push_back(trim(item));
  }
  return out;
}

/// Decimal/integer strings (DS, IS); malformed numbers give an empty vector.
std::vector<double> getNumbers(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  std::vector<double> out;
  for (const std::string& v : splitValues(getString(ds, tag))) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    // A DS is a finite decimal: "NaN", "inf" or "1e999" (which strtod accepts) make the element
    // malformed, as trailing text does.
    if (v.empty() || end == v.c_str() || *end != '\0' || !std::isfinite(d)) {
      return {};
    }
    out.push_back(d);
  }
  return out;
}

std::optional<double> getNumber(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  const auto v = getNumbers(ds, tag);
  if (v.empty()) {
    return std::nullopt;
  }
  return v.front();
}

int getInt(const gdcm::DataSet& ds, const gdcm::Tag& tag, int fallback = 0) {
  const auto v = getNumber(ds, tag);
  // Out of int's range (a damaged IS) is the fallback, not undefined behaviour.
  return v && *v > -2147483648.0 && *v < 2147483648.0 ? int(*v) : fallback;
}

/// US attributes (Rows, BitsAllocated, ...), robust to VR UN, a wrong VR and byte order: GDCM
/// holds 16-bit binary values in host order (it swaps them when reading big-endian files), and
/// gdcm::Attribute asserts (aborting the process) on a VR it does not expect, so the value is
/// read from the bytes directly.
unsigned getUS(const gdcm::DataSet& ds, std::uint16_t group, std::uint16_t element) {
  const gdcm::Tag tag(group, element);
  if (!ds.FindDataElement(tag)) {
    return 0;
  }
  const gdcm::DataElement& de = ds.GetDataElement(tag);
  const gdcm::ByteValue* bv = de.GetByteValue();
  if (!bv || !bv->GetPointer() || bv->GetLength() < 2) {
    return 0;
  }
  const gdcm::VR vr = de.GetVR();
  if (vr == gdcm::VR::IS || vr == gdcm::VR::DS) {
    return unsigned(std::max(0, getInt(ds, tag)));
  }
  std::uint16_t value = 0;
  std::memcpy(&value, bv->GetPointer(), 2);
  return value;
}

/// "120 kVp  250 mAs  B70f" for CT, "TR 2300  TE 2.98  1.5 T" for MR: what a reader checks first.
std::string acquisitionSummary(const gdcm::DataSet& ds, const std::string& modality) {
  std::string out;
  auto add = [&out](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += "  ";
    out += part;
  };
  auto number = [&ds](std::uint16_t g, std::uint16_t e, const char* prefix, const char* suffix) -> std::string {
    const auto v = getNumber(ds, gdcm::Tag(g, e));
    if (!v) return {};
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%g%s", prefix, *v, suffix);
    return buf;
  };
  if (modality == "CT") {
    add(number(0x0018, 0x0060, "", " kVp"));
    add(number(0x0018, 0x1152, "", " mAs"));
    add(getString(ds, gdcm::Tag(0x0018, 0x1210)).substr(0, 16)); // convolution kernel
  } else if (modality == "MR") {
    add(number(0x0018, 0x0080, "TR ", ""));
    add(number(0x0018, 0x0081, "TE ", ""));
    add(number(0x0018, 0x0087, "", " T"));
  }
  return out;
}

/// A copy of the first item of a sequence. (GetValueAsSQ may parse a temporary sequence from raw
/// bytes, so no pointer into it may outlive the call.)
std::optional<gdcm::DataSet> firstItem(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  if (!ds.FindDataElement(tag)) {
    return std::nullopt;
  }
  gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(tag).GetValueAsSQ();
  if (!sq || sq->GetNumberOfItems() == 0) {
    return std::nullopt;
  }
  return sq->GetItem(1).GetNestedDataSet();
}

double firstNumber(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  const std::vector<double> v = getNumbers(ds, tag);
  return v.empty() ? 0.0 : v.front();
}

void readPetDose(const gdcm::DataSet& ds, PetDoseInfo& pet) {
  pet.units = getString(ds, gdcm::Tag(0x0054, 0x1001));
  pet.decayCorrection = getString(ds, gdcm::Tag(0x0054, 0x1102));
  pet.correctedImage = getString(ds, gdcm::Tag(0x0028, 0x0051));
  pet.patientWeightKg = firstNumber(ds, gdcm::Tag(0x0010, 0x1030));
  pet.seriesDate = getString(ds, gdcm::Tag(0x0008, 0x0021));
  pet.seriesTime = getString(ds, gdcm::Tag(0x0008, 0x0031));
  pet.acquisitionDate = getString(ds, gdcm::Tag(0x0008, 0x0022));
  pet.acquisitionTime = getString(ds, gdcm::Tag(0x0008, 0x0032));
  if (const std::optional<gdcm::DataSet> item = firstItem(ds, gdcm::Tag(0x0054, 0x0016))) {
    pet.totalDoseBq = firstNumber(*item, gdcm::Tag(0x0018, 0x1074));
    pet.halfLifeS = firstNumber(*item, gdcm::Tag(0x0018, 0x1075));
    pet.injectionDateTime = getString(*item, gdcm::Tag(0x0018, 0x1078));
    pet.injectionTime = getString(*item, gdcm::Tag(0x0018, 0x1072));
  }
  pet.philipsSuvScale = firstNumber(ds, gdcm::Tag(0x7053, 0x1000));
}

/// Geometry and value attributes that classic files hold at the top level and enhanced files
/// hold in functional-group macros. Applying a group only overwrites what it carries.
void applyFrameAttributes(const gdcm::DataSet& ds, DicomFrame& f) {
  if (const auto ipp = getNumbers(ds, gdcm::Tag(0x0020, 0x0032)); ipp.size() == 3) {
    f.position = {ipp[0], ipp[1], ipp[2]};
    f.hasPosition = true;
  }
  if (const auto iop = getNumbers(ds, gdcm::Tag(0x0020, 0x0037)); iop.size() == 6) {
    const Vec3 r{iop[0], iop[1], iop[2]};
    const Vec3 c{iop[3], iop[4], iop[5]};
    if (norm(r) > 0.5 && norm(c) > 0.5) {
      f.rowDirection = normalized(r);
      f.columnDirection = normalized(c);
      f.hasOrientation = true;
    }
  }
  if (const auto ps = getNumbers(ds, gdcm::Tag(0x0028, 0x0030)); ps.size() == 2 && ps[0] > 0 && ps[1] > 0) {
    f.spacingY = ps[0];
    f.spacingX = ps[1];
    f.hasPixelSpacing = true;
  }
  if (const auto t = getNumber(ds, gdcm::Tag(0x0018, 0x0050))) {
    f.sliceThickness = *t;
  }
  if (const auto s = getNumber(ds, gdcm::Tag(0x0018, 0x0088))) {
    f.spacingBetweenSlices = *s;
  }
  if (const auto slope = getNumber(ds, gdcm::Tag(0x0028, 0x1053)); slope && *slope != 0.0) {
    f.rescaleSlope = *slope;
  }
  if (const auto icpt = getNumber(ds, gdcm::Tag(0x0028, 0x1052))) {
    f.rescaleIntercept = *icpt;
  }
}

/// Functional groups of an enhanced object: every macro item the group holds is applied.
void applyFunctionalGroup(const gdcm::DataSet& group, DicomFrame& f) {
  static const gdcm::Tag kMacros[] = {
      gdcm::Tag(0x0020, 0x9113), // Plane Position
      gdcm::Tag(0x0020, 0x9116), // Plane Orientation
      gdcm::Tag(0x0028, 0x9110), // Pixel Measures
      gdcm::Tag(0x0028, 0x9145), // Pixel Value Transformation
      gdcm::Tag(0x0028, 0x9132), // Frame VOI LUT (ignored: display state)
  };
  for (const gdcm::Tag& t : kMacros) {
    if (const auto item = firstItem(group, t)) {
      applyFrameAttributes(*item, f);
    }
  }
  if (const auto content = firstItem(group, gdcm::Tag(0x0020, 0x9111))) {
    const gdcm::Tag kDimIndex(0x0020, 0x9157);
    if (content->FindDataElement(kDimIndex)) {
      const gdcm::ByteValue* bv = content->GetDataElement(kDimIndex).GetByteValue();
      if (bv && bv->GetLength() >= 4) {
        f.dimensionIndex.resize(bv->GetLength() / 4);
        std::memcpy(f.dimensionIndex.data(), bv->GetPointer(), f.dimensionIndex.size() * 4);
      }
    }
    const gdcm::Tag kTemporalIndex(0x0020, 0x9128);
    if (content->FindDataElement(kTemporalIndex)) {
      const gdcm::ByteValue* bv = content->GetDataElement(kTemporalIndex).GetByteValue();
      if (bv && bv->GetLength() >= 4) {
        std::uint32_t v = 0;
        std::memcpy(&v, bv->GetPointer(), 4);
        f.temporalPosition = int(v);
      }
    }
    f.stackIndex = getInt(*content, gdcm::Tag(0x0020, 0x9056), 0);
  }
}

/// Reads the element header just before `valueOffset` and returns the value length when it is a
/// native Pixel Data element in the given little-endian encoding, else 0.
/// Length of the native pixel data value that starts at `valueOffset`, read from its element
/// header; 0 when the element there is not an uncompressed Pixel Data of defined length.
std::uint64_t nativePixelLength(const std::string& path, std::uint64_t valueOffset, bool explicitVr, bool bigEndian) {
  const std::uint64_t headerSize = explicitVr ? 12 : 8;
  if (valueOffset < headerSize) {
    return 0;
  }
  std::ifstream in(path, std::ios::binary);
  in.seekg(std::streamoff(valueOffset - headerSize));
  unsigned char h[12] = {};
  if (!in.read(reinterpret_cast<char*>(h), std::streamsize(headerSize))) {
    return 0;
  }
  const unsigned char littleTag[4] = {0xe0, 0x7f, 0x10, 0x00};
  const unsigned char bigTag[4] = {0x7f, 0xe0, 0x00, 0x10};
  if (std::memcmp(h, bigEndian ? bigTag : littleTag, 4) != 0) {
    return 0;
  }
  unsigned char* lengthBytes = h + 4;
  if (explicitVr) {
    if (!((h[4] == 'O' && (h[5] == 'W' || h[5] == 'B')) && h[6] == 0 && h[7] == 0)) {
      return 0;
    }
    lengthBytes = h + 8;
  }
  if (bigEndian) {
    std::reverse(lengthBytes, lengthBytes + 4);
  }
  std::uint32_t length = 0;
  std::memcpy(&length, lengthBytes, 4);
  return length == 0xffffffffu ? 0 : length;
}

/// Philips private "scale slope" (2005,xx0E, FL) when the file carries one, else 0.
double philipsScaleSlope(const gdcm::DataSet& ds) {
  const gdcm::Tag creatorTag(0x2005, 0x0010);
  if (getString(ds, creatorTag) != "Philips MR Imaging DD 001") {
    return 0.0;
  }
  const gdcm::Tag tag(0x2005, 0x100e);
  if (!ds.FindDataElement(tag)) {
    return 0.0;
  }
  const gdcm::ByteValue* bv = ds.GetDataElement(tag).GetByteValue();
  if (!bv || bv->GetLength() != 4) {
    return 0.0;
  }
  float v = 0.0f;
  std::memcpy(&v, bv->GetPointer(), 4);
  return std::isfinite(v) && v > 0.0f ? double(v) : 0.0;
}

/// True when a file without the DICM preamble starts (within its first bytes) like a raw data set:
/// an element of group 0x0008 with an explicit VR of two capital letters.
bool looksLikeRawDataSet(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[16] = {};
  in.read(reinterpret_cast<char*>(b), sizeof(b));
  const auto got = std::size_t(in.gcount());
  for (std::size_t o = 0; o + 6 <= got && o < 4; ++o) {
    const bool group8 = b[o] == 0x08 && b[o + 1] == 0x00;
    const bool vr = std::isupper(b[o + 4]) && std::isupper(b[o + 5]);
    if (group8 && vr) {
      return true;
    }
  }
  return false;
}

IngestIssue fileIssue(IssueKind kind, const std::string& path, std::string message,
                      IssueSeverity severity = IssueSeverity::Error) {
  return IngestIssue{kind, severity, path, std::move(message)};
}

/// The issue for a file whose element stream GDCM must not see.
IngestIssue streamIssue(const std::string& path, const StreamCheck& check) {
  switch (check.problem) {
  case StreamProblem::NotDicom:
    if (looksLikeRawDataSet(path)) {
      return fileIssue(IssueKind::UnreadableFile, path,
                       "DICOM data set without preamble or file meta information could not be parsed");
    }
    return fileIssue(IssueKind::NotDicom, path, "not a DICOM file", IssueSeverity::Info);
  case StreamProblem::UnsupportedSyntax:
    return fileIssue(IssueKind::UnsupportedTransferSyntax, path,
                     "transfer syntax " + transferSyntaxName(check.transferSyntaxUid) +
                         " is not supported by this build (GDCM 3.0 cannot decode it)");
  default:
    return fileIssue(IssueKind::UnreadableFile, path, describe(check));
  }
}

/// Modalities whose objects always carry pixel data: one that ends without it was cut short.
bool isImageModality(const std::string& modality) {
  static const char* const kImage[] = {"CT", "MR", "PT", "NM", "CR", "DX", "MG", "US", "XA", "RF", "IO", "PX", "XC"};
  return std::any_of(std::begin(kImage), std::end(kImage), [&](const char* m) { return modality == m; });
}

bool containsValue(const std::vector<std::string>& values, const char* v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

} // namespace

void quietGdcm() {
  gdcm::Trace::SetDebug(false);
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
}

bool isNativeLittleEndian(const std::string& ts) {
  return ts == "1.2.840.10008.1.2" || ts == "1.2.840.10008.1.2.1";
}

HeaderReadResult readDicomHeader(const std::string& path) {
  HeaderReadResult result;
  auto info = std::make_shared<DicomFileInfo>();
  info->path = path;
  std::error_code ec;
  info->fileSize = fs::file_size(path, ec);
  if (ec) {
    result.issue = fileIssue(IssueKind::UnreadableFile, path, "cannot read file: " + ec.message());
    return result;
  }
  const auto mtime = fs::last_write_time(path, ec);
  if (!ec) {
    info->modifiedTime = std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count();
  }

  // GDCM asserts (aborting the process) on element streams it cannot parse: checked first (an
  // unsupported syntax, a cut or damaged stream and a file that is not DICOM are named there).
  gdcm::Reader reader;
  if (const CheckedReadFailure failed = readWithGdcm(reader, path, StreamExtent::Header); !failed.reason.empty()) {
    if (failed.streamRejected) {
      result.issue = streamIssue(path, failed.check);
      return result;
    }
    // GDCM refused a stream the check accepted: a broken DICOM file, or no DICOM at all.
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.seekg(128);
    const bool hasMagic = bool(in.read(magic, 4)) && std::memcmp(magic, "DICM", 4) == 0;
    const bool rawDataSet = !hasMagic && looksLikeRawDataSet(path);
    if (hasMagic) {
      result.issue = fileIssue(IssueKind::UnreadableFile, path,
                               "DICOM header could not be parsed (truncated or corrupt data set)");
    } else if (rawDataSet) {
      result.issue = fileIssue(IssueKind::UnreadableFile, path,
                               "DICOM data set without preamble or file meta information could not be parsed");
    } else {
      result.issue = fileIssue(IssueKind::NotDicom, path, "not a DICOM file", IssueSeverity::Info);
    }
    return result;
  }

  const gdcm::File& file = reader.GetFile();
  const gdcm::DataSet& ds = file.GetDataSet();
  const gdcm::TransferSyntax ts = file.GetHeader().GetDataSetTransferSyntax();
  const char* tsString = gdcm::TransferSyntax::GetTSString(ts);
  info->transferSyntaxUid = getString(file.GetHeader(), gdcm::Tag(0x0002, 0x0010));
  if (info->transferSyntaxUid.empty() && tsString && ts != gdcm::TransferSyntax::TS_END) {
    info->transferSyntaxUid = tsString; // raw data set without file meta: GDCM's inference
  }

  info->sopClassUid = getString(ds, gdcm::Tag(0x0008, 0x0016));
  info->sopInstanceUid = getString(ds, gdcm::Tag(0x0008, 0x0018));
  info->modality = getString(ds, gdcm::Tag(0x0008, 0x0060));
  info->imageType = splitValues(getString(ds, gdcm::Tag(0x0008, 0x0008)));
  // Free text is decoded by the Specific Character Set into UTF-8 once, here (issue 28).
  const std::string charset = getString(ds, gdcm::Tag(0x0008, 0x0005));
  std::vector<std::string> lossyElements;
  auto text = [&](const gdcm::Tag& tag, TextVr vr, const char* elementName) {
    return getText(ds, tag, charset, vr, elementName, lossyElements);
  };
  info->patientName = text(gdcm::Tag(0x0010, 0x0010), TextVr::PersonName, "Patient's Name");
  info->patientId = text(gdcm::Tag(0x0010, 0x0020), TextVr::Other, "Patient ID");
  info->patientBirthDate = getString(ds, gdcm::Tag(0x0010, 0x0030));
  info->patientAge = getString(ds, gdcm::Tag(0x0010, 0x1010));
  info->patientSex = getString(ds, gdcm::Tag(0x0010, 0x0040));
  info->studyInstanceUid = getString(ds, gdcm::Tag(0x0020, 0x000d));
  info->studyDate = getString(ds, gdcm::Tag(0x0008, 0x0020));
  info->studyTime = getString(ds, gdcm::Tag(0x0008, 0x0030));
  info->studyDescription = text(gdcm::Tag(0x0008, 0x1030), TextVr::Other, "Study Description");
  info->accessionNumber = text(gdcm::Tag(0x0008, 0x0050), TextVr::Other, "Accession Number");
  info->seriesInstanceUid = getString(ds, gdcm::Tag(0x0020, 0x000e));
  info->seriesDescription = text(gdcm::Tag(0x0008, 0x103e), TextVr::Other, "Series Description");
  info->seriesNumber = getInt(ds, gdcm::Tag(0x0020, 0x0011));
  info->manufacturer = text(gdcm::Tag(0x0008, 0x0070), TextVr::Other, "Manufacturer");
  info->acquisitionSummary = acquisitionSummary(ds, info->modality);
  if (!lossyElements.empty()) {
    std::string names;
    for (const std::string& e : lossyElements) names += (names.empty() ? "" : ", ") + e;
    info->textWarning = names + " not decodable by Specific Character Set '" + charset +
                        "': undecodable bytes shown as U+FFFD";
  }
  info->frameOfReferenceUid = getString(ds, gdcm::Tag(0x0020, 0x0052));
  if (info->modality == "PT") readPetDose(ds, info->pet);

  info->storedRows = getUS(ds, 0x0028, 0x0010);
  info->storedColumns = getUS(ds, 0x0028, 0x0011);
  info->samplesPerPixel = std::max(1u, getUS(ds, 0x0028, 0x0002));
  info->bitsAllocated = getUS(ds, 0x0028, 0x0100);
  info->bitsStored = getUS(ds, 0x0028, 0x0101);
  info->highBit = getUS(ds, 0x0028, 0x0102);
  info->pixelRepresentation = getUS(ds, 0x0028, 0x0103);
  info->photometric = getString(ds, gdcm::Tag(0x0028, 0x0004));
  info->gantryTilt = getNumber(ds, gdcm::Tag(0x0018, 0x1120)).value_or(0.0);
  if (const auto wc = getNumber(ds, gdcm::Tag(0x0028, 0x1050))) {
    if (const auto ww = getNumber(ds, gdcm::Tag(0x0028, 0x1051)); ww && *ww > 0) {
      info->hasWindow = true;
      info->windowCenter = *wc;
      info->windowWidth = *ww;
    }
  }
  const std::string framesText = getString(ds, gdcm::Tag(0x0028, 0x0008));
  if (!framesText.empty()) {
    const auto n = getNumber(ds, gdcm::Tag(0x0028, 0x0008));
    if (!n || *n < 1 || *n > 1e6 || *n != std::floor(*n)) {
      result.issue = fileIssue(IssueKind::UnreadableFile, path,
                               "invalid NumberOfFrames '" + framesText + "'");
      return result;
    }
    info->numberOfFrames = unsigned(*n);
  }

  // Pixel data: where it starts (when native) and whether there is any.
  const std::uint64_t valueOffset = reader.GetStreamCurrentPosition();
  const bool bigEndian = info->transferSyntaxUid == kExplicitBigEndian;
  const bool native = isNativeLittleEndian(info->transferSyntaxUid) || bigEndian;
  if (native && valueOffset < info->fileSize) {
    const bool explicitVr = info->transferSyntaxUid != "1.2.840.10008.1.2";
    const std::uint64_t length = nativePixelLength(path, valueOffset, explicitVr, bigEndian);
    if (length > 0) {
      info->nativePixelOffset = valueOffset;
      info->nativePixelLength = length;
      info->nativeBigEndian = bigEndian;
      info->hasPixelData = true;
    }
  } else if (!native && valueOffset < info->fileSize) {
    info->hasPixelData = true; // encapsulated or other byte order: decoded through a codec
  }
  if (!native && info->storedRows > 0 && info->storedColumns > 0 && info->bitsAllocated > 0) {
    info->hasPixelData = true;
  }

  if (!info->hasPixelData && valueOffset >= info->fileSize && isImageModality(info->modality)) {
    result.issue = fileIssue(IssueKind::UnreadableFile, path,
                             "truncated DICOM file: " + info->modality + " image whose data set ends at byte " +
                                 std::to_string(info->fileSize) + ", before its pixel data");
    return result;
  }
  if (!info->hasPixelData || info->storedRows == 0 || info->storedColumns == 0) {
    const std::string what = info->modality.empty() ? std::string("object") : info->modality + " object";
    result.issue = fileIssue(IssueKind::NoPixelData, path,
                             "no image pixel data (" + what + "); nothing to display",
                             IssueSeverity::Warning);
    return result;
  }

  info->isEnhanced = ds.FindDataElement(gdcm::Tag(0x5200, 0x9230));
  const bool mosaic = containsValue(info->imageType, "MOSAIC");

  DicomFrame base;
  base.rows = info->storedRows;
  base.columns = info->storedColumns;
  base.echoNumber = getInt(ds, gdcm::Tag(0x0018, 0x0086));
  base.acquisitionNumber = getInt(ds, gdcm::Tag(0x0020, 0x0012));
  base.instanceNumber = getInt(ds, gdcm::Tag(0x0020, 0x0013));
  base.temporalPosition = getInt(ds, gdcm::Tag(0x0020, 0x0100));
  applyFrameAttributes(ds, base);
  base.philipsScaleSlope = philipsScaleSlope(ds);
  if (info->modality == "RTDOSE") {
    // A dose grid's stored integers times DoseGridScaling are the dose in DoseUnits (Gy).
    if (const auto scaling = getNumber(ds, gdcm::Tag(0x3004, 0x000e)); scaling && *scaling > 0) {
      base.rescaleSlope = *scaling;
    }
  }

  if (info->isEnhanced) {
    if (const auto shared = firstItem(ds, gdcm::Tag(0x5200, 0x9229))) {
      applyFunctionalGroup(*shared, base);
    }
    gdcm::SmartPointer<gdcm::SequenceOfItems> perFrame =
        ds.GetDataElement(gdcm::Tag(0x5200, 0x9230)).GetValueAsSQ();
    const unsigned items = perFrame ? unsigned(perFrame->GetNumberOfItems()) : 0u;
    if (items != info->numberOfFrames) {
      result.issue = fileIssue(IssueKind::UnreadableFile, path,
                               "per-frame functional groups hold " + std::to_string(items) +
                                   " items for " + std::to_string(info->numberOfFrames) + " frames");
      return result;
    }
    for (unsigned i = 0; i < items; ++i) {
      DicomFrame f = base;
      f.frameIndex = i;
      applyFunctionalGroup(perFrame->GetItem(i + 1).GetNestedDataSet(), f);
      result.frames.push_back(std::move(f));
    }
  } else if (mosaic && info->numberOfFrames == 1) {
    // The tile count and slice normal from the CSA image header, read by our own bounded parser
    // (GDCM's SplitMosaicFilter asserts on a damaged header, aborting the process).
    unsigned dims[3] = {0, 0, 0};
    Vec3 n = base.normal();
    std::map<std::string, std::vector<std::string>> elements;
    const gdcm::DataElement& csa = ds.GetDataElement(gdcm::PrivateTag(0x0029, 0x10, "SIEMENS CSA HEADER"));
    if (const gdcm::ByteValue* bv = csa.IsEmpty() ? nullptr : csa.GetByteValue()) {
      elements = readSiemensCsa(bv->GetPointer(), bv->GetLength());
    }
    long images = 0;
    if (auto it = elements.find("NumberOfImagesInMosaic"); it != elements.end() && !it->second.empty()) {
      images = std::strtol(it->second.front().c_str(), nullptr, 10);
    }
    if (images <= 0) { // as GDCM: the MR header's NumberOfImagesInMosaic (0019,100A), a US
      const gdcm::DataElement& mr = ds.GetDataElement(gdcm::PrivateTag(0x0019, 0x0a, "SIEMENS MR HEADER"));
      if (const gdcm::ByteValue* bv = mr.IsEmpty() ? nullptr : mr.GetByteValue(); bv && bv->GetLength() >= 2) {
        const auto* b = reinterpret_cast<const unsigned char*>(bv->GetPointer());
        images = long(b[0] | (b[1] << 8));
      }
    }
    if (images > 0 && images <= 4096) {
      const unsigned side = unsigned(std::ceil(std::sqrt(double(images))));
      dims[0] = info->storedColumns / side;
      dims[1] = info->storedRows / side;
      dims[2] = unsigned(images);
    }
    bool usable = dims[0] > 0 && dims[1] > 0 && dims[2] > 0;
    // Slices step along SliceNormalVector, which may oppose row x column; absent: row x column.
    if (auto it = elements.find("SliceNormalVector"); usable && it != elements.end() && it->second.size() >= 3) {
      Vec3 v{};
      for (int a = 0; a < 3; ++a) {
        char* end = nullptr;
        v[a] = std::strtod(it->second[std::size_t(a)].c_str(), &end);
        if (end == it->second[std::size_t(a)].c_str() || !std::isfinite(v[a])) usable = false;
      }
      if (usable && norm(v) > 0.5 && std::abs(std::abs(dot(normalized(v), base.normal())) - 1.0) < 1e-3) {
        n = normalized(v);
      } else {
        usable = false;
      }
    }
    if (!usable) {
      result.issue = fileIssue(IssueKind::UnreadableFile, path,
                               "Siemens mosaic without usable CSA header (tile count, slice normal)");
      return result;
    }
    info->mosaicTiles = dims[2];
    // ImagePositionPatient is the corner of the whole mosaic; the first tile's first voxel lies
    // half the unused mosaic width and height further in (as nibabel and dcm2niix compute it).
    const Vec3 tileOrigin =
        base.position + base.rowDirection * (0.5 * double(info->storedColumns - dims[0]) * base.spacingX) +
        base.columnDirection * (0.5 * double(info->storedRows - dims[1]) * base.spacingY);
    // Slices step along the CSA SliceNormalVector, which may oppose row x column.
    const double step = base.spacingBetweenSlices > 0 ? base.spacingBetweenSlices : base.sliceThickness;
    for (unsigned t = 0; t < dims[2]; ++t) {
      DicomFrame f = base;
      f.mosaicTile = int(t);
      f.columns = dims[0];
      f.rows = dims[1];
      f.position = tileOrigin + n * (double(t) * step);
      result.frames.push_back(std::move(f));
    }
  } else {
    for (unsigned i = 0; i < info->numberOfFrames; ++i) {
      DicomFrame f = base;
      f.frameIndex = i;
      result.frames.push_back(std::move(f));
    }
  }

  for (DicomFrame& f : result.frames) {
    f.file = info;
  }
  return result;
}

} // namespace lightbox
