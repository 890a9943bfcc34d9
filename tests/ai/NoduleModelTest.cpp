// SPDX-License-Identifier: Apache-2.0
// The shipped nodule model (resources/models): hash-verified load, golden output from C++, and
// detection on real data (the LIDC slab's nodule against its readers) and on the phantom.
#include "ai/nodule/DetectionFindings.h"
#include "ai/nodule/Froc.h"
#include "ai/nodule/MaskSizing.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/nodule/ReferenceNodules.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "ai/segmentation/LesionModelEngine.h"
#include "core/annotation/AnnotationStore.h"
#include "core/phantom/ChestPhantom.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/LabelMap.h"
#include "core/segmentation/SegmentTools.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace lightbox;

namespace {

const std::string kLidc = "ct/chest_lidc-idri-0001_nodule_slab";

ModelEntry shippedModel() {
  return findModel("lightbox-nodule", {std::string(LIGHTBOX_SOURCE_DIR) + "/resources/models"});
}

/// ai/training/nodule_model.py golden_input(), rebuilt from the same formula: (2, 2, 32, 32, 32),
/// sample 0 a ball (half the radius in the context channel), sample 1 stripes in both channels.
Tensor goldenInput() {
  constexpr std::size_t kVolume = 32 * 32 * 32;
  Tensor t;
  t.shape = {2, 2, 32, 32, 32};
  t.data.resize(4 * kVolume);
  for (int z = 0; z < 32; ++z)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const float r2 = float((x - 15.5) * (x - 15.5) + (y - 15.5) * (y - 15.5) + (z - 15.5) * (z - 15.5));
        const std::size_t q = std::size_t(x + 32 * (y + 32 * z));
        const float stripes = std::sin(0.3f * float(x)) * 0.5f + std::cos(0.2f * float(y)) * 0.25f - float(z) / 64.0f;
        t.data[q] = std::exp(-r2 / (2.0f * 16.0f)) * 1.6f - 0.8f;
        t.data[kVolume + q] = std::exp(-r2 / (2.0f * 4.0f)) * 1.6f - 0.8f;
        t.data[2 * kVolume + q] = stripes;
        t.data[3 * kVolume + q] = stripes;
      }
  return t;
}

} // namespace

TEST_CASE("the shipped nodule model loads hash-verified and reproduces its golden output", "[ai][model]") {
  const ModelEntry entry = shippedModel();
  CHECK(entry.manifest.task == "lung-nodule-candidate-classification");
  CHECK(entry.manifest.operatingPoints.size() == 7);
  // Issue 24: the patch and its context at twice the extent; the score is a calibrated probability.
  CHECK(entry.manifest.inputChannels == 2);
  CHECK(entry.manifest.patchScales == std::vector<int>{1, 2});
  CHECK(entry.manifest.calibration == "platt");
  const auto runner = loadVerifiedModel(entry, 2);
  std::ifstream f(std::string(LIGHTBOX_SOURCE_DIR) + "/tests/ai/golden/lightbox-nodule.json");
  REQUIRE(f);
  const nlohmann::json golden = nlohmann::json::parse(f);
  CHECK(golden.at("sha256") == entry.manifest.weightsSha256);
  const Tensor y = runner->run(goldenInput());
  REQUIRE(y.data.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(y.data[i] == Approx(golden.at("logits").at(i).get<double>()).margin(1e-4));
  }
  CHECK(y.data[0] > y.data[1]); // the ball looks more like a nodule than the stripes
}

TEST_CASE("detection finds the real LIDC nodule the four readers outlined, and warns about coverage", "[ai][model]") {
  const ModelEntry entry = shippedModel();
  const auto runner = loadVerifiedModel(entry, 2);
  const Volume v = loadPath(test::sharedData(kLidc + "/dicom")).volumes.at(0);
  const DetectionResult r = detectNodules(v, {"CT", 2.5}, entry.manifest, *runner);
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(), Catch::Contains("covers 37.5 mm along z"));
  const std::vector<ReferenceNodule> ref = readReferenceNodules(test::sharedData(kLidc + "/annotations/069.xml"), v.geometry);
  REQUIRE(ref.size() == 1);
  const NoduleFinding* hit = nullptr;
  for (const NoduleFinding& f : r.findings) {
    if (norm(f.centerLps - ref[0].centerLps) <= ref[0].diameterMm / 2) {
      hit = &f;
      break;
    }
  }
  REQUIRE(hit != nullptr);
  INFO(hit->id << " score " << hit->score << " diameter " << hit->diameterMm << " vs readers " << ref[0].diameterMm);
  CHECK(hit->score >= entry.manifest.thresholdForFpPerScan(8.0));
  CHECK(hit->diameterMm == Approx(ref[0].diameterMm).epsilon(0.5));
}

