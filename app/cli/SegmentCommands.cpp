// SPDX-License-Identifier: Apache-2.0
// `lightbox segment` (click-to-segment from the command line), `lightbox eval-segmentation` and
// `lightbox eval-lesion-set` (both engines on a held-out synthetic set).
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

#include "ai/segmentation/LesionModelEngine.h"
#include "ai/segmentation/PromptableLesionEngine.h"
#include "ai/segmentation/PromptedSegmentation.h"
#include "core/io/ImageFileIO.h"
#include "core/segmentation/ClassicalSegmenter.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/segmentation/ModalityRecognition.h"
#include "core/segmentation/SegmentTools.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

namespace lightbox::cli {
namespace {

Volume maskVolume(const VolumeGeometry& g, const std::vector<std::uint8_t>& mask) {
  Volume v;
  v.geometry = g;
  std::vector<std::int16_t> voxels(mask.size());
  for (std::size_t n = 0; n < mask.size(); ++n) voxels[n] = mask[n] ? 1 : 0;
  v.voxels = std::move(voxels);
  return v;
}

std::vector<std::uint8_t> readMask(const std::string& path, VolumeGeometry& geometry) {
  const std::vector<Volume> volumes = readResearchImage(path);
  if (volumes.size() != 1) throw std::runtime_error(path + ": a mask must be one 3D volume");
  geometry = volumes.front().geometry;
  std::vector<std::uint8_t> mask(geometry.voxelCount());
  for (std::size_t n = 0; n < mask.size(); ++n) mask[n] = volumes.front().value(n) > 0.5;
  return mask;
}

} // namespace

namespace {

Vec3 parsePoint(const std::string& option, const std::string& value) {
  Vec3 p{};
  char tail = 0;
  if (std::sscanf(value.c_str(), "%lf,%lf,%lf%c", &p[0], &p[1], &p[2], &tail) != 3 || !std::isfinite(p[0]) ||
      !std::isfinite(p[1]) || !std::isfinite(p[2])) {
    throw UsageError("option --" + option + " needs three numbers X,Y,Z in millimetres (LPS), not '" + value + "'");
  }
  return p;
}

std::pair<Vec3, Vec3> parseBox(const std::string& value) {
  double v[6];
  char tail = 0;
  if (std::sscanf(value.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6 ||
      !std::all_of(v, v + 6, [](double x) { return std::isfinite(x); })) {
    throw UsageError("option --box-lps needs six numbers X0,Y0,Z0,X1,Y1,Z1 in millimetres (LPS, two opposite corners), not '" +
                     value + "'");
  }
  return {{v[0], v[1], v[2]}, {v[3], v[4], v[5]}};
}

nlohmann::json lpsJson(const Vec3& p) { return {p[0], p[1], p[2]}; }

} // namespace

int runSegment(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"seed-lps", "box-lps", "add-lps", "remove-lps", "engine", "o", "json", "series", "threads"});
  if (args.positional().size() != 1 || (!args.has("seed-lps") && !args.has("box-lps")) || !args.has("o")) {
    throw UsageError("usage: lightbox segment SERIES_OR_PATH --seed-lps X,Y,Z [--box-lps X0,Y0,Z0,X1,Y1,Z1] "
                     "[--add-lps X,Y,Z]... [--remove-lps X,Y,Z]... [--engine model|classical] "
                     "-o MASK.nii.gz [--json OUT.json] [--series INDEX|UID] (--box-lps may replace --seed-lps)");
  }
  if (args.values("seed-lps").size() > 1) throw UsageError("option --seed-lps: give one seed point (correction clicks: --add-lps, --remove-lps)");
  if (args.values("box-lps").size() > 1) throw UsageError("option --box-lps: give one box");
  // Prompts in command-line order for the corrections; the seed and the box come first.
  std::vector<LesionPrompt> prompts;
  if (args.has("seed-lps")) prompts.push_back({LesionPrompt::Kind::Seed, parsePoint("seed-lps", args.option("seed-lps")), {}});
  if (args.has("box-lps")) {
    const auto [a, b] = parseBox(args.option("box-lps"));
    prompts.push_back({LesionPrompt::Kind::Box, a, b});
  }
  for (const auto& [name, value] : args.ordered()) {
    if (name == "add-lps") prompts.push_back({LesionPrompt::Kind::Add, parsePoint(name, value), {}});
    if (name == "remove-lps") prompts.push_back({LesionPrompt::Kind::Remove, parsePoint(name, value), {}});
  }
  const std::string engine = args.option("engine", "model");
  if (engine != "model" && engine != "classical") {
    throw UsageError("option --engine must be model or classical, not '" + engine + "'");
  }
  const std::string output = args.option("o");
  if (!isResearchImageFile(output)) {
    throw UsageError("unknown mask format: " + output + " (use .nii, .nii.gz, .nrrd or .mha)");
  }
  requireWritableFile(output);
  if (args.has("json")) requireWritableFile(args.option("json"));
  LoadOptions options;
  options.threads = unsigned(args.integer("threads", 0, 0, 1024));
  const auto t0 = std::chrono::steady_clock::now();
  const std::string input = args.positional()[0];
  const bool research = isResearchImageFile(input) && std::filesystem::is_regular_file(input);
  std::string dicomModality;
  LoadedSeries loaded;
  if (research) {
    loaded = loadPath(input, args.option("series"), options);
  } else {
    const StudyScan scan = scanStudy(input, options.threads);
    if (scan.series.empty()) throw NoImageSeriesError(input + ": no loadable image series");
    const AssembledSeries& series = selectSeries(scan, args.option("series"));
    if (series.header) dicomModality = series.header->modality;
    loaded = loadSeries(series, options);
  }
  Volume& image = loaded.volumes.front();
  // How the input's modality is known, and what that changes: the model's intensity channels
  // take Hounsfield units (series units "HU") or, else, values relative to the click.
  nlohmann::json handling;
  if (image.units == "HU") {
    handling["modality"] = "CT";
    handling["source"] = research ? "series units (HU)" : "DICOM Modality " + dicomModality + ", rescaled to HU";
  } else if (!dicomModality.empty()) {
    handling["modality"] = dicomModality;
    handling["source"] = "DICOM Modality";
  } else {
    const RecognisedModality r = recogniseModality(image);
    handling["modality"] = r.modality;
    handling["source"] = "recognised from values";
    handling["evidence"] = r.evidence;
    if (r.modality == "CT") image.units = "HU"; // values are Hounsfield units: the model's CT handling
  }
  for (const LesionPrompt& p : prompts) {
    if (p.kind == LesionPrompt::Kind::Box && voxelBoxBetween(image.geometry, p.at, p.corner).empty()) {
      throw UsageError("option --box-lps: " + args.option("box-lps") + " holds no voxel of the series");
    }
    const Vec3 ijk = image.geometry.lpsToIjk(p.at);
    for (int a = 0; a < 3 && p.kind != LesionPrompt::Kind::Box; ++a) {
      if (std::lround(ijk[a]) < 0 || std::lround(ijk[a]) >= long(image.geometry.size[a])) {
        throw UsageError(std::string("option --") + toString(p.kind) + "-lps: (" + std::to_string(p.at[0]) + ", " +
                         std::to_string(p.at[1]) + ", " + std::to_string(p.at[2]) + ") lies outside the series");
      }
    }
  }
  // The model engine needs the shipped model; when it is missing or refused the classical engine
  // runs and says so (in the JSON too: "engine" is the engine that ran).
  std::string note;
  std::unique_ptr<LesionModelEngine> model;
  if (engine == "model") {
    std::string why;
    model = loadLesionModel(why, int(options.threads));
    if (!model) {
      note = "the segmentation model cannot be used (" + why + "): used the classical engine";
      std::fprintf(stderr, "lightbox segment: %s\n", note.c_str());
    }
  }
  const bool ct = image.units == "HU";
  const bool promptable = model && model->promptable();
  if (promptable) {
    const LesionModality m = lesionModalityOf(image);
    handling["model_modality"] = toString(m);
    handling["normalisation"] =
        std::string("model: a cube of 48 samples along the scan's axes, 2 mm apart first, growing "
                    "up to 8 mm while ") +
        "the lesion touches its edge, finer for a small lesion (with a box: one cube on the box, "
        "its largest side 95 % " +
        "of the cube); " +
        (m == LesionModality::CT   ? "HU against the click's value (60 and 240 HU scales), a lung "
                                     "window and a soft-tissue window"
         : m == LesionModality::PT ? "SUV against the click's value (15 % of it), SUV / 3 and SUV "
                                     "against the cube's median"
                                   : "values against the click's value and the cube's median, in "
                                     "units of the cube's 5-95 % spread") +
        "; outside the image marked as such";
  }
  if (!promptable) handling["normalisation"] =
      model ? (ct ? std::string("model: values minus the click's value over 300 HU (tanh at three gains), and HU clamped "
                                "to -1000..400 scaled to -1..1; sampled at 1.5 mm (or finer / coarser by the lesion's size), "
                                "outside the image -1024 HU")
                  : std::string("model: values minus the click's value over max(half the click's value, 5 % of the "
                                "patch's largest value) (tanh at three gains), and values over the click's value minus 1 "
                                "clamped to -1..2; sampled at 1.5 mm (or finer / coarser), outside the image 0"))
            : std::string("classical: none (the boundary comes from the image's own values around the click)");
  const auto t1 = std::chrono::steady_clock::now();
  PromptedResult result;
  try {
    result = segmentWithPrompts(image, prompts, model.get());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("option --seed-lps / --box-lps: ") + e.what());
  }
  const std::vector<std::uint8_t>& mask = result.mask;
  const LesionMask& lesion = result.last;
  const SegmentStats st = measureMask(image.geometry, mask, &image);
  writeResearchImage({maskVolume(image.geometry, mask)}, output);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  nlohmann::json j;
  j["engine"] = lesion.engine;
  j["engine_requested"] = engine;
  if (model) {
    // The model that ran: a CT click in aerated lung goes to the lung-nodule model.
    const LesionModelEngine* nodule = model->lungNoduleEngine();
    const ModelManifest& ran = nodule && lesion.engine == nodule->manifest().name ? nodule->manifest() : model->manifest();
    j["model"] = {{"name", ran.name}, {"version", ran.version}, {"sha256", ran.weightsSha256}, {"licence", ran.licence}};
    if (&ran != &model->manifest()) {
      handling["routed"] = "lung-nodule model: CT with aerated lung around the seed (at least 30 % of the 25 mm ball at or "
                           "below -600 HU)";
    }
  } else {
    j["model"] = nullptr;
  }
  j["seed_lps"] = lpsJson(result.seedLps);
  j["mask"] = output;
  j["voxels"] = st.voxels;
  j["volume_ml"] = st.volumeMl;
  j["long_axis_mm"] = st.longAxisMm;
  j["short_axis_mm"] = st.shortAxisMm;
  j["axis_slice"] = st.axisSlice;
  j["long_axis_lps"] = {lpsJson(st.longA), lpsJson(st.longB)};
  j["short_axis_lps"] = {lpsJson(st.shortA), lpsJson(st.shortB)};
  j["mean"] = st.mean;
  j["sd"] = st.sd;
  j["min"] = st.min;
  j["max"] = st.max;
  j["units"] = image.units;
  if (image.units.rfind("SUV", 0) == 0 || handling.value("modality", std::string()) == "PT") {
    // PET: the reader's SUV numbers (SUVpeak: the best 1 mL sphere centred in the mask).
    j["suv"] = {{"units", image.units.empty() ? std::string("as stored (SUV assumed from the values)") : image.units},
                {"suv_max", st.max}, {"suv_mean", st.mean}, {"suv_peak", suvPeak(image, mask)}};
  }
  if (!model) {
    j["threshold"] = lesion.threshold;
    j["split_radius_mm"] = lesion.splitRadiusMm;
  }
  j["seconds"] = seconds;
  j["seconds_with_load"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json applied = nlohmann::json::array();
  for (const AppliedPrompt& a : result.applied) {
    nlohmann::json p{{"kind", toString(a.prompt.kind)}, {"voxels_changed", a.voxelsChanged}};
    if (a.prompt.kind == LesionPrompt::Kind::Box) {
      p["box_lps"] = {lpsJson(a.prompt.at), lpsJson(a.prompt.corner)};
    } else {
      p["lps"] = lpsJson(a.prompt.at);
    }
    if (!a.note.empty()) p["note"] = a.note;
    applied.push_back(p);
  }
  j["prompts"] = applied;
  if (promptable && !handling.contains("routed")) handling["passes_mm"] = model->promptable()->lastPasses();
  j["modality_handling"] = handling;
  // `warnings` stays a list of sentences; coded ones start with their code ("touches_limit: ...",
  // "leak_refused: ...") and the codes are listed in `warning_codes`.
  std::vector<std::string> warnings, codes;
  if (!note.empty()) warnings.push_back(note);
  for (const PromptWarning& w : result.warnings) {
    if (w.code == "engine") {
      warnings.push_back(w.message);
    } else {
      warnings.push_back(w.code + ": " + w.message);
      if (std::find(codes.begin(), codes.end(), w.code) == codes.end()) codes.push_back(w.code);
    }
  }
  if (st.voxels == 0) warnings.push_back("the mask is empty");
  j["warnings"] = warnings;
  j["warning_codes"] = codes;
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [what, faces] : result.limitsTouched) limits[what] = faces;
  j["limits_touched"] = limits;
  if (args.has("json")) {
    std::ofstream out(args.option("json"));
    out << j.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + args.option("json"));
  }
  std::printf("wrote %s: %zu voxels, %.2f mL, long axis %.1f mm, short axis %.1f mm, mean %.1f %s (%s engine, %zu prompts, %.3f s)\n",
              output.c_str(), st.voxels, st.volumeMl, st.longAxisMm, st.shortAxisMm, st.mean, image.units.c_str(),
              lesion.engine.c_str(), result.applied.size(), seconds);
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return kExitOk;
}

