// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/IngestIssue.h"

namespace lightbox {

const char* toString(IssueKind kind) {
  switch (kind) {
  case IssueKind::NotDicom: return "not-dicom";
  case IssueKind::UnreadableFile: return "unreadable-file";
  case IssueKind::NoPixelData: return "no-pixel-data";
  case IssueKind::NotAnImage: return "not-an-image";
  case IssueKind::UnsupportedTransferSyntax: return "unsupported-transfer-syntax";
  case IssueKind::UnsupportedPixelFormat: return "unsupported-pixel-format";
  case IssueKind::MissingGeometry: return "missing-geometry";
  case IssueKind::PixelDecodeFailed: return "pixel-decode-failed";
  case IssueKind::Localizer: return "localizer";
  case IssueKind::SplitDistinctGeometry: return "split-geometry";
  case IssueKind::SplitDistinctVolumes: return "split-volumes";
  case IssueKind::DuplicatePosition: return "duplicate-position";
  case IssueKind::MissingSlices: return "missing-slices";
  case IssueKind::UnevenSpacing: return "uneven-spacing";
  case IssueKind::GantryTilt: return "gantry-tilt";
  case IssueKind::FrameOfReferenceDiffers: return "frame-of-reference-differs";
  case IssueKind::UndecodableText: return "undecodable-text";
  case IssueKind::PetValues: return "pet-values";
  case IssueKind::Resampled: return "resampled";
  case IssueKind::NonSquarePixelsOrOther: return "other";
  }
  return "unknown";
}

const char* toString(IssueSeverity severity) {
  switch (severity) {
  case IssueSeverity::Info: return "info";
  case IssueSeverity::Warning: return "warning";
  case IssueSeverity::Error: return "error";
  }
  return "unknown";
}

} // namespace lightbox
