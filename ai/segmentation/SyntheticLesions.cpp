// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/SyntheticLesions.h"

#include "ai/nodule/LungMask.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/nodule/TrainingData.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

Vec3 randomDirection(std::mt19937& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  return normalized({n(rng), n(rng), n(rng)});
}

/// Mean over a (2r+1)^3 box, on the volume's grid, by three running sums.
std::vector<float> boxMean(const Volume& v, int r) {
  const auto& n = v.geometry.size;
  std::vector<float> a(v.geometry.voxelCount()), b(a.size());
  for (std::size_t q = 0; q < a.size(); ++q) a[q] = float(v.value(q));
  const std::size_t stride[3] = {1, n[0], n[0] * n[1]};
  for (int axis = 0; axis < 3; ++axis) {
    for (std::size_t q = 0; q < a.size(); ++q) {
      const long pos = long((q / stride[axis]) % n[axis]);
      double sum = 0;
      int count = 0;
      for (long d = -r; d <= r; ++d) {
        const long p = pos + d;
        if (p < 0 || p >= long(n[axis])) continue;
        sum += a[std::size_t(long(q) + d * long(stride[axis]))];
        ++count;
      }
      b[q] = float(sum / count);
    }
    std::swap(a, b);
  }
  return a;
}

Vec3 lpsOf(const VolumeGeometry& g, std::size_t q) {
  return g.ijkToLps({double(q % g.size[0]), double((q / g.size[0]) % g.size[1]), double(q / (g.size[0] * g.size[1]))});
}

} // namespace

LesionShape LesionShape::random(const Vec3& centre, double diameterMm, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  LesionShape s;
  s.centreLps = centre;
  s.radiusMm = diameterMm / 2;
  s.bumpDir = {randomDirection(rng), randomDirection(rng), randomDirection(rng)};
  s.bumpAmp = {0.08 * u(rng), 0.08 * u(rng), 0.06 * u(rng)};
  s.axes = {1.0 + 0.15 * (u(rng) - 0.5), 1.0 + 0.15 * (u(rng) - 0.5), 1.0 + 0.15 * (u(rng) - 0.5)};
  return s;
}

bool LesionShape::inside(const Vec3& lps, double scale) const {
  const Vec3 d = lps - centreLps;
  const Vec3 e{d[0] / axes[0], d[1] / axes[1], d[2] / axes[2]};
  const double len = norm(e);
  if (len == 0) return true;
  if (len > 1.25 * radiusMm * scale) return false; // bumps add at most 22 %
  double f = 1.0;
  for (int b = 0; b < 3; ++b) f += bumpAmp[b] * std::cos(3.0 * std::acos(std::clamp(dot(e * (1.0 / len), bumpDir[b]), -1.0, 1.0)));
  return len <= radiusMm * f * scale;
}

double LesionShape::occupancy(const Vec3& centre, const std::array<Vec3, 3>& step, double scale) const {
  int in = 0;
  for (int c = 0; c < 27; ++c) {
    const Vec3 p = centre + step[0] * ((c % 3 - 1) / 3.0) + step[1] * (((c / 3) % 3 - 1) / 3.0) + step[2] * ((c / 9 - 1) / 3.0);
    in += inside(p, scale);
  }
  return in / 27.0;
}

double LesionShape::reachMm() const { return radiusMm * 1.35; } // bumps and elongation

