// SPDX-License-Identifier: Apache-2.0
// lightbox detect | eval-detection | models | make-nodule-dataset
#include "ai/nodule/DetectionFindings.h"
#include "ai/nodule/DetectionJson.h"
#include "ai/nodule/Froc.h"
#include "ai/nodule/MaskSizing.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/nodule/ReferenceNodules.h"
#include "ai/nodule/TrainingData.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "ai/segmentation/SyntheticLesions.h"
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"
#include "core/annotation/ScoreText.h"
#include "core/io/ImageFileIO.h"
#include "core/io/IngestJson.h"
#include "core/segmentation/ModalityRecognition.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace lightbox::cli {
namespace {

struct ScanInput {
  Volume volume;
  ScanFacts facts;
  std::string seriesUid;
};

ScanInput loadScan(const std::string& path, const std::string& selector, const std::string& modality) {
  ScanInput in;
  if (isResearchImageFile(path)) {
    LoadedSeries loaded = loadPath(path);
    // NIfTI & co. say neither the modality nor the units. A CT named by --modality holds
    // Hounsfield units; else the values say (as the viewer and `lightbox segment` recognise them).
    // The lesion engine that sizes the findings takes a volume without HU for an MR: its masks of
    // a CT then flooded, and the detector warns that the values are not HU.
    if (loaded.volumes.at(0).units.empty()) {
      if (modality == "CT") {
        for (Volume& v : loaded.volumes)
          v.units = "HU";
      } else if (modality.empty()) {
        if (const auto r = recogniseMissingUnits(loaded.volumes); r && r->modality == "CT")
          in.facts.modality = "CT";
      }
    }
    in.volume = std::move(loaded.volumes.at(0));
    if (!modality.empty())
      in.facts.modality = modality;
    return in;
  }
  const StudyScan scan = scanStudy(path);
  if (scan.series.empty()) throw NoImageSeriesError(path + ": no loadable image series");
  const AssembledSeries& series = selectSeries(scan, selector);
  LoadedSeries loaded = loadSeries(series);
  in.volume = std::move(loaded.volumes.at(0));
  in.facts.modality = modality.empty() ? series.header->modality : modality;
  if (!series.volumes.empty() && !series.volumes.front().slices.empty()) {
    in.facts.sliceThicknessMm = series.volumes.front().slices.front().sliceThickness;
  }
  in.seriesUid = series.header->seriesInstanceUid;
  return in;
}

} // namespace

