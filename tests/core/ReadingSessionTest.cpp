// SPDX-License-Identifier: Apache-2.0
// The reading session: the review's commands and queries as the viewer has them today
// (app/viewer/ViewerDocument), saved after every change, observed through a plain callback.
#include "core/annotation/AnnotationStore.h"
#include "core/review/ReadingSession.h"
#include "core/volume/SliceSampler.h"
#include "tests/core/ReviewTestHelpers.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace lightbox;
using test::makeFinding;
using test::makeRun;

namespace {

/// F1 0.9, F2 0.6 (above 1 FP/scan), F3 0.2 (only at 8 FP/scan).
ReadingSession threeFindings(ReadingSession s = ReadingSession()) {
  s.applyDetection(makeRun(1.0), {makeFinding("F1", {10, 10, 10}, 8, 0.9), makeFinding("F2", {30, 30, 20}, 6, 0.6),
                                  makeFinding("F3", {40, 20, 30}, 12, 0.2, "ground-glass")});
  return s;
}

std::vector<std::string> ids(const std::vector<const Finding*>& findings) {
  std::vector<std::string> out;
  for (const Finding* f : findings) out.push_back(f->id);
  return out;
}

using Ids = std::vector<std::string>;

} // namespace

TEST_CASE("the operating point filters proposals, decided findings stay visible whatever it is", "[review]") {
  ReadingSession s = threeFindings();
  CHECK(s.history().undoLabel() == "Detect nodules (2 findings at 1 FP/scan)");
  CHECK(ids(s.visibleFindings()) == Ids{"F1", "F2"});
  s.setFpPerScan(8.0);
  CHECK(ids(s.visibleFindings()) == Ids{"F1", "F2", "F3"});
  s.setFpPerScan(0.5);
  CHECK(ids(s.visibleFindings()) == Ids{"F1"});
  s.setFpPerScan(8.0);
  REQUIRE(s.setFindingState("F3", FindingState::Rejected, "vessel"));
  REQUIRE(s.setFindingState("F2", FindingState::Accepted));
  s.setFpPerScan(0.5);
  CHECK(ids(s.visibleFindings()) == Ids{"F1", "F2", "F3"}); // decided: shown at any operating point
  CHECK(ids(s.visibleFindings(RejectedFindings::Hidden)) == Ids{"F1", "F2"});
  // Back to proposed, F3 is again just a low-scoring proposal.
  REQUIRE(s.setFindingState("F3", FindingState::Proposed, "vessel"));
  CHECK(s.finding("F3")->rejectReason.empty()); // a reason is kept only for a rejection
  CHECK(ids(s.visibleFindings()) == Ids{"F1", "F2"});
}

TEST_CASE("stepping through the visible findings wraps and starts at an end when none is current", "[review]") {
  const ReadingSession s = [] {
    ReadingSession t = threeFindings();
    t.setFpPerScan(8.0);
    t.setFindingState("F2", FindingState::Rejected, "vessel");
    return t;
  }();
  CHECK(s.stepFinding("", +1) == "F1");
  CHECK(s.stepFinding("", -1) == "F3");
  CHECK(s.stepFinding("F1", +1) == "F2");
  CHECK(s.stepFinding("F1", -1) == "F3");
  CHECK(s.stepFinding("F3", +1) == "F1");
  CHECK(s.stepFinding("F1", +1, RejectedFindings::Hidden) == "F3"); // the hidden F2 is skipped
  CHECK(ReadingSession().stepFinding("F1", +1).empty());
}

