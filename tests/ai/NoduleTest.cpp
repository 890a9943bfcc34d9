// SPDX-License-Identifier: Apache-2.0
// Nodule pipeline pieces that do not need the trained model (the clinical scores are core rules:
// tests/core/ClinicalScoresTest.cpp).
#include "ai/nodule/DetectionFindings.h"
#include "ai/nodule/Froc.h"
#include "ai/nodule/LungMask.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/nodule/ReferenceNodules.h"
#include "ai/runtime/ModelManifest.h"
#include "core/phantom/ChestPhantom.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

using namespace lightbox;

namespace {

const std::string kLidc = "ct/chest_lidc-idri-0001_nodule_slab";

/// The phantom at a reduced size (fast) with its nodules.
struct SmallPhantom {
  Volume volume;
  std::vector<PhantomNodule> nodules;
};

const SmallPhantom& smallPhantom() {
  static const SmallPhantom p = [] {
    ChestPhantomSpec spec;
    spec.matrix = 384;
    spec.pixelMm = 0.9;
    spec.slices = 100;
    spec.sliceMm = 1.5;
    SmallPhantom out;
    std::vector<std::int16_t> hu = renderChestPhantom(spec, out.volume.geometry);
    out.volume.voxels = std::move(hu);
    out.volume.units = "HU";
    out.nodules = phantomNodules(spec);
    return out;
  }();
  return p;
}

} // namespace

TEST_CASE("the distance transform is exact on an anisotropic grid, with any thread count",
          "[ai][nodule][lung]") {
  // A few scattered sources and a block; every voxel's squared distance checked against the
  // nearest source by brute force. Both the single-threaded and the two-thread runs.
  const std::array<std::size_t, 3> n{23, 17, 11};
  const Vec3 h{0.7, 1.1, 2.5};
  Mask mask(n[0] * n[1] * n[2], 0);
  auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return i + n[0] * (j + n[1] * k); };
  for (std::size_t q = 0; q < mask.size(); q += 97)
    mask[q] = 1;
  for (std::size_t k = 4; k < 7; ++k)
    for (std::size_t j = 2; j < 5; ++j)
      for (std::size_t i = 15; i < 20; ++i)
        mask[at(i, j, k)] = 1;
  std::vector<std::array<std::size_t, 3>> sources;
  for (std::size_t q = 0; q < mask.size(); ++q)
    if (mask[q])
      sources.push_back({q % n[0], (q / n[0]) % n[1], q / (n[0] * n[1])});
  for (unsigned threads : {1u, 2u}) {
    const std::vector<float> d = squaredDistanceTo(mask, n, h, threads);
    REQUIRE(d.size() == mask.size());
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i) {
          double best = 1e30;
          for (const auto& s : sources) {
            const double dx = (double(i) - double(s[0])) * h[0],
                         dy = (double(j) - double(s[1])) * h[1],
                         dz = (double(k) - double(s[2])) * h[2];
            best = std::min(best, dx * dx + dy * dy + dz * dz);
          }
          if (std::abs(double(d[at(i, j, k)]) - best) > 1e-4 * (1.0 + best))
            ++wrong;
        }
    INFO(threads << " thread(s)");
    CHECK(wrong == 0);
  }
}

TEST_CASE("the lung mask of the POPI chest CT holds two lungs of plausible volume", "[ai][nodule]") {
  const Volume v = loadPath(test::sharedData("ct/chest_4dct_popi_phase00")).volumes.at(0);
  const PreparedScan scan = prepareScan(v);
  INFO("lung volume " << scan.lungVolumeMl << " ml");
  CHECK(scan.lungVolumeMl > 2500);
  CHECK(scan.lungVolumeMl < 7500);
  // Both sides of the body have lung.
  std::size_t left = 0, right = 0;
  const auto& n = scan.grid.size;
  for (std::size_t q = 0; q < scan.lung.size(); q += 7) {
    if (!scan.lung[q]) continue;
    const Vec3 p = scan.grid.ijkToLps({double(q % n[0]), double((q / n[0]) % n[1]), double(q / (n[0] * n[1]))});
    (p[0] > 0 ? left : right)++;
  }
  CHECK(left > 0.3 * (left + right));
  CHECK(right > 0.3 * (left + right));
  CHECK(scan.candidates.size() > 50);
}