int runModels(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"json"}, {});
  if (!args.positional().empty()) throw UsageError("usage: lightbox models [--json]");
  const std::vector<ModelEntry> models = listModels(defaultModelFolders());
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const ModelEntry& e : models) {
      out.push_back({{"name", e.manifest.name}, {"version", e.manifest.version}, {"task", e.manifest.task},
                     {"licence", e.manifest.licence}, {"intended_use", e.manifest.intendedUse},
                     {"manifest", e.manifest.manifestPath}, {"usable", e.usable}, {"problem", e.problem}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("model folders:");
  for (const std::string& f : defaultModelFolders()) std::printf(" %s", f.c_str());
  std::printf("\n");
  for (const ModelEntry& e : models) {
    std::printf("%-22s %-8s %-12s %s\n  intended use: %s\n", e.manifest.name.c_str(), e.manifest.version.c_str(),
                e.manifest.licence.c_str(), e.usable ? "ok" : ("REFUSED: " + e.problem).c_str(),
                e.manifest.intendedUse.c_str());
  }
  return kExitOk;
}

int runDetect(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {}, {"json", "series", "model", "threads", "fp-per-scan", "modality"});
  if (args.positional().size() != 1) {
    throw UsageError("usage: lightbox detect SERIES_OR_PATH [--json OUT.json] [--series INDEX|UID] "
                     "[--model NAME] [--threads N] [--fp-per-scan F] [--modality CT]");
  }
  const int threads = int(args.integer("threads", 0, 0, 1024));
  const double fpPerScan = args.number("fp-per-scan", 1.0, 1e-3, 1e3);
  if (args.has("json")) requireWritableFile(args.option("json")); // before the detection
  const ModelEntry entry =
      findModel(args.option("model", "lightbox-nodule"), defaultModelFolders());
  const auto runner = loadVerifiedModel(entry, threads);
  const ScanInput in =
      loadScan(args.positional()[0], args.option("series"), args.option("modality"));
  DetectionResult r = detectNodules(in.volume, in.facts, entry.manifest, *runner);
  const double threshold = entry.manifest.thresholdForFpPerScan(fpPerScan);
  // Sized on masks at the operating point asked for (each mask takes about 0.3 s); the findings
  // below it keep their profile size and say so.
  sizeDetectionFromMasks(r, in.volume, threshold, threads);
  for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("%s %s: %zu candidates, %zu findings kept (%.1f s prepare, %.1f s inference, %.1f s "
              "sizing)\n",
              entry.manifest.name.c_str(), entry.manifest.version.c_str(), r.candidates,
              r.findings.size(), r.prepareSeconds, r.inferenceSeconds, r.sizingSeconds);
  std::printf("operating point %.3g FP/scan: score >= %.4g\n", fpPerScan, threshold);
  std::printf("%-4s %11s %8s %8s  %-13s %s\n", "id", "score", "diam mm", "vol mm3", "type", "centre LPS mm");
  // The findings as a review would take them (the viewer's conversion), filtered at the operating point.
  std::vector<Finding> shown;
  for (const Finding& f : findingsFromDetection(r, entry.manifest, fpPerScan).findings) {
    if (f.score >= threshold) shown.push_back(f);
  }
  std::vector<double> scores;
  for (const Finding& f : shown) scores.push_back(f.score);
  const int decimals = scoreDecimals(scores);
  for (const Finding& f : shown) {
    // A diameter at the measurement cap is not a size: say so instead of printing the cap.
    char diameter[16];
    std::snprintf(diameter, sizeof(diameter), f.sizeCapped ? ">%.0f?" : f.sizeSource == "mask" ? "%.1f" : "%.1f*",
                  f.diameterMm);
    std::printf("%-4s %11s %8s %8.0f  %-13s (%.1f, %.1f, %.1f)%s\n", f.id.c_str(), scoreText(f.score, decimals).c_str(),
                diameter, f.volumeMm3, f.type.c_str(), f.centerLps[0], f.centerLps[1], f.centerLps[2],
                f.sizeCapped ? "  size unmeasured (hit the profile cap)" : "");
  }
  if (std::any_of(shown.begin(), shown.end(), [](const Finding& f) { return !f.sizeCapped && f.sizeSource != "mask"; })) {
    std::printf("* size from radial HU profiles, not a mask (none the lesion engine made passed the finding's checks)\n");
  }
  if (!args.option("json").empty()) {
    nlohmann::json j = detectionToJson(r, entry.manifest, fpPerScan, threshold);
    j["series"] = {{"path", args.positional()[0]}, {"series_instance_uid", in.seriesUid},
                   {"modality", in.facts.modality}, {"geometry", toJson(in.volume.geometry)}};
    std::ofstream f(args.option("json"));
    f << j.dump(2) << '\n';
    f.close();
    if (!f) throw OutputError("cannot write " + args.option("json"));
  }
  return kExitOk;
}

int runEvalDetection(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {}, {"json"});
  const auto& pos = args.positional();
  if (pos.empty() || pos.size() % 2 != 0) {
    throw UsageError("usage: lightbox eval-detection DETECTIONS.json REFERENCE [DETECTIONS.json REFERENCE ...] "
                     "[--json OUT]\n  REFERENCE: an LIDC reader XML or a Lightbox ground-truth JSON (phantom.json)");
  }
  if (args.has("json")) requireWritableFile(args.option("json"));
  std::vector<ScanForEvaluation> scans;
  for (std::size_t i = 0; i < pos.size(); i += 2) {
    std::ifstream f(pos[i]);
    if (!f) throw std::runtime_error(pos[i] + ": cannot be read");
    nlohmann::json det;
    try {
      f >> det;
    } catch (const std::exception& e) {
      throw std::runtime_error(pos[i] + ": not a detection JSON (" + e.what() + ")");
    }
    if (!det.contains("series") || !det["series"].contains("geometry")) {
      throw std::runtime_error(pos[i] + ": no series.geometry (write it with lightbox detect --json)");
    }
    ScanForEvaluation s;
    s.name = std::filesystem::path(pos[i]).filename().string();
    s.reference = readReferenceNodules(pos[i + 1], geometryFromJson(det["series"]["geometry"]));
    for (const auto& x : det.at("findings")) {
      const auto& c = x.at("center_lps");
      s.detections.push_back({{c[0].get<double>(), c[1].get<double>(), c[2].get<double>()}, x.at("score").get<double>()});
    }
    std::printf("%s: %zu reference nodules, %zu detections\n", s.name.c_str(), s.reference.size(), s.detections.size());
    for (const ReferenceNodule& n : s.reference) {
      double best = 0, dist = 1e9;
      for (const ScoredPoint& d : s.detections) {
        const double dd = norm(d.centerLps - n.centerLps);
        if (dd <= n.diameterMm / 2 && d.score > best) {
          best = d.score;
          dist = dd;
        }
      }
      std::printf("  %-8s %5.1f mm %-13s readers %d%s  best hit: %s\n", n.id.c_str(), n.diameterMm, n.type.c_str(),
                  n.readers, n.counts ? "" : " (does not count)",
                  best > 0 ? ("score " + std::to_string(best).substr(0, 5) + " at " + std::to_string(dist).substr(0, 4) + " mm").c_str()
                           : "none");
    }
    scans.push_back(std::move(s));
  }
  const FrocResult r = computeFroc(scans);
  std::printf("\nFROC over %zu scans, %zu counting nodules, %zu detections\n", r.scans, r.nodules, r.detections);
  std::printf("%12s %12s %10s\n", "FP/scan", "sensitivity", "threshold");
  for (const FrocPoint& p : r.points) std::printf("%12.3f %12.3f %10.3f\n", p.fpPerScan, p.sensitivity, p.threshold);
  std::printf("CPM %.3f (max sensitivity %.3f at %.2f FP/scan)\n", r.cpm, r.maxSensitivity, r.fpPerScanAtMax);
  if (!args.option("json").empty()) {
    nlohmann::json j{{"scans", r.scans}, {"nodules", r.nodules}, {"cpm", r.cpm}, {"max_sensitivity", r.maxSensitivity}};
    for (const FrocPoint& p : r.points) {
      j["froc"].push_back({{"fp_per_scan", p.fpPerScan}, {"sensitivity", p.sensitivity}, {"threshold", p.threshold}});
    }
    std::ofstream f(args.option("json"));
    f << j.dump(2) << '\n';
    f.close();
    if (!f) throw OutputError("cannot write " + args.option("json"));
  }
  return kExitOk;
}

