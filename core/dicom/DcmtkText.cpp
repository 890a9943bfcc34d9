// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/DcmtkText.h"

#include "core/dicom/DicomText.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

namespace lightbox {
namespace {

bool isText(DcmEVR vr) {
  return vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_ST || vr == EVR_LT ||
         vr == EVR_UT || vr == EVR_UC;
}

/// Calls onText(element, vr) for each text element of `item` and onNested(item) for each item of
/// its sequences (the callers recurse through it).
template <typename OnText, typename OnNested>
void visitElements(DcmItem& item, OnText onText, OnNested onNested) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    if (!element)
      continue;
    const DcmEVR vr = element->ident();
    if (vr == EVR_SQ) {
      auto* sq = static_cast<DcmSequenceOfItems*>(element);
      for (unsigned long k = 0; k < sq->card(); ++k) {
        if (DcmItem* nested = sq->getItem(k))
          onNested(*nested);
      }
    } else if (isText(vr)) {
      onText(*element, vr);
    }
  }
}

void decodeItem(DcmItem& item, std::string charset, std::vector<std::string>& lossy) {
  OFString own;
  if (item.findAndGetOFStringArray(DCM_SpecificCharacterSet, own, OFFalse).good())
    charset = own.c_str();
  bool changed = false;
  visitElements(
      item,
      [&](DcmElement& element, DcmEVR vr) {
        OFString raw;
        if (element.getOFStringArray(raw, OFFalse).bad() || raw.empty())
          return;
        std::string bytes(raw.c_str(), raw.length());
        while (!bytes.empty() && (bytes.back() == '\0' || bytes.back() == ' '))
          bytes.pop_back(); // padding
        const DecodedText text =
            decodeDicomText(bytes, charset, vr == EVR_PN ? TextVr::PersonName : TextVr::Other);
        if (text.lossy)
          lossy.push_back(DcmTag(element.getTag()).getTagName());
        if (text.utf8 != bytes) {
          element.putOFStringArray(OFString(text.utf8.c_str(), text.utf8.size()));
          changed = true;
        }
      },
      [&](DcmItem& nested) { decodeItem(nested, charset, lossy); });
  if (changed || !own.empty())
    item.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

/// True when a text element of `item` or of its nested items holds a non-ASCII byte; removes the
/// nested items' own Specific Character Set on the way (`top`: the data set itself keeps its own).
bool scrubAndFindNonAscii(DcmItem& item, bool top) {
  if (!top)
    item.findAndDeleteElement(DCM_SpecificCharacterSet, OFFalse);
  bool nonAscii = false;
  visitElements(
      item,
      [&](DcmElement& element, DcmEVR) {
        OFString raw;
        if (nonAscii || element.getOFStringArray(raw, OFFalse).bad())
          return;
        for (std::size_t k = 0; k < raw.length() && !nonAscii; ++k)
          nonAscii = static_cast<unsigned char>(raw[k]) >= 0x80;
      },
      [&](DcmItem& nested) { nonAscii |= scrubAndFindNonAscii(nested, false); });
  return nonAscii;
}

} // namespace

std::vector<std::string> undecodableText(const std::string& path) {
  DcmFileFormat file;
  if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                            ERM_autoDetect, DCM_PixelData)
          .bad())
    return {};
  return decodeTextToUtf8(*file.getDataset());
}

bool markUtf8CharacterSet(DcmItem& dataset) {
  const bool nonAscii = scrubAndFindNonAscii(dataset, true);
  if (nonAscii) {
    dataset.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  } else {
    dataset.findAndDeleteElement(DCM_SpecificCharacterSet, OFFalse);
  }
  return nonAscii;
}

std::string truncateUtf8(const std::string& text, std::size_t characters) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) { // the first byte of a character
      if (count == characters)
        return text.substr(0, i);
      ++count;
    }
  }
  return text;
}

std::vector<std::string> decodeTextToUtf8(DcmItem& dataset, const std::string& inheritedCharset) {
  std::vector<std::string> lossy;
  decodeItem(dataset, inheritedCharset, lossy);
  return lossy;
}

} // namespace lightbox
