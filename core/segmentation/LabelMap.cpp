// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/LabelMap.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace lightbox {

const char* segmentOriginName(SegmentOrigin origin) {
  switch (origin) {
  case SegmentOrigin::Automatic: return "AUTOMATIC";
  case SegmentOrigin::SemiAutomatic: return "SEMIAUTOMATIC";
  case SegmentOrigin::Manual: return "MANUAL";
  case SegmentOrigin::Imported: return "IMPORTED";
  }
  return "MANUAL";
}

const Segment* LabelMap::segment(std::uint8_t label) const {
  for (const Segment& s : segments) {
    if (s.label == label) return &s;
  }
  return nullptr;
}

Segment* LabelMap::segment(std::uint8_t label) {
  for (Segment& s : segments) {
    if (s.label == label) return &s;
  }
  return nullptr;
}

std::uint8_t LabelMap::freeLabel() const {
  for (int l = 1; l <= 255; ++l) {
    if (!segment(std::uint8_t(l))) return std::uint8_t(l);
  }
  return 0;
}

std::size_t LabelMap::count(std::uint8_t label) const {
  return std::size_t(std::count(labels.begin(), labels.end(), label));
}

void LabelMap::removeSegment(std::uint8_t label) {
  if (!label) return;
  std::replace(labels.begin(), labels.end(), label, std::uint8_t(0));
  segments.erase(std::remove_if(segments.begin(), segments.end(), [label](const Segment& s) { return s.label == label; }),
                 segments.end());
  ++revision;
}

VoxelBox clampBox(const LabelMap& map, long lo0, long lo1, long lo2, long hi0, long hi1, long hi2) {
  VoxelBox b;
  const long lo[3] = {lo0, lo1, lo2}, hi[3] = {hi0, hi1, hi2};
  for (int a = 0; a < 3; ++a) {
    const long n = long(map.geometry.size[a]);
    b.lo[a] = std::size_t(std::clamp(lo[a], 0L, n));
    b.hi[a] = std::size_t(std::clamp(hi[a], 0L, n));
  }
  return b;
}

LabelDelta captureBox(const LabelMap& map, const VoxelBox& box) {
  LabelDelta d;
  d.box = box;
  if (box.empty()) return d;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k) {
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j) {
      const std::uint8_t* row = map.labels.data() + map.index(0, j, k);
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
        if (!d.values.empty() && d.values.back() == row[i] && d.runs.back() < 0xffffffffu) {
          ++d.runs.back();
        } else {
          d.values.push_back(row[i]);
          d.runs.push_back(1);
        }
      }
    }
  }
  d.values.shrink_to_fit();
  d.runs.shrink_to_fit();
  return d;
}

std::size_t changedVoxels(const LabelMap& map, const std::vector<LabelDelta>& deltas) {
  std::unordered_set<std::size_t> seen;
  std::size_t changed = 0;
  for (const LabelDelta& delta : deltas) {
    std::size_t run = 0, left = delta.runs.empty() ? 0 : delta.runs[0];
    for (std::size_t k = delta.box.lo[2]; k < delta.box.hi[2]; ++k)
      for (std::size_t j = delta.box.lo[1]; j < delta.box.hi[1]; ++j)
        for (std::size_t i = delta.box.lo[0]; i < delta.box.hi[0]; ++i) {
          while (left == 0 && run + 1 < delta.runs.size()) left = delta.runs[++run];
          --left;
          const std::size_t n = map.index(i, j, k);
          if (!seen.insert(n).second) continue; // an earlier edit holds its value before
          changed += map.labels[n] != delta.values[run];
        }
  }
  return changed;
}

void swapDelta(LabelMap& map, LabelDelta& delta) {
  if (delta.box.empty()) return;
  LabelDelta now = captureBox(map, delta.box);
  std::size_t run = 0, left = delta.runs.empty() ? 0 : delta.runs[0];
  for (std::size_t k = delta.box.lo[2]; k < delta.box.hi[2]; ++k) {
    for (std::size_t j = delta.box.lo[1]; j < delta.box.hi[1]; ++j) {
      std::uint8_t* row = map.labels.data() + map.index(0, j, k);
      for (std::size_t i = delta.box.lo[0]; i < delta.box.hi[0]; ++i) {
        while (left == 0) {
          if (++run >= delta.runs.size()) throw std::logic_error("label delta shorter than its box");
          left = delta.runs[run];
        }
        row[i] = delta.values[run];
        --left;
      }
    }
  }
  delta = std::move(now);
  ++map.revision;
}

} // namespace lightbox
