// SPDX-License-Identifier: Apache-2.0
// Measurements are in patient millimetres: correct on anisotropic voxels, on oblique acquisitions
// and on oblique reformats; ROI statistics match values computed independently from the voxels.
#include "tests/support/TestData.h"

#include "core/annotation/AnnotationStore.h"
#include "core/annotation/Measurement.h"
#include "core/util/AtomicFile.h"
#include "core/study/StudyLoader.h"
#include "core/volume/SliceSampler.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace lightbox;

namespace {

/// An anisotropic, oblique float volume whose value at each voxel is its LPS x coordinate.
Volume rampVolume() {
  Volume v;
  VolumeGeometry& g = v.geometry;
  g.size = {80, 60, 40};
  g.spacing = {0.6, 0.9, 2.5};
  g.origin = {-20, -30, -40};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction = {Vec3{c, s, 0}, Vec3{-s, c, 0}, Vec3{0, 0, 1}};
  std::vector<float> data(g.voxelCount());
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        data[i + g.size[0] * (j + g.size[1] * k)] = float(g.ijkToLps({double(i), double(j), double(k)})[0]);
  v.voxels = std::move(data);
  return v;
}

} // namespace

TEST_CASE("length and angle are patient millimetres and degrees", "[measurement]") {
  Measurement m;
  m.kind = MeasurementKind::Length;
  m.points = {{0, 0, 0}, {3, 4, 12}};
  CHECK(lengthMm(m) == Approx(13.0));
  CHECK(describe(m, nullptr) == "13.0 mm");
  Measurement a;
  a.kind = MeasurementKind::Angle;
  a.points = {{10, 0, 0}, {0, 0, 0}, {0, 0, 5}};
  CHECK(angleDegrees(a) == Approx(90.0));
  a.points[2] = {-1, 0, std::sqrt(3.0)};
  CHECK(angleDegrees(a) == Approx(120.0));
}

TEST_CASE("ROI area and statistics on an anisotropic oblique volume", "[measurement]") {
  const Volume v = rampVolume();
  // A rectangle 20 mm (along patient x) by 10 mm in an axial plane, centred at (0, 0, 0).
  Measurement r;
  r.kind = MeasurementKind::Rectangle;
  r.planeRight = {1, 0, 0};
  r.planeDown = {0, 1, 0};
  r.points = {{-10, -5, 0}, {10, 5, 0}};
  const RoiStats s = roiStats(v, r);
  CHECK(s.areaMm2 == Approx(200.0));
  // Values are x itself (nearest voxel, so within half a voxel diagonal of the sample's x).
  CHECK(s.mean == Approx(0.0).margin(0.1));
  CHECK(s.min == Approx(-10.0).margin(0.6));
  CHECK(s.max == Approx(10.0).margin(0.6));
  // SD of a uniform distribution over [-10, 10] is 20 / sqrt(12).
  CHECK(s.sd == Approx(20.0 / std::sqrt(12.0)).epsilon(0.02));

  Measurement e = r;
  e.kind = MeasurementKind::Ellipse;
  const RoiStats es = roiStats(v, e);
  CHECK(es.areaMm2 == Approx(3.14159265358979 * 10 * 5));
  CHECK(es.mean == Approx(0.0).margin(0.1));
  // Second moment of x over an ellipse with semi-axis 10 along x: a^2/4.
  CHECK(es.sd == Approx(5.0).epsilon(0.02));
  CHECK(es.samples < s.samples);

  // The same rectangle drawn on a coronal plane (x right, z down) spans 20 mm of x as well.
  Measurement c = r;
  c.planeRight = {1, 0, 0};
  c.planeDown = {0, 0, -1};
  c.points = {{-10, 0, 5}, {10, 0, -5}};
  CHECK(roiStats(v, c).areaMm2 == Approx(200.0));
  CHECK(roiStats(v, c).mean == Approx(0.0).margin(0.15));
}

TEST_CASE("a length drawn on an oblique reformat of the real oblique MR keeps its millimetres", "[measurement][mpr]") {
  LoadedSeries mr = loadPath(test::sharedData("mr/phantom_ge_3d_t1_mprage_oblique/dicom"));
  const VolumeGeometry& g = mr.volumes.at(0).geometry;
  const auto [right, down] = obliqueAxes(ViewPlane::Axial, 25.0, -15.0);
  const Vec3 centre = g.ijkToLps({128, 128, 65});
  const SlicePlane p = planeThrough(g, right, down, centre);
  // Two display pixels 100 px apart along the row are 100 * pixel mm apart in the patient.
  Measurement m;
  m.points = {p.pixelToLps(10, 20), p.pixelToLps(110, 20)};
  CHECK(lengthMm(m) == Approx(100.0 * p.pixelMm).epsilon(1e-9));
  // And the voxel-index distance scaled by spacing agrees (the geometry is not isotropic).
  const Vec3 d = g.lpsToIjk(m.points[1]) - g.lpsToIjk(m.points[0]);
  const double mm = std::sqrt(std::pow(d[0] * g.spacing[0], 2) + std::pow(d[1] * g.spacing[1], 2) +
                              std::pow(d[2] * g.spacing[2], 2));
  CHECK(mm == Approx(lengthMm(m)).epsilon(1e-6));
}

