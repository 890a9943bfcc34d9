// SPDX-License-Identifier: Apache-2.0
// Nodule growth against a prior: matching through the registration, volume change, doubling time
// and the Lung-RADS v2022 follow-up rules. Answers computed by hand in the comments.
#include "core/clinical/Growth.h"
#include "core/clinical/LungRads.h"
#include "core/review/ReadingSession.h"
#include "core/review/ReviewGrowth.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace lightbox;

namespace {

constexpr double kPi = 3.14159265358979323846;

GrowthNodule nodule(const std::string& id, Vec3 c, double d, double volume = 0, const std::string& type = "solid") {
  GrowthNodule n;
  n.id = id;
  n.centerLps = c;
  n.diameterMm = d;
  n.volumeMm3 = volume;
  n.type = type;
  n.solidDiameterMm = type == "solid" ? d : 0;
  return n;
}

/// The prior lies 20 mm further along L and 10 mm further along P (a table and patient shift).
RegistrationTransform shift(Vec3 t) {
  RegistrationTransform x;
  x.translation = t;
  return x;
}

const GrowthResult& byId(const std::vector<GrowthResult>& rs, const std::string& id) {
  for (const GrowthResult& r : rs) {
    if (r.currentId == id) return r;
  }
  FAIL("no result for " << id);
  return rs.front();
}

} // namespace

TEST_CASE("volume-doubling time is interval * ln 2 / ln(V / Vprior)", "[growth]") {
  CHECK(volumeDoublingTimeDays(100, 200, 100) == Approx(100)); // doubled in 100 days
  CHECK(volumeDoublingTimeDays(100, 400, 100) == Approx(50));  // two doublings
  CHECK(std::isinf(volumeDoublingTimeDays(100, 100, 100)));    // unchanged: never doubles
  CHECK(volumeDoublingTimeDays(200, 100, 100) == Approx(-100)); // halved: negative
  CHECK(std::isnan(volumeDoublingTimeDays(0, 100, 100)));

  GrowthInputs in;
  in.current = {nodule("F1", {0, 0, 0}, 8, 200)};
  in.prior = {nodule("P1", {0, 0, 0}, 6.4, 100)};
  in.intervalDays = 100;
  const GrowthResult r = assessGrowth(in).front();
  CHECK(r.volumeSource == "mask");
  CHECK(r.volumeChangeMm3 == Approx(100));
  CHECK(r.volumeChangePercent == Approx(100));
  REQUIRE(r.doublingTimeDays);
  CHECK(*r.doublingTimeDays == Approx(100));

  in.current[0].volumeMm3 = 80; // shrank: no doubling time, said so
  const GrowthResult s = assessGrowth(in).front();
  CHECK(!s.doublingTimeDays);
  CHECK_THAT(s.doublingNote, Catch::Contains("shrinking"));
  CHECK(s.volumeChangePercent == Approx(-20));

  in.current[0].volumeMm3 = 100; // unchanged
  CHECK_THAT(assessGrowth(in).front().doublingNote, Catch::Contains("stable"));

  in.intervalDays.reset(); // a study date missing: no rate, the change is still there
  const GrowthResult u = assessGrowth(in).front();
  CHECK(!u.doublingTimeDays);
  CHECK(!u.intervalDays);
  CHECK_THAT(u.doublingNote, Catch::Contains("interval unknown"));
}

TEST_CASE("without masks on both the volume is the axes' ellipsoid", "[growth]") {
  GrowthNodule a = nodule("F1", {0, 0, 0}, 9, 300); // a mask volume here only
  a.longAxisMm = 10;
  a.shortAxisMm = 8;
  const GrowthNodule b = nodule("P1", {0, 0, 0}, 6); // no axes: a sphere of 6 mm
  CHECK(ellipsoidVolumeMm3(a) == Approx(kPi / 6 * 10 * 8 * 8)); // 335.1 mm3
  CHECK(ellipsoidVolumeMm3(b) == Approx(kPi / 6 * 216));       // 113.1 mm3
  GrowthInputs in{{a}, {b}, {}, 365.0};
  const GrowthResult r = assessGrowth(in).front();
  CHECK(r.volumeSource == "ellipsoid"); // never a mask against an ellipsoid
  CHECK(r.volumeMm3 == Approx(335.103).epsilon(1e-4));
  CHECK(r.priorVolumeMm3 == Approx(113.097).epsilon(1e-4));
  CHECK(r.volumeChangePercent == Approx(100.0 * (640.0 / 216.0 - 1.0))); // 196.3 %
  // 365 * ln 2 / ln(640 / 216) = 232.9 days
  REQUIRE(r.doublingTimeDays);
  CHECK(*r.doublingTimeDays == Approx(365 * std::log(2.0) / std::log(640.0 / 216.0)));
  CHECK(*r.doublingTimeDays == Approx(232.9).epsilon(1e-3));
}