LesionSites findLesionSites(const Volume& scan) {
  LesionSites sites;
  const VolumeGeometry& g = scan.geometry;
  sites.isCt = scan.units == "HU";
  std::vector<std::uint8_t> tissue(g.voxelCount(), 0);
  const std::vector<float> mean = boxMean(scan, 2);
  Vec3 lungCentre{0, 0, 0};
  if (sites.isCt) {
    auto lungs = std::make_shared<PreparedScan>(prepareScan(scan));
    double count = 0;
    for (std::size_t q = 0; q < lungs->lung.size(); ++q)
      if (lungs->lung[q]) {
        lungCentre = lungCentre + lpsOf(lungs->grid, q);
        count += 1;
      }
    if (count > 0) lungCentre = lungCentre * (1.0 / count);
    sites.lungs = lungs;
    for (std::size_t q = 0; q < tissue.size(); ++q) tissue[q] = mean[q] > 20.0f && mean[q] < 140.0f;
  } else {
    std::vector<float> values(g.voxelCount());
    for (std::size_t q = 0; q < values.size(); ++q) values[q] = float(scan.value(q));
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const float p99 = sorted[std::size_t(0.99 * double(sorted.size() - 1))];
    std::vector<float> fg;
    for (float v : sorted)
      if (v > 0.2f * p99) fg.push_back(v);
    if (fg.empty()) return sites;
    const float lo = fg[std::size_t(0.35 * double(fg.size() - 1))], hi = fg[std::size_t(0.95 * double(fg.size() - 1))];
    for (std::size_t q = 0; q < tissue.size(); ++q) tissue[q] = mean[q] >= lo && mean[q] <= hi;
  }
  std::vector<std::uint8_t> outside(tissue.size());
  for (std::size_t q = 0; q < tissue.size(); ++q) outside[q] = !tissue[q];
  const std::vector<float> d2 = squaredDistanceTo(outside, g.size, g.spacing);
  const double minDepth = sites.isCt ? 8.0 : 4.0;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t q = 0; q < tissue.size(); q += 3) {
      if (d2[q] < minDepth * minDepth) continue;
      const Vec3 p = lpsOf(g, q);
      // CT: the liver lies under the right lung (patient right = -x, inferior = -z in LPS).
      if (sites.isCt && sites.lungs && (p[2] > lungCentre[2] || (pass == 0 && p[0] > lungCentre[0]))) continue;
      (sites.isCt ? sites.softTissue : sites.brain).push_back(p);
      (sites.isCt ? sites.softTissueDepth : sites.brainDepth).push_back(std::sqrt(d2[q]));
    }
    if (!sites.isCt || sites.softTissue.size() >= 200) break;
    sites.softTissue.clear();
    sites.softTissueDepth.clear();
  }
  return sites;
}

std::vector<SyntheticLesion> planLesions(const Volume& scan, const LesionSites& sites, std::size_t count,
                                         std::mt19937& rng, const std::vector<ReferenceNodule>& avoid, double keepAway) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<SyntheticLesion> out;
  auto clear = [&](const Vec3& c, double r) {
    for (const ReferenceNodule& a : avoid)
      if (norm(a.centerLps - c) < keepAway + r) return false;
    for (const SyntheticLesion& o : out)
      if (norm(o.shape.centreLps - c) < r + o.shape.radiusMm + 8.0) return false;
    return true;
  };
  auto localValue = [&](const Vec3& p) {
    const Vec3 ijk = scan.geometry.lpsToIjk(p);
    double sum = 0;
    int n = 0;
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) {
          const long i = std::lround(ijk[0]) + dx, j = std::lround(ijk[1]) + dy, k = std::lround(ijk[2]) + dz;
          if (i < 0 || j < 0 || k < 0 || i >= long(scan.geometry.size[0]) || j >= long(scan.geometry.size[1]) ||
              k >= long(scan.geometry.size[2])) {
            continue;
          }
          sum += scan.value(std::size_t(i), std::size_t(j), std::size_t(k));
          ++n;
        }
    return n ? sum / n : 0.0;
  };
  // CT: a quarter liver-like lesions, the rest lung nodules planned as the detector's are.
  std::size_t lungCount = count;
  if (sites.isCt && !sites.softTissue.empty()) lungCount = count - count / 4;
  if (sites.isCt && sites.lungs) {
    for (const SyntheticNodule& n : planSyntheticNodules(*sites.lungs, lungCount, rng, avoid, keepAway)) {
      SyntheticLesion s;
      s.shape = LesionShape::random(n.centerLps, n.diameterMm, rng);
      s.kind = "lung-" + n.type;
      s.site = n.site;
      s.plateau = n.type == "solid" ? n.hu : n.ggoHu;
      s.corePlateau = n.hu;
      s.coreFraction = n.type == "part-solid" ? n.coreFraction : 0.0;
      s.noiseSd = n.type == "solid" ? 20.0 : 35.0;
      if (clear(n.centerLps, n.diameterMm / 2)) out.push_back(s);
    }
  }
  const std::vector<Vec3>& pool = sites.isCt ? sites.softTissue : sites.brain;
  const std::vector<double>& depth = sites.isCt ? sites.softTissueDepth : sites.brainDepth;
  for (std::size_t attempt = 0; out.size() < count && !pool.empty() && attempt < 4000; ++attempt) {
    const double d = 6.0 * std::pow(5.0, u(rng)); // log-uniform 6-30 mm
    const std::size_t q = std::size_t(u(rng) * double(pool.size())) % pool.size();
    if (depth[q] < 0.6 * d / 2 + 2.0 || !clear(pool[q], d / 2)) continue;
    SyntheticLesion s;
    s.shape = LesionShape::random(pool[q], d, rng);
    s.site = sites.isCt ? "soft-tissue" : "brain";
    const double bg = localValue(pool[q]);
    if (sites.isCt) {
      s.kind = "liver-hypodense";
      s.plateau = bg - (35.0 + 55.0 * u(rng));
      s.noiseSd = 12.0;
    } else {
      s.kind = "mr-bright";
      s.plateau = bg * (1.4 + 0.6 * u(rng));
      s.noiseSd = 0.04 * std::abs(s.plateau);
    }
    out.push_back(s);
  }
  return out;
}

