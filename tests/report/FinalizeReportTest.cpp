// SPDX-License-Identifier: Apache-2.0
// Finalize end to end: `lightbox report` (the real binary) on a saved review of the LIDC slab
// writes SEG + SR + KOS + PDF + Encapsulated PDF that third-party validators accept; the objects
// re-open in Lightbox equal to the review they came from; finalizing again writes version 2 that
// references version 1 and leaves it untouched.
#include "app/report/FinalizeReport.h"
#include "core/report/MeasurementReportSr.h"
#include "core/segmentation/DicomSegImport.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>

using namespace lightbox;
namespace fs = std::filesystem;

namespace {

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("lightbox report: SEG, SR, KOS, PDF and Encapsulated PDF from the saved review, valid and re-opened exactly",
          "[report][finalize]") {
  test::ReviewedSeries r = test::lidcReviewedSeries(true);
  const std::string out = test::scratchFolder("report-cli");
  const test::ToolRun run = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" + out +
                                          "' --reader 'Doe^Jane' --csv --json");
  INFO(run.output);
  REQUIRE(run.status == 0);
  const std::string v1 = out + "/v1";
  for (const char* f : {"seg.dcm", "sr.dcm", "kos.dcm", "report.pdf", "report-pdf.dcm", "report.json", "measurements.csv"}) {
    INFO(f);
    CHECK(fs::exists(v1 + "/" + f));
  }
  for (const auto& e : fs::directory_iterator(out)) {
    INFO(e.path());
    CHECK(e.path().filename().string().find("partial") == std::string::npos); // no temporary folder left
  }

  // Third-party validators: no errors in any DICOM object.
  for (const char* f : {"seg.dcm", "sr.dcm", "kos.dcm", "report-pdf.dcm"}) {
    const test::Dciodvfy v = test::dciodvfy(v1 + "/" + f);
    for (const std::string& w : v.warnings) std::printf("dciodvfy %s: %s\n", f, w.c_str());
    INFO(f << "\n" << v.output);
    CHECK(v.errors.empty());
    CHECK(test::runTool("dcmdump '" + v1 + "/" + f + "'").status == 0);
    CHECK(test::runTool("/usr/bin/python3 -c \"import pydicom,sys; pydicom.dcmread(sys.argv[1])\" '" + v1 + "/" + f + "'")
              .status == 0);
  }

  // F2 had no mask: the engine made one at finalize, marked automatic.
  const nlohmann::json manifest = readJson(v1 + "/report.json");
  REQUIRE(manifest["findings"].size() == 2);
  CHECK(manifest["findings"][0]["id"] == "F1");
  CHECK(manifest["findings"][0]["mask_made_at_finalize"] == false);
  CHECK(manifest["findings"][1]["id"] == "F2");
  CHECK(manifest["rejected"] == nlohmann::json::array({"F3"}));
  const bool f2Masked = manifest["findings"][1]["segment_number"] == 2;
  CHECK(manifest["findings"][1]["mask_made_at_finalize"] == f2Masked);
  if (!f2Masked) {
    // Then the engine found nothing there, and the report says so by name.
    bool named = false;
    for (const auto& w : manifest["warnings"]) named |= w.get<std::string>().rfind("F2", 0) == 0;
    CHECK(named);
  }
  std::printf("finalize: F2 %s\n", f2Masked ? "got a mask at finalize" : "has no mask (the engine found none)");

  // The SEG re-opens on the series: F1's segment equals the review's mask voxel for voxel.
  const ImportedSeg seg = importDicomSeg(v1 + "/seg.dcm", segSourceOf(selectSeries(*r.scan, "")));
  REQUIRE(seg.segments.size() == (f2Masked ? 2u : 1u));
  std::size_t differ = 0;
  for (std::size_t k = 0; k < r.image.geometry.size[2]; ++k) {
    for (std::size_t j = 0; j < r.image.geometry.size[1]; ++j) {
      for (std::size_t i = 0; i < r.image.geometry.size[0]; ++i) {
        differ += seg.segments[0].mask.contains(i, j, k) != (r.labels.labels[r.labels.index(i, j, k)] == 1);
      }
    }
  }
  CHECK(differ == 0);
  CHECK(seg.segments[0].algorithmType == "AUTOMATIC");
  if (f2Masked) CHECK(seg.segments[1].algorithmType == "AUTOMATIC");

