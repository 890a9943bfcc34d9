// SPDX-License-Identifier: Apache-2.0
#include "core/phantom/ChestPhantom.h"

#include "core/io/IngestJson.h"
#include "core/phantom/DicomSeriesWriter.h"
#include "core/util/ParallelFor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace lightbox {
namespace {

constexpr double kAir = -1000, kLung = -850, kFat = -100, kSoft = 40, kBlood = 45, kBone = 700;

/// Smooth step from 0 (outside) to 1 (inside) across a 0.7 mm partial-volume edge, given the
/// signed distance to the surface (negative inside).
double insideWeight(double signedDistanceMm) {
  return 1.0 / (1.0 + std::exp(signedDistanceMm / 0.25));
}

/// Approximate signed distance to an axis-aligned ellipsoid (scaled radial metric).
double ellipsoidDistance(const Vec3& p, const Vec3& c, const Vec3& r) {
  const Vec3 q{(p[0] - c[0]) / r[0], (p[1] - c[1]) / r[1], (p[2] - c[2]) / r[2]};
  const double k = norm(q);
  return (k - 1.0) * std::min({r[0], r[1], r[2]});
}

struct Segment {
  Vec3 a, b;
  double radius;
};

/// Pulmonary vessel trees growing from each hilum, deterministic for the seed.
std::vector<Segment> vesselTree(std::mt19937& rng) {
  std::vector<Segment> out;
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  struct Branch {
    Vec3 p, dir;
    double radius;
    int depth;
  };
  for (double side : {-1.0, 1.0}) {
    std::vector<Branch> stack;
    for (int i = 0; i < 5; ++i) {
      const Vec3 dir = normalized({side * 1.0, 0.3 * u(rng), 0.9 * u(rng)});
      stack.push_back({{side * 30.0, 0.0, 5.0}, dir, 4.5, 0});
    }
    while (!stack.empty()) {
      Branch b = stack.back();
      stack.pop_back();
      const double length = 18.0 + 10.0 * (u(rng) + 1.0);
      const Vec3 end = b.p + b.dir * length;
      out.push_back({b.p, end, b.radius});
      if (b.depth < 4 && b.radius > 1.0) {
        for (int c = 0; c < 2; ++c) {
          const Vec3 dir = normalized(b.dir + Vec3{0.5 * u(rng), 0.5 * u(rng), 0.5 * u(rng)});
          stack.push_back({end, dir, b.radius * 0.72, b.depth + 1});
        }
      }
    }
  }
  return out;
}

double segmentDistance(const Vec3& p, const Segment& s) {
  const Vec3 ab = s.b - s.a;
  const double t = std::clamp(dot(p - s.a, ab) / dot(ab, ab), 0.0, 1.0);
  return norm(p - (s.a + ab * t)) - s.radius;
}

/// Lung shape: two half-ellipsoids carved by the mediastinum.
double lungDistance(const Vec3& p) {
  const double right = ellipsoidDistance(p, {-78, 8, 5}, {58, 78, 70});
  const double left = ellipsoidDistance(p, {78, 8, 5}, {55, 78, 68});
  return std::min(right, left);
}

} // namespace

std::vector<PhantomNodule> phantomNodules(const ChestPhantomSpec&) {
  // Positions lie inside the lungs defined above (LPS: +x patient left, +y posterior, +z head).
  return {
      {"N1", "solid", "isolated", {-85, -10, 25}, 6.0, 30, 0},
      {"N2", "solid", "isolated", {80, 20, -20}, 10.0, 35, 0},
      {"N3", "solid", "juxta-pleural", {-128, 18, 0}, 14.0, 35, 0},
      {"N4", "ground-glass", "isolated", {70, -25, 30}, 12.0, -600, 0},
      {"N5", "part-solid", "isolated", {-70, 35, -35}, 18.0, 30, 7.0},
      {"N6", "solid", "juxta-vascular", {-48, 2, 8}, 8.0, 30, 0},
  };
}