int runEvalSegmentation(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {});
  const auto& files = args.positional();
  if (files.empty() || files.size() % 2 != 0) {
    throw UsageError("usage: lightbox eval-segmentation PRED REF [PRED REF ...] (masks: non-zero = inside)");
  }
  double sumDice = 0, sumHd = 0, sumVol = 0, sumAxis = 0;
  std::size_t finiteHd = 0;
  std::printf("%-4s %7s %9s %10s %10s %8s %11s %11s %8s\n", "pair", "Dice", "HD95 mm", "pred mL", "ref mL", "vol err",
              "pred LA mm", "ref LA mm", "LA err");
  for (std::size_t p = 0; p < files.size(); p += 2) {
    VolumeGeometry gp, gr;
    const std::vector<std::uint8_t> pred = readMask(files[p], gp), ref = readMask(files[p + 1], gr);
    if (!sameGrid(gp, gr, 1e-2)) {
      throw std::runtime_error(files[p] + " and " + files[p + 1] + " are not on the same grid");
    }
    const double dice = diceCoefficient(pred, ref);
    const double hd = hausdorff95Mm(gp, pred, ref);
    const SegmentStats sp = measureMask(gp, pred), sr = measureMask(gr, ref);
    const double volErr = sr.volumeMl > 0 ? (sp.volumeMl - sr.volumeMl) / sr.volumeMl : 0.0;
    const double axisErr = sr.longAxisMm > 0 ? (sp.longAxisMm - sr.longAxisMm) / sr.longAxisMm : 0.0;
    std::printf("%-4zu %7.3f %9.2f %10.3f %10.3f %7.1f%% %11.1f %11.1f %7.1f%%\n", p / 2 + 1, dice, hd, sp.volumeMl,
                sr.volumeMl, 100 * volErr, sp.longAxisMm, sr.longAxisMm, 100 * axisErr);
    sumDice += dice;
    if (std::isfinite(hd)) {
      sumHd += hd;
      ++finiteHd;
    }
    sumVol += std::abs(volErr);
    sumAxis += std::abs(axisErr);
  }
  const double n = double(files.size() / 2);
  std::printf("mean %7.3f %9.2f %21s %7.1f%% %23s %7.1f%%   (volume and long-axis errors: mean absolute)\n", sumDice / n,
              finiteHd ? sumHd / double(finiteHd) : std::nan(""), "", 100 * sumVol / n, "", 100 * sumAxis / n);
  return kExitOk;
}

