// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/DicomSegImport.h"
#include "core/dicom/DcmtkText.h"

#include "core/dicom/SeriesAssembler.h"
#include "core/dicom/TransferSyntaxNames.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace lightbox {

namespace {

/// A frame placed by position goes to the nearest slice within this fraction of the slice spacing
/// (0.5: nearest neighbour along the normal); a referenced instance's position further from the
/// frame's own than this is counted and said.
constexpr double kOnSliceTol = 0.5;
/// In-plane index offsets and steps within this of whole numbers: the SEG shares the series' grid.
constexpr double kSameGridTol = 1e-2;

std::string str(DcmItem* item, const DcmTagKey& tag) {
  OFString v;
  if (item && item->findAndGetOFString(tag, v).good()) return std::string(v.c_str());
  return {};
}

/// The item of a functional group: the frame's own, else the shared one, else null.
DcmItem* group(DcmItem* perFrame, DcmItem* shared, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (perFrame && perFrame->findAndGetSequenceItem(sequence, item, 0).good() && item) return item;
  if (shared && shared->findAndGetSequenceItem(sequence, item, 0).good() && item) return item;
  return nullptr;
}

bool floats(DcmItem* item, const DcmTagKey& tag, double* out, unsigned long n) {
  if (!item) return false;
  for (unsigned long p = 0; p < n; ++p) {
    Float64 v = 0;
    if (item->findAndGetFloat64(tag, v, p).bad()) return false;
    out[p] = v;
  }
  return true;
}

/// Code value, scheme and meaning of the first item of a code sequence.
void readCode(DcmItem* segment, const DcmTagKey& sequence, std::string& value, std::string& scheme,
              std::string& meaning) {
  DcmItem* code = nullptr;
  if (segment->findAndGetSequenceItem(sequence, code, 0).bad() || !code) return;
  value = str(code, DCM_CodeValue);
  if (value.empty()) value = str(code, DCM_LongCodeValue);
  if (value.empty()) value = str(code, DCM_URNCodeValue);
  scheme = str(code, DCM_CodingSchemeDesignator);
  meaning = str(code, DCM_CodeMeaning);
}

/// What one frame says about itself.
struct FrameFacts {
  int segmentNumber = 0;
  std::vector<std::string> sources; ///< referenced SOP instance UIDs
  bool hasPosition = false, hasOrientation = false, hasSpacing = false;
  Vec3 position{0, 0, 0};
  Vec3 rowDirection{1, 0, 0}, columnDirection{0, 1, 0};
  double spacingBetweenRows = 1.0, spacingBetweenColumns = 1.0;
};

FrameFacts readFrame(DcmItem* perFrame, DcmItem* shared) {
  FrameFacts f;
  if (DcmItem* id = group(perFrame, shared, DCM_SegmentIdentificationSequence)) {
    Uint16 n = 0;
    if (id->findAndGetUint16(DCM_ReferencedSegmentNumber, n).good()) f.segmentNumber = n;
  }
  DcmSequenceOfItems* derivations = nullptr;
  if (perFrame && perFrame->findAndGetSequence(DCM_DerivationImageSequence, derivations).good() && derivations) {
    for (unsigned long d = 0; d < derivations->card(); ++d) {
      DcmSequenceOfItems* sources = nullptr;
      if (derivations->getItem(d)->findAndGetSequence(DCM_SourceImageSequence, sources).bad() || !sources) continue;
      for (unsigned long s = 0; s < sources->card(); ++s) {
        const std::string uid = str(sources->getItem(s), DCM_ReferencedSOPInstanceUID);
        if (!uid.empty()) f.sources.push_back(uid);
      }
    }
  }
  double v[6];
  if (floats(group(perFrame, shared, DCM_PlanePositionSequence), DCM_ImagePositionPatient, v, 3)) {
    f.hasPosition = true;
    f.position = {v[0], v[1], v[2]};
  }
  if (floats(group(perFrame, shared, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, v, 6)) {
    f.hasOrientation = true;
    f.rowDirection = normalized({v[0], v[1], v[2]});
    f.columnDirection = normalized({v[3], v[4], v[5]});
  }
  if (floats(group(perFrame, shared, DCM_PixelMeasuresSequence), DCM_PixelSpacing, v, 2) && v[0] > 0 && v[1] > 0) {
    f.hasSpacing = true;
    f.spacingBetweenRows = v[0];
    f.spacingBetweenColumns = v[1];
  }
  return f;
}

/// Makes the pixel data native (RLE is decoded by dcmdata); other encapsulated syntaxes are refused.
void requireNativePixels(DcmDataset& ds, const std::string& path) {
  const DcmXfer xfer(ds.getOriginalXfer());
  if (!xfer.isEncapsulated()) return;
  static std::once_flag rle;
  std::call_once(rle, [] { DcmRLEDecoderRegistration::registerCodecs(); });
  if (ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good() && ds.canWriteXfer(EXS_LittleEndianExplicit)) return;
  throw std::runtime_error(path + ": unsupported transfer syntax " + transferSyntaxName(xfer.getXferID()) +
                           " for a segmentation (its frames cannot be decoded)");
}

double labToXyz(double t) { return t > 6.0 / 29.0 ? t * t * t : 3.0 * (6.0 / 29.0) * (6.0 / 29.0) * (t - 4.0 / 29.0); }
double linearToSrgb(double c) {
  c = std::clamp(c, 0.0, 1.0);
  return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
}

/// A fallback colour per segment position, as the label-file import gives its values.
void standInColour(int n, std::uint8_t rgb[3]) {
  rgb[0] = std::uint8_t(80 + (n * 67) % 176);
  rgb[1] = std::uint8_t(80 + (n * 131) % 176);
  rgb[2] = std::uint8_t(80 + (n * 199) % 176);
}

std::string quoted(const ImportedSegment& s) {
  return "\"" + s.segment.name + "\" (#" + std::to_string(s.segmentNumber) + ")";
}

} // namespace

SegSourceSeries segSourceOf(const AssembledSeries& series) {
  SegSourceSeries out;
  out.geometry = series.geometry;
  if (series.header) out.frameOfReferenceUid = series.header->frameOfReferenceUid;
  for (const SliceStack& stack : series.volumes) {
    for (const DicomFrame& f : stack.slices) {
      if (!f.file) continue;
      out.instances.push_back({f.file->sopInstanceUid, f.position});
    }
  }
  return out;
}

SegmentMask maskOfVoxels(const std::vector<std::size_t>& voxels, const VolumeGeometry& g) {
  SegmentMask mask;
  if (voxels.empty()) return mask;
  for (int a = 0; a < 3; ++a) {
    mask.box.lo[a] = g.size[a];
    mask.box.hi[a] = 0;
  }
  for (std::size_t n : voxels) {
    const std::size_t ijk[3] = {n % g.size[0], (n / g.size[0]) % g.size[1], n / (g.size[0] * g.size[1])};
    for (int a = 0; a < 3; ++a) {
      mask.box.lo[a] = std::min(mask.box.lo[a], ijk[a]);
      mask.box.hi[a] = std::max(mask.box.hi[a], ijk[a] + 1);
    }
  }
  const std::size_t nx = mask.box.hi[0] - mask.box.lo[0], ny = mask.box.hi[1] - mask.box.lo[1];
  mask.inside.assign(mask.box.voxelCount(), 0);
  for (std::size_t n : voxels) {
    const std::size_t i = n % g.size[0], j = (n / g.size[0]) % g.size[1], k = n / (g.size[0] * g.size[1]);
    mask.inside[(i - mask.box.lo[0]) + nx * ((j - mask.box.lo[1]) + ny * (k - mask.box.lo[2]))] = 1;
  }
  return mask;
}

bool SegmentMask::contains(std::size_t i, std::size_t j, std::size_t k) const {
  if (i < box.lo[0] || j < box.lo[1] || k < box.lo[2] || i >= box.hi[0] || j >= box.hi[1] || k >= box.hi[2]) return false;
  const std::size_t nx = box.hi[0] - box.lo[0], ny = box.hi[1] - box.lo[1];
  return inside[(i - box.lo[0]) + nx * ((j - box.lo[1]) + ny * (k - box.lo[2]))] != 0;
}

std::size_t SegmentMask::count() const {
  return std::size_t(std::count(inside.begin(), inside.end(), std::uint8_t(1)));
}

std::vector<std::uint8_t> unpackBinaryFrame(const std::uint8_t* packed, std::size_t packedBytes, std::size_t frame,
                                            std::size_t pixelsPerFrame) {
  const std::size_t first = frame * pixelsPerFrame;
  if ((first + pixelsPerFrame + 7) / 8 > packedBytes) throw std::runtime_error("pixel data ends before frame " + std::to_string(frame + 1));
  std::vector<std::uint8_t> bits(pixelsPerFrame);
  for (std::size_t p = 0; p < pixelsPerFrame; ++p) {
    const std::size_t b = first + p;
    bits[p] = std::uint8_t((packed[b >> 3] >> (b & 7)) & 1u);
  }
  return bits;
}

void dicomLabToRgb(const std::uint16_t lab[3], std::uint8_t rgb[3]) {
  const double L = lab[0] * 100.0 / 65535.0;
  const double a = lab[1] * 255.0 / 65535.0 - 128.0;
  const double b = lab[2] * 255.0 / 65535.0 - 128.0;
  const double fy = (L + 16.0) / 116.0;
  const double X = 0.95047 * labToXyz(fy + a / 500.0), Y = labToXyz(fy), Z = 1.08883 * labToXyz(fy - b / 200.0);
  const double r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
  const double g = -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z;
  const double bl = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
  rgb[0] = std::uint8_t(std::lround(255.0 * linearToSrgb(r)));
  rgb[1] = std::uint8_t(std::lround(255.0 * linearToSrgb(g)));
  rgb[2] = std::uint8_t(std::lround(255.0 * linearToSrgb(bl)));
}

ImportedSeg importDicomSeg(const std::string& path, const SegSourceSeries& series) {
  DcmFileFormat file;
  if (const OFCondition c = file.loadFile(path.c_str()); c.bad()) {
    throw std::runtime_error(path + ": not a readable DICOM file (" + c.text() + ")");
  }
  DcmDataset& ds = *file.getDataset();
  const std::string sopClass = str(&ds, DCM_SOPClassUID);
  if (sopClass != UID_SegmentationStorage) {
    throw std::runtime_error(path + ": not a DICOM Segmentation (SOP class " + (sopClass.empty() ? "missing" : sopClass) +
                             ", modality " + str(&ds, DCM_Modality) + ")");
  }
  ImportedSeg out;
  out.path = path;
  if (const std::vector<std::string> lossy = decodeTextToUtf8(ds); !lossy.empty()) {
    std::string names;
    for (const std::string& e : lossy) names += (names.empty() ? "" : ", ") + e;
    out.warnings.push_back(path + ": " + names + " not decodable by its Specific Character Set: undecodable bytes shown as U+FFFD");
  }
  out.segmentationType = str(&ds, DCM_SegmentationType);
  const bool fractional = out.segmentationType == "FRACTIONAL";
  if (!fractional && out.segmentationType != "BINARY") {
    throw std::runtime_error(path + ": segmentation type \"" + out.segmentationType + "\" is not supported (BINARY or FRACTIONAL)");
  }
  Uint16 rows = 0, columns = 0, bitsAllocated = 0, maxFraction = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, columns);
  ds.findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
  Sint32 frames = 1;
  ds.findAndGetSint32(DCM_NumberOfFrames, frames);
  if (rows == 0 || columns == 0 || frames < 1) throw std::runtime_error(path + ": the SEG has no frames (rows, columns or number of frames missing)");
  if (bitsAllocated != (fractional ? 8 : 1)) {
    throw std::runtime_error(path + ": " + out.segmentationType + " segmentation with " + std::to_string(bitsAllocated) +
                             " bits allocated (expected " + (fractional ? "8" : "1") + ")");
  }
  if (fractional) {
    ds.findAndGetUint16(DCM_MaximumFractionalValue, maxFraction);
    if (maxFraction == 0) throw std::runtime_error(path + ": FRACTIONAL segmentation without a Maximum Fractional Value");
  }
  out.frames = std::size_t(frames);

