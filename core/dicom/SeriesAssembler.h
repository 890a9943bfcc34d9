// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomFrame.h"
#include "core/dicom/IngestIssue.h"
#include "core/geometry/VolumeGeometry.h"

#include <memory>
#include <string>
#include <vector>

namespace lightbox {

/// Relative deviation of a slice gap from the nominal spacing above which the stack is uneven.
constexpr double kSpacingRelTol = 0.01;
/// Cosine tolerance when comparing orientations of two frames.
constexpr double kOrientationTol = 1e-4;
/// A gap this many times the nominal spacing splits a stack into separate blocks rather than
/// being filled by interpolation.
constexpr double kBlockSplitGapFactor = 4.5;
/// In-plane shift per slice (mm) above which a stack counts as sheared (gantry tilt).
constexpr double kShearTolMm = 0.01;

/// The slice stack of one volume, sorted along the slice normal.
struct SliceStack {
  std::vector<DicomFrame> slices;
};

/// One displayable series (or part of a DICOM series after a split), ready to load.
struct AssembledSeries {
  std::shared_ptr<const DicomFileInfo> header; ///< a representative file for descriptive fields
  std::string partLabel; ///< what distinguishes this part after a split ("echo 2, phase"), or ""
  std::vector<SliceStack> volumes; ///< one per time point / acquisition; all share one geometry
  /// Geometry of each volume as loaded: the stack's own grid, or the uniform grid it is resampled to.
  VolumeGeometry geometry;
  bool isSingleImage = false;  ///< a radiograph / single 2D image
  bool needsResampling = false; ///< uneven spacing, missing slices or gantry tilt
  double nominalSpacing = 0.0;  ///< median slice gap (mm), 0 for single images
  double tiltDegrees = 0.0;     ///< measured shear angle of the stack
  std::vector<IngestIssue> issues;

  std::size_t frameCount() const;
  std::string displayName() const;
};

struct AssemblyResult {
  std::vector<AssembledSeries> series;
  std::vector<IngestIssue> issues; ///< frames rejected during assembly (localizers, ...)
};

/// Groups frames into series, splits what is not one volume, sorts and measures each stack.
AssemblyResult assembleSeries(const std::vector<DicomFrame>& frames);

/// "M", "P", "R" or "I": the value kind that DICOM ImageType encodes for MR (magnitude, phase,
/// real, imaginary); "M" when nothing says otherwise.
std::string valueKind(const std::vector<std::string>& imageType);

/// True for scouts / localizers, which never join a volume.
bool isLocalizer(const DicomFileInfo& info);

/// True for objects with pixel data that are not images to read (DICOM SEG).
bool isSegmentation(const DicomFileInfo& info);

} // namespace lightbox
