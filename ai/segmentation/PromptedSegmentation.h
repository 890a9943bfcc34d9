// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/segmentation/LesionModelEngine.h"

#include <string>
#include <vector>

namespace lightbox {

/// One prompt of promptable lesion segmentation, in LPS millimetres.
struct LesionPrompt {
  enum class Kind { Seed, Box, Add, Remove };
  Kind kind = Kind::Seed;
  Vec3 at{0, 0, 0};     ///< seed / click point; the box's first corner
  Vec3 corner{0, 0, 0}; ///< the box's opposite corner
};

const char* toString(LesionPrompt::Kind kind);

/// What one prompt did.
struct AppliedPrompt {
  LesionPrompt prompt;
  long long voxelsChanged = 0; ///< mask voxels after minus before (negative: removed)
  std::string note;            ///< e.g. "the engine ran at the box's centre", "leak refused"
};

/// A coded warning: `code` is "touches_limit", "leak_refused" or "engine".
struct PromptWarning {
  std::string code;
  std::string message;
};

struct PromptedOptions {
  /// Classical remove click: the connected part of the mask within this distance goes.
  double removeRadiusMm = 10.0;
};

/// The outcome of a prompt sequence: the mask on the whole grid and what happened on the way.
struct PromptedResult {
  std::vector<std::uint8_t> mask; ///< whole grid, x fastest, 0/1
  std::vector<AppliedPrompt> applied;
  std::vector<PromptWarning> warnings;
  LesionMask last;   ///< the last engine run (engine name, threshold, ...), mask cleared
  Vec3 seedLps{0, 0, 0};
  /// Faces touched, by limit: "image", "search box" (an engine run's box), "prompt box".
  std::vector<std::pair<std::string, std::vector<std::string>>> limitsTouched;
};

/// Runs a prompt sequence: at most one Seed and one Box (either alone, or both; the Box alone
/// runs the engine at its centre), then Add / Remove correction clicks in order.
/// Model engine (`model` not null): the network reruns at the seed with every correction click so
/// far (as the viewer's refinement) and its result replaces the mask. Classical engine: an Add
/// click adds the classical region grown at that point, a Remove click clears the part of the mask
/// connected to that point within `removeRadiusMm`. A box keeps every result inside it and
/// connected to its prompt (core keepInBoxConnected). A classical region that reached its search
/// limit without a box is refused (nothing of it is added; warning "leak_refused"); inside a box
/// it is cut back to the box, as in the viewer. Any mask voxel on the image's edge, a prompt box's
/// face or the face of an engine's search box that lies inside the image gives "touches_limit".
/// Throws std::invalid_argument for an impossible sequence (no seed nor box, a point outside the
/// series, a seed outside the box).
PromptedResult segmentWithPrompts(const Volume& image, const std::vector<LesionPrompt>& prompts,
                                  const LesionModelEngine* model, const PromptedOptions& options = {});

} // namespace lightbox
