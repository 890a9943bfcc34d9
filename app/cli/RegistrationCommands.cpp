// SPDX-License-Identifier: Apache-2.0
// `lightbox register` (prior -> current, rigid then affine), `lightbox map-points` (current LPS
// points to the prior through the stored transform) and `lightbox resample` (the prior on the
// current grid).
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

#include "ai/registration/LearnedRegistration.h"
#include "core/io/ImageFileIO.h"
#include "core/registration/DeformableRegistration.h"
#include "core/registration/Registration.h"
#include "core/registration/RegistrationMaps.h"
#include "core/registration/RigidAffineRegistration.h"
#include "core/registration/Transform.h"
#include "core/study/StudyLoader.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lightbox::cli {
namespace {

constexpr const char* kRegistrationJson = "registration.json";
constexpr const char* kTransformJson = "transform.json";
constexpr const char* kTransformItk = "transform.tfm";
constexpr const char* kDeformationItk = "deformation.nii.gz";

std::string inFolder(const std::string& folder, const char* name) {
  return (std::filesystem::path(folder) / name).string();
}

LoadedSeries loadOne(const std::string& path, const std::string& selector, unsigned threads, const char* role) {
  LoadOptions options;
  options.threads = threads;
  LoadedSeries loaded = loadPath(path, selector, options);
  if (loaded.volumes.empty()) throw NoImageSeriesError(std::string("the ") + role + " image " + path + " has no volume");
  if (loaded.volumes.size() > 1) {
    std::fprintf(stderr, "warning: the %s image %s has %zu volumes: registering the first\n", role, path.c_str(),
                 loaded.volumes.size());
  }
  return loaded;
}

nlohmann::json readRegistrationJson(const std::string& folder) {
  const std::string path = inFolder(folder, kRegistrationJson);
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (run `lightbox register` first)");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": malformed JSON: " + e.what());
  }
}

} // namespace

