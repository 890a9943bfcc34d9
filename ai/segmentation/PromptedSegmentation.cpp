// SPDX-License-Identifier: Apache-2.0
#include "ai/segmentation/PromptedSegmentation.h"

#include "ai/segmentation/PromptableLesionEngine.h"
#include "core/segmentation/LesionPrompts.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace lightbox {

const char* toString(LesionPrompt::Kind kind) {
  switch (kind) {
  case LesionPrompt::Kind::Seed: return "seed";
  case LesionPrompt::Kind::Box: return "box";
  case LesionPrompt::Kind::Add: return "add";
  case LesionPrompt::Kind::Remove: return "remove";
  }
  return "?";
}

namespace {

bool insideGrid(const VolumeGeometry& g, const Vec3& lps) {
  const Vec3 ijk = g.lpsToIjk(lps);
  for (int a = 0; a < 3; ++a) {
    if (std::lround(ijk[a]) < 0 || std::lround(ijk[a]) >= long(g.size[a])) return false;
  }
  return true;
}

bool insideBox(const VolumeGeometry& g, const VoxelBox& b, const Vec3& lps) {
  const Vec3 ijk = g.lpsToIjk(lps);
  for (int a = 0; a < 3; ++a) {
    const long v = std::lround(ijk[a]);
    if (v < long(b.lo[a]) || v >= long(b.hi[a])) return false;
  }
  return true;
}

std::size_t count(const std::vector<std::uint8_t>& m) {
  return std::size_t(std::count_if(m.begin(), m.end(), [](std::uint8_t v) { return v != 0; }));
}

} // namespace

