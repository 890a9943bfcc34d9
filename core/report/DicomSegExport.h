// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/report/ReportContent.h"
#include "core/segmentation/LabelMap.h"

#include <string>

namespace lightbox {

/// Writes the findings' segments (those with segmentNumber > 0, numbered as they say) as a binary
/// DICOM Segmentation (DCMTK dcmseg) on the source series: coded category and type, algorithm type
/// and the model's name and version, one frame per segment and slice it covers, each referencing
/// its source image, same frame of reference. Throws std::runtime_error naming `path` and the reason.
ExportedObject writeDicomSeg(const ReportContent& content, const LabelMap& labels, const std::string& path);

} // namespace lightbox