int runRegister(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"keep-all-stages"},
                       {"o", "engine", "threads", "fixed-series", "moving-series", "init", "grid-spacing", "samples", "io-iterations"});
  if (args.positional().size() != 2 || !args.has("o")) {
    throw UsageError("usage: lightbox register FIXED MOVING -o OUTDIR [--engine rigid|affine|deformable|model] "
                     "[--threads N] [--fixed-series INDEX|UID] [--moving-series INDEX|UID] "
                     "[--init identity|moments|geometry] [--grid-spacing MM] [--samples N] "
                     "[--io-iterations COARSE,FINE] [--keep-all-stages]");
  }
  const std::string engine = args.option("engine", "rigid");
  RegistrationOptions options;
  try {
    options.engine = registrationEngineFromName(engine);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("option --engine: ") + e.what());
  }
  const std::string init = args.option("init", "identity");
  if (init == "moments") {
    options.init = RegistrationInit::Moments;
  } else if (init == "geometry") {
    options.init = RegistrationInit::Geometry;
  } else if (init == "identity") {
    options.init = RegistrationInit::Identity;
  } else {
    throw UsageError("option --init must be identity, moments or geometry, not '" + init + "'");
  }
  options.threads = unsigned(args.integer("threads", 0, 0, 1024));
  options.gridSpacingMm = double(args.integer("grid-spacing", 0, 0, 200));
  options.samples = unsigned(args.integer("samples", 0, 0, 10000000));
  // Every stage as it came, even one the held-back check would drop (for comparing engines).
  options.checkStages = !args.flag("keep-all-stages");
  LearnedRegistrationOptions learnedOptions;
  if (args.has("io-iterations")) {
    // The learned engine's instance optimisation (0,0: the network's field alone).
    const std::string text = args.option("io-iterations");
    unsigned coarse = 0, fine = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%u,%u %c", &coarse, &fine, &tail) != 2 || coarse > 100000 || fine > 100000) {
      throw UsageError("option --io-iterations must be COARSE,FINE (two counts, e.g. 80,160), not '" + text + "'");
    }
    learnedOptions.coarseIterations = coarse;
    learnedOptions.fineIterations = fine;
  }
  const std::string outdir = args.option("o");
  requireWritableFolder(outdir);

  const std::string fixedPath = std::filesystem::absolute(args.positional()[0]).string();
  const std::string movingPath = std::filesystem::absolute(args.positional()[1]).string();
  const auto loadStart = std::chrono::steady_clock::now();
  const LoadedSeries fixed = loadOne(fixedPath, args.option("fixed-series"), options.threads, "fixed");
  const LoadedSeries moving = loadOne(movingPath, args.option("moving-series"), options.threads, "moving");
  const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
  LearnedStageReport learned;
  const RegistrationResult result =
      registerImagesWithAnyEngine(fixed.volumes.front(), moving.volumes.front(), options, &learned, learnedOptions);

  saveTransform(result.transform, inFolder(outdir, kTransformJson));
  writeItkTransformFile(result.transform, inFolder(outdir, kTransformItk));
  const std::string deformationPath = inFolder(outdir, kDeformationItk);
  if (result.transform.field) {
    writeDisplacementFieldImage(*result.transform.field, deformationPath);
  } else {
    std::error_code ignored;
    std::filesystem::remove(deformationPath, ignored); // a stale field from an earlier deformable run
  }
  nlohmann::json j;
  j["engine"] = engine;
  j["init"] = init;
  j["fixed"] = fixedPath;
  j["moving"] = movingPath;
  j["fixed_series"] = args.option("fixed-series");
  j["moving_series"] = args.option("moving-series");
  j["frame"] = "currentLpsToPriorLps";
  j["transform"] = kTransformJson;
  j["itk_transform"] = kTransformItk;
  if (result.transform.field) {
    // ITK's composite order: the displacement field is applied first, then the affine file.
    j["itk_displacement_field"] = kDeformationItk;
    const VolumeGeometry& g = result.transform.field->grid;
    j["field_grid"] = {{"size", {g.size[0], g.size[1], g.size[2]}}, {"spacing", {g.spacing[0], g.spacing[1], g.spacing[2]}}};
  }
  const RegistrationTransform& t = result.transform;
  j["matrix"] = {{t.matrix[0][0], t.matrix[0][1], t.matrix[0][2]},
                 {t.matrix[1][0], t.matrix[1][1], t.matrix[1][2]},
                 {t.matrix[2][0], t.matrix[2][1], t.matrix[2][2]}};
  j["translation"] = {t.translation[0], t.translation[1], t.translation[2]};
  nlohmann::json stages = nlohmann::json::array();
  for (const RegistrationStage& stage : result.stages) {
    nlohmann::json levels = nlohmann::json::array();
    for (const RegistrationLevel& l : stage.levels) {
      levels.push_back({{"level", l.level}, {"shrink", l.shrink}, {"iterations", l.iterations}, {"metric", l.metric}});
    }
    nlohmann::json entry = {{"name", stage.name}, {"levels", levels}, {"seconds", stage.seconds}, {"kept", stage.kept}};
    if (!stage.kept) entry["dropped_reason"] = stage.droppedReason;
    if (stage.checked) {
      // The held-back check (issue 26): mutual information before and after the stage.
      entry["held_back_similarity"] = {{"before", stage.similarityBefore}, {"after", stage.similarityAfter}};
    }
    stages.push_back(entry);
  }
  j["stages"] = stages;
  if (options.engine == RegistrationEngine::Model) {
    nlohmann::json levels = nlohmann::json::array();
    for (const InstanceLevel& l : learned.levels) {
      levels.push_back({{"name", l.name}, {"iterations", l.iterations}, {"ncc_before", l.nccBefore}, {"ncc_after", l.nccAfter}});
    }
    j["model"] = {{"name", learned.model},
                  {"weights_sha256", learned.weightsSha256},
                  {"grid", {learned.grid[0], learned.grid[1], learned.grid[2]}},
                  {"network_seconds", learned.networkSeconds},
                  {"mean_network_displacement_mm", learned.meanNetworkDisplacementMm},
                  {"instance_optimisation", levels},
                  {"instance_optimisation_kept", learned.instanceOptimisationDropped.empty()}};
    if (!learned.instanceOptimisationDropped.empty()) {
      j["model"]["instance_optimisation_dropped_reason"] = learned.instanceOptimisationDropped;
    }
  }
  j["seconds"] = result.seconds;
  j["load_seconds"] = loadSeconds; // both images, before registering
  // Fraction of the field's grid voxels with Jacobian determinant <= 0 (for an affine map 0 or 1:
  // the sign of its determinant).
  j["folding_fraction"] = t.foldingFraction();
  // The one number a reader can trust (issue 26): median local NCC of the current image and the
  // warped prior, the same the viewer shows; below the threshold, "check the alignment".
  const RegistrationQuality quality = registrationQuality(fixed.volumes.front(), moving.volumes.front(), t, options.threads);
  j["quality"] = {{"median_local_ncc", quality.medianLocalNcc},
                  {"boxes", quality.boxes},
                  {"threshold", quality.threshold},
                  {"check_alignment", quality.checkAlignment}};
  if (quality.checkAlignment) {
    std::fprintf(stderr, "warning: check the alignment: quality %.2f (median local NCC) is below %.2f\n",
                 quality.medianLocalNcc, quality.threshold);
  }
  j["threads"] = options.threads;
  for (const RegistrationStage& stage : result.stages) {
    if (!stage.kept) {
      std::fprintf(stderr, "warning: the %s stage was dropped (%s): the previous stage's result is used\n",
                   stage.name.c_str(), stage.droppedReason.c_str());
    }
  }
  if (options.engine == RegistrationEngine::Model && !learned.instanceOptimisationDropped.empty()) {
    std::fprintf(stderr, "warning: the instance optimisation was dropped (%s): the network's field is used\n",
                 learned.instanceOptimisationDropped.c_str());
  }
  const std::string jsonPath = inFolder(outdir, kRegistrationJson);
  const std::string why = writeFileAtomically(jsonPath, j.dump(2) + "\n");
  if (!why.empty()) throw std::runtime_error("cannot write " + jsonPath + ": " + why);

  const Vec3 c = fixed.volumes.front().geometry.ijkToLps({(fixed.volumes.front().geometry.size[0] - 1) / 2.0,
                                                          (fixed.volumes.front().geometry.size[1] - 1) / 2.0,
                                                          (fixed.volumes.front().geometry.size[2] - 1) / 2.0});
  const Vec3 shift = t.apply(c) - c;
  std::printf("wrote %s: %s registration in %.2f s; fixed centre moves by (%.2f, %.2f, %.2f) mm LPS\n",
              jsonPath.c_str(), engine.c_str(), result.seconds, shift[0], shift[1], shift[2]);
  return kExitOk;
}

