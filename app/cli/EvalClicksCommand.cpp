// SPDX-License-Identifier: Apache-2.0
// `lightbox eval-clicks`: one click at each lesion's most interior point, then simulated correction
// clicks, with either engine, on real images with reference masks (issue 23's yardstick). With
// --box-margin the first prompt also has a box: the reference's bounding box, looser by that share
// of its extent on every side (a reader's box).
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

#include "ai/segmentation/PromptedSegmentation.h"
#include "core/io/ImageFileIO.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/segmentation/ModalityRecognition.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/segmentation/VoxelFlood.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

namespace lightbox::cli {
namespace {

struct Case {
  std::string image, reference;
};

Vec3 voxelLps(const VolumeGeometry& g, std::size_t n) {
  return g.ijkToLps({double(n % g.size[0]), double((n / g.size[0]) % g.size[1]), double(n / (g.size[0] * g.size[1]))});
}

/// The reference's bounding box, `margin` of its extent looser on every side (clipped to the grid),
/// as a box prompt through the centres of its corner voxels.
LesionPrompt readerBox(const VolumeGeometry& g, const std::vector<std::uint8_t>& ref,
                       double margin) {
  long lo[3] = {LONG_MAX, LONG_MAX, LONG_MAX}, hi[3] = {-1, -1, -1};
  for (std::size_t n = 0; n < ref.size(); ++n) {
    if (!ref[n])
      continue;
    const long at[3] = {long(n % g.size[0]), long((n / g.size[0]) % g.size[1]),
                        long(n / (g.size[0] * g.size[1]))};
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], at[a]);
      hi[a] = std::max(hi[a], at[a]);
    }
  }
  Vec3 a{}, b{};
  for (int k = 0; k < 3; ++k) {
    const double grow = margin * double(hi[k] - lo[k] + 1);
    a[k] = std::max(0.0, std::floor(double(lo[k]) - grow));
    b[k] = std::min(double(g.size[k] - 1), std::ceil(double(hi[k]) + grow));
  }
  return {LesionPrompt::Kind::Box, g.ijkToLps(a), g.ijkToLps(b)};
}

struct Tally {
  std::vector<double> dice; // per click count
  std::vector<std::size_t> below05;
  double seconds = 0;
  std::size_t prompts = 0, cases = 0;
};

} // namespace

