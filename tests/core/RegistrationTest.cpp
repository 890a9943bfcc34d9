// SPDX-License-Identifier: Apache-2.0
// Prior/current registration, rigid and affine: the transform value type and its files, the
// resampler, and the ITK registration on a real pair (Philips MR, table moved 60 mm).
#include "core/registration/AsAcquired.h"
#include "core/registration/RigidAffineRegistration.h"
#include "core/registration/Transform.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace lightbox;

namespace {

RegistrationTransform sampleTransform() {
  RegistrationTransform t;
  t.matrix = {Vec3{0.9, -0.1, 0.05}, Vec3{0.12, 1.1, 0.0}, Vec3{-0.03, 0.02, 0.95}};
  t.translation = {1.5, -2.25, 60.125};
  return t;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Volume syntheticVolume() {
  Volume v;
  v.geometry.size = {8, 6, 5};
  v.geometry.spacing = {1.0, 2.0, 3.0};
  v.geometry.origin = {-10, 5, 20};
  std::vector<float> voxels(v.geometry.voxelCount());
  for (std::size_t n = 0; n < voxels.size(); ++n) voxels[n] = float(n % 17) * 3.0f + float(n / 48);
  v.voxels = std::move(voxels);
  return v;
}

} // namespace

TEST_CASE("a registration transform maps current LPS points to the prior", "[registration]") {
  const RegistrationTransform t = sampleTransform();
  const Vec3 q = t.apply({10, 20, 30});
  CHECK(q[0] == Approx(0.9 * 10 - 0.1 * 20 + 0.05 * 30 + 1.5));
  CHECK(q[1] == Approx(0.12 * 10 + 1.1 * 20 - 2.25));
  CHECK(q[2] == Approx(-0.03 * 10 + 0.02 * 20 + 0.95 * 30 + 60.125));
  const Vec3 o = t.apply({0, 0, 0});
  CHECK(o == t.translation);
  const RegistrationTransform identity;
  CHECK(identity.apply({3, -4, 5}) == Vec3{3, -4, 5});
  CHECK(identity.determinant() == Approx(1.0));
}

TEST_CASE("a registration transform survives its JSON file exactly", "[registration]") {
  const std::string folder = test::scratchFolder("registration-json");
  const RegistrationTransform t = sampleTransform();
  saveTransform(t, folder + "/t.json");
  CHECK(loadTransform(folder + "/t.json") == t);
  CHECK_THROWS_AS(loadTransform(folder + "/missing.json"), TransformFileError);
  std::ofstream(folder + "/bad.json") << "{\"frame\": \"priorLpsToCurrentLps\", \"matrix\": []}";
  CHECK_THROWS_AS(loadTransform(folder + "/bad.json"), TransformFileError);
}

TEST_CASE("the ITK transform file holds the matrix row-major then the translation", "[registration]") {
  const std::string folder = test::scratchFolder("registration-itk");
  const RegistrationTransform t = sampleTransform();
  writeItkTransformFile(t, folder + "/t.tfm");
  std::istringstream in(fileText(folder + "/t.tfm"));
  std::string line;
  std::getline(in, line);
  CHECK(line == "#Insight Transform File V1.0");
  std::vector<double> parameters, fixedParameters;
  std::string type;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    double value = 0;
    if (key == "Transform:") words >> type;
    if (key == "Parameters:") {
      while (words >> value) parameters.push_back(value);
    }
    if (key == "FixedParameters:") {
      while (words >> value) fixedParameters.push_back(value);
    }
  }
  CHECK(type == "AffineTransform_double_3_3");
  REQUIRE(parameters.size() == 12);
  CHECK(fixedParameters == std::vector<double>{0, 0, 0});
  RegistrationTransform back;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) back.matrix[r][c] = parameters[r * 3 + c];
    back.translation[r] = parameters[9 + r];
  }
  CHECK(back == t); // %.17g: exact
}

TEST_CASE("resampling the prior on the current grid follows the transform", "[registration]") {
  const Volume moving = syntheticVolume();
  const Volume same = resampleMoving(moving, moving.geometry, RegistrationTransform{});
  for (std::size_t n = 0; n < moving.geometry.voxelCount(); ++n) REQUIRE(same.value(n) == Approx(moving.value(n)));
  // Current point p shows prior point p + (1, 2, 0) mm: one voxel along i and along j.
  RegistrationTransform shift;
  shift.translation = {1.0, 2.0, 0.0};
  const Volume shifted = resampleMoving(moving, moving.geometry, shift);
  CHECK(shifted.value(2, 1, 3) == Approx(moving.value(3, 2, 3)));
  CHECK(shifted.value(7, 5, 0) == 0.0); // outside the prior
  // Half a voxel: the mean of the neighbours.
  shift.translation = {0.5, 0.0, 0.0};
  const Volume half = resampleMoving(moving, moving.geometry, shift);
  CHECK(half.value(2, 1, 3) == Approx((moving.value(2, 1, 3) + moving.value(3, 1, 3)) / 2));
}