TEST_CASE("a finding is sized on the lesion engine's mask as segmenting it gives and the profile stays the fallback",
          "[ai][model][size]") {
  // Issue 24: the Lung-RADS a finding proposes uses the size the reader sees after segmenting it.
  const ModelEntry entry = shippedModel();
  const auto runner = loadVerifiedModel(entry, 2);
  const Volume v = loadPath(test::sharedData(kLidc + "/dicom")).volumes.at(0);
  DetectionResult r = detectNodules(v, {"CT", 2.5}, entry.manifest, *runner);
  const std::vector<ReferenceNodule> ref = readReferenceNodules(test::sharedData(kLidc + "/annotations/069.xml"), v.geometry);
  REQUIRE(ref.size() == 1);
  REQUIRE(!r.findings.empty());
  for (const NoduleFinding& f : r.findings) CHECK(f.sizeSource == "profile");
  const double threshold = entry.manifest.thresholdForFpPerScan(1.0);
  const auto onNodule = [&](const NoduleFinding& f) {
    return norm(f.centerLps - ref[0].centerLps) <= ref[0].diameterMm / 2;
  };
  const auto found = std::find_if(r.findings.begin(), r.findings.end(), onNodule);
  REQUIRE(found != r.findings.end());
  REQUIRE(found->score >= threshold);
  const NoduleFinding candidate = *found; // where the detector put it
  // A second candidate on the same nodule, 1.5 mm off and scoring a little lower (a small nodule's
  // two ends on a thick-slice CT, the edge of a large one): the same lesion, merged into it.
  NoduleFinding second = candidate;
  second.id = "second";
  second.centerLps = candidate.centerLps + Vec3{1.5, 0.0, 0.0};
  second.logit = candidate.logit - 1e-3;
  second.score = second.probability = std::max(threshold, candidate.score - 1e-6);
  r.findings.insert(found + 1, second);
  NoduleFinding outside = r.findings.front();
  outside.id = "outside";
  outside.centerLps = v.geometry.ijkToLps({-500.0, -500.0, -500.0}); // the engine refuses the click
  r.findings.push_back(outside);
  const std::size_t before = r.findings.size();

  std::string why;
  const std::unique_ptr<LesionModelEngine> engine = loadLesionModel(why, 2);
  REQUIRE(engine);
  const std::size_t sized = sizeFindingsFromMasks(r, v, *engine, threshold);
  CHECK(r.mergedFindings >= 1);
  CHECK(r.findings.size() < before);
  CHECK(std::none_of(r.findings.begin(), r.findings.end(),
                     [&](const NoduleFinding& f) { return f.logit == second.logit; }));
  for (std::size_t n = 0; n < r.findings.size(); ++n) {
    CHECK(r.findings[n].id == "F" + std::to_string(n + 1)); // numbered again by rank
  }
  REQUIRE(std::count_if(r.findings.begin(), r.findings.end(), onNodule) == 1);
  const auto hit = std::find_if(r.findings.begin(), r.findings.end(), onNodule);
  CHECK(hit->logit == candidate.logit);
  CHECK(sized >= 1);
  CHECK(hit->sizeSource == "mask");
  CHECK_FALSE(hit->sizeCapped);
  CHECK(r.findings.back().sizeSource == "profile"); // the engine threw: the profile size stands
  for (const NoduleFinding& f : r.findings) {
    if (f.score < threshold) CHECK(f.sizeSource == "profile"); // below the operating point: not segmented
  }

  // What the reader gets with "Segment finding": the same engine at the same point, written into
  // the series' label map and measured there.
  LabelMap labels(v.geometry);
  const LesionMask lesion = engine->segment(v, candidate.centerLps);
  writeMask(labels, lesion.box, lesion.mask, 1);
  const SegmentStats st = measureSegment(labels, 1);
  CHECK(hit->diameterMm == Approx(std::round(5.0 * (st.longAxisMm + st.shortAxisMm)) / 10.0).margin(1e-9));
  CHECK(hit->volumeMm3 == Approx(st.volumeMl * 1000.0).epsilon(1e-9));
  // The marker moved to the mask's centroid, on the mask, nearer the readers' centre than the
  // filter maximum or as near.
  CHECK(norm(hit->centerLps - st.centroidLps) < 1e-6);
  INFO("readers' centre to the candidate " << norm(candidate.centerLps - ref[0].centerLps)
                                           << " mm, to the finding "
                                           << norm(hit->centerLps - ref[0].centerLps) << " mm");
  CHECK(norm(hit->centerLps - ref[0].centerLps) <=
        norm(candidate.centerLps - ref[0].centerLps) + 0.5);
  INFO("mask diameter " << hit->diameterMm << " mm vs the four readers' " << ref[0].diameterMm << " mm");
  CHECK(hit->diameterMm == Approx(ref[0].diameterMm).epsilon(0.25));

  // The size source reaches the review.
  const DetectionFindings detected = findingsFromDetection(r, entry.manifest, 1.0);
  CHECK(detected.findings[std::size_t(hit - r.findings.begin())].sizeSource == "mask");
}