TEST_CASE("editing a finding adds one length measurement across it, as one undo step", "[review]") {
  ReadingSession s = threeFindings();
  s.setFindingState("F3", FindingState::Accepted);
  const auto [right, down] = obliqueAxes(ViewPlane::Axial, 20, 0); // a turned axial view
  const std::size_t steps = s.history().undoCount();
  const int id = s.editFinding("F3", right, down);
  REQUIRE(id > 0);
  CHECK(s.history().undoCount() == steps + 1);
  CHECK(s.history().undoLabel() == "Edit F3");
  const Measurement* m = s.measurement(id);
  REQUIRE(m != nullptr);
  CHECK(m->kind == MeasurementKind::Length);
  CHECK(m->label == "F3 diameter");
  CHECK(m->planeRight == right);
  CHECK(m->planeDown == down);
  CHECK(lengthMm(*m) == Approx(12.0)); // the AI diameter, through the centre
  CHECK(norm((m->points[0] + m->points[1]) * 0.5 - Vec3{40, 20, 30}) < 1e-9);
  CHECK(norm(normalized(m->points[1] - m->points[0]) - right) < 1e-9);
  CHECK(s.finding("F3")->state == FindingState::Edited);
  CHECK(s.finding("F3")->measurementId == id);
  CHECK(s.effectiveDiameter(*s.finding("F3")) == Approx(12.0));

  Measurement dragged = *m;
  dragged.points[1] = dragged.points[0] + right * 15.0;
  REQUIRE(s.replaceMeasurement(dragged, "Move handle"));
  CHECK(s.effectiveDiameter(*s.finding("F3")) == Approx(15.0));
  CHECK(s.finding("F3")->diameterMm == 12.0); // the AI's number is kept

  // Editing again selects the same measurement and records nothing.
  const std::size_t after = s.history().undoCount();
  CHECK(s.editFinding("F3", right, down) == id);
  CHECK(s.history().undoCount() == after);
  CHECK(s.editFinding("nope", right, down) == 0);

  // A tiny nodule still gets handles 2 mm apart.
  s.applyDetection(makeRun(), {makeFinding("F9", {0, 0, 0}, 0.4, 0.9)});
  CHECK(lengthMm(*s.measurement(s.editFinding("F9", right, down))) == Approx(2.0));

  // Undo removes the measurement and the mark together.
  REQUIRE(s.undo()); // F9 edit
  REQUIRE(s.undo()); // the run with F9
  REQUIRE(s.undo()); // the drag
  REQUIRE(s.undo()); // the F3 edit
  CHECK(s.measurement(id) == nullptr);
  CHECK(s.finding("F3")->state == FindingState::Accepted);
  CHECK(s.finding("F3")->measurementId == 0);
}

TEST_CASE("the reader's type overrides the model's, and a proposal or acceptance becomes an edit", "[review]") {
  ReadingSession s = threeFindings();
  REQUIRE(s.setFindingType("F1", "part-solid"));
  CHECK(s.history().undoLabel() == "Set F1 type");
  CHECK(s.finding("F1")->editedType == "part-solid");
  CHECK(s.finding("F1")->effectiveType() == "part-solid");
  CHECK(s.finding("F1")->state == FindingState::Edited);
  REQUIRE(s.setFindingType("F1", "solid")); // the model's own type clears the reader's
  CHECK(s.finding("F1")->editedType.empty());
  CHECK_FALSE(s.setFindingType("F1", "solid"));
  s.setFindingState("F2", FindingState::Rejected, "vessel");
  REQUIRE(s.setFindingType("F2", "ground-glass"));
  CHECK(s.finding("F2")->state == FindingState::Rejected); // a rejection stays one
  REQUIRE(s.setFindingFactors("F2", true, false));
  CHECK(s.history().undoLabel() == "Brock factors of F2");
  CHECK_FALSE(s.setFindingFactors("F2", true, false));
}

