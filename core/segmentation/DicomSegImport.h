// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/segmentation/LabelMap.h"
#include "core/segmentation/LabelMapImport.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

struct AssembledSeries;

/// What a DICOM SEG is matched against: the loaded series' grid, its frame of reference and the
/// SOP instances it was built from.
struct SegSourceSeries {
  VolumeGeometry geometry;
  std::string frameOfReferenceUid; ///< empty: unknown (frames are then placed by position, said in
                                   ///< a warning)
  struct Instance {
    std::string sopInstanceUid;
    Vec3 position{0, 0, 0}; ///< its ImagePositionPatient (LPS mm)
  };
  std::vector<Instance> instances;
};

/// The source description of an assembled series (its first volume's slices).
SegSourceSeries segSourceOf(const AssembledSeries& series);

/// One segment's voxels on the series grid: a mask over the segment's bounding box.
struct SegmentMask {
  VoxelBox box;
  std::vector<std::uint8_t> inside; ///< box-sized, x fastest; 1 inside the segment
  bool contains(std::size_t i, std::size_t j, std::size_t k) const;
  std::size_t count() const;
};

/// The mask over the bounding box of `voxels` (linear indices on `grid`, x fastest); empty box
/// when there are none. Shared by the SEG and RTSTRUCT readers.
SegmentMask maskOfVoxels(const std::vector<std::size_t>& voxels, const VolumeGeometry& grid);

/// One segment of a SEG with everything its Segment Sequence item said.
struct ImportedSegment {
  int segmentNumber = 0;
  /// Name, colour (Recommended Display CIELab as sRGB), category and type codes, origin Imported,
  /// `algorithm` the SEG's Segment Algorithm Name or, when it has none, the file.
  Segment segment;
  std::string description;   ///< Segment Description (UTF-8), "" when none
  std::string algorithmType; ///< as the SEG says: AUTOMATIC, SEMIAUTOMATIC or MANUAL
  bool hasColour = false;    ///< false: the SEG gave none, `segment.rgb` is a stand-in
  SegmentMask mask;          ///< every voxel of the segment, overlaps included
};

/// A DICOM SEG read onto a series: each segment's own mask, nothing merged away.
struct ImportedSeg {
  std::string path;
  std::string segmentationType; ///< BINARY or FRACTIONAL
  std::vector<ImportedSegment> segments;
  std::size_t frames = 0;            ///< frames in the file
  std::size_t framesByInstance = 0;  ///< placed on the slice of their referenced SOP instance
  std::size_t framesByPosition = 0;  ///< placed through the frame of reference by position
  std::size_t framesNotOnSeries = 0; ///< frames that belong to other images (left out)
  std::size_t voxelsOutside = 0;     ///< segment pixels of placed frames that fell outside the grid
  bool resampled = false; ///< the SEG's in-plane grid differs: nearest neighbour through LPS
  std::vector<std::string> warnings; ///< each names the file
};

/// Reads the DICOM Segmentation `path` (BINARY or FRACTIONAL; FRACTIONAL is thresholded at half of
/// MaximumFractionalValue) onto `series`. Each frame goes to the slice of the SOP instance its
/// Derivation Image Sequence references; frames whose instance is not in the series are placed by
/// their Plane Position through the frame of reference (when the SEG's Frame of Reference UID
/// matches the series', or the series' is unknown, with a warning). Pixels are mapped onto the
/// grid by nearest neighbour when the SEG's in-plane grid differs from the series'.
/// Throws std::runtime_error naming the file and the reason: not a SEG, an unsupported transfer
/// syntax, another frame of reference, no frame on this series, malformed pixel data.
ImportedSeg importDicomSeg(const std::string& path, const SegSourceSeries& series);

/// Merges the segments into one label map on `grid` (labels 1, 2, ... in the SEG's order, every
/// segment "imported", names, colours and codes kept). The map holds one label per voxel: where
/// segments overlap, the later segment in the SEG takes the voxel (as a later brush stroke would),
/// and each overlapping pair is a warning naming both segments and the shared voxel count.
/// Segments with no voxel on the grid are left out (warning); past 255 segments the rest are left
/// out (warning).
ImportedLabels segToLabelMap(const ImportedSeg& seg, const VolumeGeometry& grid);

/// The bits of frame `frame` of 1-bit packed SEG pixel data (LSB first), one byte (0/1) per
/// pixel. Frames follow each other without padding, so a frame may start inside a byte.
std::vector<std::uint8_t> unpackBinaryFrame(const std::uint8_t* packed, std::size_t packedBytes,
                                            std::size_t frame, std::size_t pixelsPerFrame);

/// sRGB (0..255) of a DICOM CIELab triple (L*, a*, b* scaled to 0..65535 as in Recommended Display
/// CIELab Value; D65 white).
void dicomLabToRgb(const std::uint16_t lab[3], std::uint8_t rgb[3]);

} // namespace lightbox