TEST_CASE("detection on the LIDC slab with a frame of reference per slice gives the original's findings",
          "[ai][model][frame-of-reference]") {
  const ModelEntry entry = shippedModel();
  const auto runner = loadVerifiedModel(entry, 2);
  const std::string copy = test::scratchFolder("lidc-for-per-slice");
  REQUIRE(test::copyWithFrameOfReferencePerSlice(test::sharedData(kLidc + "/dicom"), copy) == 16);
  const LoadedSeries perSlice = loadPath(copy);
  REQUIRE(perSlice.volumes.size() == 1);
  REQUIRE(perSlice.volumes[0].geometry.size[2] == 16);
  const Volume original = loadPath(test::sharedData(kLidc + "/dicom")).volumes.at(0);
  const DetectionResult a = detectNodules(original, {"CT", 2.5}, entry.manifest, *runner);
  const DetectionResult b = detectNodules(perSlice.volumes[0], {"CT", 2.5}, entry.manifest, *runner);
  REQUIRE(!a.findings.empty());
  REQUIRE(a.findings.size() == b.findings.size());
  CHECK(a.candidates == b.candidates);
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    INFO("finding " << a.findings[i].id);
    CHECK(a.findings[i].id == b.findings[i].id);
    CHECK(norm(a.findings[i].centerLps - b.findings[i].centerLps) < 1e-9);
    CHECK(a.findings[i].diameterMm == Approx(b.findings[i].diameterMm).margin(1e-9));
    CHECK(a.findings[i].type == b.findings[i].type);
    CHECK(a.findings[i].score == Approx(b.findings[i].score).margin(1e-6));
  }
}

TEST_CASE("detector output on the LIDC slab becomes a review with provenance that the session reads at the "
          "manifest's operating points", "[ai][model][review]") {
  const ModelEntry entry = shippedModel();
  const auto runner = loadVerifiedModel(entry, 2);
  const Volume v = loadPath(test::sharedData(kLidc + "/dicom")).volumes.at(0);
  const DetectionResult r = detectNodules(v, {"CT", 2.5}, entry.manifest, *runner);
  const DetectionFindings detected = findingsFromDetection(r, entry.manifest, 1.0);
  CHECK(detected.run.model == entry.manifest.name);
  CHECK(detected.run.modelSha256 == entry.manifest.weightsSha256);
  CHECK(detected.run.warnings == r.warnings);
  CHECK(detected.run.ranAt.size() == 20); // 2026-11-30T22:11:41Z
  REQUIRE(detected.findings.size() == r.findings.size());

  const AnnotationStore store(test::scratchFolder("lidc-review"));
  ReadingSession s = ReadingSession::open(store, "lidc-slab");
  s.applyDetection(detected.run, detected.findings);
  for (const double fp : {0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    s.setFpPerScan(fp);
    const double threshold = entry.manifest.thresholdForFpPerScan(fp);
    const auto expected = std::count_if(r.findings.begin(), r.findings.end(),
                                        [&](const NoduleFinding& f) { return f.score >= threshold; });
    CHECK(s.visibleFindings().size() == std::size_t(expected));
  }
  // The readers' nodule, accepted and measured, drives the decision support; the review reopens.
  const std::vector<ReferenceNodule> ref = readReferenceNodules(test::sharedData(kLidc + "/annotations/069.xml"), v.geometry);
  REQUIRE(ref.size() == 1);
  const Finding* hit = nullptr;
  for (const Finding& f : s.findings()) {
    if (norm(f.centerLps - ref[0].centerLps) <= ref[0].diameterMm / 2) {
      hit = &f;
      break;
    }
  }
  REQUIRE(hit != nullptr);
  const std::string id = hit->id;
  const int m = s.editFinding(id, {1, 0, 0}, {0, 1, 0});
  Measurement across = *s.measurement(m);
  across.points[1] = across.points[0] + Vec3{ref[0].diameterMm, 0, 0};
  s.replaceMeasurement(across, "Move handle");
  const DecisionSupportInputs d = s.decisionSupport();
  REQUIRE(d.nodules.size() == 1);
  CHECK(d.nodules[0].diameterMm == Approx(ref[0].diameterMm));
  CHECK(d.lungRads.nodule == id);
  CHECK(ReadingSession::open(store, "lidc-slab").review() == s.review());
}
