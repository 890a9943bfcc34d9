// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/ModelManifest.h"
#include "core/segmentation/ClassicalSegmenter.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/volume/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace lightbox {

class ModelRunner;
class PromptableLesionEngine;

/// A refinement click: part of the lesion (positive) or not (negative).
struct LesionClick {
  Vec3 lps{0, 0, 0};
  bool positive = true;
};

/// The model engine of click-to-segment: the shipped TorchScript network on a cube around the
/// click (ai/segmentation/LesionPatch.h), first at 1.5 mm sampling, then once more at a spacing
/// that makes the lesion 12 samples wide when it came out small (or coarser when it reached the
/// cube's edge); the probability map is brought back to the series grid trilinearly, the lesion is
/// where it is at least 0.5, connected to the click. Loaded once, used from one thread at a time.
class LesionModelEngine {
public:
  static constexpr const char* kModelName = "lightbox-lesion";
  /// The promptable CT / MR / PET model (issue 23): preferred when it is installed.
  static constexpr const char* kPromptableModelName = "lightbox-lesion-prompt";

  /// Loads the verified model (throws std::runtime_error with the reason).
  explicit LesionModelEngine(const ModelEntry& entry, int threads = 0);
  ~LesionModelEngine();

  /// Segments the lesion at `seedLps`; `refinements` add (positive) or remove (negative) regions
  /// on the same cube. The result's `probability` holds the map on its box (0-255) for the
  /// uncertainty band. Throws std::invalid_argument when the click is outside the series.
  /// With the promptable model, a prompt box places and sizes its first cube (centred on the box,
  /// the box's largest side filling most of it) and correction clicks change only the region they
  /// point at (PromptableLesionEngine).
  LesionMask segment(const Volume& image, const Vec3& seedLps,
                     const std::vector<LesionClick>& refinements = {},
                     const BoxPrompt& box = {}) const;

  /// The promptable model's procedure, or nullptr for the nodule model.
  const PromptableLesionEngine* promptable() const { return promptable_.get(); }

  /// The lung-nodule specialist: with the promptable model, a CT click with aerated lung around it
  /// (inAeratedLung) runs this engine (the nodule model) instead. Not owned by anyone else.
  void setLungNoduleEngine(std::unique_ptr<LesionModelEngine> engine) { lungNodule_ = std::move(engine); }
  const LesionModelEngine* lungNoduleEngine() const { return lungNodule_.get(); }

  /// A CT click with at least kLungShare of the voxels within kLungRadiusMm at or below -600 HU:
  /// a lung nodule in its lung, which the nodule model segments better than the promptable model
  /// as trained so far (resources/models/MODEL_CARD.md).
  static bool inAeratedLung(const Volume& image, const Vec3& seedLps);
  /// The share of the voxels within kLungRadiusMm of the click at or below -600 HU (0 off CT).
  static double aeratedShareAround(const Volume& image, const Vec3& seedLps);
  static constexpr double kLungRadiusMm = 25.0, kLungShare = 0.3;
  /// Below kLungShare but at least this much lung around a CT click: a promptable mask that
  /// borders lung less than kMinLungBorderShare is checked against the nodule model's.
  static constexpr double kLungNearShare = 0.1;
  /// The promptable model's leak guard on CT: a mask with more than kMaxAeratedShare of its voxels
  /// at or below -600 HU floods lung or air (a soft-tissue mass has none of them; a pleural mass a
  /// thin rim). Such a mask is refused: emptied, `leakRefused` set, `warning` says so. (Clicks with
  /// aerated lung around them go to the nodule model, whose part-solid and ground-glass masks are
  /// aerated by nature: not guarded this way.)
  static void refuseAeratedLeak(const Volume& image, LesionMask& lesion);
  static double aeratedShare(const Volume& image, const LesionMask& lesion);
  static constexpr double kMaxAeratedShare = 0.3;

  const ModelManifest& manifest() const { return manifest_; }

  /// Edge refinement at the series' own resolution (the model sees the lesion at 0.5-2.5 mm):
  /// voxels the model gives at least this probability join the lesion when their value lies on
  /// the lesion's side of halfway between the lesion and its surroundings (and are connected to
  /// the click through the mask like the rest). 0 turns it off. The default is chosen on a
  /// validation set of the training backgrounds (resources/models/MODEL_CARD.md).
  void setEdgeMinProbability(double p) { edgeMinProbability_ = p; }
  double edgeMinProbability() const { return edgeMinProbability_; }
  static constexpr double kEdgeMinProbability = 0.02;

  /// The ground glass of a part-solid lung nodule (issue 23): the nodule model's edge lies
  /// halfway between the solid part and the lung, so on CT a mask that is at most kMaxSolidShare
  /// solid (above kSolidHu) is extended into the ground-glass attenuation around it
  /// (kGroundGlassLowHu to kSolidHu, the usual quantitative-CT range): the voxels that survive an
  /// in-plane opening of one voxel (the partial-volume rim of a vessel, the wall or a solid nodule
  /// is a voxel thick), touch the mask and lie within kGroundGlassReach x the mask's radius + 2 mm
  /// (10-30 mm) of its centre, up to the geodesic distance from the mask where the voxels per step
  /// fall below a third of their peak (a halo closes; a leak along the pleura goes on). Not taken
  /// when it never falls or a quarter of what is kept lies at the reach (diffuse density). The
  /// box grows to hold it. True when voxels were added.
  static bool extendGroundGlass(const Volume& image, LesionMask& lesion);
  static constexpr double kGroundGlassLowHu = -750.0, kSolidHu = -300.0, kGroundGlassReach = 3.0;
  static constexpr double kMaxSolidShare =
      0.7; ///< above it the mask is a solid nodule's: not extended

  /// On CT, the share of a mask's outer faces (6-neighbours outside it) that border aerated lung
  /// (at or below -600 HU); 1 when it has none. A lung nodule borders lung over most of its
  /// surface, even against the pleura; a mask that ran into the chest wall or the mediastinum
  /// borders soft tissue.
  static double lungBorderShare(const Volume& image, const LesionMask& lesion);
  static constexpr double kMinLungBorderShare = 0.4;
  /// A nodule model's mask that replaces a promptable one borders lung at least this much (0.68 to
  /// 0.99 for the 84 part-solid nodules of the sweep, README).
  static constexpr double kNoduleLungBorderShare = 0.6;

private:
  void refineEdge(const Volume& image, const VoxelBox& box, const std::vector<std::uint8_t>& probability,
                  std::vector<std::uint8_t>& in) const;
  double edgeMinProbability_ = kEdgeMinProbability;

  ModelManifest manifest_;
  std::unique_ptr<ModelRunner> runner_;
  std::unique_ptr<PromptableLesionEngine> promptable_;
  std::unique_ptr<LesionModelEngine> lungNodule_;
};

/// The shipped lesion model (the promptable one when installed, else the nodule model), or nullptr
/// with `why` set when neither can be used.
std::unique_ptr<LesionModelEngine> loadLesionModel(std::string& why, int threads = 0);

} // namespace lightbox