  // Segment table.
  DcmSequenceOfItems* segments = nullptr;
  if (ds.findAndGetSequence(DCM_SegmentSequence, segments).bad() || !segments || segments->card() == 0) {
    throw std::runtime_error(path + ": the SEG has no Segment Sequence");
  }
  std::map<int, std::size_t> byNumber;
  for (unsigned long n = 0; n < segments->card(); ++n) {
    DcmItem* item = segments->getItem(n);
    ImportedSegment s;
    Uint16 number = 0;
    item->findAndGetUint16(DCM_SegmentNumber, number);
    s.segmentNumber = number;
    s.segment.name = str(item, DCM_SegmentLabel);
    if (s.segment.name.empty()) s.segment.name = "Segment " + std::to_string(number);
    s.description = str(item, DCM_SegmentDescription);
    Uint16 lab[3];
    s.hasColour = true;
    for (unsigned long c = 0; c < 3; ++c) s.hasColour = s.hasColour && item->findAndGetUint16(DCM_RecommendedDisplayCIELabValue, lab[c], c).good();
    if (s.hasColour) {
      const std::uint16_t v[3] = {lab[0], lab[1], lab[2]};
      dicomLabToRgb(v, s.segment.rgb);
    } else {
      standInColour(int(n) + 1, s.segment.rgb);
    }
    s.segment.categoryCode.clear();
    s.segment.categoryMeaning.clear();
    s.segment.typeCode.clear();
    s.segment.typeMeaning.clear();
    readCode(item, DCM_SegmentedPropertyCategoryCodeSequence, s.segment.categoryCode, s.segment.categoryScheme,
             s.segment.categoryMeaning);
    readCode(item, DCM_SegmentedPropertyTypeCodeSequence, s.segment.typeCode, s.segment.typeScheme, s.segment.typeMeaning);
    s.algorithmType = str(item, DCM_SegmentAlgorithmType);
    s.segment.origin = SegmentOrigin::Imported;
    s.segment.algorithm = str(item, DCM_SegmentAlgorithmName);
    if (s.segment.algorithm.empty()) s.segment.algorithm = path;
    if (!byNumber.emplace(s.segmentNumber, out.segments.size()).second) {
      throw std::runtime_error(path + ": segment number " + std::to_string(number) + " is used twice");
    }
    out.segments.push_back(std::move(s));
  }

