// SPDX-License-Identifier: Apache-2.0
// Finalize end to end: `lightbox report` (the real binary) on a saved review of the LIDC slab
// writes SEG + SR + KOS + PDF + Encapsulated PDF that third-party validators accept; the objects
// re-open in Lightbox equal to the review they came from; finalizing again writes version 2 that
// references version 1 and leaves it untouched.
#include "app/report/FinalizeReport.h"
#include "core/annotation/AnnotationStore.h"
#include "core/clinical/LungRads.h"
#include "core/io/ImageFileIO.h"
#include "core/report/MeasurementReportSr.h"
#include "core/review/FindingMask.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/segmentation/SegmentTools.h"
#include "tests/report/ReportTestSupport.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

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

  // measurements.csv read by another parser (Python's csv), field by field against report.json:
  // a long and a short axis swapped in one of them fails.
  const test::ToolRun csv = test::runTool(
      "/usr/bin/python3 -c \"import csv, json, sys\n"
      "rows = list(csv.DictReader(open(sys.argv[1])))\n"
      "rep = {f['id']: f for f in json.load(open(sys.argv[2]))['findings']}\n"
      "assert [r['id'] for r in rows] == list(rep), (rows, list(rep))\n"
      "for r in rows:\n"
      "    f = rep[r['id']]\n"
      "    if not r['long_axis_mm']: continue\n"
      "    for k in ('long_axis_mm', 'short_axis_mm'):\n"
      "        assert abs(float(r[k]) - f[k]) < 0.051, (k, r[k], f[k])\n"
      "    assert abs(float(r['volume_ml']) - f['volume_ml']) < 0.0006, (r['volume_ml'], f['volume_ml'])\n"
      "    assert float(r['long_axis_mm']) >= float(r['short_axis_mm']), r\n"
      "print('csv ok', len(rows))\" '" + v1 + "/measurements.csv' '" + v1 + "/report.json'");
  INFO(csv.output);
  CHECK(csv.status == 0);

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

TEST_CASE("a finding the reader outlined without linking is reported with the reader's mask, never a sliver",
          "[report][finalize][mask]") {
  // Issue 22: accept F1, outline its nodule with the segment tool, go straight to Finalize. The
  // automatic mask made at finalize took only the voxels left over (a 0.02 mL sliver), and the
  // report printed the sliver's size and a downgraded Lung-RADS.
  test::ReviewedSeries r = test::lidcReviewedSeries(true, false);
  const SegmentStats reader = measureSegment(r.labels, 1, &r.image);
  REQUIRE(reader.volumeMl > 1.0);
  const double readerDiameter = std::round(5.0 * (reader.longAxisMm + reader.shortAxisMm)) / 10.0;
  const std::string category = suggestLungRads({{"F1", "solid", readerDiameter, readerDiameter}}).category;
  REQUIRE(category == "4B");

  // The content (what every writer takes) links the reader's segment by the one rule.
  REQUIRE(r.content.findings.size() == 2); // F1, and F2 (edited, on a vessel)
  const ReportFinding& f1 = r.content.findings[0];
  REQUIRE(f1.id == "F1");
  CHECK(f1.segmentLabel == 1);
  CHECK(f1.maskMatch == "contains its centre");
  CHECK(f1.diameterSource == "mask");
  CHECK(f1.mask.volumeMl == Approx(reader.volumeMl));
  CHECK(f1.lungRadsCategory == category);

  // `lightbox review` shows the same choice, and --link-masks links it in the saved review.
  const std::string bin = std::string("'") + LIGHTBOX_BINARY + "'";
  const test::ToolRun review = test::runTool(bin + " review '" + r.folder + "' --json");
  INFO(review.output);
  REQUIRE(review.status == 0);
  nlohmann::json rj = nlohmann::json::parse(review.output.substr(review.output.find('{')));
  const auto reviewF1 = [](const nlohmann::json& j) {
    for (const auto& f : j["findings"]) {
      if (f["id"] == "F1") return f;
    }
    return nlohmann::json();
  };
  REQUIRE(reviewF1(rj).contains("mask"));
  CHECK(reviewF1(rj)["mask"]["match"] == "contains its centre");
  CHECK(reviewF1(rj)["mask"]["linked"] == false);
  CHECK(reviewF1(rj)["mask"]["volume_ml"].get<double>() == Approx(reader.volumeMl));

  // Finalize (the command line): the reader's mask, its size and category in report.json, the SR and the PDF.
  const std::string out = test::scratchFolder("report-reader-mask");
  const test::ToolRun run = test::runTool(bin + " report '" + r.folder + "' -o '" + out + "' --reader 'Doe^Jane'");
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("contains its centre") != std::string::npos); // the summary says where the mask came from
  const nlohmann::json manifest = readJson(out + "/v1/report.json");
  REQUIRE(manifest["findings"].size() == 2);
  const nlohmann::json& m = manifest["findings"][0];
  REQUIRE(m["id"] == "F1");
  CHECK(m["mask_made_at_finalize"] == false);
  CHECK(m["mask_match"] == "contains its centre");
  CHECK(m["segment_number"] == 1);
  CHECK(m["volume_ml"].get<double>() == Approx(reader.volumeMl).epsilon(1e-6));
  CHECK(m["long_axis_mm"].get<double>() == Approx(reader.longAxisMm).epsilon(1e-6));
  CHECK(m["short_axis_mm"].get<double>() == Approx(reader.shortAxisMm).epsilon(1e-6));
  CHECK(m["diameter_mm"].get<double>() == Approx(readerDiameter));
  CHECK(m["lung_rads"] == category);
  CHECK(manifest["lung_rads"] == category);

  const SrMeasurementReport sr = readMeasurementReportSr(out + "/v1/sr.dcm");
  REQUIRE(sr.groups.size() == 2);
  REQUIRE(sr.groups[0].trackingId == "F1");
  const SrMeasurementGroup::Value* volume = sr.groups[0].find("Volume");
  const SrMeasurementGroup::Value* longAxis = sr.groups[0].find("Long axis");
  REQUIRE(volume);
  REQUIRE(longAxis);
  CHECK(longAxis->value == Approx(reader.longAxisMm).margin(0.05));
  CHECK(volume->value == Approx(volume->unitCode == "ml" || volume->unitCode == "mL" ? reader.volumeMl
                                                                                      : reader.volumeMl * 1000.0)
                             .epsilon(0.01));
  test::requireTool("pdftotext");
  const test::ToolRun text = test::runTool("pdftotext -layout '" + out + "/v1/report.pdf' -");
  INFO(text.output);
  CHECK(text.output.find(formatNumber("%.2f mL", reader.volumeMl)) != std::string::npos);
  CHECK(text.output.find(formatNumber("%.1f", reader.longAxisMm) + " x " + formatNumber("%.1f", reader.shortAxisMm)) !=
        std::string::npos);
  CHECK(text.output.find("4B") != std::string::npos);
  CHECK(text.output.find("Image ") != std::string::npos); // the key image by its Instance Number

  // --link-masks: the review now links F1 to the reader's segment.
  const test::ToolRun linked = test::runTool(bin + " review '" + r.folder + "' --link-masks --json");
  INFO(linked.output);
  REQUIRE(linked.status == 0);
  rj = nlohmann::json::parse(linked.output.substr(linked.output.find('{')));
  CHECK(reviewF1(rj)["mask"]["match"] == "linked");
  CHECK(reviewF1(rj)["mask"]["linked"] == true);
}