int runMapPoints(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"o"});
  if (args.positional().size() != 2 || !args.has("o")) {
    throw UsageError("usage: lightbox map-points OUTDIR IN.csv -o OUT.csv");
  }
  const std::string output = args.option("o");
  requireWritableFile(output);
  const RegistrationTransform t = loadTransform(inFolder(args.positional()[0], kTransformJson));
  std::ifstream in(args.positional()[1]);
  if (!in) throw std::runtime_error("cannot read " + args.positional()[1]);
  std::string line;
  std::string out;
  std::size_t lineNumber = 0;
  std::size_t points = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Vec3 p{};
    char tail = 0;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf %c", &p[0], &p[1], &p[2], &tail) != 3) {
      throw std::runtime_error(args.positional()[1] + " line " + std::to_string(lineNumber) +
                               ": expected x,y,z in millimetres (LPS), got '" + line + "'");
    }
    const Vec3 q = t.apply(p);
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, "%.6f,%.6f,%.6f\n", q[0], q[1], q[2]);
    out += buffer;
    ++points;
  }
  const std::string why = writeFileAtomically(output, out);
  if (!why.empty()) throw std::runtime_error("cannot write " + output + ": " + why);
  std::printf("wrote %s: %zu points mapped from the fixed to the moving image\n", output.c_str(), points);
  return kExitOk;
}

int runResample(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"o", "threads"});
  if (args.positional().size() != 1 || !args.has("o")) {
    throw UsageError("usage: lightbox resample OUTDIR -o WARPED.nii.gz [--threads N]");
  }
  const std::string output = args.option("o");
  if (!isResearchImageFile(output)) {
    throw UsageError("unknown image format: " + output + " (use .nii, .nii.gz, .nrrd or .mha)");
  }
  const unsigned threads = unsigned(args.integer("threads", 0, 0, 1024));
  requireWritableFile(output);
  const std::string folder = args.positional()[0];
  const nlohmann::json j = readRegistrationJson(folder);
  const RegistrationTransform t = loadTransform(inFolder(folder, kTransformJson));
  const LoadedSeries fixed = loadOne(j.value("fixed", std::string()), j.value("fixed_series", std::string()), threads, "fixed");
  const LoadedSeries moving =
      loadOne(j.value("moving", std::string()), j.value("moving_series", std::string()), threads, "moving");
  const Volume warped = resampleMoving(moving.volumes.front(), fixed.volumes.front().geometry, t);
  writeResearchImage({warped}, output);
  const auto& s = warped.geometry.size;
  std::printf("wrote %s: the moving image on the fixed grid (%zux%zux%zu)\n", output.c_str(), s[0], s[1], s[2]);
  return kExitOk;
}

} // namespace lightbox::cli
