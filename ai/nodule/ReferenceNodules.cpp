// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/ReferenceNodules.h"

#include "core/util/XmlElements.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<std::string> elements(const std::string& xml, const std::string& tag) { return xmlElements(xml, tag); }
std::string first(const std::string& xml, const std::string& tag) { return xmlFirst(xml, tag); }

struct ReaderNodule {
  Vec3 center{0, 0, 0};
  double diameterMm = 0;
  double texture = 0;
};

std::vector<ReferenceNodule> readLidc(const std::string& xml, const VolumeGeometry& g) {
  double zMin = 1e300, zMax = -1e300;
  for (double k : {0.0, double(g.size[2] - 1)}) {
    const double z = g.ijkToLps({0, 0, k})[2];
    zMin = std::min(zMin, z);
    zMax = std::max(zMax, z);
  }
  std::vector<std::vector<ReaderNodule>> sessions;
  for (const std::string& session : elements(xml, "readingSession")) {
    std::vector<ReaderNodule> marks;
    for (const std::string& nodule : elements(session, "unblindedReadNodule")) {
      double area = 0, maxArea = 0;
      Vec3 weighted{0, 0, 0};
      for (const std::string& roi : elements(nodule, "roi")) {
        if (first(roi, "inclusion") == "FALSE") continue;
        const double z = std::stod(first(roi, "imageZposition"));
        std::vector<Vec3> pts;
        for (const std::string& edge : elements(roi, "edgeMap")) {
          const double x = std::stod(first(edge, "xCoord")), y = std::stod(first(edge, "yCoord"));
          Vec3 p = g.ijkToLps({x, y, 0});
          p[2] = z;
          pts.push_back(p);
        }
        // Shoelace area and centroid of the outline in the slice plane.
        double a = 0, cx = 0, cy = 0;
        for (std::size_t i = 0; i < pts.size(); ++i) {
          const Vec3& p = pts[i];
          const Vec3& q = pts[(i + 1) % pts.size()];
          const double cr = p[0] * q[1] - q[0] * p[1];
          a += cr;
          cx += (p[0] + q[0]) * cr;
          cy += (p[1] + q[1]) * cr;
        }
        a *= 0.5;
        if (std::abs(a) < 1e-9) continue; // a single point: a nodule under 3 mm
        weighted = weighted + Vec3{cx / (6 * a), cy / (6 * a), z} * std::abs(a);
        area += std::abs(a);
        maxArea = std::max(maxArea, std::abs(a));
      }
      if (area <= 0) continue;
      ReaderNodule r;
      r.center = weighted * (1.0 / area);
      r.diameterMm = 2.0 * std::sqrt(maxArea / kPi);
      const std::string texture = first(first(nodule, "characteristics"), "texture");
      r.texture = texture.empty() ? 0.0 : std::stod(texture);
      marks.push_back(r);
    }
    sessions.push_back(marks);
  }
  // Group the readers' marks: a mark joins a group whose mean centre is within the larger radius.
  struct Group {
    std::vector<ReaderNodule> marks;
    Vec3 center() const {
      Vec3 c{0, 0, 0};
      for (const ReaderNodule& m : marks) c = c + m.center;
      return c * (1.0 / double(marks.size()));
    }
    double diameter() const {
      double d = 0;
      for (const ReaderNodule& m : marks) d += m.diameterMm;
      return d / double(marks.size());
    }
  };
  std::vector<Group> groups;
  for (const auto& marks : sessions) {
    for (const ReaderNodule& m : marks) {
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& gr) {
        return norm(gr.center() - m.center) < std::max(gr.diameter(), m.diameterMm) / 2.0;
      });
      if (it == groups.end()) groups.push_back({{m}});
      else it->marks.push_back(m);
    }
  }
  std::vector<ReferenceNodule> out;
  for (const Group& gr : groups) {
    const Vec3 c = gr.center();
    if (c[2] < zMin - 1e-3 || c[2] > zMax + 1e-3) continue;
    ReferenceNodule r;
    r.id = "LIDC-" + std::to_string(out.size() + 1);
    r.centerLps = c;
    r.diameterMm = gr.diameter();
    r.readers = int(gr.marks.size());
    double texture = 0;
    for (const ReaderNodule& m : gr.marks) texture += m.texture;
    texture /= double(gr.marks.size());
    r.type = texture <= 0 ? "" : texture < 2.5 ? "ground-glass" : texture < 4.5 ? "part-solid" : "solid";
    r.counts = r.readers >= 3 && r.diameterMm >= 3.0;
    out.push_back(r);
  }
  return out;
}

std::vector<ReferenceNodule> readGroundTruthJson(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  std::vector<ReferenceNodule> out;
  for (const nlohmann::json& n : j.at("nodules")) {
    ReferenceNodule r;
    r.id = n.value("id", "N" + std::to_string(out.size() + 1));
    const auto c = n.at("center_lps");
    r.centerLps = {c.at(0).get<double>(), c.at(1).get<double>(), c.at(2).get<double>()};
    r.diameterMm = n.at("diameter_mm").get<double>();
    r.type = n.value("type", "");
    r.readers = 0;
    // "counts": false marks a region whose detections are neither hits nor false positives (a
    // real lesion in a background synthetic nodules were written into).
    r.counts = n.value("counts", true) && r.diameterMm >= 3.0;
    out.push_back(r);
  }
  return out;
}

} // namespace

std::vector<ReferenceNodule> readReferenceNodules(const std::string& path, const VolumeGeometry& geometry) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot be read");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  try {
    if (text.find("<LidcReadMessage") != std::string::npos || text.find("<readingSession") != std::string::npos) {
      return readLidc(text, geometry);
    }
    if (!text.empty() && text.find_first_not_of(" \t\r\n") != std::string::npos &&
        text[text.find_first_not_of(" \t\r\n")] == '{') {
      return readGroundTruthJson(text);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  throw std::runtime_error(path + ": neither an LIDC reader XML nor a Lightbox ground-truth JSON");
}

} // namespace lightbox