  // The SR re-opens as the review's measurements.
  const SrMeasurementReport sr = readMeasurementReportSr(v1 + "/sr.dcm");
  CHECK(sr.studyInstanceUid == r.content.source.studyInstanceUid);
  REQUIRE(sr.groups.size() == 2);
  const ReportFinding& f1 = r.content.findings[0];
  CHECK(sr.groups[0].trackingId == "F1");
  CHECK(sr.groups[0].trackingUid == f1.trackingUid);
  const std::string segUid = manifest["objects"][0]["sop_instance_uid"];
  CHECK(sr.groups[0].referencedSegUid == segUid);
  CHECK(sr.groups[0].referencedSegmentNumber == 1);
  const SrMeasurementGroup::Value* longAxis = sr.groups[0].find("Long axis");
  const SrMeasurementGroup::Value* volume = sr.groups[0].find("Volume");
  REQUIRE(longAxis);
  REQUIRE(volume);
  CHECK(longAxis->value == Approx(f1.mask.longAxisMm).margin(0.05));
  CHECK(volume->value == Approx(volume->unitCode == "ml" || volume->unitCode == "mL" ? f1.mask.volumeMl
                                                                                      : f1.mask.volumeMl * 1000.0)
                             .epsilon(0.01));

  // The PDF as text.
  test::requireTool("pdftotext");
  const test::ToolRun text = test::runTool("pdftotext -layout '" + v1 + "/report.pdf' -");
  INFO(text.output);
  CHECK(text.output.find("F1") != std::string::npos);
  CHECK(text.output.find("lightbox-nodule") != std::string::npos);
  CHECK(text.output.find("Doe") != std::string::npos);

  // Finalizing again: version 2 references version 1, which stays as it was.
  const std::string srV1 = readAll(v1 + "/sr.dcm");
  const test::ToolRun again = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + r.folder + "' -o '" +
                                            out + "' --reader 'Doe^Jane' --impression 'Stable.'");
  INFO(again.output);
  REQUIRE(again.status == 0);
  CHECK(readAll(v1 + "/sr.dcm") == srV1);
  const nlohmann::json v2 = readJson(out + "/v2/report.json");
  CHECK(v2["version"] == 2);
  CHECK(v2["impression"] == "Stable.");
  REQUIRE(v2["previous"].size() == manifest["objects"].size());
  const std::string srV1Uid = manifest["objects"][1]["sop_instance_uid"];
  const test::ToolRun dump = test::runTool("dcmdump '" + out + "/v2/sr.dcm'");
  CHECK(dump.output.find(srV1Uid) != std::string::npos); // predecessor document
}

TEST_CASE("lightbox report names what blocks it and writes nothing", "[report][finalize]") {
  const std::string out = test::scratchFolder("report-cli-blocked");
  // A research-format file has no source images to reference.
  const std::string nifti = test::scratchFolder("report-cli-nifti") + "/ct.nii.gz";
  REQUIRE(test::runTool(std::string("'") + LIGHTBOX_BINARY + "' convert '" +
                        test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom") + "' '" + nifti + "'")
              .status == 0);
  const test::ToolRun run = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + nifti + "' -o '" + out + "'");
  CHECK(run.status == 1);
  CHECK(run.output.find(nifti) != std::string::npos);
  CHECK(run.output.find("not DICOM") != std::string::npos);
  CHECK(fs::is_empty(out));
  // Usage errors: exit 2.
  CHECK(test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + nifti + "'").status == 2);
}

TEST_CASE("lightbox report of a series with nothing found: a valid negative report, CT, tilted CT, enhanced MR",
          "[report][finalize]") {
  // The gantry-tilt CT is de-identified without saying how (empty Deidentification Method) and
  // resampled; the MR is an enhanced multi-frame object (frames referenced by number).
  for (const char* series : {"ct/chest_4dct_popi_phase00", "ct/head_ge_gantry_tilt_variable_spacing/dicom",
                             "mr/brain_siemens_xa30_enhanced_t1w"}) {
    INFO(series);
    const std::string out = test::scratchFolder(std::string("report-cli-negative-") + std::to_string(std::hash<std::string>{}(series)));
    const test::ToolRun run = test::runTool(std::string("'") + LIGHTBOX_BINARY + "' report '" + test::sharedData(series) +
                                            "' -o '" + out + "'");
    INFO(run.output);
    REQUIRE(run.status == 0);
    CHECK(!fs::exists(out + "/v1/seg.dcm")); // no mask, no SEG
    for (const char* f : {"sr.dcm", "kos.dcm", "report-pdf.dcm"}) {
      const test::Dciodvfy v = test::dciodvfy(out + "/v1/" + f);
      INFO(f << "\n" << v.output);
      CHECK(v.errors.empty());
    }
    const SrMeasurementReport sr = readMeasurementReportSr(out + "/v1/sr.dcm");
    CHECK(sr.groups.empty());
    const test::ToolRun text = test::runTool("pdftotext -layout '" + out + "/v1/report.pdf' -");
    // (pdftotext writes the "fi" ligature as one character: "No nding" would not match "No finding")
    const bool ct = std::string(series).rfind("ct/", 0) == 0;
    CHECK(text.output.find(ct ? "No pulmonary nodule accepted." : "nding accepted.") != std::string::npos);
    CHECK((text.output.find("Lung-RADS v2022") != std::string::npos) == ct);
  }
}
