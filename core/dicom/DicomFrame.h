// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lightbox {

/// What a PET image's values mean and what SUV needs (PS3.3 PET Series, PET Isotope and Patient
/// Study modules; QIBA FDG-PET SUV profile). Strings as stored; numbers 0 when absent.
struct PetDoseInfo {
  std::string units;           ///< Units (0054,1001): BQML, CNTS, GML, ...
  std::string decayCorrection; ///< Decay Correction (0054,1102): START, ADMIN, NONE
  std::string correctedImage;  ///< Corrected Image (0028,0051), values joined by '\\'
  double patientWeightKg = 0;  ///< Patient's Weight (0010,1030)
  double totalDoseBq = 0;      ///< Radionuclide Total Dose (0018,1074), in the first item of (0054,0016)
  double halfLifeS = 0;        ///< Radionuclide Half Life (0018,1075)
  std::string injectionDateTime; ///< Radiopharmaceutical Start DateTime (0018,1078)
  std::string injectionTime;     ///< Radiopharmaceutical Start Time (0018,1072)
  std::string seriesDate, seriesTime, acquisitionDate, acquisitionTime;
  double philipsSuvScale = 0;  ///< Philips private SUV Scale Factor (7053,1000), 0 when absent
};

/// Header facts of one DICOM file, shared by all frames read from it.
struct DicomFileInfo {
  std::string path;
  std::uintmax_t fileSize = 0;
  std::int64_t modifiedTime = 0; ///< seconds since epoch, for incremental re-import

  std::string transferSyntaxUid;
  std::string sopClassUid;
  std::string sopInstanceUid;
  std::string modality;
  std::string patientName, patientId, patientBirthDate, patientSex;
  std::string patientAge; ///< Patient's Age (0010,1010), a DICOM AS such as "077Y"
  std::string studyInstanceUid, studyDate, studyTime, studyDescription, accessionNumber;
  std::string seriesInstanceUid, seriesDescription;
  int seriesNumber = 0;
  std::string manufacturer;
  std::string frameOfReferenceUid;
  /// Set when a text element could not be decoded by the Specific Character Set: the elements
  /// named, their undecodable bytes shown as U+FFFD (issue 28).
  std::string textWarning;
  /// Acquisition parameters for the corner text, e.g. "120 kVp  250 mAs  B70f" (CT) or
  /// "TR 2300  TE 2.98  1.5 T" (MR); empty when the file has none.
  std::string acquisitionSummary;
  std::vector<std::string> imageType;
  PetDoseInfo pet; ///< read for Modality PT only

  unsigned storedRows = 0, storedColumns = 0; ///< as stored (a mosaic's full matrix)
  unsigned numberOfFrames = 1;
  unsigned samplesPerPixel = 1, bitsAllocated = 0, bitsStored = 0, highBit = 0;
  unsigned pixelRepresentation = 0; ///< 0 unsigned, 1 two's complement
  std::string photometric;
  double gantryTilt = 0.0;
  bool hasWindow = false;
  double windowCenter = 0.0, windowWidth = 0.0;

  /// Offset and length of the native (uncompressed) pixel data value, or 0 when the pixels need
  /// a codec; lets the loader read pixels straight into the volume without GDCM's image reader.
  std::uint64_t nativePixelOffset = 0;
  std::uint64_t nativePixelLength = 0;
  bool nativeBigEndian = false; ///< Explicit VR Big Endian: each stored value is byte-swapped
  bool hasPixelData = false;
  bool isEnhanced = false; ///< per-frame functional groups
  unsigned mosaicTiles = 0; ///< Siemens mosaic: number of images in the mosaic, else 0
};

/// One 2D image: a classic single-frame file, one frame of a multi-frame object, or one tile of
/// a Siemens mosaic. Geometry is in LPS millimetres.
struct DicomFrame {
  std::shared_ptr<const DicomFileInfo> file;
  unsigned frameIndex = 0; ///< frame within the file
  int mosaicTile = -1;     ///< tile index when the frame is cut from a mosaic
  unsigned rows = 0, columns = 0;

  bool hasPosition = false, hasOrientation = false, hasPixelSpacing = false;
  Vec3 position{0, 0, 0};     ///< ImagePositionPatient: centre of the first transmitted voxel
  Vec3 rowDirection{1, 0, 0}; ///< direction of increasing column index
  Vec3 columnDirection{0, 1, 0};
  double spacingX = 1.0; ///< between columns (PixelSpacing[1])
  double spacingY = 1.0; ///< between rows (PixelSpacing[0])
  double sliceThickness = 0.0;
  double spacingBetweenSlices = 0.0;

  double rescaleSlope = 1.0, rescaleIntercept = 0.0;
  double philipsScaleSlope = 0.0; ///< Philips private scale slope (2005,100E), 0 when absent
  int echoNumber = 0;
  int acquisitionNumber = 0;
  int instanceNumber = 0;
  int temporalPosition = 0;
  int stackIndex = 0; ///< 0 when unknown
  std::vector<unsigned> dimensionIndex;

  Vec3 normal() const { return cross(rowDirection, columnDirection); }
};

} // namespace lightbox