TEST_CASE("size-capped findings count as unmeasured until the reader measures them", "[review]") {
  ReadingSession s;
  Finding capped = makeFinding("F1", {0, 0, 0}, 30, 0.95); // 30 mm is the profile's cap, not a size
  capped.sizeCapped = true;
  s.applyDetection(makeRun(), {capped, makeFinding("F2", {50, 0, 0}, 9.2, 0.8), makeFinding("F3", {-50, 0, 0}, 4, 0.7)});
  s.setFindingState("F1", FindingState::Accepted);
  s.setFindingState("F2", FindingState::Accepted);
  s.setFindingState("F3", FindingState::Rejected, "vessel");
  s.setFindingFactors("F2", true, true);
  s.setPatientFactors({0, "F", true, false});

  DecisionSupportInputs d = s.decisionSupport();
  CHECK(d.unmeasured == std::vector<std::string>{"F1"});
  REQUIRE(d.nodules.size() == 1);
  CHECK(d.nodules[0] == AcceptedNodule{"F2", "solid", 9.2, 9.2});
  // An accepted finding without a size may be the largest: no category until it is measured.
  CHECK(d.lungRads.category == "incomplete");
  CHECK(d.lungRads.nodule.empty());
  CHECK_THAT(d.lungRads.rule, Catch::Contains("F1") && Catch::Contains("measure"));
  REQUIRE(d.brock.size() == 1);
  CHECK(d.brock[0].findingId == "F2");
  CHECK(d.brock[0].factors.ageYears == 62); // unknown age: the model's reference age
  CHECK(d.brock[0].factors.female);
  CHECK(d.brock[0].factors.familyHistory);
  CHECK_FALSE(d.brock[0].factors.emphysema);
  CHECK(d.brock[0].factors.upperLobe);
  CHECK(d.brock[0].factors.spiculation);
  CHECK(d.brock[0].factors.noduleCount == 1);
  CHECK(d.brock[0].factors.noduleSizeMm == 9.2);

  // Measured: it counts, with the reader's length, and raises the category.
  const int id = s.editFinding("F1", {1, 0, 0}, {0, 1, 0});
  Measurement m = *s.measurement(id);
  m.points = {{-8, 0, 0}, {8, 0, 0}};
  s.replaceMeasurement(m, "Move handle");
  s.setPatientFactors({70, "F", true, false});
  d = s.decisionSupport();
  CHECK(d.unmeasured.empty());
  REQUIRE(d.nodules.size() == 2);
  CHECK(d.nodules[0] == AcceptedNodule{"F1", "solid", 16.0, 16.0});
  CHECK(d.lungRads.category == "4B");
  CHECK(d.lungRads.nodule == "F1");
  REQUIRE(d.brock.size() == 2);
  CHECK(d.brock[0].factors.noduleSizeMm == Approx(16.0));
  CHECK(d.brock[0].factors.ageYears == 70);
  CHECK(d.brock[1].factors.noduleCount == 2);
}

TEST_CASE("a finding's mask gives it the Lung-RADS diameter (mean of long and short axis) unless a ruler measured it", "[review]") {
  ReadingSession s;
  Finding capped = makeFinding("F1", {0, 0, 0}, 30, 0.95);
  capped.sizeCapped = true;
  s.applyDetection(makeRun(), {capped});
  s.setFindingState("F1", FindingState::Accepted);
  CHECK(s.decisionSupport().unmeasured == std::vector<std::string>{"F1"});
  // The mask: long 9.0, short 6.4 -> 7.7 mm, Lung-RADS 3 (solid 6-8 mm at baseline).
  REQUIRE(s.setFindingMask("F1", 2, 9.04, 6.38, 240.0));
  CHECK_FALSE(s.setFindingMask("F1", 2, 9.04, 6.38, 240.0)); // no change, no step
  DecisionSupportInputs d = s.decisionSupport();
  CHECK(d.unmeasured.empty());
  REQUIRE(d.nodules.size() == 1);
  CHECK(d.nodules[0].diameterMm == Approx(7.7));
  CHECK(d.lungRads.category == "3");
  CHECK(s.finding("F1")->segmentLabel == 2);
  CHECK(s.finding("F1")->maskVolumeMm3 == 240.0);
  // Saved and read back with the review.
  const std::vector<Finding> back = findingsFromJson(toJson(s.review().findings));
  CHECK(back.front() == *s.finding("F1"));
  // One undo step; the ruler wins over the mask.
  REQUIRE(s.undo());
  CHECK(s.finding("F1")->segmentLabel == 0);
  REQUIRE(s.redo());
  const int id = s.editFinding("F1", {1, 0, 0}, {0, 1, 0});
  Measurement m = *s.measurement(id);
  m.points = {{-5, 0, 0}, {5, 0, 0}};
  s.replaceMeasurement(m, "Move handle");
  CHECK(s.effectiveDiameter(*s.finding("F1")) == Approx(10.0));
}