TEST_CASE("a nodule moved by the transform is matched and one with no prior near it is new", "[growth]") {
  GrowthInputs in;
  in.currentLpsToPriorLps = shift({20, 10, 0});
  in.current = {nodule("F1", {-50, 30, -100}, 6), nodule("F2", {60, 20, -150}, 5)};
  // P1 is F1 moved by the transform and 1 mm off (3-4-0 is not needed: 1 mm along S).
  in.prior = {nodule("P1", {-30, 40, -99}, 6), nodule("P2", {60, 20, -150}, 5)};
  const std::vector<GrowthResult> rs = assessGrowth(in);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].priorId == "P1");
  CHECK(rs[0].matchDistanceMm == Approx(1.0));
  CHECK(rs[0].status == GrowthStatus::Stable);
  // F2 maps to (80, 30, -150): 22.4 mm from P2, beyond its 5 mm tolerance. Without the transform
  // it would have matched P2 exactly.
  CHECK(rs[1].priorId.empty());
  CHECK(rs[1].status == GrowthStatus::New);
  CHECK(std::string(toString(rs[1].status)) == "new");
}

TEST_CASE("the match tolerance is max(5 mm, half the larger diameter)", "[growth]") {
  CHECK(matchToleranceMm(4, 6) == 5);
  CHECK(matchToleranceMm(24, 20) == 12);
  GrowthInputs in;
  in.current = {nodule("F1", {0, 0, 0}, 24)};
  in.prior = {nodule("P1", {11.5, 0, 0}, 20)}; // 11.5 mm: within 12 mm
  CHECK(assessGrowth(in).front().priorId == "P1");
  in.prior[0].centerLps = {12.5, 0, 0};
  CHECK(assessGrowth(in).front().priorId.empty());
  in.current[0].diameterMm = in.prior[0].diameterMm = 4; // small: the 5 mm floor
  in.prior[0].centerLps = {4.9, 0, 0};
  CHECK(assessGrowth(in).front().priorId == "P1");
  in.prior[0].centerLps = {5.1, 0, 0};
  CHECK(assessGrowth(in).front().priorId.empty());
}

TEST_CASE("matching is one-to-one, the closest pair first", "[growth]") {
  GrowthInputs in;
  // Both current nodules are within 5 mm of P1; F2 is closer (1 mm against 3 mm), so F2 takes it
  // and F1 falls to P2 (4 mm away), not to nothing and not to P1 twice.
  in.current = {nodule("F1", {0, 0, 0}, 5), nodule("F2", {4, 0, 0}, 5)};
  in.prior = {nodule("P1", {3, 0, 0}, 5), nodule("P2", {-4, 0, 0}, 5)};
  const std::vector<GrowthResult> rs = assessGrowth(in);
  CHECK(byId(rs, "F2").priorId == "P1");
  CHECK(byId(rs, "F2").matchDistanceMm == Approx(1));
  CHECK(byId(rs, "F1").priorId == "P2");
  CHECK(byId(rs, "F1").matchDistanceMm == Approx(4));

  in.prior.pop_back(); // only P1 left: F1 has no partner and is new
  const std::vector<GrowthResult> one = assessGrowth(in);
  CHECK(byId(one, "F2").priorId == "P1");
  CHECK(byId(one, "F1").status == GrowthStatus::New);
}

TEST_CASE("growth status follows the v2022 1.5 mm mean-diameter rule", "[growth]") {
  GrowthInputs in;
  in.intervalDays = 180;
  in.current = {nodule("F1", {0, 0, 0}, 8.1)};
  in.prior = {nodule("P1", {0, 0, 0}, 6.5)};
  GrowthResult r = assessGrowth(in).front();
  CHECK(r.diameterChangeMm == Approx(1.6));
  CHECK(r.status == GrowthStatus::Growing); // +1.6 mm > 1.5 mm
  CHECK_THAT(r.statusRule, Catch::Contains("+1.6 mm") && Catch::Contains("180 days"));
  in.current[0].diameterMm = 8.0; // +1.5 mm exactly: not more than 1.5 mm
  CHECK(assessGrowth(in).front().status == GrowthStatus::Stable);
  in.current[0].diameterMm = 4.9; // -1.6 mm
  CHECK(assessGrowth(in).front().status == GrowthStatus::Decreased);
  in.current[0].diameterMm = 9.0;
  in.intervalDays = 500; // over more than 12 months: still growing, flagged
  r = assessGrowth(in).front();
  CHECK(r.status == GrowthStatus::Growing);
  CHECK_THAT(r.statusRule, Catch::Contains("more than 12 months"));
}