TEST_CASE(
    "lightbox review of a research CT reads it in HU as the viewer does: a mask of air is refused",
    "[report][review][mask]") {
  // A NIfTI has no modality. The viewer recognises a CT from its values (HU) and refuses a
  // finding's mask of air; `lightbox review` left the units empty, so the same mask passed there.
  const std::string folder = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  const StudyScan scan = scanStudy(folder);
  LoadedSeries dicom = loadSeries(selectSeries(scan, ""));
  REQUIRE(!dicom.volumes.empty());
  const std::string nifti = fs::absolute(test::scratchFolder("review-research-ct") + "/lidc.nii.gz")
                                .lexically_normal()
                                .string();
  writeResearchImage({dicom.volumes.front()}, nifti);
  const std::vector<Volume> read = readResearchImage(nifti);
  REQUIRE(read.size() == 1);
  const Volume& image = read.front();
  REQUIRE(image.units.empty()); // nothing in the file says HU

  // A point deep in aerated lung: every voxel within 4 mm reads below -850 HU.
  const VolumeGeometry& g = image.geometry;
  const auto at = [&](long i, long j, long k) {
    return image.value(std::size_t(i), std::size_t(j), std::size_t(k));
  };
  const long ri = long(std::ceil(4.0 / g.spacing[0])), rj = long(std::ceil(4.0 / g.spacing[1])),
             rk = long(std::ceil(4.0 / g.spacing[2]));
  std::optional<Vec3> lung;
  for (long k = rk; k + rk < long(g.size[2]) && !lung; k += 2) {
    for (long j = rj; j + rj < long(g.size[1]) && !lung; j += 4) {
      for (long i = ri; i + ri < long(g.size[0]) && !lung; i += 4) {
        bool air = true;
        for (long c = -rk; c <= rk && air; ++c)
          for (long b = -rj; b <= rj && air; ++b)
            for (long a = -ri; a <= ri && air; ++a)
              air = at(i + a, j + b, k + c) < -850.0;
        if (air)
          lung = g.ijkToLps({double(i), double(j), double(k)});
      }
    }
  }
  REQUIRE(lung);

  // Its review: F1 accepted there, and a 3 mm ball of that air saved as segment 1 beside it.
  const AnnotationStore store(AnnotationStore::defaultFolder());
  ReadingSession session = ReadingSession::open(store, nifti);
  const FindingsRun run = test::testFindingsRun();
  Finding f;
  f.id = "F1";
  f.centerLps = *lung;
  f.diameterMm = 6.0;
  f.type = "solid";
  f.score = f.probability = 0.9;
  session.applyDetection(run, {f});
  REQUIRE(session.setFindingState("F1", FindingState::Accepted));
  LabelMap labels(g);
  Segment s;
  s.label = 1;
  s.name = "air";
  s.origin = SegmentOrigin::Manual;
  labels.segments.push_back(s);
  BrushDab dab;
  dab.centerLps = *lung;
  dab.radiusMm = 3.0;
  dab.label = 1;
  paint(labels, dab);
  const SegmentStats air = measureSegment(labels, 1, &image);
  REQUIRE(air.voxels > 20);
  REQUIRE(air.mean < -850.0);
  saveLabelMap(labels, store.labelsPathFor(nifti));

  const test::ToolRun review =
      test::runTool(std::string("'") + LIGHTBOX_BINARY + "' review '" + nifti + "' --json");
  INFO(review.output);
  REQUIRE(review.status == 0);
  const nlohmann::json j = nlohmann::json::parse(review.output.substr(review.output.find('{')));
  REQUIRE(j.contains("modality_recognised"));
  CHECK(j["modality_recognised"].get<std::string>().rfind("CT (recognised from its values", 0) ==
        0);
  REQUIRE(j["findings"].size() == 1);
  REQUIRE(j["findings"][0].contains("mask"));
  CHECK(j["findings"][0]["mask"]["label"] == 1);
  REQUIRE(j["findings"][0]["mask"].contains("refused"));
  CHECK(j["findings"][0]["mask"]["refused"].get<std::string>().find("air, not a lesion") !=
        std::string::npos);
}

