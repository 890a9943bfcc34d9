// SPDX-License-Identifier: Apache-2.0
// PET in SUV (issue 23): the body-weight SUV factor from the DICOM fields (QIBA / PS3.3), refused
// by name when a field is missing, and a DICOM PET series in Bq/mL that loads in SUVbw.
#include "core/dicom/PetSuv.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"
#include "tests/support/PetSeries.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace lightbox;

namespace {

constexpr double kF18HalfLifeS = 6586.2;

using test::typicalFdg;

} // namespace

TEST_CASE("SUVbw: weight over the dose decayed from the injection to the series start",
          "[pet][suv]") {
  const SuvConversion c = suvBodyWeight(typicalFdg());
  REQUIRE(c.ok);
  // 63 minutes from 09:12:00 to 10:15:00.
  const double decayed = 3.7e8 * std::exp2(-63.0 * 60.0 / kF18HalfLifeS);
  CHECK(c.decayedDoseBq == Approx(decayed).epsilon(1e-9));
  CHECK(c.factor == Approx(72500.0 / decayed).epsilon(1e-9));
  CHECK(c.detail.find("63.0 min") != std::string::npos);
  // An acquisition time earlier than the series time is the scan start (QIBA).
  PetDoseInfo early = typicalFdg();
  early.acquisitionTime = "101000";
  CHECK(suvBodyWeight(early).decayedDoseBq ==
        Approx(3.7e8 * std::exp2(-58.0 * 60.0 / kF18HalfLifeS)).epsilon(1e-9));
  // Only an injection time: the scan's day, or the day before across midnight.
  PetDoseInfo timeOnly = typicalFdg();
  timeOnly.injectionDateTime.clear();
  timeOnly.injectionTime = "091200";
  CHECK(suvBodyWeight(timeOnly).factor == Approx(c.factor).epsilon(1e-12));
  PetDoseInfo midnight = typicalFdg();
  midnight.injectionDateTime.clear();
  midnight.injectionTime = "233000";
  midnight.seriesTime = midnight.acquisitionTime = "003000";
  CHECK(suvBodyWeight(midnight).decayedDoseBq ==
        Approx(3.7e8 * std::exp2(-3600.0 / kF18HalfLifeS)).epsilon(1e-9));
  // Decay-corrected to the injection: no decay.
  PetDoseInfo admin = typicalFdg();
  admin.decayCorrection = "ADMIN";
  CHECK(suvBodyWeight(admin).factor == Approx(72500.0 / 3.7e8).epsilon(1e-12));
  // Already SUV; Philips counts with the private scale factor.
  PetDoseInfo gml;
  gml.units = "GML";
  CHECK(suvBodyWeight(gml).ok);
  CHECK(suvBodyWeight(gml).factor == 1.0);
  PetDoseInfo counts;
  counts.units = "CNTS";
  counts.philipsSuvScale = 0.000731;
  CHECK(suvBodyWeight(counts).factor == Approx(0.000731));
}

TEST_CASE("SUVbw is refused with the missing field named", "[pet][suv]") {
  auto reasonWithout = [](void (*change)(PetDoseInfo&)) {
    PetDoseInfo p = typicalFdg();
    change(p);
    const SuvConversion c = suvBodyWeight(p);
    CHECK_FALSE(c.ok);
    return c.reason;
  };
  CHECK(reasonWithout([](PetDoseInfo& p) {
          p.patientWeightKg = 0;
        }).find("Patient's Weight (0010,1030)") != std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) {
          p.totalDoseBq = 0;
        }).find("Radionuclide Total Dose (0018,1074)") != std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) { p.halfLifeS = 0; }).find("Half Life (0018,1075)") !=
        std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) { p.injectionDateTime.clear(); }).find("(0018,1078)") !=
        std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) { p.decayCorrection = "NONE"; }).find("NONE") !=
        std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) { p.units = "CNTS"; }).find("(7053,1000)") !=
        std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) { p.units = "PROPCNTS"; }).find("PROPCNTS") !=
        std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) {
          p.injectionDateTime = "20240305111200";
        }).find("after the scan") != std::string::npos);
  CHECK(reasonWithout([](PetDoseInfo& p) {
          p.seriesTime.clear();
          p.acquisitionTime.clear();
        }).find("scan start") != std::string::npos);
}

TEST_CASE("a DICOM PET in Bq/mL loads in SUVbw equal to the SUV it was made from, and without a weight "
          "it stays in Bq/mL, said",
          "[pet][suv]") {
  // A real FDG-PET in SUV (sarcoma STS_001) written as a PET series in Bq/mL with per-slice slopes.
  const LoadedSeries suvNifti =
      loadPath(test::sharedData("lesions/sarcoma_ibsi_sts/STS_001/PET_image.nii.gz"));
  const Volume& suv = suvNifti.volumes.front();
  const VolumeGeometry& g = suv.geometry;
  const PetDoseInfo dose = typicalFdg();
  const double factor = suvBodyWeight(dose).factor; // SUV = Bq/mL x factor
  auto write = [&](const std::string& folder, double weightKg) {
    test::writePetSeries(suv, folder, dose, weightKg);
  };
  const std::string root = test::scratchFolder("pet-suv");
  write(root + "/with-weight", dose.patientWeightKg);
  const LoadedSeries pet = loadPath(root + "/with-weight");
  const Volume& v = pet.volumes.front();
  CHECK(v.units == "SUVbw");
  REQUIRE(v.geometry.voxelCount() == g.voxelCount());
  double worst = 0;
  for (std::size_t q = 0; q < g.voxelCount(); ++q)
    worst = std::max(worst, std::abs(v.value(q) - suv.value(q)));
  INFO("largest SUV difference " << worst);
  CHECK(worst < 0.01); // quantisation: peak / 32000 per slice
  bool said = false;
  for (const IngestIssue& i : pet.issues)
    said = said || (i.kind == IssueKind::PetValues && i.message.find("SUVbw") != std::string::npos);
  CHECK(said);

  write(root + "/no-weight", 0);
  const LoadedSeries raw = loadPath(root + "/no-weight");
  CHECK(raw.volumes.front().units == "Bq/mL");
  CHECK(raw.volumes.front().value(g.voxelCount() / 2) ==
        Approx(suv.value(g.voxelCount() / 2) / factor).epsilon(0.01).margin(5));
  bool refused = false;
  for (const IngestIssue& i : raw.issues) {
    refused = refused || (i.kind == IssueKind::PetValues &&
                          i.message.find("Patient's Weight (0010,1030)") != std::string::npos);
  }
  CHECK(refused);
}
