// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace lightbox {

enum class MeasurementKind { Length, Angle, Ellipse, Rectangle, Point, Arrow, Text };
const char* toString(MeasurementKind kind);
MeasurementKind parseMeasurementKind(const std::string& name); ///< throws std::invalid_argument

/// A reader's measurement, in patient space (LPS mm) so it stays correct on any reformat.
/// Points: Length 2 (ends), Angle 3 (arm, vertex, arm), Ellipse/Rectangle 2 (opposite corners of
/// the bounding box in the drawing plane), Point 1, Arrow 2 (tip, tail), Text 1. Arrows and texts
/// are the reader's notes: their label is the note.
struct Measurement {
  int id = 0;
  MeasurementKind kind = MeasurementKind::Length;
  std::vector<Vec3> points;
  Vec3 planeRight{1, 0, 0}; ///< in-plane axes of the view it was drawn on (ROI shapes are planar)
  Vec3 planeDown{0, 1, 0};
  std::string label;

  bool operator==(const Measurement& o) const;
  /// Number of points `kind` needs.
  static std::size_t pointCount(MeasurementKind kind);
};

/// Region statistics in the volume's units (HU for CT).
struct RoiStats {
  double areaMm2 = 0;
  double mean = 0, sd = 0, min = 0, max = 0;
  std::size_t samples = 0; ///< sample points inside the region (area-weighted voxel values)
};

double lengthMm(const Measurement& m);   ///< Length: end-to-end distance
double angleDegrees(const Measurement& m); ///< Angle: at the middle point, 0..180
/// Ellipse / Rectangle statistics: the area follows from the shape in mm; values are the nearest
/// voxel at sample points on a grid of half the finest voxel spacing across the region, so min and
/// max are real voxel values and the mean is area-weighted. Throws std::invalid_argument for other kinds.
RoiStats roiStats(const Volume& volume, const Measurement& m);

/// The shape as an LPS polyline for drawing (closed shapes repeat the first point).
std::vector<Vec3> outline(const Measurement& m, int segments = 72);
/// One line for tables and labels, e.g. "23.4 mm", "37.2°", "A 154 mm², mean -812 HU, SD 41".
std::string describe(const Measurement& m, const Volume* volume);

nlohmann::json toJson(const std::vector<Measurement>& ms);
std::vector<Measurement> measurementsFromJson(const nlohmann::json& j); ///< throws on malformed input

} // namespace lightbox
