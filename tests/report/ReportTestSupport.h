// SPDX-License-Identifier: Apache-2.0
// Shared by the report suite: a real reviewed series (the LIDC-IDRI-0001 slab with its nodule
// segmented, accepted, a second finding edited and a third rejected) and the third-party checkers.
#pragma once

#include "core/report/ReportContent.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/LabelMap.h"
#include "core/study/StudyLoader.h"
#include "core/volume/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace lightbox::test {

/// The LIDC slab as a report starts from it.
struct ReviewedSeries {
  std::string folder;               ///< the DICOM folder
  std::unique_ptr<StudyScan> scan;
  Volume image;
  LabelMap labels;
  std::unique_ptr<ReadingSession> session; ///< saved nowhere
  ReportContent content;            ///< buildReportContent(...) of the above
};

/// A detection run as the nodule model writes one (test model, 1 FP/scan: score 0.5).
FindingsRun testFindingsRun();

/// The LIDC-IDRI-0001 slab: F1 (the real nodule, segmented by the classical engine from the
/// readers' consensus centroid, accepted), F2 (a point on a vessel, type edited to ground-glass,
/// no mask), F3 (rejected), F4 (left undecided). `saved`: the review and label map are saved where
/// the viewer and `lightbox report` find them (AnnotationStore::defaultFolder(), the test's scratch).
/// `linkF1` false: F1's nodule is segmented (the reader's outline) but F1 is not linked to it, as
/// when the reader outlines with the segment tool and goes straight to Finalize. `f4OnNodule`: F4
/// is a second proposal 2 mm from F1's centre, accepted too (a duplicate detection).
ReviewedSeries lidcReviewedSeries(bool saved = false, bool linkF1 = true, bool f4OnNodule = false);

/// Output of a shell command (stdout and stderr together) and its exit status.
struct ToolRun {
  int status = -1;
  std::string output;
};
ToolRun runTool(const std::string& command);

/// dciodvfy's verdict on one file: its "Error" and "Warning" lines. Fails the test loudly when
/// dciodvfy is not installed (scripts/setup.sh installs dicom3tools).
struct Dciodvfy {
  std::vector<std::string> errors, warnings;
  std::string output;
};
Dciodvfy dciodvfy(const std::string& path);

/// Fails the test when `tool` is not on PATH.
void requireTool(const std::string& tool);

} // namespace lightbox::test
