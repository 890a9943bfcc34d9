// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/report/ReportContent.h"

#include <string>

namespace lightbox {

struct LabelMap;
struct Volume;

/// Writes the report as a PDF (QPdfWriter, A4): patient and study header, each finding's key
/// image with its mask outline and long/short axes drawn over it (composited by the same slice
/// compositor the viewer uses), the findings table, the impression, Lung-RADS category and
/// management, the AI disclosure (models, versions, hashes, licences, operating point; what the
/// reader accepted, rejected and changed), reader name and time; a footer "page n of m" with the patient ID.
/// Key images show only that finding's segment as a green outline (a yellow ring at the centre
/// without a mask). Needs a QGuiApplication (QT_QPA_PLATFORM=offscreen is enough; no widgets).
/// Throws std::runtime_error naming `path` and the reason.
void writeReportPdf(const ReportContent& content, const Volume& image, const LabelMap& labels, const std::string& path);

} // namespace lightbox
