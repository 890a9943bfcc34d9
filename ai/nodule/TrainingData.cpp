// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/TrainingData.h"

#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;

Vec3 randomDirection(std::mt19937& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  return normalized({n(rng), n(rng), n(rng)});
}

/// The index of the grid sample nearest to a point, if the point is on the grid.
std::optional<std::size_t> nearestSample(const VolumeGeometry& g, const Vec3& lps) {
  const Vec3 ijk = g.lpsToIjk(lps);
  std::size_t q = 0, stride = 1;
  for (int a = 0; a < 3; ++a) {
    const long i = std::lround(ijk[a]);
    if (i < 0 || i >= long(g.size[a]))
      return std::nullopt;
    q += std::size_t(i) * stride;
    stride *= g.size[a];
  }
  return q;
}

} // namespace

std::vector<SyntheticNodule> planSyntheticNodules(const PreparedScan& scan, std::size_t count, std::mt19937& rng,
                                                  const std::vector<ReferenceNodule>& avoid, double keepAway) {
  const auto& n = scan.grid.size;
  const std::vector<float> d2 = [&] {
    Mask outside(scan.lung.size());
    for (std::size_t q = 0; q < outside.size(); ++q) outside[q] = !scan.lung[q];
    return squaredDistanceTo(outside, n, scan.grid.spacing);
  }();
  std::vector<std::size_t> lung, vessel;
  for (std::size_t q = 0; q < scan.lung.size(); ++q) {
    if (!scan.lung[q] || d2[q] < 4.0f) continue;
    lung.push_back(q);
    if (scan.hu.data[q] > -150.0f && d2[q] > 225.0f) vessel.push_back(q);
  }
  std::vector<SyntheticNodule> out;
  if (lung.empty()) return out;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto at = [&](std::size_t q) {
    return scan.grid.ijkToLps({double(q % n[0]), double((q / n[0]) % n[1]), double(q / (n[0] * n[1]))});
  };
  auto huAt = [&](const Vec3& lps) { // outside the lung mask: not aerated
    const std::optional<std::size_t> q = nearestSample(scan.grid, lps);
    return q && scan.lung[*q] ? double(scan.hu.data[*q]) : 0.0;
  };
  auto clear = [&](const Vec3& c, double r) {
    for (const ReferenceNodule& a : avoid)
      if (norm(a.centerLps - c) < keepAway + r) return false;
    for (const SyntheticNodule& o : out)
      if (norm(o.centerLps - c) < r + o.diameterMm / 2 + 8.0) return false;
    return true;
  };
  for (std::size_t attempt = 0; out.size() < count && attempt < 4000; ++attempt) {
    SyntheticNodule s;
    s.diameterMm = 3.0 * std::pow(10.0, u(rng)); // log-uniform 3-30 mm
    const double r = s.diameterMm / 2;
    const double t = u(rng);
    s.type = t < 0.6 ? "solid" : t < 0.8 ? "part-solid" : "ground-glass";
    s.hu = -20.0 + 80.0 * u(rng);
    s.ggoHu = -720.0 + 270.0 * u(rng);
    s.coreFraction = 0.3 + 0.3 * u(rng);
    const double site = u(rng);
    const std::size_t q = lung[std::size_t(u(rng) * double(lung.size())) % lung.size()];
    const double dWall = std::sqrt(d2[q]);
    if (site < 0.5) {
      s.site = "isolated";
      if (dWall < r + 6.0 || scan.hu.data[q] > -700.0f) continue;
      s.centerLps = at(q);
    } else if (site < 0.75) {
      s.site = "juxta-vascular";
      if (vessel.empty()) continue;
      const std::size_t v = vessel[std::size_t(u(rng) * double(vessel.size())) % vessel.size()];
      if (std::sqrt(d2[v]) < r + 6.0) continue;
      // Out of the vessel along a random direction to its edge (the first aerated sample, <= -600
      // HU, found in 0.5-sample steps and then halved down to 0.05 mm), then the centre one radius
      // beyond it less an overlap of max(0.2 r, 1 mm): the nodule abuts the vessel and overlaps its
      // wall, and its centre lies in aerated lung, not at the pleura. (A fixed offset from a vessel
      // sample had put small nodules inside large vessels, where a ground-glass one is invisible.)
      const Vec3 dir = randomDirection(rng);
      const Vec3 from = at(v);
      const double step = 0.5 * std::max(0.1, scan.grid.spacing[0]);
      double inside = 0, edge = -1;
      for (double mm = step; mm <= 15.0; mm += step) {
        if (huAt(from + dir * mm) <= -600.0) {
          edge = mm;
          break;
        }
        inside = mm;
      }
      if (edge < 0)
        continue;
      while (edge - inside > 0.05) {
        const double mid = 0.5 * (inside + edge);
        (huAt(from + dir * mid) <= -600.0 ? edge : inside) = mid;
      }
      s.centerLps = from + dir * (edge + r - std::max(0.2 * r, 1.0));
      const std::optional<std::size_t> c = nearestSample(scan.grid, s.centerLps);
      if (!c || huAt(s.centerLps) > -600.0 || std::sqrt(d2[*c]) < r + 2.0)
        continue;
    } else {
      s.site = "juxta-pleural";
      // Points whose distance to the pleura is a fraction of the radius: the nodule abuts it.
      if (dWall > 0.8 * r + 1.0 || dWall < 0.3 * r) continue;
      s.centerLps = at(q);
    }
    if (!clear(s.centerLps, r)) continue;
    out.push_back(s);
  }
  return out;
}

