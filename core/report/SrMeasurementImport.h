// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/Measurement.h"
#include "core/report/MeasurementReportSr.h"
#include "core/segmentation/DicomSegImport.h"

#include <string>
#include <vector>

namespace lightbox {

/// A TID 1500 SR's measurement groups placed on a series as the reader's text notes.
struct SrOnSeries {
  std::vector<Measurement> notes; ///< one Text measurement per placed group, labelled describeGroup()
  std::size_t bySegment = 0;      ///< placed at the centroid of the segment the group references
  std::size_t byImage = 0;        ///< placed at the centre of its source image
  std::vector<std::string> warnings; ///< groups left out, each naming the SR file and the group
};

/// Places each group: at the centroid of its referenced segment when that SEG lies in the SR's
/// folder (as Lightbox and dcmqi write them) and is on `series`, else at the centre of the first
/// of its source images that belongs to `series`; a group with neither is left out with a warning.
SrOnSeries placeSrMeasurements(const SrMeasurementReport& report, const SegSourceSeries& series);

/// "F1 (Nodule): Long axis 29.7 mm, Short axis 27.5 mm, Volume 6.85 ml, Lung-RADS category 4B".
std::string describeGroup(const SrMeasurementGroup& group);

} // namespace lightbox

namespace lightbox {

/// The SOP Class UID of a DICOM file (its header only); empty when it is not DICOM.
std::string sopClassUidOf(const std::string& path);

/// Structured Report storage classes (Basic/Enhanced/Comprehensive/Comprehensive 3D, ...).
bool isStructuredReportClass(const std::string& sopClassUid);

} // namespace lightbox
