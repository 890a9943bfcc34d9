// SPDX-License-Identifier: Apache-2.0
// Issue 26: a registration stage is kept only when it makes the map better on points no optimiser
// saw and keeps it plausible. The check on the real POPI chest CT registered to itself (the true
// map is the identity): a shifted map loses to the identity and is dropped, the identity beats a
// shifted start and is kept; a folding field, and one that moves points 45 mm, are dropped with
// their reason.
#include "core/registration/StageGate.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <memory>

using namespace lightbox;

namespace {

RegistrationTransform shifted(const Vec3& by) {
  RegistrationTransform t;
  t.translation = by;
  return t;
}

/// The identity affine with a field on an 8 mm grid over `g`: u(p) = f(p).
template <typename F> RegistrationTransform withField(const VolumeGeometry& g, F f) {
  auto field = std::make_shared<DisplacementField>();
  field->grid = g;
  field->grid.spacing = {8.0, 8.0, 8.0};
  for (int a = 0; a < 3; ++a) {
    field->grid.size[a] = std::size_t(double(g.size[a] - 1) * g.spacing[a] / 8.0) + 1;
  }
  field->vectors.resize(3 * field->grid.voxelCount());
  std::size_t n = 0;
  for (std::size_t k = 0; k < field->grid.size[2]; ++k) {
    for (std::size_t j = 0; j < field->grid.size[1]; ++j) {
      for (std::size_t i = 0; i < field->grid.size[0]; ++i, n += 3) {
        const Vec3 u = f(field->grid.ijkToLps({double(i), double(j), double(k)}));
        for (int a = 0; a < 3; ++a)
          field->vectors[n + std::size_t(a)] = float(u[a]);
      }
    }
  }
  RegistrationTransform t;
  t.field = field;
  return t;
}

} // namespace

TEST_CASE(
    "the stage gate keeps a stage that matches held-back points better and drops one that does not",
    "[registration][gate]") {
  const LoadedSeries ct = loadPath(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  const Volume& v = ct.volumes.front();
  const RegistrationTransform identity;

  // A stage that moves a correct map 4 mm off: worse on held-back points, dropped.
  const StageCheck worse = checkStage(v, v, identity, shifted({4.0, -2.0, 1.0}));
  INFO(worse.reason);
  CHECK_FALSE(worse.kept);
  CHECK(worse.points >= 20000);
  CHECK(worse.similarityAfter < worse.similarityBefore);
  CHECK(worse.reason.find("match no better") != std::string::npos);

  // A stage that fixes a 4 mm error: better, kept.
  const StageCheck better = checkStage(v, v, shifted({4.0, -2.0, 1.0}), identity);
  INFO(better.reason);
  CHECK(better.kept);
  CHECK(better.reason.empty());
  CHECK(better.similarityAfter > better.similarityBefore);
  // Half the error fixed is still better: the check ranks maps, it does not only spot the right
  // one.
  CHECK(checkStage(v, v, shifted({4.0, -2.0, 1.0}), shifted({2.0, -1.0, 0.5})).kept);

  // gateStage records the check in the stage and hands back the map to carry on with.
  RegistrationStage stage;
  stage.name = "deformable";
  const RegistrationTransform carried = gateStage(v, v, identity, shifted({4.0, -2.0, 1.0}), stage);
  CHECK(carried.translation == identity.translation);
  CHECK_FALSE(stage.kept);
  CHECK(stage.checked);
  CHECK(stage.droppedReason == worse.reason);
}

TEST_CASE("the stage gate drops an implausible field: folding, or points moved too far",
          "[registration][gate]") {
  const LoadedSeries ct = loadPath(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  const Volume& v = ct.volumes.front();
  const RegistrationTransform identity;
  const VolumeGeometry& g = v.geometry;
  const Vec3 centre =
      g.ijkToLps({(g.size[0] - 1) / 2.0, (g.size[1] - 1) / 2.0, (g.size[2] - 1) / 2.0});

  // u_x = -1.5 (x - cx): det(I + du/dx) = -0.5 everywhere, the map turns inside out along x.
  const StageCheck folds = checkStage(v, v, identity, withField(g, [&](const Vec3& p) {
                                        return Vec3{-1.5 * (p[0] - centre[0]), 0.0, 0.0};
                                      }));
  INFO(folds.reason);
  CHECK_FALSE(folds.kept);
  CHECK(folds.foldingFraction > 0.5);
  CHECK(folds.reason.find("folds") != std::string::npos);

  // 45 mm of uniform displacement in S: no folding, but no stage may move points that far.
  const StageCheck far = checkStage(v, v, identity, withField(g, [](const Vec3&) {
                                      return Vec3{0.0, 0.0, 45.0};
                                    }));
  INFO(far.reason);
  CHECK_FALSE(far.kept);
  CHECK(far.maxChangeMm == Approx(45.0).margin(0.5));
  CHECK(far.p99ChangeMm == Approx(45.0).margin(0.5));
  CHECK(far.reason.find("more than 45") != std::string::npos);

  // A smooth field of at most 3 mm on the identity pair: plausible, but worse, so dropped for that.
  const StageCheck smooth =
      checkStage(v, v, identity, withField(g, [&](const Vec3& p) {
                   return Vec3{3.0 * std::sin((p[2] - centre[2]) / 40.0), 0.0, 0.0};
                 }));
  INFO(smooth.reason);
  CHECK(smooth.foldingFraction == 0.0);
  CHECK(smooth.maxChangeMm <= 3.01);
  CHECK(smooth.reason.find("match no better") != std::string::npos);
}