void insertSyntheticNodules(Volume& hu, const std::vector<SyntheticNodule>& nodules, std::mt19937& rng) {
  const VolumeGeometry& g = hu.geometry;
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (const SyntheticNodule& s : nodules) {
    const double r = s.diameterMm / 2;
    // Lobulation: a few low-order bumps of the radius over directions; mild elongation.
    std::array<Vec3, 3> bumpDir{randomDirection(rng), randomDirection(rng), randomDirection(rng)};
    std::array<double, 3> bumpAmp{0.08 * u(rng), 0.08 * u(rng), 0.06 * u(rng)};
    const Vec3 axes{1.0 + 0.15 * (u(rng) - 0.5), 1.0 + 0.15 * (u(rng) - 0.5), 1.0 + 0.15 * (u(rng) - 0.5)};
    auto radiusAlong = [&](const Vec3& dir) {
      double f = 1.0;
      for (int b = 0; b < 3; ++b) f += bumpAmp[b] * std::cos(3.0 * std::acos(std::clamp(dot(dir, bumpDir[b]), -1.0, 1.0)));
      return f;
    };
    const Vec3 lo = g.lpsToIjk(s.centerLps - Vec3{r + 3, r + 3, r + 3});
    const Vec3 hi = g.lpsToIjk(s.centerLps + Vec3{r + 3, r + 3, r + 3});
    std::array<long, 3> from, to;
    for (int a = 0; a < 3; ++a) {
      from[a] = std::max(0L, long(std::floor(std::min(lo[a], hi[a]))));
      to[a] = std::min(long(g.size[a]) - 1, long(std::ceil(std::max(lo[a], hi[a]))));
    }
    const double noiseSd = s.type == "solid" ? 20.0 : 35.0;
    for (long k = from[2]; k <= to[2]; ++k) {
      for (long j = from[1]; j <= to[1]; ++j) {
        for (long i = from[0]; i <= to[0]; ++i) {
          double wAll = 0, wCore = 0; // 3x3x3 supersampled occupancy of the voxel
          for (int c = 0; c < 27; ++c) {
            const Vec3 ijk{double(i) + (c % 3 - 1) / 3.0, double(j) + ((c / 3) % 3 - 1) / 3.0, double(k) + (c / 9 - 1) / 3.0};
            const Vec3 d = g.ijkToLps(ijk) - s.centerLps;
            const Vec3 e{d[0] / axes[0], d[1] / axes[1], d[2] / axes[2]};
            const double len = norm(e);
            const double rr = len > 0 ? r * radiusAlong(e * (1.0 / len)) : r;
            if (len <= rr) wAll += 1.0 / 27;
            if (s.type == "part-solid" && len <= rr * s.coreFraction) wCore += 1.0 / 27;
          }
          if (wAll <= 0) continue;
          const std::size_t q = std::size_t(i) + g.size[0] * (std::size_t(j) + g.size[1] * std::size_t(k));
          const double bg = hu.value(q);
          const double plateau = s.type == "solid" ? s.hu : s.ggoHu;
          double v = bg + wAll * std::max(0.0, plateau + noiseSd * noise(rng) - bg);
          if (wCore > 0) v += wCore * std::max(0.0, s.hu + 20.0 * noise(rng) - v);
          std::visit(
              [&](auto& vox) {
                using T = typename std::decay_t<decltype(vox)>::value_type;
                vox[q] = T(std::is_integral_v<T> ? std::lround(v) : v);
              },
              hu.voxels);
        }
      }
    }
  }
}

