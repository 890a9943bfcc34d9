// SPDX-License-Identifier: Apache-2.0
#include "core/annotation/Measurement.h"

#include "core/util/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Centre, unit in-plane axes and half extents of an ROI's bounding box.
struct RoiFrame {
  Vec3 centre, right, down;
  double halfU = 0, halfV = 0;
};

RoiFrame roiFrame(const Measurement& m) {
  if (m.points.size() != 2) {
    throw std::invalid_argument("an ROI needs two corner points");
  }
  RoiFrame f;
  f.right = normalized(m.planeRight);
  f.down = normalized(m.planeDown - f.right * dot(m.planeDown, f.right));
  const Vec3 d = m.points[1] - m.points[0];
  f.halfU = 0.5 * std::abs(dot(d, f.right));
  f.halfV = 0.5 * std::abs(dot(d, f.down));
  // The centre of the in-plane box (any out-of-plane component of d is dropped).
  f.centre = m.points[0] + f.right * (0.5 * dot(d, f.right)) + f.down * (0.5 * dot(d, f.down));
  return f;
}

} // namespace

const char* toString(MeasurementKind kind) {
  switch (kind) {
  case MeasurementKind::Length: return "length";
  case MeasurementKind::Angle: return "angle";
  case MeasurementKind::Ellipse: return "ellipse";
  case MeasurementKind::Rectangle: return "rectangle";
  case MeasurementKind::Point: return "point";
  case MeasurementKind::Arrow: return "arrow";
  case MeasurementKind::Text: return "text";
  }
  return "?";
}

MeasurementKind parseMeasurementKind(const std::string& name) {
  for (MeasurementKind k : {MeasurementKind::Length, MeasurementKind::Angle, MeasurementKind::Ellipse,
                            MeasurementKind::Rectangle, MeasurementKind::Point, MeasurementKind::Arrow,
                            MeasurementKind::Text}) {
    if (name == toString(k)) return k;
  }
  throw std::invalid_argument("unknown measurement kind '" + name + "'");
}

bool Measurement::operator==(const Measurement& o) const {
  return id == o.id && kind == o.kind && points == o.points && planeRight == o.planeRight &&
         planeDown == o.planeDown && label == o.label;
}

std::size_t Measurement::pointCount(MeasurementKind kind) {
  switch (kind) {
  case MeasurementKind::Angle: return 3;
  case MeasurementKind::Point:
  case MeasurementKind::Text: return 1;
  default: return 2;
  }
}

double lengthMm(const Measurement& m) {
  if (m.points.size() < 2) {
    return 0.0;
  }
  return norm(m.points[1] - m.points[0]);
}

double angleDegrees(const Measurement& m) {
  if (m.points.size() != 3) {
    return 0.0;
  }
  const Vec3 a = m.points[0] - m.points[1], b = m.points[2] - m.points[1];
  const double na = norm(a), nb = norm(b);
  if (na == 0.0 || nb == 0.0) {
    return 0.0;
  }
  return std::acos(std::clamp(dot(a, b) / (na * nb), -1.0, 1.0)) * 180.0 / kPi;
}

RoiStats roiStats(const Volume& volume, const Measurement& m) {
  if (m.kind != MeasurementKind::Ellipse && m.kind != MeasurementKind::Rectangle) {
    throw std::invalid_argument(std::string("no region statistics for a ") + toString(m.kind));
  }
  const bool ellipse = m.kind == MeasurementKind::Ellipse;
  const RoiFrame f = roiFrame(m);
  RoiStats s;
  s.areaMm2 = ellipse ? kPi * f.halfU * f.halfV : 4.0 * f.halfU * f.halfV;
  const VolumeGeometry& g = volume.geometry;
  const double h = 0.5 * std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
  const int nu = std::max(1, int(std::ceil(2.0 * f.halfU / h))), nv = std::max(1, int(std::ceil(2.0 * f.halfV / h)));
  const double su = 2.0 * f.halfU / nu, sv = 2.0 * f.halfV / nv;
  double sum = 0, sum2 = 0;
  s.min = 1e300;
  s.max = -1e300;
  for (int iv = 0; iv < nv; ++iv) {
    const double v = -f.halfV + (iv + 0.5) * sv;
    for (int iu = 0; iu < nu; ++iu) {
      const double u = -f.halfU + (iu + 0.5) * su;
      if (ellipse && f.halfU > 0 && f.halfV > 0 &&
          (u / f.halfU) * (u / f.halfU) + (v / f.halfV) * (v / f.halfV) > 1.0) {
        continue;
      }
      const Vec3 ijk = g.lpsToIjk(f.centre + f.right * u + f.down * v);
      std::size_t idx[3];
      bool inside = true;
      for (int a = 0; a < 3 && inside; ++a) {
        const double r = std::round(ijk[a]);
        inside = r >= 0 && r < double(g.size[a]);
        idx[a] = inside ? std::size_t(r) : 0;
      }
      if (!inside) {
        continue;
      }
      const double x = volume.value(idx[0], idx[1], idx[2]);
      sum += x;
      sum2 += x * x;
      s.min = std::min(s.min, x);
      s.max = std::max(s.max, x);
      ++s.samples;
    }
  }
  if (s.samples == 0) {
    s.min = s.max = 0;
    return s;
  }
  s.mean = sum / double(s.samples);
  s.sd = s.samples > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * s.mean) / double(s.samples - 1))) : 0.0;
  return s;
}

