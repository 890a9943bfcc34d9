// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/report/ReportContent.h"
#include "core/segmentation/LabelMap.h"

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

class ReadingSession;
struct Volume;

struct FinalizeOptions {
  std::string outputFolder; ///< versions go to <outputFolder>/v1, v2, ...
  std::string reader;
  std::optional<std::string> impression; ///< unset: drafted from the findings by templates
  /// Accepted findings without a mask get one from the lesion engine (model, else classical),
  /// marked automatic and made at finalize.
  bool segmentUnmasked = true;
  /// Findings ("F1", ... or "all") whose mask size the reader confirmed although it differs from
  /// the AI's by more than kMaskSizeConfirmFactor (unconfirmedSizes blocks the others).
  std::vector<std::string> confirmedSizes;
  bool labelMapNifti = false;   ///< also write the report's label map as labels.nii.gz
  bool measurementsCsv = false; ///< also write measurements.csv
  /// Growth against a registered prior (assessReviewGrowth) and the prior's study date: into the
  /// content (PDF findings table, impression, report.json, SR) and Lung-RADS. Empty: no prior.
  std::vector<GrowthResult> growth;
  std::string priorStudyDate;
  /// The language of the drafted impression and the PDF's words (the PDF takes them from the
  /// application's installed translation: the caller applies this language first).
  ReportLanguage language = ReportLanguage::English;
  /// An AI draft (`lightbox batch`): the caller's session has the proposals at the operating point
  /// accepted; the content is marked (ReportContent::aiDraft) and the impression begins by saying so.
  bool aiDraft = false;
};

/// What Finalize will write, shown to the reader before anything is written.
struct ReportPlan {
  ReportContent content;
  LabelMap labels;                    ///< the series' map plus the masks made for the report
  std::string folder;                 ///< <outputFolder>/v<version>
  std::vector<std::string> files;     ///< file names it will write there, in order
  std::vector<std::string> madeMasks; ///< findings segmented for the report
  FinalizeOptions options;
  /// A few lines for the summary dialog and the command line.
  std::string summary() const;
};

/// Builds the content from the review and plans the version: finds the previous versions of this
/// series in the output folder (their objects are referenced), segments findings without a mask
/// when asked. Writes nothing.
ReportPlan planReport(const ReadingSession& session, const LabelMap& labels, const Volume& image,
                      const ReportSource& source, const FinalizeOptions& options);

/// The reader confirms these findings' mask sizes ("all": every one); the others are unconfirmed.
void confirmSizes(ReportPlan& plan, const std::vector<std::string>& findingIds);

/// Points the plan at another output folder: the version and the previous version's objects
/// follow (the masks and the content otherwise stay).
void setReportFolder(ReportPlan& plan, const std::string& outputFolder);

/// The default output folder of a study: `reports/<Study Instance UID>` beside the study index.
std::string defaultReportFolder(const std::string& studyInstanceUid);

struct ReportResult {
  std::string folder;
  std::vector<ExportedObject> objects; ///< SEG (when a finding has a mask), SR, PDF, KOS
  std::string pdf;
  std::vector<std::string> files; ///< every file written
  double seconds = 0;
};

/// Writes the plan's version: SEG, SR TID 1500, PDF, Encapsulated PDF, KOS (and the optional
/// NIfTI and CSV), plus report.json listing them. Everything is written into a temporary folder
/// renamed to the version's folder at the end: a crash leaves no half version, and no earlier
/// version is ever touched. Throws std::runtime_error naming the file and the reason (blockers
/// included). Needs a QGuiApplication (the PDF).
ReportResult writeReport(const ReportPlan& plan, const Volume& image);

/// The previous versions' report.json objects for `seriesInstanceUid` in `outputFolder`: the
/// highest version and its objects (0 and none when there is none).
int latestReportVersion(const std::string& outputFolder, const std::string& seriesInstanceUid,
                        std::vector<ExportedObject>* objects = nullptr);

} // namespace lightbox
