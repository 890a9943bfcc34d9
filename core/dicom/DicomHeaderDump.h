// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// One data element of a DICOM header as a reader's tag viewer lists it.
struct DicomTagLine {
  int depth = 0;     ///< 0 top level; a sequence's "item N" lines one deeper, their elements two deeper
  std::string tag;   ///< "(0010,0010)"
  std::string vr;    ///< "PN"
  std::string name;  ///< "Patient's Name" (empty for unknown private elements)
  std::string value; ///< printable text, binary shown as a byte count, long values shortened
  bool operator==(const DicomTagLine& o) const {
    return depth == o.depth && tag == o.tag && vr == o.vr && name == o.name && value == o.value;
  }
};

/// Every element of `path` up to the pixel data, nested sequences indented; throws
/// std::runtime_error naming the file when it cannot be read as DICOM.
std::vector<DicomTagLine> dumpDicomHeader(const std::string& path);

} // namespace lightbox
