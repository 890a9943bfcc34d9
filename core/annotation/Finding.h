// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

namespace lightbox {

/// Where the reader is with an AI proposal.
enum class FindingState { Proposed, Accepted, Rejected, Edited };
const char* toString(FindingState state);

/// An AI finding under review, saved with the series. The AI's numbers are never overwritten:
/// the reader's edit lives in `measurementId` (a length measurement across the nodule) and
/// `editedType`.
struct Finding {
  std::string id; ///< "F1", ... by the model's rank
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0, solidDiameterMm = 0, volumeMm3 = 0;
  /// The AI's diameter is its measurement cap, not a size: shown as unmeasured until the reader
  /// measures it (E), and never used for Lung-RADS or Brock.
  bool sizeCapped = false;
  /// Where the AI's diameter and volume come from: "mask" (the lesion engine's mask at the
  /// finding, as the reader would segment it) or "profile" (radial HU profiles, the fallback).
  std::string sizeSource = "profile";
  std::string type; ///< the model's guess: "solid", "part-solid" or "ground-glass"
  double score = 0, probability = 0;
  FindingState state = FindingState::Proposed;
  std::string rejectReason;
  int measurementId = 0;      ///< the reader's diameter measurement (edited findings), 0: none
  std::string editedType;     ///< the reader's type when it differs from the model's
  bool upperLobe = false;     ///< Brock factors the reader enters per nodule
  bool spiculated = false;
  /// The finding's lesion mask (its segment in the series' label map, 0: none) and the RECIST
  /// axes and volume measured on it; the mean of the axes is the Lung-RADS v2022 diameter when
  /// the reader has not measured the finding with a ruler.
  int segmentLabel = 0;
  double maskLongAxisMm = 0, maskShortAxisMm = 0, maskVolumeMm3 = 0;

  const std::string& effectiveType() const { return editedType.empty() ? type : editedType; }
  bool operator==(const Finding& o) const;
  bool operator!=(const Finding& o) const { return !(*this == o); }
};

/// The run that produced the findings: model provenance, pre-flight warnings, operating point.
struct FindingsRun {
  std::string model, modelVersion, modelSha256, backend, licence, intendedUse;
  std::vector<std::string> warnings;
  double fpPerScan = 1.0;
  std::vector<std::pair<double, double>> operatingPoints; ///< (FP per scan, score threshold)
  std::string ranAt; ///< ISO 8601 UTC
  /// Who ran it: empty for the viewer or `lightbox review --import`, "batch" for `lightbox batch`
  /// (a pre-read nobody has looked at yet), with the batch's output folder.
  std::string source, sourceFolder;
  bool operator==(const FindingsRun& o) const;

  /// Score threshold for the current fpPerScan (the largest operating point not above it).
  double threshold() const;
};

/// Score threshold of a detector at an operating point: of `operatingPoints` (FP per scan,
/// threshold), sorted by ascending FP per scan, the one with the largest FP per scan not above
/// `fpPerScan`; the strictest (first) when none is; `fallback` when there are none. The one rule
/// behind FindingsRun::threshold and ModelManifest::thresholdForFpPerScan.
double thresholdForFpPerScan(const std::vector<std::pair<double, double>>& operatingPoints, double fpPerScan,
                             double fallback);

/// Reader-entered patient factors for the Brock model (age and sex default from DICOM).
struct PatientFactors {
  int ageYears = 0; ///< 0: unknown
  std::string sex;  ///< "F", "M" or ""
  bool familyHistory = false, emphysema = false;
  bool operator==(const PatientFactors& o) const;
};

/// Whether the reader has decided on any of them (a state other than proposed).
bool anyFindingDecided(const std::vector<Finding>& findings);

nlohmann::json toJson(const std::vector<Finding>& findings);
std::vector<Finding> findingsFromJson(const nlohmann::json& j);
nlohmann::json toJson(const FindingsRun& run);
FindingsRun findingsRunFromJson(const nlohmann::json& j);
nlohmann::json toJson(const PatientFactors& f);
PatientFactors patientFactorsFromJson(const nlohmann::json& j);

} // namespace lightbox
