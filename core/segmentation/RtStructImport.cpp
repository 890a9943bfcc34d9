// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/RtStructImport.h"
#include "core/dicom/DcmtkText.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrds.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace lightbox {

namespace {

/// A contour placed by position goes to the nearest slice within this fraction of the slice spacing
/// (0.5: nearest neighbour along the normal); a contour whose points spread further than this along
/// the normal does not lie in one slice. A referenced instance further than this from the contour's
/// own points is counted and said.
constexpr double kOnSliceTol = 0.5;

std::string str(DcmItem* item, const DcmTagKey& tag) {
  OFString v;
  if (item && item->findAndGetOFString(tag, v).good()) return std::string(v.c_str());
  return {};
}

long integer(DcmItem* item, const DcmTagKey& tag, long otherwise) {
  Sint32 v = 0;
  if (item && item->findAndGetSint32(tag, v).good()) return v;
  return otherwise;
}

DcmSequenceOfItems* sequence(DcmItem* item, const DcmTagKey& tag) {
  DcmSequenceOfItems* s = nullptr;
  if (item && item->findAndGetSequence(tag, s).good()) return s;
  return nullptr;
}

/// All values of a DS element (Contour Data), empty when missing or unreadable.
std::vector<double> decimals(DcmItem* item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  OFVector<Float64> values;
  if (!item || item->findAndGetElement(tag, element).bad() || !element) return {};
  auto* ds = dynamic_cast<DcmDecimalString*>(element);
  if (!ds || ds->getFloat64Vector(values).bad()) return {};
  return std::vector<double>(values.begin(), values.end());
}

/// A fallback colour per ROI position, as the SEG import gives one.
void standInColour(int n, std::uint8_t rgb[3]) {
  rgb[0] = std::uint8_t(80 + (n * 67) % 176);
  rgb[1] = std::uint8_t(80 + (n * 131) % 176);
  rgb[2] = std::uint8_t(80 + (n * 199) % 176);
}

std::string count(std::size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

/// The ROI's contours per slice index, in (column, row) coordinates.
using SliceContours = std::map<std::size_t, std::vector<SliceContour>>;

SegmentMask maskOf(const SliceContours& slices, const VolumeGeometry& g) {
  std::vector<std::size_t> voxels; // linear indices
  for (const auto& [k, contours] : slices) {
    const std::vector<std::uint8_t> in = fillContours(contours, g.size[0], g.size[1]);
    for (std::size_t n = 0; n < in.size(); ++n)
      if (in[n]) voxels.push_back(n + g.size[0] * g.size[1] * k);
  }
  return maskOfVoxels(voxels, g);
}

} // namespace

std::vector<std::uint8_t> fillContours(const std::vector<SliceContour>& contours, std::size_t columns, std::size_t rows) {
  std::vector<std::uint8_t> out(columns * rows, 0);
  std::vector<double> crossings;
  for (std::size_t j = 0; j < rows; ++j) {
    const double y = double(j);
    crossings.clear();
    for (const SliceContour& c : contours) {
      for (std::size_t p = 0, q = c.size() - 1; p < c.size(); q = p++) {
        const auto& a = c[p];
        const auto& b = c[q];
        // The crossing test of insidePolygon (SegmentationMetrics), edge by edge, for the whole row.
        if ((a[1] > y) != (b[1] > y)) crossings.push_back((b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]);
      }
    }
    // A centre x is in when an odd number of crossings lie right of it (x < crossing): between the
    // (2m)-th and (2m+1)-th crossing in sorted order, the first included and the second not.
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t m = 0; m + 1 < crossings.size(); m += 2) {
      const double from = std::max(0.0, std::ceil(crossings[m]));
      const double to = std::min(double(columns), std::ceil(crossings[m + 1]));
      for (double x = from; x < to; x += 1.0) out[j * columns + std::size_t(x)] = 1;
    }
  }
  return out;
}

