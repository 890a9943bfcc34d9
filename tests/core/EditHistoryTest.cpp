// SPDX-License-Identifier: Apache-2.0
// The review's undo history: deltas, not snapshots; exact undo and redo; bounded by bytes.
#include "core/annotation/AnnotationStore.h"
#include "core/review/EditHistory.h"
#include "core/review/ReadingSession.h"
#include "core/review/ReviewEdits.h"
#include "tests/core/ReviewTestHelpers.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

using namespace lightbox;
using test::fileText;
using test::makeFinding;
using test::makeRun;

namespace {

constexpr EditHistoryLimits kUnbounded{std::size_t(1) << 40, 1u << 20};

std::vector<Finding> randomFindings(std::mt19937& rng, int count, const std::string& prefix = "F") {
  std::uniform_real_distribution<double> pos(-150, 150), size(3, 30), score(0, 1);
  const char* types[] = {"solid", "part-solid", "ground-glass"};
  std::vector<Finding> out;
  for (int i = 1; i <= count; ++i) {
    Finding f = makeFinding(prefix + std::to_string(i), {pos(rng), pos(rng), pos(rng)}, size(rng), score(rng),
                            types[rng() % 3]);
    f.sizeCapped = rng() % 7 == 0;
    out.push_back(f);
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.score > b.score; });
  return out;
}

Measurement randomMeasurement(std::mt19937& rng) {
  std::uniform_real_distribution<double> pos(-150, 150);
  const MeasurementKind kinds[] = {MeasurementKind::Length, MeasurementKind::Angle,   MeasurementKind::Ellipse,
                                   MeasurementKind::Rectangle, MeasurementKind::Point, MeasurementKind::Arrow,
                                   MeasurementKind::Text};
  Measurement m;
  m.kind = kinds[rng() % 7];
  for (std::size_t i = 0; i < Measurement::pointCount(m.kind); ++i) m.points.push_back({pos(rng), pos(rng), pos(rng)});
  m.label = m.kind == MeasurementKind::Text ? "note " + std::to_string(rng() % 1000) : std::string();
  return m;
}

/// One random command on the session; false when it happened to change nothing.
bool randomEdit(ReadingSession& s, std::mt19937& rng) {
  const auto pickFinding = [&]() -> std::string {
    return s.findings().empty() ? std::string() : s.findings()[rng() % s.findings().size()].id;
  };
  const auto pickMeasurement = [&]() -> const Measurement* {
    return s.measurements().empty() ? nullptr : &s.measurements()[rng() % s.measurements().size()];
  };
  const FindingState states[] = {FindingState::Proposed, FindingState::Accepted, FindingState::Rejected,
                                 FindingState::Edited};
  const char* reasons[] = {"vessel", "scar / atelectasis", "artefact"};
  const char* types[] = {"solid", "part-solid", "ground-glass"};
  switch (rng() % 10) {
  case 0:
    return s.addMeasurement(randomMeasurement(rng)) > 0;
  case 1: {
    const Measurement* m = pickMeasurement();
    if (!m) return false;
    Measurement moved = *m;
    moved.points.back() = moved.points.back() + Vec3{double(rng() % 9) - 4, 1.5, -0.5};
    return s.replaceMeasurement(moved, "Move handle");
  }
  case 2: {
    // A drag: many moves of one handle, one step.
    const Measurement* m = pickMeasurement();
    if (!m) return false;
    Measurement moved = *m;
    const std::size_t before = s.history().undoCount();
    s.beginEdit("Drag handle");
    for (int i = 0; i < 8; ++i) {
      moved.points.front() = moved.points.front() + Vec3{0.25, -0.5, 0.0};
      s.replaceMeasurement(moved, "Move handle");
    }
    s.endEdit();
    return s.history().undoCount() == before + 1;
  }
  case 3: {
    const Measurement* m = pickMeasurement();
    return m && s.removeMeasurement(m->id);
  }
  case 4:
  case 5:
    return s.setFindingState(pickFinding(), states[rng() % 4], reasons[rng() % 3]);
  case 6:
    return s.setFindingType(pickFinding(), types[rng() % 3]);
  case 7:
    return s.setFindingFactors(pickFinding(), rng() % 2, rng() % 2);
  case 8: {
    const std::string id = pickFinding();
    const Finding* f = s.finding(id);
    if (!f) return false;
    const bool had = f->measurementId && s.measurement(f->measurementId);
    s.editFinding(id, {1, 0, 0}, {0, 1, 0});
    return !had;
  }
  default:
    if (rng() % 8 != 0) return s.setFindingState(pickFinding(), FindingState::Accepted);
    s.applyDetection(makeRun(double(1 << (rng() % 4)) / 2.0), randomFindings(rng, 20 + int(rng() % 20), "G"));
    return true;
  }
}

} // namespace

