// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomHeaderDump.h"

#include "core/dicom/CheckedGdcmRead.h"
#include "core/dicom/DicomText.h"

#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr std::size_t kMaxValue = 200;
constexpr int kMaxDepth = 8;

std::string printable(const gdcm::ByteValue& bv, const gdcm::VR& vr, const std::string& charset) {
  const std::size_t length = bv.GetLength();
  if (!(vr & gdcm::VR::VRASCII)) {
    // Binary numbers (host order: GDCM swaps big-endian files when reading) as their values,
    // multi-valued ones joined by '\\' (the first 16); anything else by its size.
    const char* p = bv.GetPointer();
    std::size_t size = 0;
    if (vr == gdcm::VR::US || vr == gdcm::VR::SS) size = 2;
    else if (vr == gdcm::VR::UL || vr == gdcm::VR::SL || vr == gdcm::VR::FL) size = 4;
    else if (vr == gdcm::VR::FD) size = 8;
    char buf[64];
    if (size == 0 || length < size) {
      std::snprintf(buf, sizeof(buf), "(%zu bytes)", length);
      return buf;
    }
    std::string out;
    const std::size_t count = length / size;
    for (std::size_t i = 0; i < std::min<std::size_t>(count, 16); ++i) {
      const char* v = p + i * size;
      if (vr == gdcm::VR::US) { std::uint16_t x; std::memcpy(&x, v, 2); std::snprintf(buf, sizeof(buf), "%u", unsigned(x)); }
      else if (vr == gdcm::VR::SS) { std::int16_t x; std::memcpy(&x, v, 2); std::snprintf(buf, sizeof(buf), "%d", int(x)); }
      else if (vr == gdcm::VR::UL) { std::uint32_t x; std::memcpy(&x, v, 4); std::snprintf(buf, sizeof(buf), "%u", unsigned(x)); }
      else if (vr == gdcm::VR::SL) { std::int32_t x; std::memcpy(&x, v, 4); std::snprintf(buf, sizeof(buf), "%d", int(x)); }
      else if (vr == gdcm::VR::FL) { float x; std::memcpy(&x, v, 4); std::snprintf(buf, sizeof(buf), "%g", double(x)); }
      else { double x; std::memcpy(&x, v, 8); std::snprintf(buf, sizeof(buf), "%g", x); }
      out += (i ? "\\" : "") + std::string(buf);
    }
    if (count > 16) out += "\\... (" + std::to_string(count) + " values)";
    return out;
  }
  // Text is decoded by the character set in force (the item's own, else the enclosing one's);
  // anything else that is not valid UTF-8 shows U+FFFD (issue 28).
  const bool text = vr == gdcm::VR::PN || vr == gdcm::VR::LO || vr == gdcm::VR::SH || vr == gdcm::VR::ST ||
                    vr == gdcm::VR::LT || vr == gdcm::VR::UT || vr == gdcm::VR::UC;
  std::string s = text ? decodeDicomText(std::string(bv.GetPointer(), std::min(length, 4 * kMaxValue)), charset,
                                         vr == gdcm::VR::PN ? TextVr::PersonName : TextVr::Other).utf8
                       : sanitizeUtf8(std::string(bv.GetPointer(), std::min(length, kMaxValue)));
  bool shortened = length > (text ? 4 * kMaxValue : kMaxValue);
  if (s.size() > kMaxValue) {
    std::size_t cut = kMaxValue;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut; // a whole character
    s.resize(cut);
    shortened = true;
  }
  for (char& c : s) {
    if (c == '\0') c = ' ';
    else if (static_cast<unsigned char>(c) < 0x20) c = '.';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (shortened) s += "...";
  return s;
}

void dump(const gdcm::DataSet& ds, int depth, std::vector<DicomTagLine>& out, std::string charset) {
  const gdcm::Tag charsetTag(0x0008, 0x0005);
  if (ds.FindDataElement(charsetTag)) {
    if (const gdcm::ByteValue* bv = ds.GetDataElement(charsetTag).GetByteValue(); bv && bv->GetPointer()) {
      charset.assign(bv->GetPointer(), bv->GetLength());
      while (!charset.empty() && (charset.back() == ' ' || charset.back() == '\0')) charset.pop_back();
    }
  }
  const gdcm::Dicts& dicts = gdcm::Global::GetInstance().GetDicts();
  for (auto it = ds.Begin(); it != ds.End(); ++it) {
    const gdcm::DataElement& de = *it;
    const gdcm::Tag& t = de.GetTag();
    if (t == gdcm::Tag(0x7fe0, 0x0010)) break;
    DicomTagLine line;
    line.depth = depth;
    char tag[16];
    std::snprintf(tag, sizeof(tag), "(%04x,%04x)", unsigned(t.GetGroup()), unsigned(t.GetElement()));
    line.tag = tag;
    const gdcm::DictEntry& entry = dicts.GetDictEntry(t);
    gdcm::VR vr = de.GetVR();
    if (vr == gdcm::VR::INVALID || vr == gdcm::VR::UN) vr = entry.GetVR();
    line.vr = gdcm::VR::GetVRString(vr) ? gdcm::VR::GetVRString(vr) : "";
    line.name = entry.GetName() ? entry.GetName() : "";
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq;
    if (vr == gdcm::VR::SQ && depth < kMaxDepth) {
      try {
        sq = de.GetValueAsSQ();
      } catch (const std::exception&) {
        sq = nullptr;
      }
    }
    if (sq) {
      line.value = std::to_string(sq->GetNumberOfItems()) + " item(s)";
      out.push_back(line);
      for (gdcm::SequenceOfItems::SizeType i = 1; i <= sq->GetNumberOfItems(); ++i) {
        out.push_back({depth + 1, "", "", "item " + std::to_string(i), ""});
        dump(sq->GetItem(i).GetNestedDataSet(), depth + 2, out, charset);
      }
      continue;
    }
    if (const gdcm::ByteValue* bv = de.GetByteValue()) {
      line.value = printable(*bv, vr, charset);
    } else if (de.IsEmpty()) {
      line.value = "";
    } else {
      line.value = "(encapsulated or undefined length)";
    }
    out.push_back(line);
  }
}

} // namespace

std::vector<DicomTagLine> dumpDicomHeader(const std::string& path) {
  gdcm::Reader reader;
  if (const CheckedReadFailure failed = readWithGdcm(reader, path, StreamExtent::Header); !failed.reason.empty()) {
    throw std::runtime_error(path + ": cannot be read as DICOM" + (failed.streamRejected ? " (" + failed.reason + ")" : ""));
  }
  std::vector<DicomTagLine> out;
  dump(reader.GetFile().GetHeader(), 0, out, {});
  dump(reader.GetFile().GetDataSet(), 0, out, {});
  return out;
}

} // namespace lightbox
