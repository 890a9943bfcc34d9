// SPDX-License-Identifier: Apache-2.0
// Growth end to end on real data: the LIDC-IDRI-0001 slab's review (its nodule segmented by the
// classical engine and accepted) is the current study; the prior is a saved-nowhere review of a
// synthetic earlier scan in which the same nodule lies 12, -8, 5 mm away (the registration's
// translation) with half the volume 100 days before. The growth goes through the report: Lung-RADS,
// report.json, the SR's evaluations and the PDF's text.
#include "app/report/FinalizeReport.h"
#include "core/report/MeasurementReportSr.h"
#include "core/review/ReviewGrowth.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace lightbox;

TEST_CASE("growth against a prior review goes through Lung-RADS, report.json, the SR and the PDF", "[report][growth]") {
  test::ReviewedSeries r = test::lidcReviewedSeries();
  const Finding* f1 = r.session->finding("F1");
  REQUIRE(f1);
  REQUIRE(f1->maskVolumeMm3 > 0);

  // The prior: the same nodule at half the volume (axes scaled by 2^-1/3), where the registration
  // puts it, and a second nodule far from anything now (it resolved).
  RegistrationTransform currentToPrior;
  currentToPrior.translation = {12, -8, 5};
  const double k = std::cbrt(0.5);
  Finding p1;
  p1.id = "P1";
  p1.centerLps = currentToPrior.apply(f1->centerLps);
  p1.diameterMm = f1->diameterMm * k;
  p1.type = "solid";
  p1.score = 0.9;
  p1.state = FindingState::Accepted;
  p1.segmentLabel = 1;
  p1.maskLongAxisMm = f1->maskLongAxisMm * k;
  p1.maskShortAxisMm = f1->maskShortAxisMm * k;
  p1.maskVolumeMm3 = f1->maskVolumeMm3 / 2;
  Finding p2 = p1;
  p2.id = "P2";
  p2.centerLps = p1.centerLps + Vec3{0, 0, 60};
  SeriesAnnotations priorReview;
  priorReview.hasFindingsRun = true;
  priorReview.findings = {p1, p2};
  const ReadingSession prior(priorReview);

  // The slab's study is of 2000-01-01; the synthetic prior 100 days before.
  REQUIRE(r.content.source.studyDate == "20000101");
  const std::vector<GrowthResult> growth =
      assessReviewGrowth(*r.session, prior, currentToPrior, r.content.source.studyDate, "19990923");
  REQUIRE(growth.size() == 2); // F1 accepted, F2 edited; F3 rejected and F4 undecided are not compared
  const GrowthResult& g1 = growth[0];
  CHECK(g1.currentId == "F1");
  CHECK(g1.priorId == "P1");
  CHECK(g1.matchDistanceMm == Approx(0).margin(1e-9));
  CHECK(g1.volumeSource == "mask");
  CHECK(g1.volumeChangePercent == Approx(100));
  REQUIRE(g1.intervalDays);
  CHECK(*g1.intervalDays == 100);
  REQUIRE(g1.doublingTimeDays);
  CHECK(*g1.doublingTimeDays == Approx(100)); // doubled in 100 days
  const double mean = r.session->effectiveDiameter(*f1);
  std::printf("growth: F1 mean diameter %.1f mm (prior %.1f mm), volume %.0f mm3 (prior %.0f mm3), VDT %.1f days\n",
              g1.diameterMm, g1.priorDiameterMm, g1.volumeMm3, g1.priorVolumeMm3, *g1.doublingTimeDays);
  CHECK(g1.diameterMm == Approx(mean));
  REQUIRE(mean >= 8.0); // the LIDC nodule: so a growing solid nodule >= 8 mm
  CHECK(g1.status == GrowthStatus::Growing);
  CHECK(growth[1].currentId == "F2");
  CHECK(growth[1].status == GrowthStatus::New); // P2 is 60 mm away: the one-to-one match leaves it

  // Lung-RADS with the prior: F1 growing solid >= 8 mm -> 4B; F2 a new ground-glass nodule < 30 mm -> 2.
  FinalizeOptions options;
  options.outputFolder = test::scratchFolder("report-growth");
  options.reader = "Doe^Jane";
  options.segmentUnmasked = false;
  options.growth = growth;
  options.priorStudyDate = "19990923";
  const AssembledSeries& series = selectSeries(*r.scan, "");
  const ReportPlan plan = planReport(*r.session, r.labels, r.image, reportSourceOf(series, r.image.geometry), options);
  REQUIRE(plan.content.findings.size() == 2);
  CHECK(plan.content.lungRads.category == "4B");
  CHECK(plan.content.lungRads.nodule == "F1");
  CHECK_THAT(plan.content.lungRads.rule, Catch::Contains("growing solid nodule"));
  CHECK(plan.content.findings[0].lungRadsCategory == "4B");
  CHECK(plan.content.findings[1].lungRadsCategory == "2");
  CHECK_THAT(plan.content.impression, Catch::Contains("growing since the prior (P1, 100 days earlier)") &&
                                          Catch::Contains("doubling time 100 days") &&
                                          Catch::Contains("follow-up rules against the prior"));

  const ReportResult result = writeReport(plan, r.image);
  std::ifstream in(result.folder + "/report.json");
  REQUIRE(in);
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j["lung_rads"] == "4B");
  CHECK(j["prior_study_date"] == "19990923");
  REQUIRE(j["growth"].size() == 2);
  CHECK(j["growth"][0]["id"] == "F1");
  CHECK(j["growth"][0]["prior_id"] == "P1");
  CHECK(j["growth"][0]["status"] == "growing");
  CHECK(j["growth"][0]["interval_days"] == 100.0);
  CHECK(j["growth"][0]["volume_doubling_time_days"].get<double>() == Approx(100));
  CHECK(j["growth"][0]["volume_change_percent"].get<double>() == Approx(100));
  CHECK(j["growth"][1]["status"] == "new");
  CHECK(j["growth"][1]["prior_id"].is_null());

  // The SR carries the growth as evaluations of each finding's group, and stays valid.
  const std::string srPath = result.folder + "/sr.dcm";
  const SrMeasurementReport sr = readMeasurementReportSr(srPath);
  REQUIRE(sr.groups.size() == 2);
  CHECK(sr.groups[0].evaluation("Growth since prior") == "growing");
  CHECK(sr.groups[0].evaluation("Volume doubling time") == "100 days");
  CHECK_THAT(sr.groups[0].evaluation("Matched prior finding"), Catch::StartsWith("P1"));
  CHECK_THAT(sr.groups[0].evaluation("Volume change"), Catch::StartsWith("+100 %"));
  CHECK(sr.groups[1].evaluation("Growth since prior") == "new");
  CHECK(sr.groups[0].evaluation("Lung-RADS category") == "4B");
  const test::Dciodvfy v = test::dciodvfy(srPath);
  INFO(v.output);
  CHECK(v.errors.empty());

  // The PDF's table of change.
  test::requireTool("pdftotext");
  const test::ToolRun text = test::runTool("pdftotext -layout '" + result.pdf + "' -");
  INFO(text.output);
  CHECK(text.output.find("Change since the prior of 1999-09-23") != std::string::npos);
  CHECK(text.output.find("100 days") != std::string::npos);
  CHECK(text.output.find("growing") != std::string::npos);
  CHECK(text.output.find("none (new)") != std::string::npos);
}