TEST_CASE("measurements round-trip through JSON and malformed input is refused", "[measurement]") {
  Measurement a;
  a.id = 7;
  a.kind = MeasurementKind::Angle;
  a.points = {{1, 2, 3}, {4, 5, 6}, {7, 8.5, 9}};
  a.planeRight = {0, 1, 0};
  a.planeDown = {0, 0, -1};
  a.label = "Cobb";
  const std::vector<Measurement> back = measurementsFromJson(toJson({a}));
  REQUIRE(back.size() == 1);
  CHECK(back[0] == a);
  nlohmann::json bad = toJson({a});
  bad[0]["points_lps"].erase(0);
  CHECK_THROWS_WITH(measurementsFromJson(bad), "a angle needs 3 points");
  bad = toJson({a});
  bad[0]["kind"] = "spline";
  CHECK_THROWS_WITH(measurementsFromJson(bad), "unknown measurement kind 'spline'");
}

TEST_CASE("annotations are saved per series, replaced atomically and corrupt files are named", "[measurement][store]") {
  const std::string folder = test::scratchFolder("annotations");
  const AnnotationStore store(folder);
  CHECK(store.load("1.2.3").measurements.empty());
  Measurement m;
  m.id = 1;
  m.points = {{0, 0, 0}, {10, 0, 0}};
  store.save("1.2.3", {{m}});
  m.id = 2;
  store.save("1.2.3", {{m, m}});
  const SeriesAnnotations back = store.load("1.2.3");
  REQUIRE(back.measurements.size() == 2);
  CHECK(back.measurements[1].id == 2);
  CHECK_FALSE(atomicTemporaryLeft(store.pathFor("1.2.3")));
  CHECK(store.pathFor("a/b c") == folder + "/a_2Fb_20c.json");
  { std::ofstream(store.pathFor("bad")) << "{\"measurements\": [ {\"id\": "; }
  CHECK_THROWS_WITH(store.load("bad"), Catch::Contains(store.pathFor("bad")) && Catch::Contains("cannot read annotations"));
  CHECK_THROWS_AS(store.load("bad"), AnnotationReadError);
  CHECK(std::filesystem::exists(store.pathFor("bad"))); // load() only reads
}

namespace {
std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
} // namespace

TEST_CASE("two series keys never share an annotation file, and UID names stay as today's version wrote them",
          "[measurement][store]") {
  const std::string folder = test::scratchFolder("annotation-names");
  const AnnotationStore store(folder);
  const std::string uid = "1.3.6.1.4.1.14519.5.2.1.6279.6001.179049373636438705059720603192";
  CHECK(store.pathFor(uid) == folder + "/" + uid + ".json");
  CHECK(store.pathFor("a/b") != store.pathFor("a_b"));
  CHECK(store.pathFor("a/b") == folder + "/a_2Fb.json");
  CHECK(store.pathFor("a_b") == folder + "/a_5Fb.json");
  CHECK(store.pathFor("a b") != store.pathFor("a_20b"));
  const std::string longA = "/data/" + std::string(300, 'x') + "/a.nii.gz";
  const std::string longB = "/data/" + std::string(300, 'x') + "/b.nii.gz";
  CHECK(store.pathFor(longA) != store.pathFor(longB));
  CHECK(std::filesystem::path(store.pathFor(longA)).filename().string().size() < 255);
  Measurement m;
  m.id = 7;
  m.points = {{0, 0, 0}, {3, 4, 0}};
  store.save("a/b", {{m}});
  store.save("a_b", {{m, m}});
  CHECK(store.load("a/b").measurements.size() == 1);
  CHECK(store.load("a_b").measurements.size() == 2);
  store.save(longA, {{m}});
  CHECK(store.load(longA).measurements.size() == 1);
  CHECK(store.load(longB).measurements.empty());

  // A file today's version wrote for a non-UID key under its old name still opens, but only for
  // the key it names inside.
  store.save("legacy", {{m}});
  std::filesystem::copy_file(store.pathFor("legacy"), folder + "/p_q.json");
  {
    nlohmann::json j = nlohmann::json::parse(fileText(folder + "/p_q.json"));
    j["series"] = "p/q";
    std::ofstream(folder + "/p_q.json") << j.dump();
  }
  CHECK(store.load("p/q").measurements.size() == 1);
  CHECK(store.load("p q").measurements.empty()); // same old name, another key
}