std::vector<Vec3> outline(const Measurement& m, int segments) {
  switch (m.kind) {
  case MeasurementKind::Length:
  case MeasurementKind::Angle:
  case MeasurementKind::Point:
  case MeasurementKind::Text: return m.points;
  case MeasurementKind::Arrow: {
    // Shaft from the tail to the tip, then the two barbs of the head, in the drawing plane.
    const Vec3 tip = m.points.at(0), tail = m.points.at(1);
    const double length = norm(tail - tip);
    if (length < 1e-9) return {tip};
    const Vec3 back = (tail - tip) * (1.0 / length);
    const Vec3 side = normalized(cross(cross(m.planeRight, m.planeDown), back));
    const double head = std::clamp(0.2 * length, 2.0, 8.0);
    const Vec3 b1 = tip + back * head + side * (0.5 * head), b2 = tip + back * head - side * (0.5 * head);
    return {tail, tip, b1, tip, b2};
  }
  case MeasurementKind::Rectangle: {
    const RoiFrame f = roiFrame(m);
    const Vec3 r = f.right * f.halfU, d = f.down * f.halfV;
    return {f.centre - r - d, f.centre + r - d, f.centre + r + d, f.centre - r + d, f.centre - r - d};
  }
  case MeasurementKind::Ellipse: {
    const RoiFrame f = roiFrame(m);
    std::vector<Vec3> pts;
    for (int i = 0; i <= segments; ++i) {
      const double t = 2.0 * kPi * double(i) / double(segments);
      pts.push_back(f.centre + f.right * (f.halfU * std::cos(t)) + f.down * (f.halfV * std::sin(t)));
    }
    return pts;
  }
  }
  return m.points;
}

std::string describe(const Measurement& m, const Volume* volume) {
  char text[200];
  switch (m.kind) {
  case MeasurementKind::Length: std::snprintf(text, sizeof(text), "%.1f mm", lengthMm(m)); break;
  case MeasurementKind::Angle: std::snprintf(text, sizeof(text), "%.1f\u00b0", angleDegrees(m)); break;
  case MeasurementKind::Point:
    std::snprintf(text, sizeof(text), "(%.1f, %.1f, %.1f)", m.points.at(0)[0], m.points.at(0)[1], m.points.at(0)[2]);
    break;
  case MeasurementKind::Arrow:
  case MeasurementKind::Text:
    // A note is its text; an empty one says what it is until the reader types it.
    return m.label.empty() ? std::string(m.kind == MeasurementKind::Arrow ? "arrow" : "text") : m.label;
  case MeasurementKind::Ellipse:
  case MeasurementKind::Rectangle: {
    if (!volume) {
      const RoiFrame f = roiFrame(m);
      const double area = m.kind == MeasurementKind::Ellipse ? kPi * f.halfU * f.halfV : 4.0 * f.halfU * f.halfV;
      std::snprintf(text, sizeof(text), "area %.1f mm\u00b2", area);
      break;
    }
    const RoiStats s = roiStats(*volume, m);
    const char* unit = volume->units.empty() ? "" : volume->units.c_str();
    std::snprintf(text, sizeof(text), "area %.1f mm\u00b2, mean %.1f %s, SD %.1f, min %.0f, max %.0f", s.areaMm2,
                  s.mean, unit, s.sd, s.min, s.max);
    break;
  }
  }
  std::string out = text;
  if (!m.label.empty()) {
    out = m.label + ": " + out;
  }
  return out;
}

nlohmann::json toJson(const std::vector<Measurement>& ms) {
  nlohmann::json list = nlohmann::json::array();
  for (const Measurement& m : ms) {
    nlohmann::json pts = nlohmann::json::array();
    for (const Vec3& p : m.points) {
      pts.push_back({p[0], p[1], p[2]});
    }
    list.push_back({{"id", m.id},
                    {"kind", toString(m.kind)},
                    {"points_lps", pts},
                    {"plane_right", {m.planeRight[0], m.planeRight[1], m.planeRight[2]}},
                    {"plane_down", {m.planeDown[0], m.planeDown[1], m.planeDown[2]}},
                    {"label", m.label}});
  }
  return list;
}

std::vector<Measurement> measurementsFromJson(const nlohmann::json& j) {
  auto vec = [](const nlohmann::json& a) {
    if (!a.is_array() || a.size() != 3) {
      throw std::invalid_argument("expected [x, y, z]");
    }
    return Vec3{a[0].get<double>(), a[1].get<double>(), a[2].get<double>()};
  };
  std::vector<Measurement> out;
  for (const nlohmann::json& e : j) {
    Measurement m;
    m.id = jsonInteger<int>(e.at("id"));
    m.kind = parseMeasurementKind(e.at("kind").get<std::string>());
    for (const nlohmann::json& p : e.at("points_lps")) {
      m.points.push_back(vec(p));
    }
    if (m.points.size() != Measurement::pointCount(m.kind)) {
      throw std::invalid_argument(std::string("a ") + toString(m.kind) + " needs " +
                                  std::to_string(Measurement::pointCount(m.kind)) + " points");
    }
    m.planeRight = vec(e.at("plane_right"));
    m.planeDown = vec(e.at("plane_down"));
    m.label = e.value("label", "");
    out.push_back(std::move(m));
  }
  return out;
}

} // namespace lightbox
