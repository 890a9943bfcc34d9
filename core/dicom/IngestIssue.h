// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// Why a file or a group of frames was set aside or needs the reader's attention.
/// Each value has a sentence the UI can show (describe()).
enum class IssueKind {
  NotDicom,              ///< not a DICOM file at all (README, NIfTI, ...): skipped quietly
  UnreadableFile,        ///< DICOM parse failed (truncated, corrupt)
  NoPixelData,           ///< a DICOM object without an image (SR, RT plan, ...)
  NotAnImage,            ///< pixel data that is not an image to read (DICOM SEG)
  UnsupportedTransferSyntax,
  UnsupportedPixelFormat, ///< e.g. colour or > 16 bit where a grey volume is required
  MissingGeometry,       ///< no position/orientation: shown as a 2D image only
  PixelDecodeFailed,
  Localizer,             ///< scout/localizer image kept out of volumes
  SplitDistinctGeometry, ///< series split: orientation, matrix, spacing or frame of reference differ
  SplitDistinctVolumes,  ///< series split: echoes, magnitude/phase, acquisitions or time points
  DuplicatePosition,
  MissingSlices,
  UnevenSpacing,
  GantryTilt,
  Resampled,
  NonSquarePixelsOrOther,
  FrameOfReferenceDiffers, ///< one stack whose slices name different frames of reference: assembled by position
  UndecodableText,       ///< a text element not decodable by its Specific Character Set: bytes shown as U+FFFD
  PetValues,             ///< a PET series: converted to SUV (with the numbers used), or why it stays as stored
};

enum class IssueSeverity { Info, Warning, Error };

struct IngestIssue {
  IssueKind kind = IssueKind::UnreadableFile;
  IssueSeverity severity = IssueSeverity::Error;
  std::string path;    ///< the file concerned, or empty for a series-level issue
  std::string message; ///< readable reason, with numbers ("3 slices missing between ...")

  bool operator==(const IngestIssue& o) const {
    return kind == o.kind && severity == o.severity && path == o.path && message == o.message;
  }
};

const char* toString(IssueKind kind);
const char* toString(IssueSeverity severity);

} // namespace lightbox