TEST_CASE("an unreadable review is moved aside with a timestamp, never overwritten", "[measurement][store]") {
  const std::string folder = test::scratchFolder("annotation-unreadable");
  const AnnotationStore store(folder);
  const std::string key = "1.2.826.0.1.3680043.99.77";
  const std::string corrupt = R"({"format": "lightbox-annotations/1", "measurements": [ {"id": 3, "kind": )";
  { std::ofstream(store.pathFor(key)) << corrupt; }
  const OpenedAnnotations opened = store.open(key);
  CHECK(opened.annotations.measurements.empty());
  CHECK(opened.unreadablePath == store.pathFor(key));
  REQUIRE_FALSE(opened.movedTo.empty());
  CHECK_FALSE(opened.readOnly());
  CHECK_THAT(opened.movedTo, Catch::StartsWith(store.pathFor(key) + ".unreadable-20"));
  CHECK(opened.movedTo.size() == (store.pathFor(key) + ".unreadable-YYYYmmdd-HHMMSS").size());
  CHECK(fileText(opened.movedTo) == corrupt);
  CHECK_FALSE(std::filesystem::exists(store.pathFor(key)));
  CHECK_THAT(opened.problem, Catch::Contains(store.pathFor(key)) && Catch::Contains(opened.movedTo));

  // A second unreadable file in the same second gets its own name.
  { std::ofstream(store.pathFor(key)) << "{}}"; }
  const OpenedAnnotations again = store.open(key);
  REQUIRE_FALSE(again.movedTo.empty());
  CHECK(again.movedTo != opened.movedTo);
  CHECK(fileText(opened.movedTo) == corrupt);

  // A newer format is not guessed at: it is kept aside too.
  { std::ofstream(store.pathFor(key)) << R"({"format": "lightbox-annotations/2", "measurements": []})"; }
  const OpenedAnnotations newer = store.open(key);
  CHECK_THAT(newer.problem, Catch::Contains("lightbox-annotations/2"));
  CHECK_FALSE(newer.movedTo.empty());

  // A readable file opens as it is and stays where it is.
  Measurement m;
  m.points = {{0, 0, 0}, {1, 0, 0}};
  store.save(key, {{m}});
  const OpenedAnnotations fine = store.open(key);
  CHECK(fine.problem.empty());
  CHECK(fine.annotations.measurements.size() == 1);
}

TEST_CASE("saving into a folder that cannot exist fails at once, naming the folder", "[measurement][store]") {
  const std::string root = test::scratchFolder("annotation-unwritable");
  { std::ofstream(root + "/not-a-folder") << "x"; }
  const AnnotationStore store(root + "/not-a-folder/annotations");
  CHECK_THROWS_AS(store.checkWritable(), AnnotationWriteError);
  CHECK_THROWS_WITH(store.checkWritable(), Catch::Contains(root + "/not-a-folder/annotations"));
  Measurement m;
  m.points = {{0, 0, 0}, {1, 0, 0}};
  CHECK_THROWS_AS(store.save("1.2.3", {{m}}), AnnotationWriteError);
  CHECK_THROWS_WITH(store.save("1.2.3", {{m}}), Catch::Contains(store.pathFor("1.2.3")));
  CHECK_NOTHROW(AnnotationStore(root + "/fine").checkWritable());
}

TEST_CASE("arrow and text notes: the arrow's head lies at the tip in the drawing plane, notes round-trip", "[measurement]") {
  Measurement arrow;
  arrow.kind = MeasurementKind::Arrow;
  arrow.points = {{10, 20, -30}, {40, 20, -30}}; // tip, tail on an axial plane
  arrow.label = "enlarged node";
  const std::vector<Vec3> shape = outline(arrow);
  REQUIRE(shape.size() == 5);
  CHECK(shape[0] == arrow.points[1]); // from the tail ...
  CHECK(shape[1] == arrow.points[0]); // ... to the tip, then the barbs
  for (const Vec3& p : shape) CHECK(p[2] == Approx(-30.0)); // in the plane it was drawn on
  CHECK(norm(shape[2] - arrow.points[0]) == Approx(norm(shape[4] - arrow.points[0])));
  CHECK(shape[2][1] != Approx(shape[4][1])); // the barbs open to both sides
  CHECK(describe(arrow, nullptr) == "enlarged node");
  Measurement text;
  text.kind = MeasurementKind::Text;
  text.points = {{1, 2, 3}};
  CHECK(Measurement::pointCount(MeasurementKind::Text) == 1);
  CHECK(describe(text, nullptr) == "text");
  text.label = "compare with prior";
  const std::vector<Measurement> back = measurementsFromJson(toJson(std::vector<Measurement>{arrow, text}));
  REQUIRE(back.size() == 2);
  CHECK(back[0] == arrow);
  CHECK(back[1] == text);
}
