// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/DicomSegImport.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

/// Reads the DICOM RT Structure Set `path` onto `series`. Each ROI (Structure Set ROI Sequence with
/// its ROI Contour Sequence item) becomes an ImportedSegment: `segmentNumber` its ROI Number, name
/// the ROI Name, colour the ROI Display Color, type meaning its RT ROI Interpreted Type (no codes),
/// `algorithmType` its ROI Generation Algorithm, origin Imported, `algorithm` the file. Its mask
/// holds the voxels whose centres lie inside its CLOSED_PLANAR contours on each slice, by the
/// even-odd rule across the ROI's contours of one slice (a contour inside another cuts a hole).
/// POINT and OPEN_PLANAR contours are skipped with a warning.
///
/// A contour goes to the slice of the SOP instance its Contour Image Sequence references when that
/// instance is in the series, else to the slice nearest its points along the slice normal (within
/// half a slice) when the ROI's frame of reference is the series' (or either is unknown, with a
/// warning). On another frame of reference only contours on referenced images are placed (warning).
///
/// The result reuses the SEG import's types, so segToLabelMap() merges it: `segmentationType` is
/// "RTSTRUCT", `frames` counts the file's contours (every type), `framesByInstance` and
/// `framesByPosition` the CLOSED_PLANAR contours placed each way, `framesNotOnSeries` the
/// CLOSED_PLANAR contours left out (other images, off the grid or across slices).
/// Throws std::runtime_error naming the file and the reason: not an RTSTRUCT, no ROI, another frame
/// of reference with none of the series' images referenced, no closed contour on this series.
ImportedSeg importRtStruct(const std::string& path, const SegSourceSeries& series);

/// A closed contour in continuous (column, row) index coordinates of one slice.
using SliceContour = std::vector<std::array<double, 2>>;

/// The pixels of a `columns` x `rows` slice (row-major, 1 inside) whose centres (integer
/// coordinates) lie inside `contours` by the even-odd rule: a pixel is in when a ray from its centre
/// towards +column crosses the contours' edges an odd number of times. Edges are half-open in the
/// row direction, so a centre on a left or lower-row edge is in and one on a right or upper-row
/// edge is out (the classic point-in-polygon crossing test, as SegmentationMetrics' LIDC outlines).
std::vector<std::uint8_t> fillContours(const std::vector<SliceContour>& contours, std::size_t columns, std::size_t rows);

} // namespace lightbox
