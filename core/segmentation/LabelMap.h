// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/VolumeGeometry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

/// Where a segment came from (DICOM SEG's Segment Algorithm Type, plus imported objects).
enum class SegmentOrigin { Automatic, SemiAutomatic, Manual, Imported };

const char* segmentOriginName(SegmentOrigin origin);

/// One entry of the segment table. Label values are 1..255; 0 is background.
/// A prompt that made (or corrected) a model segment, in LPS millimetres: the seed first, then the
/// correction clicks in order. Saved with the segment so the edit can be replayed (refined again
/// after reopening; undo restores the list with the voxels).
struct SegmentPrompt {
  bool seed = false;
  bool positive = true;
  Vec3 lps{0, 0, 0};
  bool operator==(const SegmentPrompt& o) const { return seed == o.seed && positive == o.positive && lps == o.lps; }
};

struct Segment {
  std::uint8_t label = 1;
  std::string name;
  std::uint8_t rgb[3] = {255, 200, 0};
  /// Coded type (SNOMED CT), e.g. {"27925004", "Nodule"} in category {"49755003", "Morphologically
  /// Altered Structure"}.
  std::string categoryCode = "49755003", categoryMeaning = "Morphologically Altered Structure";
  std::string typeCode = "27925004", typeMeaning = "Nodule";
  std::string categoryScheme = "SCT", typeScheme = "SCT"; ///< coding scheme designators (imported SEGs: "SRT", ...)
  SegmentOrigin origin = SegmentOrigin::Manual;
  /// Automatic / semi-automatic: the engine ("classical" or a model name), its version and the
  /// weights' sha256 (empty for the classical engine).
  std::string algorithm, algorithmVersion, weightsSha256;
  std::size_t automaticVoxels = 0; ///< voxels the engine produced (for the changed fraction)
  std::size_t changedVoxels = 0;   ///< voxels the reader's edits changed since
  std::vector<SegmentPrompt> prompts; ///< model segments: seed and correction clicks, in order
};

/// A label map on a series' grid: one byte per voxel (0 background), with a revision counter that
/// every change increments (a renderer redraws when the revision it drew differs).
struct LabelMap {
  VolumeGeometry geometry;
  std::vector<std::uint8_t> labels;
  std::vector<Segment> segments;
  std::uint64_t revision = 0;

  LabelMap() = default;
  explicit LabelMap(const VolumeGeometry& g) : geometry(g), labels(g.voxelCount(), 0) {}

  std::size_t index(std::size_t i, std::size_t j, std::size_t k) const {
    return i + geometry.size[0] * (j + geometry.size[1] * k);
  }
  const Segment* segment(std::uint8_t label) const;
  Segment* segment(std::uint8_t label);
  /// The smallest label value no segment uses (0 when all 255 are taken).
  std::uint8_t freeLabel() const;
  std::size_t count(std::uint8_t label) const;
  /// Clears the segment's voxels and drops it from the table.
  void removeSegment(std::uint8_t label);
};

/// An index box [lo, hi) on the grid.
struct VoxelBox {
  std::size_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  std::size_t voxelCount() const { return empty() ? 0 : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]); }
};

/// The undo record of one edit: the box it touched and that box's values before the edit,
/// run-length encoded (value, run) in x-fastest order. Applying it swaps the box's values with the
/// stored ones, so the same call undoes and, applied again, redoes the edit.
struct LabelDelta {
  VoxelBox box;
  std::vector<std::uint8_t> values;  ///< run values
  std::vector<std::uint32_t> runs;   ///< run lengths
  std::size_t bytes() const { return values.size() + 4 * runs.size() + sizeof(LabelDelta); }
};

/// Run-length encodes the box's current values.
LabelDelta captureBox(const LabelMap& map, const VoxelBox& box);
/// Swaps the box's values with the delta's (undo, and redo of the undone), bumps the revision.
void swapDelta(LabelMap& map, LabelDelta& delta);

/// Voxels whose value now differs from before a sequence of applied edits (their deltas in the
/// order they were made; a voxel several of them touched counts once, against its first value).
std::size_t changedVoxels(const LabelMap& map, const std::vector<LabelDelta>& deltas);

/// Clamps a box to the grid.
VoxelBox clampBox(const LabelMap& map, long lo0, long lo1, long lo2, long hi0, long hi1, long hi2);

} // namespace lightbox
