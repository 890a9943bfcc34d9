// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/segmentation/LesionModelEngine.h"
#include "ai/segmentation/PromptableLesionInput.h"

#include <memory>
#include <vector>

namespace lightbox {

class ModelRunner;

/// The promptable lesion model's procedure (ai/training/promptable_lesion_infer.py does the same
/// for cross-validation):
/// - with a prompt box, one cube on the box, the box's largest side kBoxFill of its edge;
/// - without: a first pass on a cube of 48 samples 2 mm apart centred on the click; while the
///   lesion connected to the click touches a face of the cube that lies inside the image, the
///   spacing doubles (at most 8 mm: a 384 mm cube) and the cube moves to the lesion's centre; a
///   lesion smaller than 30 % of the cube is seen once more at the spacing that makes it about
///   55 % of it (at least 0.5 mm);
/// - the probability comes back to the series grid trilinearly; >= 0.5 connected to the click is
///   the lesion;
/// - each correction click reruns the last cube with every click so far and changes only the region
///   it points at: an add click adds the part of the new mask that is new and connected to the
///   click, a remove click removes the part of the old mask that the new one drops and that is
///   connected to the click; with it each click changes the region it claims geodesically
///   (kClaimContrastWeight below), so a correction changes the mask around the click only.
/// The last sequence is cached: a call whose clicks extend the previous call's (same image, same
/// seed) runs only the new clicks.
class PromptableLesionEngine {
public:
  static constexpr std::size_t kEdge = 48;
  static constexpr double kFirstSpacingMm = 2.0, kMinSpacingMm = 0.5, kMaxSpacingMm = 8.0;
  /// The first pass's spacing is at least this times the series' coarsest in-plane spacing (PET:
  /// 2.3-3.3 mm instead of 2). Sarcoma PETs, shipped model, one click: mean Dice 0.744 -> 0.778.
  static constexpr double kCoarseImageFactor = 0.6;
  /// A first mask at least this fraction of the first window wide is looked at again through a
  /// window twice as wide, which is kept (on MR since 2026-12-07; CT and PET: below) when its mask
  /// holds more than kWiderLookRatio times the volume (the first window saw only a part of a large
  /// lesion). On the sarcomas (shipped model):
  /// 4 lifts CT / MR one-click Dice 0.655 / 0.631 -> 0.716 / 0.662 with the same Dice after 3
  /// corrections; 3 gave 0.697 / 0.700 but CT after 3 corrections fell 0.800 -> 0.759 (remove
  /// clicks on a coarse window take little off). The fraction was 0.5 until 2026-12-07: a CT
  /// tumour of a few HU contrast filling the whole window came out as a small central blob that
  /// never looked wider (STS_022, 818 mL: a 23 mL mask, Dice 0.06). With 0.3, cross-validation
  /// over the sarcomas (the folds' models, `lightbox eval-clicks`): one-click CT 0.596 -> 0.646,
  /// all 0.670 -> 0.682, MR and PET unchanged, after 3 corrections 0.776 -> 0.779; 0 gave the same
  /// (the smallest sarcoma is 17 mL). A lesion under 0.3 of the first window (29 mm) keeps it, so
  /// a small one is not handed to a coarse window where a leak can look like "more of it".
  /// Ratios 3 / 5 / 6 with it: all 0.667 / 0.673 / 0.672 at one click (5 and 6 raise CT to
  /// 0.674 / 0.680 but lower MR to 0.600 / 0.594).
  static constexpr double kWiderLookMinFill = 0.3, kWiderLookRatio = 4.0;
  /// On CT and PET the wider look's mask is kept instead when it holds more than
  /// kWiderLookUniformRatio times the volume and the standard deviation of the image inside it is
  /// at most kWiderLookSpreadRatio times the first mask's: the same tissue, more of it. A leak
  /// takes in fat, bone or bowel and is less uniform; a first window that held only the middle of
  /// a large uniform tumour is as uniform as the wide one. Cross-validation over the sarcomas (the
  /// folds' models, `lightbox eval-clicks`), one click / after 3 corrections: CT 0.646 / 0.776 ->
  /// 0.714 / 0.801, PET 0.743 / 0.805 -> 0.753 / 0.812 (the volume ratio alone took five CT leaks
  /// and missed two tumours). Spread ratios 1.2-1.5 gave CT within 0.01 of each other; chosen on
  /// each pair of folds, the ratio was 1.3, 1.3 and 1.25, with the same means on the third. Without
  /// a volume condition PET gained 0.005 more, but a lesion the wide window sees no more of then
  /// loses the finer window's edge (an 80 mm sphere: 11 % of its volume). On MR the spread did not
  /// separate the cases (a T1 sarcoma's fat and necrosis make the true mask as mixed as a leak): MR
  /// keeps the volume ratio.
  static constexpr double kWiderLookUniformRatio = 1.0, kWiderLookSpreadRatio = 1.3;
  /// A prompt box's largest side is this share of the first cube's edge, the cube is centred on
  /// the box and stays there. The model outlines a lesion best when it fills most of the cube
  /// (MODEL_CARD.md, "A box prompt"): on the cross-validation folds, `lightbox eval-clicks
  /// --box-margin` with the reference's bounding box as the box, mean Dice at the first prompt
  /// 0.743 -> 0.752 for the exact box, 0.686 -> 0.722 for one 10 % of the lesion's extent looser
  /// on every side, 0.659 -> 0.689 for 20 % (before: 0.7 of the cube, on the seed, growing while
  /// the lesion touched its faces).
  static constexpr double kBoxFill = 0.95;