TEST_CASE("a part-solid nodule's solid part is capped by the reader's diameter", "[review]") {
  ReadingSession s;
  s.applyDetection(makeRun(), {makeFinding("F1", {0, 0, 0}, 20, 0.9, "part-solid")}); // solid part 10 mm
  const int id = s.editFinding("F1", {1, 0, 0}, {0, 1, 0});
  Measurement m = *s.measurement(id);
  m.points = {{0, 0, 0}, {7, 0, 0}};
  s.replaceMeasurement(m, "Move handle");
  const DecisionSupportInputs d = s.decisionSupport();
  REQUIRE(d.nodules.size() == 1);
  CHECK(d.nodules[0] == AcceptedNodule{"F1", "part-solid", 7.0, 7.0});
}

TEST_CASE("observers hear what changed, and no-ops change nothing", "[review]") {
  ReadingSession s = threeFindings();
  std::vector<ReviewChanges> heard;
  s.setObserver([&](const ReviewChanges& c) { heard.push_back(c); });
  const auto only = [](bool measurements, bool findings, bool run, bool patient) {
    ReviewChanges c;
    c.measurements = measurements;
    c.findings = findings;
    c.run = run;
    c.patient = patient;
    return c;
  };
  Measurement m;
  m.kind = MeasurementKind::Point;
  m.points = {{1, 2, 3}};
  s.addMeasurement(m);
  s.setFindingState("F1", FindingState::Accepted);
  s.setFindingState("F1", FindingState::Accepted); // no-op
  s.setFpPerScan(2.0);
  s.setFpPerScan(2.0); // no-op
  s.setPatientFactors({60, "M", false, true});
  s.editFinding("F2", {1, 0, 0}, {0, 1, 0});
  s.applyDetection(makeRun(), {});
  s.undo();
  s.undo();
  REQUIRE(heard.size() == 8);
  CHECK(heard[0] == only(true, false, false, false));
  CHECK(heard[1] == only(false, true, false, false));
  CHECK(heard[2] == only(false, false, true, false));
  CHECK(heard[3] == only(false, false, false, true));
  CHECK(heard[4] == only(true, true, false, false));
  CHECK(heard[5] == only(false, true, true, false));
  CHECK(heard[6] == only(false, true, true, false)); // undo of the run
  CHECK(heard[7] == only(true, true, false, false)); // undo of the edit
}

TEST_CASE("the operating point and patient factors are saved but are not undo steps", "[review]") {
  const AnnotationStore store(test::scratchFolder("review-not-undoable"));
  ReadingSession s = threeFindings(ReadingSession::open(store, "series-a"));
  const std::size_t steps = s.history().undoCount();
  s.setFpPerScan(4.0);
  s.setPatientFactors({71, "M", true, true});
  CHECK(s.history().undoCount() == steps);
  const SeriesAnnotations saved = store.load("series-a");
  CHECK(saved.findingsRun.fpPerScan == 4.0);
  CHECK(saved.patient == PatientFactors{71, "M", true, true});
  // Defaults from DICOM fill only what the reader left empty, and are not saved on their own.
  ReadingSession t = ReadingSession::open(store, "series-b");
  t.setPatientDefaults(55, "F");
  CHECK(t.patientFactors().ageYears == 55);
  CHECK_FALSE(std::filesystem::exists(store.pathFor("series-b")));
  s.setPatientDefaults(55, "F");
  CHECK(s.patientFactors() == PatientFactors{71, "M", true, true});
}

TEST_CASE("every change is on disk at once and a reopened session restores the review", "[review]") {
  const AnnotationStore store(test::scratchFolder("review-on-disk"));
  const std::string key = "1.2.826.0.1.3680043.99.10.2";
  {
    // Never closed or saved explicitly: like a process killed mid-review.
    ReadingSession s = threeFindings(ReadingSession::open(store, key));
    CHECK(s.openProblems().empty());
    s.setFindingState("F1", FindingState::Accepted);
    s.setFindingState("F2", FindingState::Rejected, "vessel");
    const int m = s.editFinding("F3", {1, 0, 0}, {0, 1, 0});
    const SeriesAnnotations saved = store.load(key);
    CHECK(saved == s.review());
    CHECK(saved.findings[2].measurementId == m);
  }
  ReadingSession reopened = ReadingSession::open(store, key);
  CHECK(reopened.finding("F2")->rejectReason == "vessel");
  CHECK(reopened.hasFindingsRun());
  CHECK_FALSE(reopened.history().canUndo()); // the history is the session's, not the file's
  Measurement m;
  m.kind = MeasurementKind::Point;
  m.points = {{0, 0, 0}};
  CHECK(reopened.addMeasurement(m) == reopened.finding("F3")->measurementId + 1); // ids never collide
}