TEST_CASE("a duplicate proposal on a segmented nodule gets no sliver at finalize, and a size far from the AI's needs "
          "the reader's confirmation",
          "[report][finalize][mask]") {
  // F4 lies 2 mm from F1 on the same nodule; F1 is linked to the nodule's segment, so F4 cannot take
  // it, and the engine at F4's centre finds only what the segment left over.
  test::ReviewedSeries r = test::lidcReviewedSeries(false, true, true);
  FinalizeOptions options;
  options.outputFolder = test::scratchFolder("report-duplicate");
  const ReportPlan plan = planReport(*r.session, r.labels, r.image, r.content.source, options);
  const ReportFinding* f4 = nullptr;
  for (const ReportFinding& f : plan.content.findings) {
    if (f.id == "F4") f4 = &f;
  }
  REQUIRE(f4);
  INFO(plan.summary());
  if (f4->segmentNumber) {
    // Whatever the engine made there must be plausible for F4: never a sliver of a few voxels.
    CHECK(0.5 * (f4->mask.longAxisMm + f4->mask.shortAxisMm) >= f4->aiDiameterMm / 3.0);
  } else {
    bool said = false;
    for (const std::string& w : plan.content.warnings) said |= w.rfind("F4", 0) == 0;
    CHECK(said);
  }
  // F1 keeps the nodule's segment.
  CHECK(plan.content.findings[0].segmentLabel == 1);

  // A mask more than 2x from the AI's size is written only once the reader confirms it.
  ReportPlan mismatch = plan;
  ReportFinding& f1 = mismatch.content.findings[0];
  f1.aiDiameterMm = 0.4 * f1.mask.longAxisMm;
  Finding asFound;
  asFound.centerLps = f1.centerLps;
  asFound.diameterMm = f1.aiDiameterMm;
  f1.sizeDisagreement = maskSizeDisagreement(asFound, f1.mask);
  REQUIRE(f1.sizeDisagreement > kMaskSizeConfirmFactor);
  const std::vector<std::string> unconfirmed = unconfirmedSizes(mismatch.content);
  REQUIRE(unconfirmed.size() == 1);
  CHECK_THAT(unconfirmed[0], Catch::Contains("F1") && Catch::Contains("confirm"));
  CHECK_THAT(mismatch.summary(), Catch::Contains("NEEDS CONFIRMATION"));
  CHECK_THROWS_WITH(writeReport(mismatch, r.image), Catch::Contains("confirm"));
  confirmSizes(mismatch, {"F1"});
  CHECK(unconfirmedSizes(mismatch.content).empty());
  CHECK_THAT(mismatch.summary(), Catch::Contains("size confirmed by the reader"));
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