bool inLungs(const LesionSites& sites, const Vec3& lps) {
  if (!sites.lungs) return true;
  const VolumeGeometry& g = sites.lungs->grid;
  const Vec3 ijk = g.lpsToIjk(lps);
  long idx[3];
  for (int a = 0; a < 3; ++a) {
    idx[a] = std::lround(ijk[a]);
    if (idx[a] < 0 || idx[a] >= long(g.size[a])) return false;
  }
  return sites.lungs->lung[std::size_t(idx[0]) + g.size[0] * (std::size_t(idx[1]) + g.size[1] * std::size_t(idx[2]))] != 0;
}

std::vector<std::uint8_t> insertLesions(Volume& scan, const std::vector<SyntheticLesion>& lesions, std::mt19937& rng,
                                        const LesionSites& sites) {
  const VolumeGeometry& g = scan.geometry;
  std::vector<std::uint8_t> truth(g.voxelCount(), 0);
  std::normal_distribution<double> noise(0.0, 1.0);
  const std::array<Vec3, 3> step{g.direction[0] * g.spacing[0], g.direction[1] * g.spacing[1], g.direction[2] * g.spacing[2]};
  for (std::size_t l = 0; l < lesions.size(); ++l) {
    const SyntheticLesion& s = lesions[l];
    const double reach = s.shape.reachMm() + 2.0;
    std::array<long, 3> from{}, to{};
    for (int a = 0; a < 3; ++a) {
      const double c = g.lpsToIjk(s.shape.centreLps)[a], r = reach / g.spacing[a];
      from[a] = std::max(0L, long(std::floor(c - r)));
      to[a] = std::min(long(g.size[a]) - 1, long(std::ceil(c + r)));
    }
    const bool lung = s.kind.rfind("lung-", 0) == 0;
    for (long k = from[2]; k <= to[2]; ++k)
      for (long j = from[1]; j <= to[1]; ++j)
        for (long i = from[0]; i <= to[0]; ++i) {
          const Vec3 p = g.ijkToLps({double(i), double(j), double(k)});
          if (norm(p - s.shape.centreLps) > reach) continue;
          const double w = s.shape.occupancy(p, step);
          if (w <= 0) continue;
          const std::size_t q = std::size_t(i) + g.size[0] * (std::size_t(j) + g.size[1] * std::size_t(k));
          const double bg = scan.value(q);
          double v;
          if (lung) {
            // Never darker than the background: vessels stay visible through ground glass.
            v = bg + w * std::max(0.0, s.plateau + s.noiseSd * noise(rng) - bg);
            if (s.coreFraction > 0) {
              const double wc = s.shape.occupancy(p, step, s.coreFraction);
              if (wc > 0) v += wc * std::max(0.0, s.corePlateau + 20.0 * noise(rng) - v);
            }
          } else {
            v = bg + w * (s.plateau + s.noiseSd * noise(rng) - bg);
          }
          std::visit(
              [&](auto& vox) {
                using T = typename std::decay_t<decltype(vox)>::value_type;
                vox[q] = T(std::is_integral_v<T> ? std::lround(v) : v);
              },
              scan.voxels);
          if (w >= 0.5 && (!lung || inLungs(sites, p))) truth[q] = std::uint8_t(l + 1);
        }
  }
  return truth;
}