TEST_CASE("candidates reach every phantom nodule and the radial profiles size and type them", "[ai][nodule]") {
  const SmallPhantom& p = smallPhantom();
  const PreparedScan scan = prepareScan(p.volume);
  REQUIRE(scan.lungVolumeMl > 1000);
  for (const PhantomNodule& n : p.nodules) {
    INFO(n.id << " " << n.type << " " << n.site << " " << n.diameterMm << " mm");
    double nearest = 1e9;
    for (const NoduleCandidate& c : scan.candidates) nearest = std::min(nearest, norm(c.centerLps - n.centerLps));
    CHECK(nearest <= n.diameterMm / 2);
    const NoduleMeasurement m = measureNodule(scan, n.centerLps, n.diameterMm / 2);
    INFO("measured " << m.diameterMm << " mm " << m.type << ", solid " << m.solidDiameterMm << " mm, " << m.volumeMm3
                     << " mm3");
    CHECK(m.type == n.type);
    CHECK(m.diameterMm == Approx(n.diameterMm).epsilon(0.25));
    const double sphere = 3.14159265 / 6 * n.diameterMm * n.diameterMm * n.diameterMm;
    CHECK(m.volumeMm3 == Approx(sphere).epsilon(0.6));
  }
}

TEST_CASE("the LIDC reader XML gives the slab's nodule, marked by all four readers", "[ai][nodule]") {
  const Volume v = loadPath(test::sharedData(kLidc + "/dicom")).volumes.at(0);
  const std::vector<ReferenceNodule> ref = readReferenceNodules(test::sharedData(kLidc + "/annotations/069.xml"), v.geometry);
  REQUIRE(ref.size() == 1);
  const ReferenceNodule& n = ref.front();
  INFO("centre " << n.centerLps[0] << ", " << n.centerLps[1] << ", " << n.centerLps[2] << "; " << n.diameterMm << " mm");
  CHECK(n.readers == 4);
  CHECK(n.counts);
  CHECK(n.centerLps[2] > -125.0);
  CHECK(n.centerLps[2] < -105.0);
  CHECK(n.diameterMm > 15.0);
  CHECK(n.diameterMm < 40.0);
  // The centre is dense tissue in the image.
  const Vec3 ijk = v.geometry.lpsToIjk(n.centerLps);
  CHECK(v.value(std::size_t(std::lround(ijk[0])), std::size_t(std::lround(ijk[1])), std::size_t(std::lround(ijk[2]))) > -300);
  CHECK_THROWS_WITH(readReferenceNodules(test::sharedData(kLidc + "/dicom/-100.000000.dcm"), v.geometry),
                    Catch::Contains("-100.000000.dcm") && Catch::Contains("neither"));
}

TEST_CASE("a two-scale patch: the context channel averages 2x2x2 blocks around the same centre", "[ai][nodule]") {
  // A linear ramp: a block's mean is the value at the block's centre, so every sample is known.
  PreparedScan scan;
  scan.grid.size = {80, 80, 80};
  scan.grid.spacing = {1.25, 1.25, 1.25};
  scan.hu.size = scan.grid.size;
  scan.hu.data.resize(scan.grid.voxelCount());
  auto ramp = [](double i, double j, double k) { return float(i + 3.0 * j - 2.0 * k); };
  for (std::size_t k = 0; k < 80; ++k)
    for (std::size_t j = 0; j < 80; ++j)
      for (std::size_t i = 0; i < 80; ++i) scan.hu.data[i + 80 * (j + 80 * k)] = ramp(double(i), double(j), double(k));
  const std::size_t p = 32;
  const Tensor t = cutPatches(scan, {scan.grid.ijkToLps({40, 41, 42}), scan.grid.ijkToLps({10, 40, 40})}, p, {1, 2});
  REQUIRE(t.shape == std::vector<std::int64_t>{2, 2, 32, 32, 32});
  auto at = [&](std::size_t n, std::size_t c, std::size_t x, std::size_t y, std::size_t z) {
    return t.data[((n * 2 + c) * p + z) * p * p + y * p + x];
  };
  for (std::size_t x : {0, 7, 15, 16, 31}) {
    // Fine: voxel centre - 16 + x. Context: the block starting at centre - 32 + 2x, mean at +0.5.
    CHECK(at(0, 0, x, 5, 9) == ramp(40.0 - 16 + double(x), 41.0 - 16 + 5, 42.0 - 16 + 9));
    CHECK(at(0, 1, x, 5, 9) == Approx(ramp(40.0 - 32 + 2.0 * double(x) + 0.5, 41.0 - 32 + 10.5, 42.0 - 32 + 18.5)));
  }
  // Both channels have their centre between samples 15 and 16, at the same point.
  const double fineCentre = 0.5 * (at(0, 0, 15, 15, 15) + at(0, 0, 16, 16, 16));
  const double contextCentre = 0.5 * (at(0, 1, 15, 15, 15) + at(0, 1, 16, 16, 16));
  CHECK(fineCentre == Approx(contextCentre));
  // Outside the grid: air, in both channels.
  CHECK(at(1, 0, 0, 16, 16) == -1000.0f);   // i = 10 - 16 < 0
  CHECK(at(1, 1, 10, 16, 16) == -1000.0f);  // block i = -2, -1
  CHECK(at(1, 1, 11, 16, 16) == Approx(ramp(0.5, 40.5, 40.5)));
  // The plain call is the one-channel patch.
  const Tensor plain = cutPatches(scan, {scan.grid.ijkToLps({40, 41, 42})}, p);
  REQUIRE(plain.shape == std::vector<std::int64_t>{1, 1, 32, 32, 32});
  CHECK(std::equal(plain.data.begin(), plain.data.end(), t.data.begin()));
}