std::vector<std::string> writeNoduleDataset(const DatasetOptions& o) {
  fs::create_directories(o.outFolder);
  std::ofstream patches(fs::path(o.outFolder) / "patches.i16", std::ios::binary);
  std::ofstream rows(fs::path(o.outFolder) / "patches.csv");
  std::ofstream nodulesCsv(fs::path(o.outFolder) / "nodules.csv");
  rows << "patch,scan,split,label,source,nodule,diameter_mm,type,site,response,candidate_radius_mm\n";
  nodulesCsv << "nodule,scan,split,diameter_mm,type,site,x,y,z,candidate_found\n";
  const std::size_t p = o.detector.patch;
  const std::size_t patchValues = p * p * p * o.scales.size();
  std::ofstream(fs::path(o.outFolder) / "dataset.json")
      << nlohmann::json{{"patch", p}, {"spacing_mm", o.detector.spacingMm}, {"scales", o.scales}}.dump(2) << '\n';
  std::size_t patchCount = 0, noduleCount = 0;
  std::vector<std::string> summary;
  std::mt19937 rng(o.seed);
  auto writePatch = [&](const Tensor& t, std::size_t index) {
    std::vector<std::int16_t> v(patchValues);
    for (std::size_t x = 0; x < v.size(); ++x) {
      v[x] = std::int16_t(std::clamp(std::lround(t.data[index * v.size() + x]), -1024L, 3071L));
    }
    patches.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(std::int16_t)));
    return patchCount++;
  };
  for (std::size_t b = 0; b < o.backgrounds.size(); ++b) {
    const DatasetBackground& bg = o.backgrounds[b];
    const LoadedSeries loaded = loadPath(bg.path);
    const Volume& original = loaded.volumes.at(0);
    const PreparedScan base = prepareScan(original, o.detector);
    for (std::size_t c = 0; c < o.copies; ++c) {
      const std::string scanName = fs::path(bg.path).filename().string() + "#" + std::to_string(c);
      const bool validation = o.validationEvery > 0 && c % o.validationEvery == o.validationEvery - 1;
      const std::string split = validation ? "val" : "train";
      std::vector<SyntheticNodule> plan = planSyntheticNodules(base, o.nodulesPerCopy, rng, bg.avoid, 25.0);
      Volume scan = original;
      insertSyntheticNodules(scan, plan, rng);
      const PreparedScan prepared = prepareScan(scan, o.detector);
      // Label the candidates.
      std::vector<int> label(prepared.candidates.size(), 0), owner(prepared.candidates.size(), -1);
      std::vector<bool> found(plan.size(), false);
      for (std::size_t i = 0; i < prepared.candidates.size(); ++i) {
        const Vec3& x = prepared.candidates[i].centerLps;
        for (const ReferenceNodule& a : bg.avoid)
          if (norm(a.centerLps - x) < 25.0) label[i] = -1; // near the real nodule: never a negative
        for (std::size_t s = 0; s < plan.size(); ++s) {
          const double r = plan[s].diameterMm / 2, d = norm(plan[s].centerLps - x);
          if (d <= std::max(r, 2.5)) {
            label[i] = 1;
            owner[i] = int(s);
            found[s] = true;
          } else if (d <= 1.5 * r + 3.0 && label[i] != 1) {
            label[i] = -1; // ambiguous: on the nodule's edge
          }
        }
      }
      // Negatives: all for validation (FP per scan must be measured on everything), else the
      // strongest 120 (vessels, hilum, walls: the hard ones) and 60 random others.
      std::vector<std::size_t> negatives;
      for (std::size_t i = 0; i < label.size(); ++i)
        if (label[i] == 0) negatives.push_back(i);
      if (!validation && negatives.size() > 180) {
        std::shuffle(negatives.begin() + 120, negatives.end(), rng);
        negatives.resize(180);
      }
      std::vector<std::size_t> chosen = negatives;
      for (std::size_t i = 0; i < label.size(); ++i)
        if (label[i] == 1) chosen.push_back(i);
      std::vector<Vec3> centers;
      for (std::size_t i : chosen) centers.push_back(prepared.candidates[i].centerLps);
      // True centres too (training only), jittered by up to a voxel.
      std::uniform_real_distribution<double> jitter(-o.detector.spacingMm, o.detector.spacingMm);
      const std::size_t trueStart = centers.size();
      if (!validation)
        for (const SyntheticNodule& s : plan)
          for (int rep = 0; rep < 2; ++rep) centers.push_back(s.centerLps + Vec3{jitter(rng), jitter(rng), jitter(rng)});
      const Tensor t = cutPatches(prepared, patchSources(prepared, o.scales, o.detector.threads), centers, p,
                                  o.detector.threads);
      for (std::size_t x = 0; x < centers.size(); ++x) {
        const bool fromCandidate = x < trueStart;
        const int s = fromCandidate ? owner[chosen[x]] : int((x - trueStart) / 2);
        const int lab = fromCandidate ? label[chosen[x]] : 1;
        const std::size_t id = writePatch(t, x);
        rows << id << ',' << scanName << ',' << split << ',' << lab << ',' << (fromCandidate ? "candidate" : "centre")
             << ',' << (s >= 0 ? std::to_string(noduleCount + std::size_t(s)) : std::string("-1")) << ','
             << (s >= 0 ? plan[s].diameterMm : 0.0) << ',' << (s >= 0 ? plan[s].type : "") << ','
             << (s >= 0 ? plan[s].site : "") << ','
             << (fromCandidate ? prepared.candidates[chosen[x]].response : 0.0) << ','
             << (fromCandidate ? prepared.candidates[chosen[x]].radiusMm : 0.0) << '\n';
      }
      std::size_t hits = 0;
      for (std::size_t s = 0; s < plan.size(); ++s) {
        hits += found[s];
        if (!found[s]) {
          double nearest = 1e9;
          for (const NoduleCandidate& c : prepared.candidates) nearest = std::min(nearest, norm(c.centerLps - plan[s].centerLps));
          const std::optional<std::size_t> q = nearestSample(prepared.grid, plan[s].centerLps);
          std::fprintf(
              stderr,
              "  missed %.1f mm %s %s, nearest candidate %.1f mm away, %s, %.0f HU at its centre\n",
              plan[s].diameterMm, plan[s].type.c_str(), plan[s].site.c_str(), nearest,
              !q                  ? "outside the lungs' box"
              : prepared.lung[*q] ? "in the lung mask"
                                  : "outside the lung mask",
              q ? double(prepared.hu.data[*q]) : 0.0);
        }
        nodulesCsv << noduleCount + s << ',' << scanName << ',' << split << ',' << plan[s].diameterMm << ','
                   << plan[s].type << ',' << plan[s].site << ',' << plan[s].centerLps[0] << ',' << plan[s].centerLps[1]
                   << ',' << plan[s].centerLps[2] << ',' << int(found[s]) << '\n';
      }
      noduleCount += plan.size();
      if (validation && o.writeValidationScans) {
        const std::string stem = (fs::path(o.outFolder) / ("val_" + std::to_string(b) + "_" + std::to_string(c))).string();
        writeResearchImage({scan}, stem + ".nii.gz");
        nlohmann::json truth{{"description", "Lightbox synthetic nodules inserted into " + bg.path}, {"nodules", nlohmann::json::array()}};
        for (std::size_t s = 0; s < plan.size(); ++s) {
          truth["nodules"].push_back({{"id", "S" + std::to_string(s + 1)}, {"type", plan[s].type}, {"site", plan[s].site},
                                      {"center_lps", plan[s].centerLps}, {"diameter_mm", plan[s].diameterMm}});
        }
        // The real lesions the insertions kept away from: detections within the same 25 mm are
        // not scored (the training labels left them out too).
        for (const ReferenceNodule& a : bg.avoid) {
          truth["nodules"].push_back({{"id", "real-" + a.id}, {"type", a.type}, {"site", "real lesion, not scored"},
                                      {"center_lps", a.centerLps}, {"diameter_mm", 50.0}, {"counts", false}});
        }
        std::ofstream(stem + ".json") << truth.dump(2) << '\n';
      }
      std::ostringstream line;
      line << scanName << " [" << split << "]: " << plan.size() << " nodules inserted, " << hits
           << " found by candidates, " << prepared.candidates.size() << " candidates (of " << prepared.maxima
           << " maxima, last response " << (prepared.candidates.empty() ? 0.0 : prepared.candidates.back().response)
           << "), lung "
           << std::lround(prepared.lungVolumeMl) << " ml";
      summary.push_back(line.str());
      std::fprintf(stderr, "%s\n", line.str().c_str());
    }
  }
  if (!patches || !rows || !nodulesCsv) throw std::runtime_error("cannot write the dataset in " + o.outFolder);
  return summary;
}

} // namespace lightbox