TEST_CASE("undo of every random edit restores the saved review byte for byte, and redo the final one", "[review]") {
  const AnnotationStore store(test::scratchFolder("review-random-edits"));
  const std::string key = "1.2.826.0.1.3680043.99.10.1";
  std::mt19937 rng(20261130);
  ReadingSession s = ReadingSession::open(store, key, kUnbounded);
  s.applyDetection(makeRun(), randomFindings(rng, 40));
  for (int i = 0; i < 10; ++i) s.addMeasurement(randomMeasurement(rng));
  s.setPatientFactors({64, "F", true, false});
  const std::size_t base = s.history().undoCount();
  const std::string original = fileText(store.pathFor(key));
  REQUIRE(!original.empty());

  // texts[k]: the saved file after k steps.
  std::vector<std::string> texts(base + 1);
  texts[base] = original;
  int changed = 0;
  for (int i = 0; i < 400; ++i) {
    if (randomEdit(s, rng)) {
      ++changed;
      REQUIRE(s.history().undoCount() == base + std::size_t(changed));
      texts.push_back(fileText(store.pathFor(key)));
    }
  }
  REQUIRE(changed >= 250);
  const std::string final = fileText(store.pathFor(key));
  CHECK(final != original);
  CHECK(store.load(key) == s.review()); // what is on disk is what the session holds

  int undoMismatches = 0;
  while (s.history().undoCount() > base) {
    REQUIRE(s.undo());
    undoMismatches += fileText(store.pathFor(key)) != texts[s.history().undoCount()];
  }
  CHECK(undoMismatches == 0);
  CHECK(fileText(store.pathFor(key)) == original);

  int redoMismatches = 0;
  while (s.history().canRedo()) {
    REQUIRE(s.redo());
    redoMismatches += fileText(store.pathFor(key)) != texts[s.history().undoCount()];
  }
  CHECK(redoMismatches == 0);
  CHECK(fileText(store.pathFor(key)) == final);
  CHECK(s.history().undoCount() == base + std::size_t(changed));
}

TEST_CASE("an edit's undo record is the size of what it changed, not of the review", "[review]") {
  std::mt19937 rng(7);
  ReadingSession s({}, kUnbounded);
  s.applyDetection(makeRun(), randomFindings(rng, 200));
  for (int i = 0; i < 200; ++i) s.addMeasurement(randomMeasurement(rng));
  const std::size_t whole = approxBytes(s.review());
  const Finding one = s.findings()[137];
  const std::size_t oneFinding = approxBytes(one);

  REQUIRE(s.setFindingState(one.id, FindingState::Rejected, "vessel"));
  CHECK(s.history().undoLabel() == "Reject " + one.id);
  const std::size_t stateStep = s.history().lastStepBytes();
  CHECK(stateStep >= 2 * oneFinding);    // the finding before and after...
  CHECK(stateStep <= 2 * oneFinding + 128); // ...and little else
  CHECK(stateStep * 50 < whole);          // the review holds 200 findings and 200 measurements
  // The saved file of the same review: what a snapshot-per-step history would copy twice a step.
  const AnnotationStore store(test::scratchFolder("review-record-size"));
  store.save("large", s.review());
  const auto fileBytes = std::size_t(std::filesystem::file_size(store.pathFor("large")));
  CHECK(stateStep * 100 < fileBytes);

  const Measurement m = s.measurements()[99];
  Measurement moved = m;
  moved.points[0] = moved.points[0] + Vec3{1, 0, 0};
  REQUIRE(s.replaceMeasurement(moved, "Move handle"));
  const std::size_t moveStep = s.history().lastStepBytes();
  CHECK(moveStep <= 2 * approxBytes(m) + 128);

  // A drag of 100 moves is one step holding one before and one after.
  s.beginEdit("Drag handle");
  for (int i = 0; i < 100; ++i) {
    moved.points[1] = moved.points[1] + Vec3{0, 0.1, 0};
    s.replaceMeasurement(moved, "Move handle");
  }
  s.endEdit();
  CHECK(s.history().undoLabel() == "Drag handle");
  CHECK(s.history().lastStepBytes() <= moveStep + 16);
  REQUIRE(s.undo());
  REQUIRE(s.measurement(m.id) != nullptr);
  CHECK(s.measurement(m.id)->points[1] == m.points[1]);

  // Replacing the findings with a new run records both lists: that is what it changed.
  s.applyDetection(makeRun(), randomFindings(rng, 10, "G"));
  CHECK(s.history().lastStepBytes() >= 200 * oneFinding / 2);
}