TEST_CASE("FROC and CPM follow the LUNA16 rules", "[ai][froc]") {
  ScanForEvaluation a, b;
  a.reference = {{"A1", {0, 0, 0}, 10, "solid", 4, true}, {"A2", {50, 0, 0}, 6, "solid", 1, false}};
  b.reference = {{"B1", {0, 0, 0}, 8, "solid", 4, true}};
  a.detections = {{{1, 0, 0}, 0.9}, {{2, 0, 0}, 0.8},   // two hits on A1: one TP, the second ignored
                  {{50, 1, 0}, 0.7},                    // on a nodule that does not count: ignored
                  {{100, 0, 0}, 0.6}};                  // false positive
  b.detections = {{{30, 0, 0}, 0.95}, {{0, 3, 0}, 0.5}}; // FP first, then the hit
  const FrocResult r = computeFroc({a, b});
  CHECK(r.nodules == 2);
  // Steps: 0.95 FP (0.5 FP/scan, sens 0), 0.9 TP (0.5, 0.5), 0.8 ignored hit, 0.6 FP (1.0, 0.5), 0.5 TP (1.0, 1.0).
  REQUIRE(r.points.size() == 7);
  CHECK(r.points[0].sensitivity == 0.0);  // 1/8
  CHECK(r.points[1].sensitivity == 0.0);  // 1/4
  CHECK(r.points[2].sensitivity == 0.5);  // 1/2
  CHECK(r.points[3].sensitivity == 1.0);  // 1
  CHECK(r.points[3].threshold == 0.5);
  CHECK(r.points[6].sensitivity == 1.0);
  CHECK(r.cpm == Approx((0 + 0 + 0.5 + 1 + 1 + 1 + 1) / 7.0));
}