TEST_CASE("a review file written by the viewer before the session existed still opens", "[review]") {
  // The format AnnotationStore has written since findings were saved (lightbox-annotations/1),
  // with a file from before size_capped, probability and the Brock factors existed.
  const AnnotationStore store(test::scratchFolder("review-old-file"));
  const std::string key = "1.3.6.1.4.1.14519.5.2.1.6279.6001.179049373636438705059720603192";
  std::filesystem::create_directories(store.folder());
  std::ofstream(store.pathFor(key)) << R"({
 "format": "lightbox-annotations/1",
 "series": "1.3.6.1.4.1.14519.5.2.1.6279.6001.179049373636438705059720603192",
 "measurements": [{"id": 4, "kind": "length", "points_lps": [[-120.5, 10.25, -180.0], [-112.5, 10.25, -180.0]],
   "plane_right": [1, 0, 0], "plane_down": [0, 1, 0], "label": "F1 diameter"}],
 "findings": [
  {"id": "F1", "center_lps": [-116.5, 10.25, -180.0], "diameter_mm": 6.5, "type": "solid", "score": 0.91,
   "state": "edited", "measurement_id": 4},
  {"id": "F2", "center_lps": [60.0, -20.0, -170.0], "diameter_mm": 5.0, "type": "ground-glass", "score": 0.35,
   "state": "proposed"}],
 "findings_run": {"model": "lightbox-nodule", "version": "0.3", "fp_per_scan": 1.0,
   "operating_points": [{"fp_per_scan": 0.5, "threshold": 0.8}, {"fp_per_scan": 1.0, "threshold": 0.4}]},
 "patient_factors": {"age_years": 68, "sex": "M", "family_history": false, "emphysema": true}
})";
  ReadingSession s = ReadingSession::open(store, key);
  CHECK(s.openProblems().empty());
  REQUIRE(s.findings().size() == 2);
  CHECK(s.effectiveDiameter(*s.finding("F1")) == Approx(8.0));
  CHECK(s.finding("F1")->probability == 0.91); // old files: the score stands in
  CHECK_FALSE(s.finding("F1")->sizeCapped);
  CHECK(ids(s.visibleFindings()) == Ids{"F1"}); // F2 is under the 1 FP/scan threshold
  CHECK(s.patientFactors().emphysema);
  // The next change writes the same format back, with what it did not know filled in.
  REQUIRE(s.setFindingState("F2", FindingState::Rejected, "vessel"));
  const std::string text = test::fileText(store.pathFor(key));
  CHECK_THAT(text, Catch::Contains("\"format\": \"lightbox-annotations/1\""));
  CHECK_THAT(text, Catch::Contains("\"size_capped\": false"));
  CHECK(store.load(key) == s.review());
  REQUIRE(s.undo());
  CHECK(store.load(key).findings[1].state == FindingState::Proposed);
}

TEST_CASE("a change that cannot be saved is said at opening and at every change, naming the file", "[review]") {
  // The annotation folder is a file: nothing can be created in it, not even by root.
  const std::string blocker = test::scratchFolder("review-unwritable") + "/annotations";
  std::ofstream(blocker) << "not a folder";
  const AnnotationStore store(blocker);
  ReadingSession s = ReadingSession::open(store, "series-c");
  REQUIRE(s.openProblems().size() == 1);
  CHECK_THAT(s.openProblems()[0], Catch::Contains(blocker) && Catch::Contains("will not be saved"));
  CHECK_FALSE(s.readOnly());
  std::vector<std::string> problems;
  s.setProblemObserver([&](const std::string& p) { problems.push_back(p); });
  Measurement m;
  m.kind = MeasurementKind::Point;
  m.points = {{0, 0, 0}};
  s.addMeasurement(m);
  s.undo();
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::Contains(store.pathFor("series-c")));
  CHECK(s.measurements().empty()); // the session goes on in memory
}