int runMakeNoduleDataset(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"val-scans"}, {"copies", "nodules", "seed", "every", "max-candidates"});
  if (args.positional().size() < 2) {
    throw UsageError("usage: lightbox make-nodule-dataset OUT_DIR BACKGROUND[=REFERENCE] ... [--copies N] "
                     "[--nodules K] [--seed S] [--every V] [--max-candidates N] [--val-scans]");
  }
  DatasetOptions o;
  o.outFolder = args.positional()[0];
  o.copies = std::size_t(args.integer("copies", 20, 1, 100000));
  o.nodulesPerCopy = std::size_t(args.integer("nodules", 8, 1, 1000));
  o.seed = std::uint32_t(args.integer("seed", 1, 0, 0xFFFFFFFFll));
  o.validationEvery = std::size_t(args.integer("every", 5, 1, 100000));
  o.detector.maxCandidates = std::size_t(args.integer("max-candidates", (long long)o.detector.maxCandidates, 1, 100000));
  requireWritableFolder(o.outFolder);
  o.writeValidationScans = args.flag("val-scans");
  for (std::size_t i = 1; i < args.positional().size(); ++i) {
    const std::string& a = args.positional()[i];
    DatasetBackground b;
    const std::size_t eq = a.find('=');
    b.path = a.substr(0, eq);
    if (eq != std::string::npos) {
      const Volume v = loadPath(b.path).volumes.at(0);
      b.avoid = readReferenceNodules(a.substr(eq + 1), v.geometry);
      std::fprintf(stderr, "%s: keeping away from %zu real nodules\n", b.path.c_str(), b.avoid.size());
    }
    o.backgrounds.push_back(b);
  }
  writeNoduleDataset(o);
  return kExitOk;
}

int runMakeSegmentationDataset(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"eval"}, {"copies", "lesions", "samples", "seed"});
  if (args.positional().size() < 2) {
    throw UsageError("usage: lightbox make-segmentation-dataset OUT_DIR BACKGROUND[=REFERENCE] ... [--copies N] "
                     "[--lesions K] [--samples S] [--seed S] [--eval]");
  }
  SegmentationDatasetOptions o;
  o.outFolder = args.positional()[0];
  o.copies = std::size_t(args.integer("copies", 10, 1, 100000));
  o.lesionsPerCopy = std::size_t(args.integer("lesions", 8, 1, 250));
  o.samplesPerLesion = std::size_t(args.integer("samples", 2, 1, 100));
  o.seed = std::uint32_t(args.integer("seed", 1, 0, 0xFFFFFFFFll));
  o.evaluationScans = args.flag("eval");
  requireWritableFolder(o.outFolder);
  for (std::size_t i = 1; i < args.positional().size(); ++i) {
    const std::string& a = args.positional()[i];
    SegmentationDatasetOptions::Background b;
    const std::size_t eq = a.find('=');
    b.path = a.substr(0, eq);
    if (eq != std::string::npos) {
      const Volume v = loadPath(b.path).volumes.at(0);
      b.avoid = readReferenceNodules(a.substr(eq + 1), v.geometry);
    }
    o.backgrounds.push_back(b);
  }
  writeSegmentationDataset(o);
  return kExitOk;
}

} // namespace lightbox::cli