TEST_CASE("detector output becomes review findings field by field, at the manifest's operating points", "[ai][review]") {
  NoduleFinding n;
  n.id = "F7";
  n.centerLps = {-31.5, 12.25, -140.0};
  n.diameterMm = 50;
  n.solidDiameterMm = 4.5;
  n.volumeMm3 = 3210;
  n.type = "part-solid";
  n.score = 0.93;
  n.probability = 0.41;
  n.meanHu = -420;
  n.sizeCapped = true;
  n.sizeSource = "mask";
  DetectionResult r;
  r.backend = "torchscript-cpu";
  r.warnings = {"the scan covers 37.5 mm along z"};
  r.findings = {n};
  ModelManifest m;
  m.name = "lightbox-nodule";
  m.version = "1.0.0";
  m.weightsSha256 = std::string(64, 'c');
  m.licence = "Apache-2.0";
  m.intendedUse = "screening CT";
  m.threshold = 0.5;
  m.operatingPoints = {{0.25, 0.9, 0.6}, {1.0, 0.7, 0.8}, {8.0, 0.3, 0.9}};

  const DetectionFindings d = findingsFromDetection(r, m, 2.0, "2026-11-30T12:00:00Z");
  CHECK(d.run.model == "lightbox-nodule");
  CHECK(d.run.modelVersion == "1.0.0");
  CHECK(d.run.modelSha256 == m.weightsSha256);
  CHECK(d.run.backend == "torchscript-cpu");
  CHECK(d.run.licence == "Apache-2.0");
  CHECK(d.run.intendedUse == "screening CT");
  CHECK(d.run.warnings == r.warnings);
  CHECK(d.run.fpPerScan == 2.0);
  CHECK(d.run.ranAt == "2026-11-30T12:00:00Z");
  CHECK(d.run.operatingPoints == std::vector<std::pair<double, double>>{{0.25, 0.9}, {1.0, 0.7}, {8.0, 0.3}});
  REQUIRE(d.findings.size() == 1);
  const Finding& f = d.findings[0];
  CHECK(f.id == "F7");
  CHECK(f.centerLps == n.centerLps);
  CHECK(f.diameterMm == 50);
  CHECK(f.solidDiameterMm == 4.5);
  CHECK(f.volumeMm3 == 3210);
  CHECK(f.type == "part-solid");
  CHECK(f.score == 0.93);
  CHECK(f.probability == 0.41);
  CHECK(f.sizeCapped);
  CHECK(f.sizeSource == "mask");
  CHECK(f.state == FindingState::Proposed);

  // The run and the manifest agree on the threshold at every operating point, and between them.
  for (const double fp : {0.1, 0.25, 0.5, 1.0, 2.0, 7.99, 8.0, 100.0}) {
    FindingsRun run = d.run;
    run.fpPerScan = fp;
    CHECK(run.threshold() == m.thresholdForFpPerScan(fp));
  }
  CHECK(m.thresholdForFpPerScan(0.1) == 0.9); // below every point: the strictest

  const std::string now = findingsFromDetection(r, m, 1.0).run.ranAt;
  REQUIRE(now.size() == 20);
  CHECK(now[4] == '-');
  CHECK(now[10] == 'T');
  CHECK(now[19] == 'Z');
}

TEST_CASE("the radial profile types a nodule by its solid share: both sides of each cut", "[ai][nodule][reference]") {
  // Issue 25: the solid / part-solid cut (solid core >= 0.7 of the whole) and the ground-glass one
  // (core < 0.25 of the whole), each checked on both sides with spheres of known radii: a ground-glass
  // sphere of 8 mm radius (-550 HU) in aerated lung (-850 HU) around a solid core (+30 HU).
  auto typeOf = [](double coreRadiusMm) {
    PreparedScan scan;
    scan.grid.size = {64, 64, 64};
    scan.grid.spacing = {0.5, 0.5, 0.5};
    scan.hu.size = {64, 64, 64};
    scan.hu.data.assign(64 * 64 * 64, -850.0f);
    scan.lung.assign(64 * 64 * 64, 1);
    const Vec3 centre = scan.grid.ijkToLps({32, 32, 32});
    for (std::size_t k = 0; k < 64; ++k)
      for (std::size_t j = 0; j < 64; ++j)
        for (std::size_t i = 0; i < 64; ++i) {
          const double r = 0.5 * std::sqrt(double((i - 32.0) * (i - 32.0) + (j - 32.0) * (j - 32.0) + (k - 32.0) * (k - 32.0)));
          float& v = scan.hu.data[i + 64 * (j + 64 * k)];
          if (r <= coreRadiusMm) v = 30.0f;
          else if (r <= 8.0) v = -550.0f;
        }
    const NoduleMeasurement m = measureNodule(scan, centre, 8.0);
    INFO("core " << coreRadiusMm << " mm: " << m.type << ", " << m.diameterMm << " mm, solid " << m.solidDiameterMm);
    return m.type;
  };
  CHECK(typeOf(7.2) == "solid");       // core 0.9 of the whole
  CHECK(typeOf(6.0) == "solid");       // 0.75
  CHECK(typeOf(5.2) == "part-solid");  // 0.65: a cut moved to 0.5 calls it solid
  CHECK(typeOf(4.4) == "part-solid");  // 0.55
  CHECK(typeOf(2.4) == "part-solid");  // 0.3
  CHECK(typeOf(1.2) == "ground-glass"); // 0.15
}
