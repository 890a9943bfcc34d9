// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/phantom/ChestPhantom.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace lightbox;

TEST_CASE("the chest phantom is a real CT series whose HU match its ground truth", "[phantom]") {
  const std::string folder = test::scratchFolder("phantom");
  ChestPhantomSpec spec;
  spec.matrix = 256;
  spec.pixelMm = 1.4; // same field of view as the default 512 x 0.7 mm
  spec.slices = 48;
  spec.sliceMm = 3.125;
  const ChestPhantom written = writeChestPhantom(folder, spec);
  REQUIRE(written.files.size() == 48);

  const StudyScan scan = scanStudy(folder, 2);
  CHECK(scan.fileIssues.empty());
  CHECK(scan.notDicom == 1); // phantom.json
  REQUIRE(scan.series.size() == 1);
  const AssembledSeries& s = scan.series[0];
  CHECK(s.header->modality == "CT");
  CHECK(s.header->sopClassUid == "1.2.840.10008.5.1.4.1.1.2");
  CHECK(s.header->seriesInstanceUid == written.seriesInstanceUid);
  CHECK(s.issues.empty());
  const LoadedSeries loaded = loadSeries(s);
  const Volume& v = loaded.volumes.at(0);
  CHECK(v.voxelType() == VoxelType::Int16);
  CHECK(v.units == "HU");
  // The loaded grid is the written one (sorted along +normal, so k runs feet to head).
  CHECK(v.geometry.size == written.geometry.size);
  CHECK(v.geometry.spacing[2] == Approx(spec.sliceMm));

  auto huAt = [&](const Vec3& lps) {
    const Vec3 ijk = v.geometry.lpsToIjk(lps);
    return v.value(std::size_t(std::lround(ijk[0])), std::size_t(std::lround(ijk[1])), std::size_t(std::lround(ijk[2])));
  };
  CHECK(huAt({0, -200, 0}) == -1000);              // air in front of the chest
  CHECK(huAt({-95, 30, -10}) == Approx(-850).margin(60)); // right lung parenchyma
  CHECK(huAt({0, 78, 0}) > 400);                   // vertebral body
  for (const PhantomNodule& n : written.nodules) {
    INFO(n.id << " " << n.type);
    CHECK(huAt(n.centerLps) == Approx(n.hu).margin(60));
  }

  std::ifstream sidecar(folder + "/phantom.json");
  const nlohmann::json j = nlohmann::json::parse(sidecar);
  REQUIRE(j["nodules"].size() == written.nodules.size());
  CHECK(j["nodules"][0]["center_lps"][0].get<double>() == written.nodules[0].centerLps[0]);
  CHECK(j["series_instance_uid"] == written.seriesInstanceUid);
}

TEST_CASE("the phantom is deterministic for a seed", "[phantom]") {
  ChestPhantomSpec spec;
  spec.matrix = 64;
  spec.pixelMm = 5.6;
  spec.slices = 8;
  spec.sliceMm = 10;
  VolumeGeometry g1, g2;
  CHECK(renderChestPhantom(spec, g1) == renderChestPhantom(spec, g2));
  spec.seed += 1;
  VolumeGeometry g3;
  CHECK(renderChestPhantom(spec, g3) != renderChestPhantom(ChestPhantomSpec{64, 8, 5.6, 10, 12.0, spec.seed - 1}, g1));
}