namespace {

/// A click inside the lesion and inside the scan: the centre moved by up to a third of the radius.
Vec3 offsetClick(const LesionShape& shape, std::mt19937& rng, const VolumeGeometry& g) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto inScan = [&](const Vec3& p) {
    const Vec3 ijk = g.lpsToIjk(p);
    for (int a = 0; a < 3; ++a)
      if (std::lround(ijk[a]) < 0 || std::lround(ijk[a]) >= long(g.size[a])) return false;
    return true;
  };
  for (int attempt = 0; attempt < 50; ++attempt) {
    const Vec3 c = shape.centreLps + randomDirection(rng) * (shape.radiusMm / 3 * std::cbrt(u(rng)));
    if (shape.inside(c, 0.9) && inScan(c)) return c;
  }
  return shape.centreLps;
}

} // namespace

std::vector<std::string> writeSegmentationDataset(const SegmentationDatasetOptions& o) {
  fs::create_directories(o.outFolder);
  std::ofstream images, targets, rows;
  if (!o.evaluationScans) {
    images.open(fs::path(o.outFolder) / "images.f32", std::ios::binary);
    targets.open(fs::path(o.outFolder) / "targets.u8", std::ios::binary);
    rows.open(fs::path(o.outFolder) / "samples.csv");
    rows.precision(9); // click values of MR series are in the thousands
    rows << "sample,scan,kind,site,diameter_mm,spacing_mm,click_value,scale,is_ct,positive,negative\n";
  }
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::string> summary;
  std::size_t sampleCount = 0;
  const std::size_t n = o.edge, m = n * n * n;
  for (std::size_t b = 0; b < o.backgrounds.size(); ++b) {
    const auto& bg = o.backgrounds[b];
    const LoadedSeries loaded = loadPath(bg.path);
    const Volume& original = loaded.volumes.at(0);
    const LesionSites sites = findLesionSites(original);
    const bool isCt = sites.isCt;
    std::fprintf(stderr, "%s: %s, %zu soft-tissue / %zu brain sites\n", bg.path.c_str(), isCt ? "CT" : "MR",
                 sites.softTissue.size(), sites.brain.size());
    for (std::size_t c = 0; c < o.copies; ++c) {
      std::vector<SyntheticLesion> plan = planLesions(original, sites, o.lesionsPerCopy, rng, bg.avoid, 25.0);
      Volume scan = original;
      const std::vector<std::uint8_t> truth = insertLesions(scan, plan, rng, sites);
      const std::string scanName = fs::path(bg.path).filename().string() + "#" + std::to_string(c);
      if (o.evaluationScans) {
        const std::string stem = (fs::path(o.outFolder) / ("scan_" + std::to_string(b) + "_" + std::to_string(c))).string();
        writeResearchImage({scan}, stem + ".nii.gz");
        Volume t;
        t.geometry = scan.geometry;
        t.voxels = std::vector<std::int16_t>(truth.begin(), truth.end());
        writeResearchImage({t}, stem + "_truth.nii.gz");
        nlohmann::json j{{"background", bg.path}, {"scan", stem + ".nii.gz"}, {"truth", stem + "_truth.nii.gz"},
                         {"lesions", nlohmann::json::array()}};
        for (std::size_t l = 0; l < plan.size(); ++l) {
          const Vec3 click = offsetClick(plan[l].shape, rng, scan.geometry);
          j["lesions"].push_back({{"label", l + 1}, {"kind", plan[l].kind}, {"site", plan[l].site},
                                  {"diameter_mm", plan[l].diameterMm()}, {"centre_lps", plan[l].shape.centreLps},
                                  {"click_lps", click}});
        }
        std::ofstream(stem + ".json") << j.dump(2) << '\n';
      } else {
        for (const SyntheticLesion& s : plan) {
          const bool lung = s.kind.rfind("lung-", 0) == 0;
          for (std::size_t rep = 0; rep < o.samplesPerLesion; ++rep) {
            const double d = s.diameterMm();
            // Half the samples at the first pass's spacing (1.5 mm), the rest at a spacing that
            // puts the lesion 4-22 samples wide (as the refining passes do).
            double spacing = 1.5;
            if (rep % 2 == 1 || d / 1.5 > 22.0) spacing = std::clamp(d / (4.0 + 18.0 * u(rng)), 0.5, 2.5);
            const Vec3 click = offsetClick(s.shape, rng, scan.geometry);
            const PatchGrid grid = patchAround(scan.geometry, click, spacing, n);
            const std::vector<float> samples = samplePatch(scan, grid, isCt ? -1024.0f : 0.0f);
            const PatchIntensity in = patchIntensity(samples, n, isCt);
            std::vector<std::uint8_t> target(m, 0);
            const std::array<Vec3, 3> step{grid.direction[0] * spacing, grid.direction[1] * spacing, grid.direction[2] * spacing};
            const Vec3 lo = grid.toPatch(s.shape.centreLps);
            const double reach = s.shape.reachMm() / spacing + 1.5;
            std::vector<Vec3> insidePoints, outsidePoints;
            for (std::size_t cc = 0; cc < n; ++cc)
              for (std::size_t bb = 0; bb < n; ++bb)
                for (std::size_t aa = 0; aa < n; ++aa) {
                  const Vec3 p{double(aa), double(bb), double(cc)};
                  const double dist = norm(p - lo);
                  const std::size_t q = aa + n * (bb + n * cc);
                  double w = 0;
                  if (dist <= reach) w = s.shape.occupancy(grid.toLps(p), step);
                  if (w > 0 && lung && !inLungs(sites, grid.toLps(p))) w = 0;
                  target[q] = std::uint8_t(std::lround(255.0 * w));
                  if (w >= 1.0 && dist > 0.4 * s.shape.radiusMm / spacing) insidePoints.push_back(p);
                  // Negative clicks: outside, near the edge, on something that looks alike.
                  if (w == 0 && dist < reach + 8.0 / spacing && dist > reach - 0.5 &&
                      std::abs(samples[q] - in.clickValue) < in.scale)
                    outsidePoints.push_back(p);
                }
            std::vector<Vec3> positive{Vec3{double(n) / 2 - 0.5, double(n) / 2 - 0.5, double(n) / 2 - 0.5}}, negative;
            if (u(rng) < 0.25 && !insidePoints.empty()) positive.push_back(insidePoints[std::size_t(u(rng) * double(insidePoints.size())) % insidePoints.size()]);
            if (u(rng) < 0.25 && !outsidePoints.empty()) negative.push_back(outsidePoints[std::size_t(u(rng) * double(outsidePoints.size())) % outsidePoints.size()]);
            images.write(reinterpret_cast<const char*>(samples.data()), std::streamsize(m * sizeof(float)));
            targets.write(reinterpret_cast<const char*>(target.data()), std::streamsize(m));
            auto list = [](const std::vector<Vec3>& v) {
              std::ostringstream s;
              for (std::size_t x = 0; x < v.size(); ++x) s << (x ? ";" : "") << v[x][0] << ' ' << v[x][1] << ' ' << v[x][2];
              return s.str();
            };
            rows << sampleCount++ << ',' << scanName << ',' << s.kind << ',' << s.site << ',' << d << ',' << spacing << ','
                 << in.clickValue << ',' << in.scale << ',' << int(isCt) << ',' << list(positive) << ',' << list(negative)
                 << '\n';
          }
        }
      }
      std::ostringstream line;
      line << scanName << ": " << plan.size() << " lesions";
      std::map<std::string, int> kinds;
      for (const SyntheticLesion& s : plan) ++kinds[s.kind];
      for (const auto& [k, v] : kinds) line << ", " << v << ' ' << k;
      summary.push_back(line.str());
      std::fprintf(stderr, "%s\n", line.str().c_str());
    }
  }
  if ((!o.evaluationScans && (!images || !targets || !rows))) {
    throw std::runtime_error("cannot write the dataset in " + o.outFolder);
  }
  return summary;
}

} // namespace lightbox