// The Philips pair: the table moved 60 mm feet-head between the series, the phantom did not move
// relative to the table. The headers (dcmdump) say the scanner reports positions in table-fixed
// patient coordinates: the fixed slices lie at ImagePositionPatient z = -58 .. +58 mm, the moving
// ones at z = -118 .. -2 mm (TablePosition 0.2 mm, then 60.3 mm in dcm2niix's sidecars). The slab
// stayed at the magnet's isocentre and the patient frame moved with the table, so the slab moved
// 60 mm in LPS while the phantom stayed where it was: in patient coordinates the two images
// already agree, and the registration must recover (almost) no shift, not 60 mm. A registration
// that found 60 mm would have locked onto the slab (the grid) rather than the phantom.
TEST_CASE("rigid registration of the table-shift pair recovers the patient-coordinate mapping", "[registration]") {
  const std::string pair = "registration/mr_philips_table_shift_60mm/";
  // Series 1 of each folder is echo 1, magnitude (`lightbox info`).
  const LoadedSeries fixed = loadPath(test::sharedData(pair + "fixed_1301_Dual-echo_iso/dicom"), "1");
  const LoadedSeries moving = loadPath(test::sharedData(pair + "moving_2201_Dual-echo_FH-60_table_moved/dicom"), "1");
  REQUIRE(fixed.volumes.size() == 1);
  REQUIRE(moving.volumes.size() == 1);
  const VolumeGeometry& g = fixed.volumes.front().geometry;
  const VolumeGeometry& gm = moving.volumes.front().geometry;
  // The grids differ by the table move: 60 mm along S.
  CHECK(gm.origin[2] - g.origin[2] == Approx(-60.0).margin(0.01));
  CHECK(gm.origin[0] == Approx(g.origin[0]));

  RigidAffineOptions options;
  options.threads = 2;
  options.init = RegistrationInit::Identity;
  const RegistrationResult result = registerRigidAffine(fixed.volumes.front(), moving.volumes.front(), options);
  const Vec3 centre = g.ijkToLps({(g.size[0] - 1) / 2.0, (g.size[1] - 1) / 2.0, (g.size[2] - 1) / 2.0});
  const Vec3 shift = result.transform.apply(centre) - centre;
  WARN("rigid: fixed centre moves by (" << shift[0] << ", " << shift[1] << ", " << shift[2] << ") mm in "
                                        << result.seconds << " s");
  REQUIRE(result.stages.size() == 1);
  CHECK(result.stages[0].levels.size() == 3);
  // Measured: (0.96, -1.25, -1.12) mm, 6.6 s on 2 threads. The phantom is a sphere, so rotations
  // about its centre are barely constrained and move the grid centre by a millimetre or two;
  // 3 mm separates the answer clearly from the 60 mm of the grids. Moments initialisation, by
  // contrast, aligns the centres of mass of two differently cut sphere caps and ends ~43 mm off.
  CHECK(norm(shift) < 3.0);
  CHECK(result.transform.determinant() == Approx(1.0).margin(1e-6));
}

namespace {

/// A field on a 2 mm grid with u(p) = gradient * p (a linear field: its Jacobian is known).
std::shared_ptr<DisplacementField> linearField(const std::array<Vec3, 3>& gradient) {
  auto field = std::make_shared<DisplacementField>();
  field->grid.size = {11, 9, 7};
  field->grid.spacing = {2.0, 2.0, 2.0};
  field->grid.origin = {-10, -8, -6};
  field->vectors.resize(3 * field->grid.voxelCount());
  std::size_t n = 0;
  for (std::size_t k = 0; k < 7; ++k) {
    for (std::size_t j = 0; j < 9; ++j) {
      for (std::size_t i = 0; i < 11; ++i, n += 3) {
        const Vec3 p = field->grid.ijkToLps({double(i), double(j), double(k)});
        for (int a = 0; a < 3; ++a) field->vectors[n + a] = float(dot(gradient[a], p));
      }
    }
  }
  return field;
}

} // namespace

TEST_CASE("a deformable transform applies its field before the affine part, and inverts", "[registration]") {
  RegistrationTransform t = sampleTransform();
  t.field = linearField({Vec3{0.05, 0.01, 0}, Vec3{0, -0.04, 0.02}, Vec3{0.01, 0, 0.03}});
  const Vec3 p{3.3, -2.7, 1.9};
  const Vec3 u{0.05 * 3.3 + 0.01 * -2.7, -0.04 * -2.7 + 0.02 * 1.9, 0.01 * 3.3 + 0.03 * 1.9};
  const Vec3 expected = sampleTransform().apply(p + u);
  const Vec3 q = t.apply(p);
  for (int a = 0; a < 3; ++a) CHECK(q[a] == Approx(expected[a]).margin(1e-5));
  const Vec3 back = t.applyInverse(q);
  CHECK(norm(back - p) < 1e-3);
  // Beyond the grid the edge value holds: continuous, no jump to the affine map.
  const Vec3 edge = t.field->at({10, 0, 0});
  CHECK(norm(t.field->at({25, 0, 0}) - edge) < 1e-6);
  // det(I + G) of the linear field times the affine determinant.
  const double fieldDet = 1.05 * (0.96 * 1.03 - 0.02 * 0.0) - 0.01 * (0.0 * 1.03 - 0.02 * 0.01) + 0.0;
  CHECK(t.jacobianDeterminant(p) == Approx(sampleTransform().determinant() * fieldDet).epsilon(1e-4));
  CHECK(t.foldingFraction() == 0.0);
  // A field that turns space inside out along x folds everywhere.
  RegistrationTransform folded;
  folded.field = linearField({Vec3{-2.0, 0, 0}, Vec3{0, 0, 0}, Vec3{0, 0, 0}});
  CHECK(folded.foldingFraction() == 1.0);
  CHECK(folded.jacobianDeterminant({0, 0, 0}) == Approx(-1.0));
}