  // Frame of reference: the SOP instances first, positions only in the same frame of reference.
  const std::string segFrame = str(&ds, DCM_FrameOfReferenceUID);
  const bool sameFrame = !segFrame.empty() && segFrame == series.frameOfReferenceUid;
  const bool frameUnknown = segFrame.empty() || series.frameOfReferenceUid.empty();
  std::unordered_map<std::string, std::size_t> instanceOf;
  std::unordered_map<std::string, bool> ambiguous; // a multi-frame source: one UID, many positions
  for (std::size_t n = 0; n < series.instances.size(); ++n) {
    if (!instanceOf.emplace(series.instances[n].sopInstanceUid, n).second) ambiguous[series.instances[n].sopInstanceUid] = true;
  }

  DcmSequenceOfItems* perFrame = nullptr;
  if (ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).bad() || !perFrame ||
      perFrame->card() != std::size_t(frames)) {
    throw std::runtime_error(path + ": the Per-frame Functional Groups do not describe its " + std::to_string(frames) + " frames");
  }
  DcmItem* shared = nullptr;
  ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
  std::vector<FrameFacts> facts(out.frames);
  std::size_t referencingSeries = 0;
  for (std::size_t f = 0; f < out.frames; ++f) {
    facts[f] = readFrame(perFrame->getItem(f), shared);
    for (const std::string& uid : facts[f].sources) {
      if (instanceOf.count(uid) && !ambiguous.count(uid)) {
        ++referencingSeries;
        break;
      }
    }
  }
  if (referencingSeries == 0 && !sameFrame && !frameUnknown) {
    throw std::runtime_error(path + ": the SEG is on another frame of reference (" + segFrame + ") than this series (" +
                             series.frameOfReferenceUid + ") and references none of its images");
  }
  if (!sameFrame && !frameUnknown) {
    out.warnings.push_back(path + ": the SEG's frame of reference (" + segFrame + ") differs from the series' (" +
                           series.frameOfReferenceUid + "): only frames of the images it references are placed");
  }

  requireNativePixels(ds, path);
  DcmElement* pixelElement = nullptr;
  Uint8* pixels = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, pixelElement).bad() || !pixelElement ||
      pixelElement->getUint8Array(pixels).bad() || !pixels) {
    throw std::runtime_error(path + ": the SEG has no pixel data");
  }
  const std::size_t pixelBytes = pixelElement->getLength();
  const std::size_t perFramePixels = std::size_t(rows) * columns;
  if (fractional && pixelBytes < perFramePixels * out.frames) {
    throw std::runtime_error(path + ": pixel data ends before frame " + std::to_string(pixelBytes / perFramePixels + 1));
  }

  const VolumeGeometry& g = series.geometry;
  std::vector<std::vector<std::size_t>> voxels(out.segments.size()); // linear indices per segment
  std::size_t unknownSegment = 0, positionDisagrees = 0;
  for (std::size_t f = 0; f < out.frames; ++f) {
    const FrameFacts& ff = facts[f];
    const auto seg = byNumber.find(ff.segmentNumber);
    if (seg == byNumber.end()) {
      ++unknownSegment;
      continue;
    }
    // Which slice: the referenced instance's, else the frame's own position in the same frame.
    const SegSourceSeries::Instance* instance = nullptr;
    for (const std::string& uid : ff.sources) {
      const auto it = instanceOf.find(uid);
      if (it != instanceOf.end() && !ambiguous.count(uid)) {
        instance = &series.instances[it->second];
        break;
      }
    }
    double sliceAt = 0;
    if (instance) {
      sliceAt = g.lpsToIjk(instance->position)[2];
      if (ff.hasPosition && std::abs(g.lpsToIjk(ff.position)[2] - sliceAt) > kOnSliceTol) ++positionDisagrees;
    } else if (ff.hasPosition && (sameFrame || frameUnknown)) {
      sliceAt = g.lpsToIjk(ff.position)[2];
    } else {
      ++out.framesNotOnSeries;
      continue;
    }
    // An instance of the series is on it (a resampled stack's slice may fall between grid planes).
    const long k = std::lround(sliceAt);
    if (k < 0 || k >= long(g.size[2]) || (!instance && std::abs(sliceAt - double(k)) > kOnSliceTol)) {
      ++out.framesNotOnSeries;
      continue;
    }
    ++(instance ? out.framesByInstance : out.framesByPosition);

    // In-plane: index of each SEG pixel on the series grid (nearest neighbour through LPS).
    const Vec3 origin = ff.hasPosition ? ff.position : instance->position;
    const Vec3 rowDir = ff.hasOrientation ? ff.rowDirection : g.direction[0];
    const Vec3 colDir = ff.hasOrientation ? ff.columnDirection : g.direction[1];
    const double dc = ff.hasSpacing ? ff.spacingBetweenColumns : g.spacing[0];
    const double dr = ff.hasSpacing ? ff.spacingBetweenRows : g.spacing[1];
    const Vec3 at0 = g.lpsToIjk(origin);
    const Vec3 perColumn = g.lpsToIjk(origin + rowDir * dc) - at0;
    const Vec3 perRow = g.lpsToIjk(origin + colDir * dr) - at0;
    const bool sameGridInPlane = columns == g.size[0] && rows == g.size[1] && std::abs(at0[0] - std::round(at0[0])) < kSameGridTol &&
                                 std::abs(at0[1] - std::round(at0[1])) < kSameGridTol && std::abs(perColumn[0] - 1) < kSameGridTol &&
                                 std::abs(perColumn[1]) < kSameGridTol && std::abs(perRow[0]) < kSameGridTol &&
                                 std::abs(perRow[1] - 1) < kSameGridTol;
    if (!sameGridInPlane) out.resampled = true;

    std::vector<std::uint8_t> bits;
    const std::uint8_t* frame = nullptr;
    if (fractional) {
      frame = pixels + f * perFramePixels;
    } else {
      try {
        bits = unpackBinaryFrame(pixels, pixelBytes, f, perFramePixels);
      } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
      }
      frame = bits.data();
    }
    std::vector<std::size_t>& into = voxels[seg->second];
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < columns; ++c) {
        const std::uint8_t v = frame[r * columns + c];
        // FRACTIONAL: inside from half of the maximum on.
        if (fractional ? 2u * v < maxFraction : v == 0) continue;
        const long i = std::lround(at0[0] + double(c) * perColumn[0] + double(r) * perRow[0]);
        const long j = std::lround(at0[1] + double(c) * perColumn[1] + double(r) * perRow[1]);
        if (i < 0 || j < 0 || i >= long(g.size[0]) || j >= long(g.size[1])) {
          ++out.voxelsOutside;
          continue;
        }
        into.push_back(std::size_t(i) + g.size[0] * (std::size_t(j) + g.size[1] * std::size_t(k)));
      }
    }
  }
  if (out.framesByInstance + out.framesByPosition == 0) {
    throw std::runtime_error(path + ": none of the SEG's " + std::to_string(out.frames) +
                             " frames lies on this series (it segments other images)");
  }

  // Each segment's voxels as a mask over its bounding box.
  for (std::size_t s = 0; s < out.segments.size(); ++s) {
    std::vector<std::size_t>& list = voxels[s];
    if (list.empty()) continue;
    out.segments[s].mask = maskOfVoxels(list, g);
    std::vector<std::size_t>().swap(list);
  }

  if (frameUnknown && out.framesByPosition > 0) {
    out.warnings.push_back(path + ": " + std::to_string(out.framesByPosition) +
                           " frames placed by position without a frame of reference to check it against");
  }
  if (out.framesNotOnSeries > 0) {
    out.warnings.push_back(path + ": " + std::to_string(out.framesNotOnSeries) + " of " + std::to_string(out.frames) +
                           " frames belong to images outside this series and are left out");
  }
  if (unknownSegment > 0) {
    out.warnings.push_back(path + ": " + std::to_string(unknownSegment) + " frames name a segment the Segment Sequence lacks");
  }
  if (positionDisagrees > 0) {
    out.warnings.push_back(path + ": " + std::to_string(positionDisagrees) +
                           " frames' plane positions disagree with the images they reference; placed on those images");
  }
  if (out.resampled) {
    out.warnings.push_back(path + ": on another in-plane grid than the series, resampled (nearest neighbour)");
  }
  if (out.voxelsOutside > 0) {
    out.warnings.push_back(path + ": " + std::to_string(out.voxelsOutside) + " segmented pixels lie outside the series");
  }
  return out;
}

