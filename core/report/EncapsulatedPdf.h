// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/report/ReportContent.h"

#include <string>

namespace lightbox {

/// Wraps the PDF at `pdfPath` as an Encapsulated PDF DICOM object in the source study (a new
/// series, modality DOC), referencing the SR of the same version when given (`sr.kind` non-empty).
/// Throws std::runtime_error naming the file and the reason.
ExportedObject writeEncapsulatedPdf(const ReportContent& content, const std::string& pdfPath,
                                    const ExportedObject& sr, const std::string& path);

} // namespace lightbox