TEST_CASE("study dates give the interval in days", "[growth]") {
  CHECK(daysBetweenStudyDates("20250101", "20260101") == 365.0);
  CHECK(daysBetweenStudyDates("2024-02-28", "2024-03-01") == 2.0); // a leap year
  CHECK(daysBetweenStudyDates("20260301", "20260601") == 92.0);
  CHECK(!daysBetweenStudyDates("", "20260101"));
  CHECK(!daysBetweenStudyDates("2026", "20260101"));
  CHECK(!daysBetweenStudyDates("20261301", "20260101"));
}

TEST_CASE("Lung-RADS v2022 follow-up: new, growing and stable nodules", "[growth][clinical]") {
  auto cat = [](AcceptedNodule n, NoduleChange c) {
    c.id = n.id;
    return suggestLungRads({n}, {c}).category;
  };
  const NoduleChange isNew{"", "new", 365, "", 0, 0};
  // New solid: < 4 mm 2, 4 to < 6 mm 3, 6 to < 8 mm 4A, >= 8 mm 4B (baseline would say 2, 2, 3, 4A).
  CHECK(cat({"a", "solid", 3.9, 3.9}, isNew) == "2");
  CHECK(cat({"a", "solid", 4.0, 4.0}, isNew) == "3");
  CHECK(cat({"a", "solid", 5.9, 5.9}, isNew) == "3");
  CHECK(cat({"a", "solid", 6.0, 6.0}, isNew) == "4A");
  CHECK(cat({"a", "solid", 8.0, 8.0}, isNew) == "4B");
  // Growing solid: < 8 mm 4A, >= 8 mm 4B.
  const NoduleChange growing{"", "growing", 365, "solid", 5.0, 5.0};
  CHECK(cat({"a", "solid", 7.0, 7.0}, growing) == "4A");
  CHECK(cat({"a", "solid", 8.0, 8.0}, growing) == "4B");
  CHECK(cat({"a", "solid", 5.0, 5.0}, growing) == "4A"); // < 6 mm: 2 at baseline, 4A when growing
  // Stable: stepped management. 4A stable at the 3-month follow-up -> 3; 3 stable at 6 months -> 2.
  CHECK(cat({"a", "solid", 10.0, 10.0}, {"", "stable", 90, "solid", 10.0, 10.0}) == "3");
  CHECK(cat({"a", "solid", 10.0, 10.0}, {"", "stable", 30, "solid", 10.0, 10.0}) == "4A"); // too soon
  CHECK(cat({"a", "solid", 10.0, 10.0}, {"", "stable", -1, "solid", 10.0, 10.0}) == "4A"); // unknown interval
  CHECK(cat({"a", "solid", 7.0, 7.0}, {"", "stable", 180, "solid", 7.0, 7.0}) == "2");
  CHECK(cat({"a", "solid", 7.0, 7.0}, {"", "decreased", 180, "solid", 9.0, 9.0}) == "2");
  CHECK(cat({"a", "solid", 7.0, 7.0}, {"", "stable", 90, "solid", 7.0, 7.0}) == "3");
  CHECK(cat({"a", "solid", 16.0, 16.0}, {"", "stable", 365, "solid", 16.0, 16.0}) == "4B"); // until proven benign
  // Stable by the growth rule (+1.0 mm) but across the 8 mm threshold: categorised by size.
  CHECK(cat({"a", "solid", 8.2, 8.2}, {"", "stable", 90, "solid", 7.2, 7.2}) == "4A");
  // Part-solid: new < 6 mm total 3; a new or growing solid component < 4 mm 4A, >= 4 mm 4B.
  CHECK(cat({"a", "part-solid", 5.0, 2.0}, isNew) == "3");
  CHECK(cat({"a", "part-solid", 10.0, 3.0}, isNew) == "4A");
  CHECK(cat({"a", "part-solid", 10.0, 4.0}, isNew) == "4B");
  CHECK(cat({"a", "part-solid", 10.0, 3.0}, {"", "stable", 365, "ground-glass", 10.0, 0}) == "4A");
  CHECK(cat({"a", "part-solid", 12.0, 5.0}, {"", "growing", 365, "part-solid", 10.0, 3.0}) == "4B");
  CHECK(cat({"a", "part-solid", 12.0, 5.0}, {"", "stable", 365, "part-solid", 12.0, 5.0}) == "2"); // 3 stable -> 2
  // The whole grew, the solid component by 1.5 mm only (not more): its size decides, no step down.
  CHECK(cat({"a", "part-solid", 12.0, 5.0}, {"", "growing", 365, "part-solid", 10.0, 3.5}) == "3");
  CHECK(cat({"a", "part-solid", 12.0, 5.1}, {"", "growing", 365, "part-solid", 10.0, 3.5}) == "4B"); // +1.6 mm
  // Ground-glass: < 30 mm 2 however it behaves; >= 30 mm new 3, stable 2.
  CHECK(cat({"a", "ground-glass", 20.0, 0}, {"", "growing", 365, "ground-glass", 15.0, 0}) == "2");
  CHECK(cat({"a", "ground-glass", 31.0, 0}, isNew) == "3");
  CHECK(cat({"a", "ground-glass", 31.0, 0}, {"", "stable", 365, "ground-glass", 31.0, 0}) == "2");

  // The exam's category is the worst nodule's; nodules without a comparison keep the baseline rule.
  const LungRadsSuggestion s = suggestLungRads({{"F1", "solid", 5.0, 5.0}, {"F2", "solid", 6.5, 6.5}},
                                               {{"F1", "growing", 200, "solid", 3.0, 3.0}});
  CHECK(s.category == "4A");
  CHECK(s.nodule == "F1");
  CHECK_THAT(s.rule, Catch::Contains("growing solid nodule 5.0 mm (from 3.0 mm) < 8 mm") && Catch::Contains("follow-up"));
  CHECK_THAT(s.management, Catch::Contains("3 months"));
  CHECK(suggestLungRads({{"F1", "solid", 5.0, 5.0}}, {}) == suggestLungRads({{"F1", "solid", 5.0, 5.0}}));
}

