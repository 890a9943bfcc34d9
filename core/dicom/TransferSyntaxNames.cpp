// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/TransferSyntaxNames.h"

#include <map>

namespace lightbox {
namespace {

struct SyntaxInfo {
  const char* name;
  bool lossy;
};

const std::map<std::string, SyntaxInfo>& syntaxTable() {
  static const std::map<std::string, SyntaxInfo> table{
      {"1.2.840.10008.1.2", {"Implicit VR Little Endian", false}},
      {"1.2.840.10008.1.2.1", {"Explicit VR Little Endian", false}},
      {"1.2.840.10008.1.2.1.99", {"Deflated Explicit VR Little Endian", false}},
      {"1.2.840.10008.1.2.2", {"Explicit VR Big Endian", false}},
      {"1.2.840.10008.1.2.4.50", {"JPEG baseline", true}},
      {"1.2.840.10008.1.2.4.51", {"JPEG extended", true}},
      {"1.2.840.10008.1.2.4.53", {"JPEG spectral selection", true}},
      {"1.2.840.10008.1.2.4.55", {"JPEG full progression", true}},
      {"1.2.840.10008.1.2.4.57", {"JPEG lossless", false}},
      {"1.2.840.10008.1.2.4.70", {"JPEG lossless SV1", false}},
      {"1.2.840.10008.1.2.4.80", {"JPEG-LS lossless", false}},
      {"1.2.840.10008.1.2.4.81", {"JPEG-LS near-lossless", true}},
      {"1.2.840.10008.1.2.4.90", {"JPEG 2000 lossless", false}},
      {"1.2.840.10008.1.2.4.91", {"JPEG 2000", true}},
      {"1.2.840.10008.1.2.4.201", {"HTJ2K lossless", false}},
      {"1.2.840.10008.1.2.4.202", {"HTJ2K lossless RPCL", false}},
      {"1.2.840.10008.1.2.4.203", {"HTJ2K", true}},
      {"1.2.840.10008.1.2.5", {"RLE lossless", false}},
      {"1.2.840.10008.1.2.8.1", {"Deflated Image Frame Compression", false}},
  };
  return table;
}

} // namespace

std::string transferSyntaxName(const std::string& uid) {
  const auto it = syntaxTable().find(uid);
  if (it == syntaxTable().end()) {
    return uid.empty() ? std::string("unknown transfer syntax") : uid;
  }
  return std::string(it->second.name) + " (" + uid + ")";
}

bool isLossyTransferSyntax(const std::string& uid) {
  const auto it = syntaxTable().find(uid);
  return it != syntaxTable().end() && it->second.lossy;
}

} // namespace lightbox
