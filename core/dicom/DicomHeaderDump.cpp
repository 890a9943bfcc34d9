// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DicomHeaderDump.h"

#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr std::size_t kMaxValue = 200;
constexpr int kMaxDepth = 8;

std::string printable(const gdcm::ByteValue& bv, const gdcm::VR& vr) {
  const std::size_t length = bv.GetLength();
  if (!(vr & gdcm::VR::VRASCII)) {
    // Binary: small numeric values as numbers, anything else by size.
    const char* p = bv.GetPointer();
    char buf[64];
    if (vr == gdcm::VR::US && length >= 2) {
      unsigned short v;
      std::memcpy(&v, p, 2);
      std::snprintf(buf, sizeof(buf), "%u", unsigned(v));
      return buf;
    }
    if ((vr == gdcm::VR::UL || vr == gdcm::VR::SL) && length >= 4) {
      unsigned v;
      std::memcpy(&v, p, 4);
      std::snprintf(buf, sizeof(buf), "%u", v);
      return buf;
    }
    std::snprintf(buf, sizeof(buf), "(%zu bytes)", length);
    return buf;
  }
  std::string s(bv.GetPointer(), std::min(length, kMaxValue));
  for (char& c : s) {
    if (c == '\0') c = ' ';
    else if (static_cast<unsigned char>(c) < 0x20) c = '.';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (length > kMaxValue) s += "...";
  return s;
}

void dump(const gdcm::DataSet& ds, int depth, std::vector<DicomTagLine>& out) {
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
        dump(sq->GetItem(i).GetNestedDataSet(), depth + 2, out);
      }
      continue;
    }
    if (const gdcm::ByteValue* bv = de.GetByteValue()) {
      line.value = printable(*bv, vr);
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
  reader.SetFileName(path.c_str());
  bool ok = false;
  try {
    ok = reader.ReadUpToTag(gdcm::Tag(0x7fe0, 0x0010), std::set<gdcm::Tag>{gdcm::Tag(0x7fe0, 0x0010)});
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) {
    throw std::runtime_error(path + ": cannot be read as DICOM");
  }
  std::vector<DicomTagLine> out;
  dump(reader.GetFile().GetHeader(), 0, out);
  dump(reader.GetFile().GetDataSet(), 0, out);
  return out;
}

} // namespace lightbox