TEST_CASE("growth results carry what Lung-RADS needs", "[growth][clinical]") {
  GrowthInputs in;
  in.intervalDays = 120;
  in.current = {nodule("F1", {0, 0, 0}, 9.0), nodule("F2", {50, 0, 0}, 6.5)};
  in.prior = {nodule("P1", {0, 0, 0}, 7.0)};
  const std::vector<GrowthResult> rs = assessGrowth(in);
  const std::vector<NoduleChange> changes = noduleChanges(rs);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0] == NoduleChange{"F1", "growing", 120, "solid", 7.0, 7.0});
  CHECK(changes[1].status == "new");
  const LungRadsSuggestion s = suggestLungRads({{"F1", "solid", 9.0, 9.0}, {"F2", "solid", 6.5, 6.5}}, changes);
  CHECK(s.category == "4B"); // growing >= 8 mm (F2, new 6.5 mm, is 4A)
  CHECK(s.nodule == "F1");
}

TEST_CASE("two reviews and a transform give growth in one call", "[growth][review]") {
  auto finding = [](const std::string& id, Vec3 c, double d, FindingState state) {
    Finding f;
    f.id = id;
    f.centerLps = c;
    f.diameterMm = d;
    f.type = "solid";
    f.state = state;
    f.score = 0.9;
    return f;
  };
  SeriesAnnotations current, prior;
  current.hasFindingsRun = prior.hasFindingsRun = true;
  current.findings = {finding("F1", {10, 20, 30}, 9.0, FindingState::Accepted),
                      finding("F2", {-60, 0, 0}, 5.0, FindingState::Rejected)};
  Finding masked = finding("F3", {40, 0, -20}, 6.0, FindingState::Accepted);
  masked.segmentLabel = 1;
  masked.maskLongAxisMm = 8.0;
  masked.maskShortAxisMm = 6.0; // mean 7.0 mm
  masked.maskVolumeMm3 = 180;
  current.findings.push_back(masked);
  // The prior was not reviewed (detected on demand): its proposals stand in.
  prior.findings = {finding("F1", {15, 20, 30}, 7.0, FindingState::Proposed)};
  const ReadingSession now(current), before(prior);
  const std::vector<GrowthResult> rs =
      assessReviewGrowth(now, before, shift({5, 0, 0}), "20260601", "20260301");
  REQUIRE(rs.size() == 2); // the rejected F2 is not assessed
  CHECK(rs[0].currentId == "F1");
  CHECK(rs[0].priorId == "F1");
  CHECK_FALSE(rs[0].priorConfirmed);
  CHECK(rs[0].matchDistanceMm == Approx(0));
  CHECK(rs[0].status == GrowthStatus::Growing); // 7.0 -> 9.0 mm
  REQUIRE(rs[0].intervalDays);
  CHECK(*rs[0].intervalDays == 92);
  // Spheres 7 and 9 mm: VDT = 92 ln 2 / ln((9/7)^3) = 84.6 days
  REQUIRE(rs[0].doublingTimeDays);
  CHECK(*rs[0].doublingTimeDays == Approx(92 * std::log(2.0) / (3 * std::log(9.0 / 7.0))));
  CHECK(rs[1].currentId == "F3");
  CHECK(rs[1].status == GrowthStatus::New);
  CHECK(rs[1].diameterMm == Approx(7.0));
  CHECK(rs[1].volumeMm3 == Approx(180));
}