TEST_CASE("a deformable transform survives its files exactly", "[registration]") {
  const std::string folder = test::scratchFolder("registration-field");
  RegistrationTransform t = sampleTransform();
  t.field = linearField({Vec3{0.05, 0.01, 0}, Vec3{0, -0.04, 0.02}, Vec3{0.01, 0, 0.03}});
  saveTransform(t, folder + "/t.json");
  const RegistrationTransform back = loadTransform(folder + "/t.json");
  REQUIRE(back.field);
  CHECK(back == t);
  CHECK(fileText(folder + "/t.json").find("\"data\": \"t.json.field.f32\"") != std::string::npos);
  // A truncated data file is refused by name.
  std::ofstream(folder + "/t.json.field.f32", std::ios::binary | std::ios::trunc) << "short";
  try {
    loadTransform(folder + "/t.json");
    FAIL("a truncated field loaded");
  } catch (const TransformFileError& e) {
    CHECK(std::string(e.what()).find("t.json.field.f32") != std::string::npos);
  }
}

TEST_CASE("the two series of a PET/CT are read as acquired: one frame of reference and patient for "
          "DICOM, the same "
          "place for research files, and other pairs are not",
          "[registration][petct]") {
  auto box = [](const std::string& units, Vec3 origin, std::array<std::size_t, 3> size,
                Vec3 spacing) {
    Volume v;
    v.geometry.size = size;
    v.geometry.spacing = spacing;
    v.geometry.origin = origin;
    v.voxels = std::vector<float>(v.geometry.voxelCount(), 0.0f);
    v.units = units;
    return v;
  };
  const Volume ct = box("HU", {0, 0, 0}, {200, 200, 60}, {1, 1, 3});
  const Volume mr = box("", {0, 0, 0}, {200, 200, 60}, {1, 1, 3});
  const Volume pet = box("SUVbw", {2, 2, 0}, {40, 40, 60}, {5, 5, 3});
  const Volume petBq = box("Bq/mL", {2, 2, 0}, {40, 40, 60}, {5, 5, 3});
  const Volume petCounts = box("CNTS", {2, 2, 0}, {40, 40, 60}, {5, 5, 3});
  const Volume petElsewhere = box("SUV", {0, 0, 300}, {40, 40, 60}, {5, 5, 3});
  const Volume petThird =
      box("SUV", {0, 0, 120}, {40, 40, 60}, {5, 5, 3}); // 57 of its 177 mm over the CT
  const SeriesFrame none;
  // Research files (no frame of reference): by their boxes, said to be a guess.
  CHECK(asAcquiredReason(ct, none, pet, none).find("a guess") != std::string::npos);
  CHECK_FALSE(asAcquiredReason(pet, none, ct, none).empty());
  CHECK_FALSE(asAcquiredReason(mr, none, pet, none).empty());
  CHECK_FALSE(asAcquiredReason(ct, none, petBq, none).empty());
  CHECK_FALSE(asAcquiredReason(ct, none, petCounts, none).empty());
  CHECK(asAcquiredReason(ct, none, mr, none).empty());           // no PET: a registration's job
  CHECK(asAcquiredReason(pet, none, petBq, none).empty());       // two PETs
  CHECK(asAcquiredReason(ct, none, petElsewhere, none).empty()); // another place
  CHECK(asAcquiredReason(ct, none, petThird, none).empty());     // a third of the smaller one
  // DICOM: the frame of reference and the patient decide, not the boxes.
  const SeriesFrame ctFrame{"1.2.3", "P1"}, petFrame{"1.2.3", "P1"}, otherDay{"1.2.4", "P1"},
      otherPatient{"1.2.3", "P2"};
  CHECK(asAcquiredReason(ct, ctFrame, pet, petFrame) == "one Frame of Reference");
  CHECK(asAcquiredReason(ct, ctFrame, petElsewhere, petFrame) == "one Frame of Reference");
  CHECK(asAcquiredReason(ct, ctFrame, pet, otherDay).empty());
  CHECK(asAcquiredReason(ct, ctFrame, pet, otherPatient).empty());
  CHECK(asAcquiredReason(ct, ctFrame, mr, ctFrame).empty());
}