TEST_CASE("lightbox report --prior: growth through the saved or given registration, refused without one", "[report][growth]") {
  // The LIDC slab as its own prior (one real series is all the shared data has of this patient):
  // with the identity as the registration every accepted nodule matches itself, stable.
  test::ReviewedSeries r = test::lidcReviewedSeries(true);
  const std::string out = test::scratchFolder("report-cli-growth");
  const std::string transform = out + "/transform.json";
  saveTransform(RegistrationTransform{}, transform);
  const std::string base = std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" + out +
                           "/reports' --no-auto-mask --json --prior '" + r.folder + "'";
  const test::ToolRun refused = test::runTool(base);
  INFO(refused.output);
  CHECK(refused.status != 0);
  CHECK(refused.output.find("no registration of the prior") != std::string::npos);

  const test::ToolRun run = test::runTool(base + " --transform '" + transform + "'");
  INFO(run.output);
  REQUIRE(run.status == 0);
  std::ifstream in(out + "/reports/v1/report.json");
  REQUIRE(in);
  const nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["growth"].size() == 2);
  CHECK(j["growth"][0]["id"] == "F1");
  CHECK(j["growth"][0]["prior_id"] == "F1");
  CHECK(j["growth"][0]["status"] == "stable");
  CHECK(j["growth"][0]["match_distance_mm"].get<double>() == Approx(0).margin(1e-9));
  CHECK(j["growth"][0]["interval_days"] == 0.0); // the same study
  CHECK(j["growth"][1]["id"] == "F2");
  CHECK(j["growth"][1]["prior_id"] == "F2");
  CHECK(j["lung_rads"] == "4B"); // F1, 28.6 mm solid, stable: 4B stays 4B
}