PromptedResult segmentWithPrompts(const Volume& image, const std::vector<LesionPrompt>& prompts,
                                  const LesionModelEngine* model, const PromptedOptions& options) {
  const VolumeGeometry& g = image.geometry;
  std::optional<Vec3> seed;
  std::optional<VoxelBox> box;
  std::vector<LesionPrompt> corrections;
  for (const LesionPrompt& p : prompts) {
    if (p.kind == LesionPrompt::Kind::Seed) {
      if (seed) throw std::invalid_argument("only one seed point");
      if (!insideGrid(g, p.at)) throw std::invalid_argument("the seed point lies outside the series");
      seed = p.at;
    } else if (p.kind == LesionPrompt::Kind::Box) {
      if (box) throw std::invalid_argument("only one box");
      box = voxelBoxBetween(g, p.at, p.corner);
      if (box->empty())
        throw std::invalid_argument("the box holds no voxel of the series");
    } else {
      if (!insideGrid(g, p.at)) throw std::invalid_argument(std::string("the ") + toString(p.kind) + " click lies outside the series");
      corrections.push_back(p);
    }
  }
  if (!seed && !box) throw std::invalid_argument("a seed point or a box is needed");
  // A box tells the promptable model where the lesion is and its size: its first cube is placed
  // on the box and sized to it.
  const BoxPrompt boxPrompt = box ? boxPromptOf(g, *box) : BoxPrompt{};
  std::string seedNote;
  if (!seed) {
    // The centre of the box as clipped to the series: a box reaching past the image still has
    // its centre inside.
    seed = boxPrompt.centreLps;
    seedNote = "the engine ran at the box's centre";
  } else if (box && !insideBox(g, *box, *seed)) {
    throw std::invalid_argument("the seed point lies outside the box");
  }

  PromptedResult r;
  r.seedLps = *seed;
  r.mask.assign(g.voxelCount(), 0);
  std::vector<VoxelBox> searchBoxes;
  // One engine run at `at`, bounded by the box; a classical leak without a box is refused.
  auto run = [&](const Vec3& at, const std::vector<LesionClick>& clicks,
                 std::string& note) -> std::vector<std::uint8_t> {
    LesionMask lesion =
        model ? model->segment(image, *seed, clicks, boxPrompt) : segmentClassical(image, at);
    searchBoxes.push_back(lesion.box);
    if (box)
      keepInBoxConnected(g, lesion, *box, model ? *seed : at);
    if (!lesion.warning.empty()) {
      if (!model && !box) {
        char where[96];
        std::snprintf(where, sizeof(where), "(%.1f, %.1f, %.1f)", at[0], at[1], at[2]);
        r.warnings.push_back({"leak_refused", std::string("the classical region grown at ") + where + " was refused (" +
                                                  lesion.warning + "): nothing of it is in the mask"});
        note = "leak refused";
        lesion.mask.assign(lesion.mask.size(), 0);
      } else if (!model) {
        note = "the region reached the search limit and was cut back to the box";
      } else if (lesion.leakRefused) {
        r.warnings.push_back({"leak_refused", lesion.warning});
        note = "leak refused";
      } else {
        r.warnings.push_back({"engine", lesion.warning});
      }
    }
    std::vector<std::uint8_t> full = fullGridMask(g, lesion);
    lesion.mask.clear();
    lesion.probability.clear();
    r.last = lesion;
    return full;
  };

  std::vector<LesionClick> clicks;
  {
    std::string note = seedNote;
    std::string runNote;
    r.mask = run(*seed, clicks, runNote);
    if (!runNote.empty()) note += (note.empty() ? "" : "; ") + runNote;
    const long long n = (long long)count(r.mask);
    for (const LesionPrompt& p : prompts) {
      if (p.kind == LesionPrompt::Kind::Seed || p.kind == LesionPrompt::Kind::Box) {
        // The seed and the box act together: the first of them listed carries the voxels.
        const bool first = r.applied.empty();
        r.applied.push_back({p, first ? n : 0, first ? note : "with the " + std::string(p.kind == LesionPrompt::Kind::Seed ? "box" : "seed")});
      }
    }
  }
  for (const LesionPrompt& p : corrections) {
    const long long before = (long long)count(r.mask);
    std::string note;
    const bool add = p.kind == LesionPrompt::Kind::Add;
    if (model) {
      clicks.push_back({p.at, add});
      r.mask = run(p.at, clicks, note);
      if (note.empty()) {
        note = model->promptable() ? "the model reran with every click so far; only the region at the click changed"
                                   : "the model reran with every click so far";
      }
    } else if (add) {
      const Vec3 ijk = g.lpsToIjk(p.at);
      if (r.mask[std::size_t(std::lround(ijk[0])) +
                 g.size[0] * (std::size_t(std::lround(ijk[1])) + g.size[1] * std::size_t(std::lround(ijk[2])))]) {
        note = "already in the mask";
      }
      const std::vector<std::uint8_t> region = run(p.at, {}, note);
      for (std::size_t q = 0; q < region.size(); ++q) r.mask[q] |= region[q];
    } else {
      if (removeConnectedAround(g, r.mask, p.at, options.removeRadiusMm) == 0) note = "not on the mask: nothing removed";
    }
    r.applied.push_back({p, (long long)count(r.mask) - before, note});
  }

  auto touched = [&](const std::string& what, const VoxelBox& limit, bool onlyInsideImage) {
    std::vector<std::string> faces = touchedFaces(g, r.mask, limit);
    // A search box's face on the image's edge is the image's limit, said as such.
    if (onlyInsideImage)
      faces = facesInsideImage(g, std::move(faces), limit);
    if (faces.empty()) return;
    for (auto& [w, fs] : r.limitsTouched) {
      if (w == what) {
        for (const std::string& f : faces)
          if (std::find(fs.begin(), fs.end(), f) == fs.end()) fs.push_back(f);
        return;
      }
    }
    r.limitsTouched.push_back({what, faces});
  };
  touched("image", wholeGrid(g), false);
  if (box) touched("prompt box", *box, false);
  for (const VoxelBox& b : searchBoxes) touched("search box", b, true);
  for (const auto& [what, faces] : r.limitsTouched) {
    std::string list;
    for (const std::string& f : faces) list += (list.empty() ? "" : ", ") + f;
    r.warnings.push_back({"touches_limit", "the mask touches the " + what + " edge (" + list + ")" +
                                               (what == "image" ? ": the lesion may go on beyond the image"
                                                                : ": the lesion may be cut off there")});
  }
  return r;
}

} // namespace lightbox
