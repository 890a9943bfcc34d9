// SPDX-License-Identifier: Apache-2.0
// The one rule for which segment is a finding's lesion mask (core/review/FindingMask), and the
// plausibility check that keeps a sliver, air or a mask off the finding out of a report.
#include "core/review/FindingMask.h"
#include "core/volume/Volume.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace lightbox;

namespace {

/// A 64^3 grid of 1 mm voxels at the origin, with a CT-like image (-1000 HU air).
struct Scene {
  VolumeGeometry g;
  LabelMap labels;
  Volume image;
  Scene() {
    g.size = {64, 64, 64};
    labels = LabelMap(g);
    image.geometry = g;
    image.units = "HU";
    image.voxels = std::vector<std::int16_t>(g.voxelCount(), -1000);
  }
  /// A ball of `label` (and of `hu` in the image) about `centre` (mm = voxels here).
  void ball(std::uint8_t label, const Vec3& centre, double radius, std::int16_t hu = 40) {
    if (!labels.segment(label)) {
      Segment s;
      s.label = label;
      s.name = "segment " + std::to_string(label);
      labels.segments.push_back(s);
    }
    for (std::size_t k = 0; k < 64; ++k)
      for (std::size_t j = 0; j < 64; ++j)
        for (std::size_t i = 0; i < 64; ++i) {
          if (norm(Vec3{double(i), double(j), double(k)} - centre) > radius) continue;
          labels.labels[labels.index(i, j, k)] = label;
          std::get<std::vector<std::int16_t>>(image.voxels)[labels.index(i, j, k)] = hu;
        }
  }
};

Finding findingAt(const Vec3& centre, double diameterMm) {
  Finding f;
  f.id = "F1";
  f.centerLps = centre;
  f.diameterMm = diameterMm;
  f.type = "solid";
  return f;
}

} // namespace

TEST_CASE("a finding's mask: its linked segment, else the segment at its centre, else the one near it", "[review][mask]") {
  Scene s;
  s.ball(1, {32, 32, 32}, 8);  // the reader's outline of the nodule, not linked
  s.ball(2, {10, 10, 10}, 3);  // another lesion
  Finding f = findingAt({32, 32, 32}, 16);

  FindingMaskChoice c = findingMaskOf(f, s.labels);
  CHECK(c.label == 1);
  CHECK(c.match == MaskMatch::ContainsCentre);

  f.segmentLabel = 2; // linked wins, wherever it is
  c = findingMaskOf(f, s.labels);
  CHECK(c.label == 2);
  CHECK(c.match == MaskMatch::Linked);

  f.segmentLabel = 7; // linked to a segment that is gone: the rule falls back to the centre
  c = findingMaskOf(f, s.labels);
  CHECK(c.label == 1);
  CHECK(c.match == MaskMatch::ContainsCentre);

  // A segment already another finding's is never chosen.
  c = findingMaskOf(f, s.labels, {1});
  CHECK(c.label == 0);
  CHECK(c.match == MaskMatch::None);

  // A centre just outside the outline (an AI centre a few mm off): the segment within its radius.
  Finding off = findingAt({32, 32, 42}, 16);
  c = findingMaskOf(off, s.labels);
  CHECK(c.label == 1);
  CHECK(c.match == MaskMatch::NearCentre);
  // Beyond its radius: none.
  Finding far = findingAt({32, 32, 55}, 6);
  CHECK(findingMaskOf(far, s.labels).label == 0);
  // No label map (nothing segmented on the series).
  CHECK(findingMaskOf(f, LabelMap{}).label == 0);
}

TEST_CASE("a mask that cannot be the finding's lesion is refused with the reason", "[review][mask]") {
  Scene s;
  const Finding f = findingAt({32, 32, 32}, 26.0);

  SECTION("the nodule itself is plausible") {
    s.ball(1, {32, 32, 32}, 12);
    const SegmentStats st = measureSegment(s.labels, 1, &s.image);
    CHECK(implausibleFindingMask(f, st, "CT").empty());
    CHECK(maskSizeDisagreement(f, st) == Approx(26.0 / (0.5 * (st.longAxisMm + st.shortAxisMm))).epsilon(1e-9));
    CHECK(maskSizeDisagreement(f, st) < kMaskSizeConfirmFactor);
  }
  SECTION("the sliver left beside the reader's segment: far smaller than the AI's size") {
    s.ball(1, {32, 32, 44}, 1.3); // ~2.4 mm across
    const std::string why = implausibleFindingMask(f, measureSegment(s.labels, 1, &s.image), "CT");
    CHECK_THAT(why, Catch::Contains("far smaller than the AI's size"));
  }
  SECTION("air") {
    s.ball(1, {32, 32, 32}, 12, -990);
    CHECK_THAT(implausibleFindingMask(f, measureSegment(s.labels, 1, &s.image), "CT"), Catch::Contains("air"));
    // Not a CT: HU say nothing.
    CHECK(implausibleFindingMask(f, measureSegment(s.labels, 1, &s.image), "MR").empty());
  }
  SECTION("off the finding") {
    s.ball(1, {32, 2, 32}, 5); // 30 mm away: the two do not touch
    CHECK_THAT(implausibleFindingMask(f, measureSegment(s.labels, 1, &s.image), "CT"), Catch::Contains("from the finding's"));
  }
  SECTION("empty") { CHECK(implausibleFindingMask(f, SegmentStats{}, "CT") == "the mask is empty"); }
  SECTION("an AI size that is its cap is no size to compare with") {
    Finding capped = f;
    capped.sizeCapped = true;
    s.ball(1, {32, 32, 32}, 2);
    const SegmentStats st = measureSegment(s.labels, 1, &s.image);
    CHECK(implausibleFindingMask(capped, st, "CT").empty());
    CHECK(maskSizeDisagreement(capped, st) == 0.0);
  }
}

TEST_CASE("for a whole review a segment linked to one finding is never another's by position", "[review][mask]") {
  Scene s;
  s.ball(1, {32, 32, 32}, 8);
  s.ball(2, {10, 10, 10}, 3);
  // F1 (first in the list) is not linked but its centre lies in segment 1; F2 is linked to it.
  Finding f1 = findingAt({32, 32, 30}, 16);
  Finding f2 = findingAt({32, 32, 34}, 16);
  f2.id = "F2";
  f2.segmentLabel = 1;
  std::vector<FindingMaskChoice> c = findingMasksOf({&f1, &f2}, s.labels);
  REQUIRE(c.size() == 2);
  CHECK(c[0].label == 0); // F1 does not take F2's mask
  CHECK(c[1].label == 1);
  CHECK(c[1].match == MaskMatch::Linked);

  // Unlinked, the first in order takes it, the second gets none.
  f2.segmentLabel = 0;
  c = findingMasksOf({&f1, &f2}, s.labels);
  CHECK(c[0].label == 1);
  CHECK(c[1].label == 0);

  // A segment the caller refuses for the first stays free for the next.
  int asked = 0;
  c = findingMasksOf({&f1, &f2}, s.labels, [&](const Finding& f, std::uint8_t) {
    ++asked;
    return f.id == "F2";
  });
  CHECK(asked == 2);
  CHECK(c[0].label == 0);
  CHECK(c[1].label == 1);

  // A centre that is not a number, or far off the grid, meets nothing (and costs nothing).
  Finding lost = findingAt({std::nan(""), 0, 0}, 10);
  CHECK(findingMaskOf(lost, s.labels).label == 0);
  Finding far = findingAt({1e12, 0, 0}, 10);
  CHECK(findingMaskOf(far, s.labels).label == 0);
}