namespace {

std::string sizeBand(double diameterMm) {
  return diameterMm < 6 ? "3-6 mm" : diameterMm < 10 ? "6-10 mm" : diameterMm < 20 ? "10-20 mm" : "20-30 mm";
}

struct Tally {
  double dice = 0, axisError = 0, seconds = 0;
  std::size_t count = 0, above09 = 0;
  void add(double d, double a, double s) {
    dice += d, axisError += a, seconds += s, ++count, above09 += d >= 0.9;
  }
  nlohmann::json json() const {
    const double n = double(std::max<std::size_t>(count, 1));
    return {{"lesions", count}, {"mean_dice", dice / n}, {"dice_at_least_0.9", double(above09) / n},
            {"mean_abs_long_axis_error", axisError / n}, {"mean_seconds", seconds / n}};
  }
};

} // namespace

int runEvalLesionSet(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"engine", "json", "threads", "edge-min-probability"});
  if (args.positional().size() != 1) {
    throw UsageError("usage: lightbox eval-lesion-set DIR [--engine model|classical] [--json OUT.json] [--threads N] "
                     "[--edge-min-probability P] "
                     "(DIR: written by make-segmentation-dataset --eval)");
  }
  std::vector<std::string> engines{"model", "classical"};
  if (args.has("engine")) {
    const std::string e = args.option("engine");
    if (e != "model" && e != "classical") throw UsageError("option --engine must be model or classical, not '" + e + "'");
    engines = {e};
  }
  if (args.has("json")) requireWritableFile(args.option("json"));
  std::unique_ptr<LesionModelEngine> model;
  if (std::find(engines.begin(), engines.end(), "model") != engines.end()) {
    std::string why;
    model = loadLesionModel(why, int(args.integer("threads", 0, 0, 1024)));
    if (!model) throw std::runtime_error("the segmentation model cannot be used: " + why);
    if (args.has("edge-min-probability")) model->setEdgeMinProbability(args.number("edge-min-probability", 0.0, 0.0, 0.5));
  }
  std::vector<std::string> scans;
  for (const auto& e : std::filesystem::directory_iterator(args.positional()[0])) {
    if (e.path().extension() == ".json") scans.push_back(e.path().string());
  }
  std::sort(scans.begin(), scans.end());
  if (scans.empty()) throw std::runtime_error(args.positional()[0] + ": no scan_*.json (write it with make-segmentation-dataset --eval)");
  std::map<std::string, std::map<std::string, Tally>> byKind, byBand;
  std::map<std::string, Tally> overall;
  nlohmann::json perLesion = nlohmann::json::array();
  std::printf("%-26s %-16s %-14s %7s", "scan", "kind", "site", "diam mm");
  for (const std::string& e : engines) std::printf(" %10s %12s", (e + " Dice").c_str(), (e + " LA err").c_str());
  std::printf("\n");
  for (const std::string& path : scans) {
    std::ifstream f(path);
    const nlohmann::json spec = nlohmann::json::parse(f);
    const std::vector<Volume> scan = readResearchImage(spec.at("scan").get<std::string>());
    const std::vector<Volume> truth = readResearchImage(spec.at("truth").get<std::string>());
    const Volume& image = scan.front();
    for (const nlohmann::json& l : spec.at("lesions")) {
      const int label = l.at("label").get<int>();
      std::vector<std::uint8_t> ref(image.geometry.voxelCount());
      for (std::size_t q = 0; q < ref.size(); ++q) ref[q] = std::lround(truth.front().value(q)) == label;
      const SegmentStats refStats = measureMask(image.geometry, ref);
      const auto c = l.at("click_lps");
      const Vec3 click{c[0].get<double>(), c[1].get<double>(), c[2].get<double>()};
      const std::string kind = l.at("kind"), site = l.at("site");
      const double diameter = l.at("diameter_mm");
      nlohmann::json row{{"scan", path}, {"label", label}, {"kind", kind}, {"site", site}, {"diameter_mm", diameter},
                         {"reference_long_axis_mm", refStats.longAxisMm}};
      std::printf("%-26s %-16s %-14s %7.1f", std::filesystem::path(path).stem().string().c_str(), kind.c_str(),
                  site.c_str(), diameter);
      for (const std::string& e : engines) {
        const auto t0 = std::chrono::steady_clock::now();
        LesionMask lesion;
        try {
          lesion = e == "model" ? model->segment(image, click) : segmentClassical(image, click);
        } catch (const std::exception& error) {
          lesion = LesionMask{}; // counted as a miss: an empty mask
          row[e + "_error"] = error.what();
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::vector<std::uint8_t> pred =
            lesion.mask.empty() ? std::vector<std::uint8_t>(ref.size(), 0) : fullGridMask(image.geometry, lesion);
        const double dice = diceCoefficient(pred, ref);
        const SegmentStats st = measureMask(image.geometry, pred);
        const double axisError = refStats.longAxisMm > 0 ? std::abs(st.longAxisMm - refStats.longAxisMm) / refStats.longAxisMm : 0.0;
        byKind[e][kind].add(dice, axisError, seconds);
        byBand[e][sizeBand(diameter)].add(dice, axisError, seconds);
        overall[e].add(dice, axisError, seconds);
        row[e] = {{"dice", dice}, {"long_axis_mm", st.longAxisMm}, {"seconds", seconds}};
        std::printf(" %10.3f %11.1f%%", dice, 100 * axisError);
      }
      std::printf("\n");
      perLesion.push_back(row);
    }
  }
  nlohmann::json summary;
  if (perLesion.empty()) throw std::runtime_error(args.positional()[0] + ": the set holds no lesions");
  for (const std::string& e : engines) {
    std::printf("\n%s engine: %zu lesions, mean Dice %.3f, Dice >= 0.9 in %.0f %%, mean |long-axis error| %.1f %%, %.3f s a click\n",
                e.c_str(), overall[e].count, overall[e].dice / double(overall[e].count),
                100.0 * double(overall[e].above09) / double(overall[e].count),
                100 * overall[e].axisError / double(overall[e].count), overall[e].seconds / double(overall[e].count));
    summary[e]["all"] = overall[e].json();
    for (const auto& [k, t] : byKind[e]) {
      std::printf("  %-18s n=%-4zu Dice %.3f  |LA err| %5.1f %%\n", k.c_str(), t.count, t.dice / double(t.count),
                  100 * t.axisError / double(t.count));
      summary[e]["by_kind"][k] = t.json();
    }
    for (const auto& [b, t] : byBand[e]) {
      std::printf("  %-18s n=%-4zu Dice %.3f  |LA err| %5.1f %%\n", b.c_str(), t.count, t.dice / double(t.count),
                  100 * t.axisError / double(t.count));
      summary[e]["by_size"][b] = t.json();
    }
  }
  if (args.has("json")) {
    std::ofstream out(args.option("json"));
    out << nlohmann::json{{"summary", summary}, {"lesions", perLesion}}.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + args.option("json"));
  }
  return kExitOk;
}

} // namespace lightbox::cli
