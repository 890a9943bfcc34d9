// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

class OFCondition;
class DcmFileFormat;

namespace lightbox {

/// What every exported object says about its maker (General Equipment, SR device observer).
constexpr const char* kReportManufacturer = "Lightbox project";
constexpr const char* kReportModelName = "Lightbox";
constexpr const char* kReportSoftwareVersion = "0.1.0"; ///< project(Lightbox VERSION ...)
constexpr const char* kReportDeviceSerial = "0";

/// Series numbers of the exported objects (instance number = report version).
constexpr int kSegSeriesNumber = 901, kSrSeriesNumber = 902, kKosSeriesNumber = 903, kPdfSeriesNumber = 904;

/// Throws std::runtime_error "PATH: cannot write the object (WHAT: DCMTK's reason)" when `status`
/// is bad: the one failure message of every report writer.
void checkDcmtk(const OFCondition& status, const std::string& path, const std::string& what);

/// Saves `file` (Explicit VR Little Endian) to `writePath`. On failure throws as checkDcmtk for
/// `reportedPath`, with the system's reason ("No space left on device", "Read-only file system")
/// where the write failed in the operating system; DCMTK's own words only say the stream ended.
void saveDicomFile(DcmFileFormat& file, const std::string& writePath, const std::string& reportedPath);

/// A new globally unique UID: "2.25." followed by a random 128-bit number in decimal (ISO/IEC 9834-8).
std::string newDicomUid();

/// A UID derived from `text` the same way every time: "2.25." + a 128-bit hash of it.
std::string hashedDicomUid(const std::string& text);

} // namespace lightbox
