// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lightbox {

/// Describes a single-frame DICOM series to write (Explicit VR Little Endian, 16-bit grey).
struct DicomSeriesSpec {
  std::string folder;
  std::string filePrefix = "IM";
  unsigned rows = 0, columns = 0;
  double spacingX = 1.0, spacingY = 1.0; ///< between columns, between rows (mm)
  Vec3 rowDirection{1, 0, 0}, columnDirection{0, 1, 0};
  std::vector<Vec3> slicePositions; ///< ImagePositionPatient of each file, in writing order
  double sliceThickness = 1.0;
  std::string modality = "CT";
  std::string sopClassUid = "1.2.840.10008.5.1.4.1.1.2"; ///< CT Image Storage
  std::vector<std::string> imageType{"ORIGINAL", "PRIMARY", "AXIAL"};
  std::string patientName = "LIGHTBOX^PHANTOM", patientId = "LBX-0001";
  std::string patientBirthDate = "19600101", patientSex = "O";
  std::string studyDate = "20260101", studyTime = "120000";
  std::string studyDescription = "Synthetic study", seriesDescription = "Synthetic series";
  int seriesNumber = 1;
  std::string studyInstanceUid, seriesInstanceUid, frameOfReferenceUid; ///< generated when empty
  double rescaleSlope = 1.0, rescaleIntercept = 0.0;
  unsigned bitsStored = 16;
  bool isSigned = true;
  double windowCenter = 40.0, windowWidth = 400.0;
  std::vector<int> acquisitionNumbers; ///< per file, optional
  std::vector<int> echoNumbers;        ///< per file, optional
  std::vector<double> rescaleSlopes;   ///< per file, optional (PET: one slope per slice)
  /// Modality PT: the PET fields SUV needs (written when modality is "PT"; empty strings and zero
  /// numbers are left out, to test what a reader does when one is missing).
  struct Pet {
    std::string units = "BQML", decayCorrection = "START", correctedImage = "ATTN\\DECY";
    double patientWeightKg = 0, totalDoseBq = 0, halfLifeS = 0;
    std::string injectionTime, injectionDateTime, seriesDate, seriesTime;
  } pet;
};

/// Stored pixel values for slice k (rows*columns, row-major), as written to the file.
using SliceFiller = std::function<void(std::size_t k, std::vector<std::int16_t>& stored)>;

/// Writes one file per slice position; returns the written paths and fills in generated UIDs.
/// Throws std::runtime_error naming the file when writing fails.
std::vector<std::string> writeDicomSeries(DicomSeriesSpec& spec, const SliceFiller& fill);

/// A fresh, globally unique DICOM UID.
std::string generateUid();

} // namespace lightbox