TEST_CASE("the byte cap drops the oldest steps but keeps the minimum number", "[review]") {
  std::mt19937 rng(3);
  Measurement length;
  length.kind = MeasurementKind::Length;
  length.points = {{0, 0, 0}, {10, 0, 0}};

  SECTION("over the cap, the oldest steps go first") {
    // Measure one step, then allow about ten of them.
    ReadingSession probe({}, kUnbounded);
    probe.addMeasurement(length);
    const std::size_t stepBytes = probe.history().lastStepBytes();
    ReadingSession s({}, {10 * stepBytes + stepBytes / 2, 3});
    for (int i = 0; i < 30; ++i) s.addMeasurement(length);
    CHECK(s.history().undoCount() == 10);
    CHECK(s.history().bytes() <= 10 * stepBytes + stepBytes / 2);
    while (s.undo()) {
    }
    // The 20 oldest additions can no longer be undone; the newest 10 were.
    REQUIRE(s.measurements().size() == 20);
    CHECK(s.measurements().back().id == 20);
    CHECK(s.redo());
    CHECK(s.measurements().back().id == 21);
  }
  SECTION("the minimum number of steps stays even when it passes the cap") {
    ReadingSession s({}, {1, 5});
    for (int i = 0; i < 12; ++i) s.addMeasurement(length);
    s.applyDetection(makeRun(), randomFindings(rng, 200)); // far over the cap on its own
    CHECK(s.history().undoCount() == 5);
    CHECK(s.history().bytes() > 1);
    CHECK(s.history().labels().front() == "Add length");
    CHECK(s.history().undoLabel().rfind("Detect nodules", 0) == 0);
  }
}

TEST_CASE("a new edit after undo drops the steps that could have been redone", "[review]") {
  ReadingSession s;
  Measurement m;
  m.kind = MeasurementKind::Point;
  m.points = {{1, 2, 3}};
  s.addMeasurement(m);
  s.addMeasurement(m);
  const std::size_t bytesBefore = s.history().bytes();
  REQUIRE(s.undo());
  CHECK(s.history().redoLabel() == "Add point");
  s.addMeasurement(m);
  CHECK_FALSE(s.history().canRedo());
  CHECK(s.history().undoCount() == 2);
  CHECK(s.history().bytes() == bytesBefore); // the dropped step's bytes are released
  CHECK(s.measurements().back().id == 3);    // ids are never reused
}

TEST_CASE("an empty group adds no step, and undo inside a group is refused", "[review]") {
  EditHistory h;
  h.beginGroup("Drag");
  h.endGroup();
  CHECK_FALSE(h.canUndo());
  SeriesAnnotations review;
  h.beginGroup("Drag");
  CHECK_THROWS_AS(h.undo(review), std::logic_error);
  h.endGroup();
  CHECK_THROWS_AS(h.endGroup(), std::logic_error);
}