std::vector<std::int16_t> renderChestPhantom(const ChestPhantomSpec& spec, VolumeGeometry& g) {
  g.size = {spec.matrix, spec.matrix, spec.slices};
  g.spacing = {spec.pixelMm, spec.pixelMm, spec.sliceMm};
  const double half = 0.5 * (spec.matrix - 1) * spec.pixelMm;
  const double zTop = 0.5 * (spec.slices - 1) * spec.sliceMm;
  // Head-first stack: k = 0 is the most superior slice, so k runs towards the feet.
  g.origin = {-half, -half, zTop};
  g.direction = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}};

  std::mt19937 treeRng(spec.seed);
  const std::vector<Segment> vessels = vesselTree(treeRng);
  const std::vector<PhantomNodule> nodules = phantomNodules(spec);
  std::vector<std::int16_t> hu(g.voxelCount());
  const std::size_t nx = g.size[0], ny = g.size[1];

  parallelFor(g.size[2], 0, [&](std::size_t k) {
    std::mt19937 rng(spec.seed + 7919u * std::uint32_t(k));
    std::normal_distribution<double> noise(0.0, spec.noiseHu);
    // Vessels and nodules near this slice only.
    const double z = g.ijkToLps({0, 0, double(k)})[2];
    std::vector<const Segment*> near;
    for (const Segment& s : vessels) {
      if (std::min(s.a[2], s.b[2]) - s.radius - 2 <= z && z <= std::max(s.a[2], s.b[2]) + s.radius + 2) {
        near.push_back(&s);
      }
    }
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
        // Body: soft tissue with a fat rim, air outside.
        const double body = ellipsoidDistance({p[0], p[1], 0}, {0, 10, 0}, {165, 118, 1e9});
        double v = kAir;
        const double wBody = insideWeight(body);
        if (wBody > 1e-4) {
          const double fatInner = ellipsoidDistance({p[0], p[1], 0}, {0, 10, 0}, {150, 104, 1e9});
          double tissue = kFat + (kSoft - kFat) * insideWeight(fatInner);
          // Ribs: bands along z on a ring inside the fat.
          const double ring = std::abs(ellipsoidDistance({p[0], p[1], 0}, {0, 10, 0}, {144, 98, 1e9}));
          const double band = std::fmod(std::abs(z + 200.0), 24.0);
          if (ring < 4.0 && band < 8.0 && p[1] > -60) {
            tissue = kBone;
          }
          // Spine and descending aorta.
          const double spine = norm(Vec3{p[0], p[1] - 78, 0}) - 17.0;
          tissue += (kBone - tissue) * insideWeight(spine);
          const double aorta = norm(Vec3{p[0] - 22, p[1] - 45, 0}) - 12.0;
          tissue += (kBlood + 120 - tissue) * insideWeight(aorta);
          // Lungs (carved by the heart) with vessels.
          double lungW = insideWeight(lungDistance(p));
          const double heart = ellipsoidDistance(p, {18, -18, -30}, {58, 52, 48});
          lungW *= 1.0 - insideWeight(heart);
          if (lungW > 1e-4) {
            double lung = kLung;
            for (const Segment* s : near) {
              lung += (kBlood - lung) * insideWeight(segmentDistance(p, *s));
            }
            for (const PhantomNodule& n : nodules) {
              const double d = norm(p - n.centerLps) - 0.5 * n.diameterMm;
              if (d > 2.0) continue;
              if (n.type == "part-solid") {
                lung += (-550 - lung) * insideWeight(d);
                lung += (n.hu - lung) * insideWeight(norm(p - n.centerLps) - 0.5 * n.solidCoreMm);
              } else {
                lung += (n.hu - lung) * insideWeight(d);
              }
            }
            tissue += (lung - tissue) * lungW;
          }
          // Trachea above the carina.
          if (z > 30) {
            const double trachea = norm(Vec3{p[0], p[1] + 5, 0}) - 9.0;
            tissue += (kAir - tissue) * insideWeight(trachea);
          }
          v = kAir + (tissue - kAir) * wBody + noise(rng) * wBody;
        }
        hu[i + nx * (j + ny * k)] = std::int16_t(std::clamp(std::lround(v), -1024L, 3071L));
      }
    }
  });
  return hu;
}

ChestPhantom writeChestPhantom(const std::string& folder, const ChestPhantomSpec& spec) {
  ChestPhantom out;
  const std::vector<std::int16_t> hu = renderChestPhantom(spec, out.geometry);
  out.nodules = phantomNodules(spec);

  DicomSeriesSpec s;
  s.folder = folder;
  s.filePrefix = "CT";
  s.rows = s.columns = spec.matrix;
  s.spacingX = s.spacingY = spec.pixelMm;
  s.rowDirection = out.geometry.direction[0];
  s.columnDirection = out.geometry.direction[1];
  for (unsigned k = 0; k < spec.slices; ++k) {
    s.slicePositions.push_back(out.geometry.ijkToLps({0, 0, double(k)}));
  }
  s.sliceThickness = spec.sliceMm;
  s.studyDate = spec.studyDate;
  s.studyDescription = "Lightbox synthetic chest CT";
  s.seriesDescription = "Chest phantom 1.25 mm";
  s.rescaleIntercept = -1024;
  s.bitsStored = 12;
  s.isSigned = false;
  s.windowCenter = -600;
  s.windowWidth = 1500;
  const std::size_t slicePixels = std::size_t(spec.matrix) * spec.matrix;
  out.files = writeDicomSeries(s, [&](std::size_t k, std::vector<std::int16_t>& stored) {
    for (std::size_t i = 0; i < slicePixels; ++i) {
      stored[i] = std::int16_t(hu[k * slicePixels + i] + 1024);
    }
  });
  out.seriesInstanceUid = s.seriesInstanceUid;

  nlohmann::json nodules = nlohmann::json::array();
  for (const PhantomNodule& n : out.nodules) {
    nodules.push_back({{"id", n.id}, {"type", n.type}, {"site", n.site}, {"center_lps", n.centerLps},
                       {"diameter_mm", n.diameterMm}, {"hu", n.hu}, {"solid_core_mm", n.solidCoreMm}});
  }
  const nlohmann::json sidecar{{"description", "Lightbox synthetic chest CT phantom (ground truth)"},
                               {"series_instance_uid", out.seriesInstanceUid},
                               {"geometry", toJson(out.geometry)},
                               {"seed", spec.seed},
                               {"nodules", nodules}};
  const std::string jsonPath = (std::filesystem::path(folder) / "phantom.json").string();
  std::ofstream f(jsonPath);
  f << sidecar.dump(2) << "\n";
  if (!f) {
    throw std::runtime_error("cannot write " + jsonPath);
  }
  return out;
}

} // namespace lightbox