ImportedSeg importRtStruct(const std::string& path, const SegSourceSeries& series) {
  DcmFileFormat file;
  if (const OFCondition c = file.loadFile(path.c_str()); c.bad()) {
    throw std::runtime_error(path + ": not a readable DICOM file (" + c.text() + ")");
  }
  DcmDataset& ds = *file.getDataset();
  const std::string sopClass = str(&ds, DCM_SOPClassUID);
  if (sopClass != UID_RTStructureSetStorage) {
    throw std::runtime_error(path + ": not a DICOM RT Structure Set (SOP class " + (sopClass.empty() ? "missing" : sopClass) +
                             ", modality " + str(&ds, DCM_Modality) + ")");
  }
  ImportedSeg out;
  out.path = path;
  if (const std::vector<std::string> lossy = decodeTextToUtf8(ds); !lossy.empty()) {
    std::string names;
    for (const std::string& e : lossy) names += (names.empty() ? "" : ", ") + e;
    out.warnings.push_back(path + ": " + names + " not decodable by its Specific Character Set: undecodable bytes shown as U+FFFD");
  }
  out.segmentationType = "RTSTRUCT";

  // The structure set's frame of reference, for ROIs that name none.
  DcmItem* referencedFrame = nullptr;
  ds.findAndGetSequenceItem(DCM_ReferencedFrameOfReferenceSequence, referencedFrame, 0);
  const std::string setFrame = str(referencedFrame, DCM_FrameOfReferenceUID);

  // ROI table, with each ROI's frame of reference.
  DcmSequenceOfItems* rois = sequence(&ds, DCM_StructureSetROISequence);
  if (!rois || rois->card() == 0) throw std::runtime_error(path + ": the RT Structure Set has no Structure Set ROI Sequence");
  std::map<long, std::size_t> byNumber;
  std::vector<std::string> roiFrame;
  for (unsigned long n = 0; n < rois->card(); ++n) {
    DcmItem* item = rois->getItem(n);
    ImportedSegment s;
    s.segmentNumber = int(integer(item, DCM_ROINumber, 0));
    s.segment.name = str(item, DCM_ROIName);
    if (s.segment.name.empty()) s.segment.name = "ROI " + std::to_string(s.segmentNumber);
    s.segment.categoryCode.clear();
    s.segment.categoryMeaning.clear();
    s.segment.categoryScheme.clear();
    s.segment.typeCode.clear();
    s.segment.typeMeaning.clear();
    s.segment.typeScheme.clear();
    s.algorithmType = str(item, DCM_ROIGenerationAlgorithm);
    s.segment.origin = SegmentOrigin::Imported;
    // The ROI Generation Algorithm (AUTOMATIC / SEMIAUTOMATIC / MANUAL) is kept in algorithmType;
    // the algorithm's name is what the file calls it, never the local path.
    s.segment.algorithm = str(item, DCM_ROIGenerationDescription);
    if (s.segment.algorithm.empty()) s.segment.algorithm = "RTSTRUCT " + std::filesystem::path(path).filename().string();
    standInColour(int(n) + 1, s.segment.rgb);
    if (!byNumber.emplace(s.segmentNumber, out.segments.size()).second) {
      throw std::runtime_error(path + ": ROI number " + std::to_string(s.segmentNumber) + " is used twice");
    }
    const std::string frame = str(item, DCM_ReferencedFrameOfReferenceUID);
    roiFrame.push_back(frame.empty() ? setFrame : frame);
    out.segments.push_back(std::move(s));
  }
  if (DcmSequenceOfItems* observations = sequence(&ds, DCM_RTROIObservationsSequence)) {
    for (unsigned long n = 0; n < observations->card(); ++n) {
      DcmItem* item = observations->getItem(n);
      const auto roi = byNumber.find(integer(item, DCM_ReferencedROINumber, -1));
      if (roi != byNumber.end()) out.segments[roi->second].segment.typeMeaning = str(item, DCM_RTROIInterpretedType);
    }
  }

  std::unordered_map<std::string, std::size_t> instanceOf;
  std::unordered_map<std::string, bool> ambiguous; // a multi-frame source: one UID, many positions
  for (std::size_t n = 0; n < series.instances.size(); ++n) {
    if (!instanceOf.emplace(series.instances[n].sopInstanceUid, n).second) ambiguous[series.instances[n].sopInstanceUid] = true;
  }
  auto instanceIn = [&](DcmItem* contour) -> const SegSourceSeries::Instance* {
    DcmSequenceOfItems* images = sequence(contour, DCM_ContourImageSequence);
    for (unsigned long n = 0; images && n < images->card(); ++n) {
      const std::string uid = str(images->getItem(n), DCM_ReferencedSOPInstanceUID);
      const auto it = instanceOf.find(uid);
      if (it != instanceOf.end() && !ambiguous.count(uid)) return &series.instances[it->second];
    }
    return nullptr;
  };

  // The contours. First pass: does the file reference this series at all?
  DcmSequenceOfItems* roiContours = sequence(&ds, DCM_ROIContourSequence);
  std::size_t referencingSeries = 0;
  for (unsigned long r = 0; roiContours && r < roiContours->card(); ++r) {
    DcmSequenceOfItems* contours = sequence(roiContours->getItem(r), DCM_ContourSequence);
    for (unsigned long c = 0; contours && c < contours->card(); ++c) referencingSeries += instanceIn(contours->getItem(c)) ? 1 : 0;
  }
  bool anyPositionable = false; // a ROI on the series' frame of reference, or one of the two unknown
  for (const std::string& frame : roiFrame) {
    anyPositionable = anyPositionable || frame.empty() || series.frameOfReferenceUid.empty() || frame == series.frameOfReferenceUid;
  }
  if (referencingSeries == 0 && !anyPositionable) {
    throw std::runtime_error(path + ": the RT Structure Set is on another frame of reference (" + roiFrame.front() +
                             ") than this series (" + series.frameOfReferenceUid + ") and references none of its images");
  }

  const VolumeGeometry& g = series.geometry;
  std::vector<SliceContours> slices(out.segments.size());
  std::size_t points = 0, open = 0, otherType = 0, malformed = 0, unknownRoi = 0, positionDisagrees = 0, acrossSlices = 0;
  std::size_t beyondGrid = 0, byPositionUnchecked = 0;
  bool anotherFrame = false;
  for (unsigned long r = 0; roiContours && r < roiContours->card(); ++r) {
    DcmItem* roiItem = roiContours->getItem(r);
    DcmSequenceOfItems* contours = sequence(roiItem, DCM_ContourSequence);
    const std::size_t contourCount = contours ? contours->card() : 0;
    out.frames += contourCount;
    const auto roi = byNumber.find(integer(roiItem, DCM_ReferencedROINumber, -1));
    if (roi == byNumber.end()) {
      unknownRoi += contourCount;
      continue;
    }
    ImportedSegment& segment = out.segments[roi->second];
    Sint32 rgb[3];
    bool colour = true;
    for (unsigned long c = 0; c < 3; ++c) colour = colour && roiItem->findAndGetSint32(DCM_ROIDisplayColor, rgb[c], c).good();
    if (colour) {
      for (int c = 0; c < 3; ++c) segment.segment.rgb[c] = std::uint8_t(std::clamp<Sint32>(rgb[c], 0, 255));
      segment.hasColour = true;
    }
    const std::string& frame = roiFrame[roi->second];
    const bool sameFrame = !frame.empty() && frame == series.frameOfReferenceUid;
    const bool frameUnknown = frame.empty() || series.frameOfReferenceUid.empty();
    if (!sameFrame && !frameUnknown) anotherFrame = true;

    for (unsigned long c = 0; c < contourCount; ++c) {
      DcmItem* contour = contours->getItem(c);
      const std::string type = str(contour, DCM_ContourGeometricType);
      if (type == "POINT") {
        ++points;
        continue;
      }
      if (type == "OPEN_PLANAR" || type == "OPEN_NONPLANAR") {
        ++open;
        continue;
      }
      if (type != "CLOSED_PLANAR") {
        ++otherType;
        continue;
      }
      const std::vector<double> data = decimals(contour, DCM_ContourData);
      if (data.size() < 9 || data.size() % 3 != 0) {
        ++malformed;
        continue;
      }
      // The contour in continuous grid indices; its slice from its mean position along the normal.
      SliceContour onSlice;
      double kSum = 0, kMin = 1e300, kMax = -1e300;
      bool cut = false;
      for (std::size_t p = 0; p + 2 < data.size(); p += 3) {
        const Vec3 ijk = g.lpsToIjk({data[p], data[p + 1], data[p + 2]});
        onSlice.push_back({ijk[0], ijk[1]});
        kSum += ijk[2];
        kMin = std::min(kMin, ijk[2]);
        kMax = std::max(kMax, ijk[2]);
        cut = cut || ijk[0] < -0.5 || ijk[1] < -0.5 || ijk[0] > double(g.size[0]) - 0.5 || ijk[1] > double(g.size[1]) - 0.5;
      }
      const double kMean = kSum / double(onSlice.size());
      if (kMax - kMin > kOnSliceTol) {
        ++acrossSlices;
        ++out.framesNotOnSeries;
        continue;
      }
      const SegSourceSeries::Instance* instance = instanceIn(contour);
      double sliceAt = 0;
      if (instance) {
        sliceAt = g.lpsToIjk(instance->position)[2];
        if (std::abs(kMean - sliceAt) > kOnSliceTol) ++positionDisagrees;
      } else if (sameFrame || frameUnknown) {
        sliceAt = kMean;
      } else {
        ++out.framesNotOnSeries;
        continue;
      }
      const long k = std::lround(sliceAt);
      if (k < 0 || k >= long(g.size[2]) || (!instance && std::abs(sliceAt - double(k)) > kOnSliceTol)) {
        ++out.framesNotOnSeries;
        continue;
      }
      if (instance) {
        ++out.framesByInstance;
      } else {
        ++out.framesByPosition;
        if (frameUnknown) ++byPositionUnchecked;
      }
      if (cut) ++beyondGrid;
      slices[roi->second][std::size_t(k)].push_back(std::move(onSlice));
    }
  }
  if (out.framesByInstance + out.framesByPosition == 0) {
    throw std::runtime_error(path + ": none of the RT Structure Set's " + count(out.frames, "contour") +
                             " is a closed contour on this series (" + count(out.framesNotOnSeries, "closed contour") +
                             " on other images or off its grid, " + std::to_string(points + open + otherType) +
                             " points or open contours)");
  }
  for (std::size_t s = 0; s < out.segments.size(); ++s) out.segments[s].mask = maskOf(slices[s], g);

  if (anotherFrame) {
    out.warnings.push_back(path + ": the RT Structure Set's frame of reference differs from the series' (" +
                           series.frameOfReferenceUid + "): only contours on the images it references are placed");
  }
  if (byPositionUnchecked > 0) {
    out.warnings.push_back(path + ": " + count(byPositionUnchecked, "contour") +
                           " placed by position without a frame of reference to check it against");
  }
  if (points > 0) out.warnings.push_back(path + ": " + count(points, "POINT contour") + " skipped (a point marks no voxels)");
  if (open > 0) out.warnings.push_back(path + ": " + count(open, "open contour") + " skipped (an open line encloses no voxels)");
  if (otherType > 0) out.warnings.push_back(path + ": " + count(otherType, "contour") + " of an unknown geometric type skipped");
  if (malformed > 0) {
    out.warnings.push_back(path + ": " + count(malformed, "contour") + " without three or more whole (x, y, z) points skipped");
  }
  if (unknownRoi > 0) {
    out.warnings.push_back(path + ": " + count(unknownRoi, "contour") + " of ROIs the Structure Set ROI Sequence lacks left out");
  }
  if (acrossSlices > 0) {
    out.warnings.push_back(path + ": " + count(acrossSlices, "contour") +
                           " not in one slice of the series (drawn on another orientation) left out");
  }
  const std::size_t elsewhere = out.framesNotOnSeries - acrossSlices;
  if (elsewhere > 0) {
    out.warnings.push_back(path + ": " + count(elsewhere, "closed contour") + " of " + std::to_string(out.frames) +
                           " on images outside this series left out");
  }
  if (positionDisagrees > 0) {
    out.warnings.push_back(path + ": " + count(positionDisagrees, "contour") +
                           " placed on the images they reference, more than half a slice from their own points");
  }
  if (beyondGrid > 0) {
    out.warnings.push_back(path + ": " + count(beyondGrid, "contour") + " reaching outside the series' field of view cut at its edge");
  }
  return out;
}

} // namespace lightbox
