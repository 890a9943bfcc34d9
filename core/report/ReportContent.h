// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Finding.h"
#include "core/annotation/Measurement.h"
#include "core/clinical/Growth.h"
#include "core/clinical/LungRads.h"
#include "core/geometry/VolumeGeometry.h"
#include "core/report/ReportLanguage.h"
#include "core/segmentation/SegmentTools.h"

#include <cstddef>
#include <string>
#include <vector>

namespace lightbox {

struct AssembledSeries;
class ReadingSession;
struct LabelMap;
struct Volume;

/// One source image of the series, as exported objects reference it: the slice at k of the grid.
struct SourceImage {
  std::string sopClassUid, sopInstanceUid;
  unsigned frameNumber = 0; ///< 1-based frame of a multi-frame object; 0 for a single-frame image
  std::string file;         ///< where it was read from
  int instanceNumber = 0;   ///< its Instance Number (0020,0013), 0 when absent
  Vec3 positionLps{0, 0, 0}; ///< its ImagePositionPatient
  /// The slice at k is this image's pixel grid. False where the series was resampled (gaps,
  /// uneven spacing, gantry tilt): the image is only the nearest acquired one, and exported
  /// objects must not claim a frame was derived from it.
  bool exact = true;
};

/// The series a report is about, and its patient and study.
struct ReportSource {
  std::string patientName, patientId, patientBirthDate, patientSex;
  std::string studyInstanceUid, studyDate, studyTime, studyId, accessionNumber, referringPhysicianName,
      studyDescription;
  std::string seriesInstanceUid, seriesDescription, modality, frameOfReferenceUid, manufacturer;
  int seriesNumber = 0;
  /// A source DICOM file (the first slice's) whose patient and study attributes the objects copy.
  std::string representativeFile;
  VolumeGeometry geometry;
  /// Per k of the grid: the source slice there (the nearest one along the normal when the series
  /// was resampled onto an even grid).
  std::vector<SourceImage> slices;
  bool resampled = false; ///< the grid is not the acquired slices' (see SourceImage::exact)
};

/// A DICOM object one report version wrote; later objects and versions reference it.
struct ExportedObject {
  std::string kind; ///< "SEG", "SR", "KOS", "PDF" (Encapsulated PDF)
  std::string path, sopClassUid, sopInstanceUid, seriesInstanceUid, studyInstanceUid;
  bool operator==(const ExportedObject& o) const {
    return kind == o.kind && path == o.path && sopClassUid == o.sopClassUid && sopInstanceUid == o.sopInstanceUid &&
           seriesInstanceUid == o.seriesInstanceUid && studyInstanceUid == o.studyInstanceUid;
  }
};

/// One finding as it goes into the report (accepted and edited findings only).
struct ReportFinding {
  std::string id;          ///< the review's id, "F1", ...
  std::string trackingUid; ///< stable for this finding of this series across report versions
  FindingState state = FindingState::Accepted;
  std::string type;   ///< the reader's type: "solid", "part-solid" or "ground-glass"
  std::string aiType; ///< the model's
  double score = 0, probability = 0;
  Vec3 centerLps{0, 0, 0};
  /// The diameter the reader stands behind (ruler, else the mask's mean axis, else the AI's) and
  /// where it came from: "ruler", "mask" or "ai". 0 with source "unmeasured" when nothing measured it.
  double diameterMm = 0;
  std::string diameterSource;
  double aiDiameterMm = 0;
  bool aiSizeCapped = false;
  /// The lesion mask: its label in the series' label map (0: none) and its measurements (axes with
  /// end points on the key slice, volume, mean and SD in the series' units).
  int segmentLabel = 0;
  int segmentNumber = 0; ///< its segment in the exported SEG (1-based); 0 when it has no mask
  SegmentStats mask;
  /// The segment's provenance as the SEG states it: "AUTOMATIC", "SEMIAUTOMATIC" or "MANUAL", the
  /// engine or model, its version and weights hash.
  std::string maskAlgorithmType, maskAlgorithm, maskAlgorithmVersion, maskWeightsSha256;
  bool maskMadeAtFinalize = false; ///< no mask in the review: the engine made one for the report
  /// How the mask was found (findingMaskOf): "linked", "contains its centre", "near its centre", or
  /// "made at finalize"; empty without a mask.
  std::string maskMatch;
  /// Factor by which the mask's mean axis and the AI's diameter differ (maskSizeDisagreement; 0:
  /// not comparable). Above kMaskSizeConfirmFactor the reader must confirm (sizeConfirmed).
  double sizeDisagreement = 0;
  bool sizeConfirmed = false;
  std::string lungRadsCategory;    ///< this nodule alone under Lung-RADS v2022
  /// The key image: k of the slice the long axis is measured on (the centre's slice without a mask).
  std::size_t keySlice = 0;
};

/// Everything a report version says, built from a reading session: what the SEG, SR, KOS and PDF
/// writers all take. Plain data; the writers add nothing but encoding.
struct ReportContent {
  ReportSource source;
  /// The words of the drafted impression and the PDF (the SR's codes are standard in any language).
  ReportLanguage language = ReportLanguage::English;
  std::vector<ReportFinding> findings;
  /// Findings counted, not reported: rejected ones, and proposals at or above the operating point
  /// left undecided (those below it were never shown to the reader).
  std::size_t rejected = 0, undecided = 0;
  std::vector<std::string> rejectedIds;
  bool hasRun = false;
  FindingsRun run; ///< the detection model's provenance and operating point
  LungRadsSuggestion lungRads;
  /// Growth against a registered prior study (assessReviewGrowth), one per compared finding;
  /// empty when there is no prior. With it Lung-RADS follows the v2022 follow-up rules.
  std::vector<GrowthResult> growth;
  std::string priorStudyDate; ///< DICOM DA of that prior, for the text; empty when unknown
  std::vector<std::string> unmeasured; ///< accepted findings with no size (named in the report)
  std::vector<Measurement> measurements; ///< the reader's own measurements (listed in the PDF)
  std::string impression;
  /// An AI draft nobody reviewed (`lightbox batch`): the proposals at the operating point stand in
  /// for accepted findings; the PDF says so in its title, the SR is left partial and unverified.
  bool aiDraft = false;
  std::string reader;      ///< the person who finalizes ("Doe^Jane" style or free text)
  std::string finalizedAt; ///< ISO 8601 local time, e.g. "2026-12-01T10:15:02"
  int version = 1;         ///< 1 for the first report of this series, then 2, ...
  std::vector<ExportedObject> previous; ///< the previous version's objects: referenced, never overwritten
  /// Things that stop a valid object (e.g. "no Study Instance UID"); the export refuses while any remain.
  std::vector<std::string> blockers;
  std::vector<std::string> warnings; ///< said in the summary and the PDF, do not stop the export
};

/// How a reader finds the image at k of the grid on PACS: "image 66 (z -120.5 mm)" by its Instance
/// Number (with the frame of a multi-frame object), "slice 34 of 99 (z ...)" when it has none; the
/// position is along the grid's slice normal, LPS.
std::string sourceImageText(const ReportSource& source, std::size_t k, bool withPosition = true);

/// Patient, study, series and per-slice source references of a DICOM series (its first volume).
/// `geometry` is the grid the series loads on.
ReportSource reportSourceOf(const AssembledSeries& series, const VolumeGeometry& geometry);

/// The tracking UID of a finding: "2.25." followed by a 128-bit hash of the series UID and the
/// finding's identity (buildReportContent passes the run's model hash and time with the finding
/// id), so the same finding keeps its UID in every report version and a new run's "F1" gets another.
std::string trackingUidFor(const std::string& seriesInstanceUid, const std::string& findingId);

/// Builds the content of a report from the session's review (accepted and edited findings, in
/// the review's order), the series' label map (segments, measured on `image`) and the source.
/// Findings without a mask keep segmentLabel 0 (the caller may segment them first). Fills
/// blockers for what a valid DICOM object needs and the source lacks. `growth` (against a prior
/// of `priorStudyDate`) goes into the content and the Lung-RADS suggestions.
ReportContent buildReportContent(const ReadingSession& session, const LabelMap& labels, const Volume& image,
                                 const ReportSource& source, const std::vector<GrowthResult>& growth = {},
                                 const std::string& priorStudyDate = {});

/// The growth result of finding `id` in `content`; null when it was not compared.
const GrowthResult* growthOf(const ReportContent& content, const std::string& id);
/// One line on a finding's growth, e.g. "growing since the prior (P1, 92 days earlier): mean
/// diameter 7.0 -> 9.0 mm (+2.0 mm), volume +113 % (ellipsoid), doubling time 85 days".
std::string growthSentence(const GrowthResult& g);

/// One sentence per reported finding whose mask and AI size differ by more than
/// kMaskSizeConfirmFactor and that the reader has not confirmed: the report is not written while
/// any remain.
std::vector<std::string> unconfirmedSizes(const ReportContent& content);

/// Impression drafted from the structured findings by templates, e.g. "Solid nodule F1 of 12.3 mm
/// (mask: 14.1 x 10.5 mm, 1.02 mL). Lung-RADS 4A: ...". The reader edits it before finalizing.
std::string draftImpression(const ReportContent& content);
/// The same in the reader's language (core/report/ImpressionChinese.cpp for Chinese).
std::string draftImpression(const ReportContent& content, ReportLanguage language);

/// One number printed with a printf format ("%.1f"): the report's texts, tables and CSV.
std::string formatNumber(const char* printfFormat, double value);

/// Decimals that keep the report's different AI scores different (core/annotation/ScoreText.h):
/// the PDF and measurements.csv show them with as many.
int scoreDecimalsOf(const ReportContent& content);

/// Local time now as "2026-12-01T10:15:02" (ReportContent::finalizedAt).
std::string currentIsoTime();

/// DICOM DA/TM/DT helpers on `finalizedAt` ("2026-12-01T10:15:02" -> "20261201", "101502").
std::string dicomDate(const std::string& isoDateTime);
std::string dicomTime(const std::string& isoDateTime);

} // namespace lightbox
