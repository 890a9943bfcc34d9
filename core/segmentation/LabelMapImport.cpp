// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/LabelMapImport.h"

#include "core/io/ImageFileIO.h"

#include <cmath>
#include <set>
#include <stdexcept>

namespace lightbox {

ImportedLabels importLabelFile(const std::string& path, const VolumeGeometry& series) {
  const std::vector<Volume> volumes = readResearchImage(path);
  if (volumes.size() != 1) throw std::runtime_error(path + ": a label map must be one 3D volume, not " + std::to_string(volumes.size()));
  const Volume& file = volumes.front();
  ImportedLabels out;
  out.map = LabelMap(series);
  std::set<int> values;
  const VolumeGeometry& g = file.geometry;
  for (std::size_t n = 0; n < g.voxelCount(); ++n) {
    const double v = file.value(n);
    if (v == 0) continue;
    if (v < 0 || v > 255 || v != std::floor(v)) {
      throw std::runtime_error(path + ": not a label map (value " + std::to_string(v) + " is not a whole number from 0 to 255)");
    }
    values.insert(int(v));
  }
  if (sameGrid(g, series, 1e-2)) {
    for (std::size_t n = 0; n < g.voxelCount(); ++n) out.map.labels[n] = std::uint8_t(file.value(n));
  } else {
    // Each series voxel takes the file's value at its centre (nearest neighbour).
    out.resampled = true;
    std::size_t inside = 0;
    for (std::size_t k = 0; k < series.size[2]; ++k)
      for (std::size_t j = 0; j < series.size[1]; ++j)
        for (std::size_t i = 0; i < series.size[0]; ++i) {
          const Vec3 c = g.lpsToIjk(series.ijkToLps({double(i), double(j), double(k)}));
          const long a = std::lround(c[0]), b = std::lround(c[1]), d = std::lround(c[2]);
          if (a < 0 || b < 0 || d < 0 || a >= long(g.size[0]) || b >= long(g.size[1]) || d >= long(g.size[2])) continue;
          ++inside;
          out.map.labels[out.map.index(i, j, k)] = std::uint8_t(file.value(std::size_t(a), std::size_t(b), std::size_t(d)));
        }
    if (inside == 0) out.warnings.push_back(path + ": the label map does not overlap the series (no common space)");
    // Labelled file voxels whose centre is outside the series.
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          if (file.value(i, j, k) == 0) continue;
          const Vec3 c = series.lpsToIjk(g.ijkToLps({double(i), double(j), double(k)}));
          for (int a = 0; a < 3; ++a)
            if (std::lround(c[a]) < 0 || std::lround(c[a]) >= long(series.size[a])) {
              ++out.voxelsOutside;
              break;
            }
        }
    if (out.voxelsOutside > 0) {
      out.warnings.push_back(path + ": " + std::to_string(out.voxelsOutside) + " labelled voxels lie outside the series");
    }
  }
  for (int v : values) {
    Segment s;
    s.label = std::uint8_t(v);
    s.name = "Label " + std::to_string(v);
    s.rgb[0] = std::uint8_t(80 + (v * 67) % 176);
    s.rgb[1] = std::uint8_t(80 + (v * 131) % 176);
    s.rgb[2] = std::uint8_t(80 + (v * 199) % 176);
    s.origin = SegmentOrigin::Imported;
    s.algorithm = path;
    s.typeCode.clear();
    s.typeMeaning = "Unknown";
    out.map.segments.push_back(s);
  }
  ++out.map.revision;
  return out;
}

} // namespace lightbox