int runEvalClicks(const std::vector<std::string>& argv) {
  const Arguments args(argv, {}, {"engine", "clicks", "json", "threads", "box-margin"});
  const std::string usage =
      "usage: lightbox eval-clicks IMAGE=REFERENCE [IMAGE=REFERENCE ...] [--engine "
      "model|classical] [--clicks N] "
      "[--json OUT.json] [--threads N] [--box-margin F] (IMAGE: a series folder or a "
      "NIfTI/NRRD/MetaImage file; REFERENCE: a mask "
      "file on the image's grid, or an LIDC reader XML: the readers' consensus)";
  if (args.positional().empty()) throw UsageError(usage);
  std::vector<Case> cases;
  for (const std::string& p : args.positional()) {
    const std::size_t eq = p.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) throw UsageError("'" + p + "' is not IMAGE=REFERENCE; " + usage);
    cases.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  const std::string engine = args.option("engine", "model");
  if (engine != "model" && engine != "classical") throw UsageError("option --engine must be model or classical, not '" + engine + "'");
  const int maxClicks = int(args.integer("clicks", 3, 0, 20));
  if (args.has("json")) requireWritableFile(args.option("json"));
  const int threads = int(args.integer("threads", 0, 0, 1024));
  std::optional<double> boxMargin;
  if (args.has("box-margin"))
    boxMargin = args.number("box-margin", 0.0, 0.0, 2.0);
  std::unique_ptr<LesionModelEngine> model;
  if (engine == "model") {
    std::string why;
    model = loadLesionModel(why, threads);
    if (!model) throw std::runtime_error("the segmentation model cannot be used: " + why);
  }
  std::map<std::string, Tally> byModality;
  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-60s %-3s", "case", "mod");
  for (int c = 0; c <= maxClicks; ++c) std::printf("  Dice@%d", c);
  std::printf("  s/click\n");
  for (const Case& c : cases) {
    LoadOptions options;
    options.threads = unsigned(std::max(threads, 0));
    Volume image = loadPath(c.image, {}, options).volumes.front();
    std::string modality = image.units == "HU" ? "CT" : "";
    if (modality.empty()) {
      modality = recogniseModality(image).modality;
      if (modality == "CT") image.units = "HU"; // as `lightbox segment` does for an untagged CT
    }
    std::vector<std::uint8_t> ref;
    const bool readers = c.reference.size() > 4 && c.reference.compare(c.reference.size() - 4, 4, ".xml") == 0;
    if (readers) {
      ref = readerConsensus(readLidcOutlines(c.reference, image.geometry)).mask;
    } else {
      const Volume m = readResearchImage(c.reference).front();
      if (!sameGrid(m.geometry, image.geometry, 1e-2)) throw std::runtime_error(c.reference + " is not on " + c.image + "'s grid");
      ref.resize(m.geometry.voxelCount());
      for (std::size_t q = 0; q < ref.size(); ++q) ref[q] = m.value(q) > 0.5;
    }
    if (std::count(ref.begin(), ref.end(), 1) == 0) throw std::runtime_error(c.reference + ": the reference is empty");
    std::vector<LesionPrompt> prompts{{LesionPrompt::Kind::Seed, voxelLps(image.geometry, mostInteriorVoxel(image.geometry, ref)), {}}};
    if (boxMargin)
      prompts.push_back(readerBox(image.geometry, ref, *boxMargin));
    // Reader-consensus cases (LIDC) are reported apart from the mask sets.
    Tally& t = byModality[readers ? modality + " (readers' consensus)" : modality];
    t.dice.resize(std::size_t(maxClicks) + 1, 0.0);
    t.below05.resize(std::size_t(maxClicks) + 1, 0);
    ++t.cases;
    nlohmann::json row{{"image", c.image}, {"reference", c.reference}, {"modality", modality}, {"engine", engine}};
    nlohmann::json steps = nlohmann::json::array();
    std::printf("%-60s %-3s", c.image.substr(c.image.size() > 60 ? c.image.size() - 60 : 0).c_str(), modality.c_str());
    double dice = 0, caseSeconds = 0;
    std::size_t casePrompts = 0;
    PromptedResult previous;
    bool agrees = false; // the mask matched the reference: no correction is left to make
    for (int k = 0; k <= maxClicks; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      PromptedResult result;
      std::string error;
      const bool reused = agrees;
      if (reused) {
        result = previous; // nothing to correct: the mask stays as it is
      } else {
        try {
          result = segmentWithPrompts(image, prompts, model.get());
        } catch (const std::exception& e) {
          error = e.what();
          result.mask.assign(ref.size(), 0);
        }
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      dice = diceCoefficient(result.mask, ref);
      t.dice[std::size_t(k)] += dice;
      t.below05[std::size_t(k)] += dice < 0.5;
      t.seconds += seconds;
      // A reused mask ran nothing; the seed and its box are one prompt.
      const std::size_t applied = reused ? 0 : prompts.size() - (boxMargin ? 1 : 0);
      t.prompts += applied;
      caseSeconds += seconds;
      casePrompts += applied;
      nlohmann::json step{{"clicks", k}, {"dice", dice}, {"seconds", seconds},
                          {"prompt", {{"kind", toString(prompts.back().kind)},
                                      {"lps", {prompts.back().at[0], prompts.back().at[1], prompts.back().at[2]}}}}};
      if (k == 0 && boxMargin) {
        // The first step's prompt is the seed with its box: both are recorded.
        const LesionPrompt& seedPrompt = prompts.front();
        const LesionPrompt& boxPrompt = prompts[1];
        step["prompt"] = {{"kind", "seed+box"},
                          {"lps", {seedPrompt.at[0], seedPrompt.at[1], seedPrompt.at[2]}},
                          {"box_lps",
                           {boxPrompt.at[0], boxPrompt.at[1], boxPrompt.at[2], boxPrompt.corner[0],
                            boxPrompt.corner[1], boxPrompt.corner[2]}}};
      }
      std::vector<std::string> codes;
      for (const PromptWarning& w : result.warnings) codes.push_back(w.code);
      step["warning_codes"] = codes;
      if (!error.empty()) step["error"] = error;
      steps.push_back(step);
      std::printf("  %6.3f", dice);
      std::fflush(stdout);
      previous = result;
      if (k < maxClicks && !agrees) {
        if (const std::optional<CorrectionClick> c = nextCorrection(image.geometry, result.mask, ref)) {
          prompts.push_back({c->add ? LesionPrompt::Kind::Add : LesionPrompt::Kind::Remove, c->lps, {}});
        } else {
          agrees = true;
        }
      }
    }
    std::printf("  %.3f\n", caseSeconds / double(std::max<std::size_t>(casePrompts, 1)));
    row["steps"] = steps;
    rows.push_back(row);
  }
  nlohmann::json summary;
  if (boxMargin) {
    std::printf("\n%s engine (one click at the most interior point with a box %.0f %% looser than "
                "the reference, then up "
                "to %d simulated corrections)\n",
                engine.c_str(), 100.0 * *boxMargin, maxClicks);
  } else {
    std::printf(
        "\n%s engine (one click at the most interior point, then up to %d simulated corrections)\n",
        engine.c_str(), maxClicks);
  }
  for (const auto& [modality, t] : byModality) {
    const double n = double(t.cases);
    std::printf("  %-3s n=%-3zu mean Dice", modality.c_str(), t.cases);
    nlohmann::json s{{"cases", t.cases}, {"seconds_per_prompt", t.seconds / double(std::max<std::size_t>(t.prompts, 1))}};
    for (std::size_t k = 0; k < t.dice.size(); ++k) {
      std::printf(" %zu:%.3f", k, t.dice[k] / n);
      s["mean_dice"].push_back(t.dice[k] / n);
      s["below_0.5"].push_back(t.below05[k]);
    }
    std::printf("  below 0.5:");
    for (std::size_t k = 0; k < t.below05.size(); ++k) std::printf(" %zu", t.below05[k]);
    std::printf("  %.3f s a prompt\n", t.seconds / double(std::max<std::size_t>(t.prompts, 1)));
    summary[modality] = s;
  }
  if (args.has("json")) {
    std::ofstream out(args.option("json"));
    nlohmann::json all{{"engine", engine}, {"summary", summary}, {"cases", rows}};
    all["box_margin"] = boxMargin ? nlohmann::json(*boxMargin) : nlohmann::json(nullptr);
    out << all.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + args.option("json"));
  }
  return kExitOk;
}

} // namespace lightbox::cli