  /// A correction click also claims a region by competing geodesic fronts (core geodesicClaim),
  /// where crossing an edge of the image costs up to 1 + 4 times kClaimContrastWeight (CT: per 40
  /// HU; MR: per tenth of the mask's 5-95 % spread there; PET: per 15 % of its median SUV there):
  /// - a remove click, the mask voxels nearer to it than to the seed and the positive clicks, up
  ///   to kRemoveReach times its depth in the mask (its distance to the nearest voxel outside the
  ///   mask or to the box's faces, which the mask may run to);
  /// - an add click, the voxels outside the mask nearer to it than to the remove clicks, up to
  ///   kAddReach times its distance to the mask.
  /// The model alone changed little: it rarely drops or takes a click's surroundings.
  /// Cross-validation over the sarcomas (each fold's model on its held-out images, `lightbox
  /// eval-clicks`, one click then 3 corrections), mean Dice after 3 corrections: 0.749 -> 0.776
  /// (CT 0.719 -> 0.764, MR 0.723 -> 0.755, PET 0.793 -> 0.805), below 0.5 after 3: 9 -> 3 of 97.
  /// The three scalars were chosen on those folds (the units were set once): without a reach a
  /// remove click took true lesion with the leak (35 of 54 PET removes lost Dice); an add reach of
  /// 3 overshot (0.770), 2.5 gave 0.780 against 2's 0.777, within the noise of 97 images, and the
  /// smaller reach takes less where the reader did not point.
  static constexpr double kClaimContrastWeight = 3.0, kRemoveReach = 4.0, kAddReach = 2.0;
  /// A claim with more voxels than this within its reach is made on cells of several voxels
  /// (speed: a correction under 0.5 s on a 1.7 L mask).
  static constexpr std::size_t kClaimMaxVoxels = 100000;

  PromptableLesionEngine(const ModelRunner& runner, const ModelManifest& manifest);
  ~PromptableLesionEngine();

  /// A given `box` places the first cube on the box's centre with the box's largest side
  /// kBoxFill of its edge, and the cube stays there (the mask is the box's to bound: the caller
  /// clips it and says where it meets the box's faces); else a 96 mm cube on the seed that grows
  /// and moves while the lesion touches its faces.
  LesionMask segment(const Volume& image, const Vec3& seedLps,
                     const std::vector<LesionClick>& clicks, const BoxPrompt& box = {}) const;

  /// The spacings of the last call's passes, in order (mm), and whether its lesion still touched
  /// the largest cube.
  std::vector<double> lastPasses() const;

private:
  struct State;
  const ModelRunner& runner_;
  const ModelManifest& manifest_;
  mutable std::unique_ptr<State> cache_;
};

} // namespace lightbox
