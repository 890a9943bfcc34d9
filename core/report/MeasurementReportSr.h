// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"
#include "core/report/ReportContent.h"

#include <string>
#include <utility>
#include <vector>

namespace lightbox {

/// Writes the report's findings as a DICOM Comprehensive 3D SR following TID 1500 Measurement
/// Report (DCMTK dcmsr/cmr): one measurement group per finding with tracking identifier and UID,
/// finding type and site, long and short axis, volume, mean, the AI score and operating point,
/// the reader's decision and Lung-RADS category, referencing its segment in `seg` (when the
/// finding has one) and its source images; observer context for the AI device and the reader.
/// A finding with a mask is a TID 1411 volumetric group referencing its segment; one without is a
/// TID 1501 group whose diameter (when measured) is inferred from the key image. Concepts DICOM
/// has no code for (AI score, operating point, decision, Lung-RADS) are TEXT evaluations coded in
/// the private scheme "99LBX". Previous versions are referenced (Predecessor Documents). Throws
/// std::runtime_error naming `path` and the reason.
ExportedObject writeMeasurementReportSr(const ReportContent& content, const ExportedObject& seg,
                                        const std::string& path);

/// Writes a Key Object Selection ("Of Interest") of each finding's key image, plus the `documents`
/// of the same version (SR, SEG, Encapsulated PDF). Throws std::runtime_error naming `path`.
ExportedObject writeKeyObjectSelection(const ReportContent& content,
                                       const std::vector<ExportedObject>& documents,
                                       const std::string& path);

/// One measurement group of a TID 1500 SR as read back.
struct SrMeasurementGroup {
  std::string trackingId, trackingUid;
  std::string findingCode, findingMeaning; ///< finding type
  std::string findingSiteMeaning;
  std::string referencedSegUid; ///< SOP instance of the referenced SEG, empty when none
  int referencedSegmentNumber = 0;
  std::vector<std::string> sourceImageUids;
  struct Value {
    std::string conceptCode, conceptMeaning, unitCode;
    /// Meaning of its Derivation modifier ("Mean", "Maximum"); empty when none.
    std::string derivation;
    double value = 0;
  };
  std::vector<Value> measurements;
  /// Qualitative evaluations (code meaning of concept -> code meaning or text of the value), e.g.
  /// "Lung-RADS category" -> "4A".
  std::vector<std::pair<std::string, std::string>> evaluations;
  /// The first measurement whose concept code, concept meaning or derivation matches (meanings
  /// compared case-insensitively, since coders write "Long Axis" and "Long axis"); null when none.
  const Value* find(const std::string& conceptMeaningOrCode) const;
  /// The value of the first evaluation whose concept meaning matches (case-insensitively); empty
  /// when none.
  std::string evaluation(const std::string& conceptMeaning) const;
};

/// A TID 1500 Measurement Report read back (Lightbox's own or a third party's).
struct SrMeasurementReport {
  std::string path, sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid;
  std::string observerPerson, observerDevice;          ///< device: its name, else its UID
  std::vector<std::string> predecessorSopInstanceUids; ///< Predecessor Documents Sequence
  std::vector<SrMeasurementGroup> groups;
  /// Qualitative evaluations of the whole report (TID 1500 rows 12-14), e.g. "Lung-RADS category"
  /// -> "4A".
  std::vector<std::pair<std::string, std::string>> evaluations;
  std::vector<std::string> warnings;
};

/// Reads a TID 1500 SR. Throws std::runtime_error naming the file and the reason when it is not
/// one.
SrMeasurementReport readMeasurementReportSr(const std::string& path);

} // namespace lightbox