ImportedLabels segToLabelMap(const ImportedSeg& seg, const VolumeGeometry& grid) {
  ImportedLabels out;
  out.map = LabelMap(grid);
  out.resampled = seg.resampled;
  out.voxelsOutside = seg.voxelsOutside;
  out.warnings = seg.warnings;
  std::vector<std::uint8_t> cover(grid.voxelCount(), 0); // segments per voxel, saturating
  std::vector<std::size_t> placed;                       // indices into seg.segments, in label order
  auto forEachVoxel = [&grid](const SegmentMask& m, auto&& visit) {
    std::size_t n = 0;
    for (std::size_t k = m.box.lo[2]; k < m.box.hi[2]; ++k)
      for (std::size_t j = m.box.lo[1]; j < m.box.hi[1]; ++j)
        for (std::size_t i = m.box.lo[0]; i < m.box.hi[0]; ++i, ++n)
          if (m.inside[n]) visit(i + grid.size[0] * (j + grid.size[1] * k));
  };
  for (std::size_t s = 0; s < seg.segments.size(); ++s) {
    const ImportedSegment& in = seg.segments[s];
    if (in.mask.inside.empty()) {
      out.warnings.push_back(seg.path + ": segment " + quoted(in) + " has no voxel on this series and is left out");
      continue;
    }
    if (placed.size() == 255) {
      out.warnings.push_back(seg.path + ": more than 255 segments: " + std::to_string(seg.segments.size() - s) +
                             " from " + quoted(in) + " on are left out");
      break;
    }
    Segment segment = in.segment;
    segment.label = std::uint8_t(placed.size() + 1);
    forEachVoxel(in.mask, [&](std::size_t n) {
      out.map.labels[n] = segment.label; // the later segment takes shared voxels
      if (cover[n] < 255) ++cover[n];
    });
    out.map.segments.push_back(segment);
    placed.push_back(s);
  }
  // Overlaps, pair by pair: only voxels covered twice or more are looked at.
  std::vector<std::pair<std::size_t, std::size_t>> shared; // (voxel, position in `placed`)
  for (std::size_t p = 0; p < placed.size(); ++p) {
    forEachVoxel(seg.segments[placed[p]].mask, [&](std::size_t n) {
      if (cover[n] > 1) shared.emplace_back(n, p);
    });
  }
  std::sort(shared.begin(), shared.end());
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> pairs;
  for (std::size_t a = 0; a < shared.size();) {
    std::size_t b = a;
    while (b < shared.size() && shared[b].first == shared[a].first) ++b;
    for (std::size_t x = a; x < b; ++x)
      for (std::size_t y = x + 1; y < b; ++y) ++pairs[{shared[x].second, shared[y].second}];
    a = b;
  }
  for (const auto& [pair, voxels] : pairs) {
    const ImportedSegment& first = seg.segments[placed[pair.first]];
    const ImportedSegment& second = seg.segments[placed[pair.second]];
    out.warnings.push_back(seg.path + ": segments " + quoted(first) + " and " + quoted(second) + " overlap in " +
                           std::to_string(voxels) + " voxels; the label map holds one segment per voxel and gives them to the later one, \"" +
                           second.segment.name + "\"");
  }
  ++out.map.revision;
  return out;
}

} // namespace lightbox
