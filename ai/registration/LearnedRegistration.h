// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/runtime/ModelManifest.h"
#include "core/registration/Registration.h"

#include <string>
#include <vector>

namespace lightbox {

/// The manifest name of the shipped learned registration model.
inline constexpr const char* kRegistrationModelName = "lightbox-registration";

/// How the learned stage runs after the affine one.
struct LearnedRegistrationOptions {
  /// Instance optimisation after the network: iterations on the 4 mm images, then on the
  /// full-resolution ones (0 and 0: the network's field alone).
  unsigned coarseIterations = 60;
  unsigned fineIterations = 100;
  unsigned coarseSamples = 20000; ///< random points per iteration, drawn where the current has structure
  unsigned fineSamples = 60000;
  double learningRate = 0.1;      ///< Adam step, mm
  /// Weight of the diffusion penalty (mean squared field gradient). Chosen on tuning pairs that no
  /// benchmark uses (POPI and brain MR, synth_deform seed 77): 1 -> 0.32 / 0.34 mm, 2 -> 0.34 / -,
  /// 3 -> 0.35 / 0.31 mm mean TRE; 0.05 (first guess) gave 0.50 on the MR.
  double smoothness = 2.0;
};

/// One level of the instance optimisation: its iterations and the final similarity (normalised
/// cross-correlation of the sampled current and warped prior; 1 is a perfect match).
struct InstanceLevel {
  std::string name; ///< "4mm" or "full"
  unsigned iterations = 0;
  double nccBefore = 0.0, nccAfter = 0.0;
};

/// What the learned stage did, for registration.json and the viewer's status line.
struct LearnedStageReport {
  std::string model;         ///< manifest name and version
  std::string weightsSha256;
  std::array<std::size_t, 3> grid{0, 0, 0};
  double networkSeconds = 0.0;
  double meanNetworkDisplacementMm = 0.0;
  std::vector<InstanceLevel> levels;
  /// Why the instance optimisation's field was dropped for the network's own (StageGate.h), "" when
  /// it was kept or did not run.
  std::string instanceOptimisationDropped;
};

/// Registers `moving` (prior) to `fixed` (current): core's rigid + affine stages, then the learned
/// model's displacement field (network on the 4 mm pair, then instance optimisation of normalised
/// cross-correlation with a smoothness penalty). The result carries the field (RegistrationTransform::
/// field) and a stage named "model". Same-modality pairs only (the model was trained on them):
/// throws std::runtime_error saying so when one image is CT (detail::isCtLike) and the other is not.
/// Progress and cancel as registerImages (RegistrationCancelled).
RegistrationResult registerWithModel(const Volume& fixed, const Volume& moving, const RegistrationOptions& options,
                                     const ModelEntry& model, const LearnedRegistrationOptions& learned = {},
                                     LearnedStageReport* report = nullptr);

/// registerImages for every engine: Model finds kRegistrationModelName in defaultModelFolders()
/// (throws std::runtime_error with the reason when it is missing or refused), the others go to core.
RegistrationResult registerImagesWithAnyEngine(const Volume& fixed, const Volume& moving,
                                               const RegistrationOptions& options,
                                               LearnedStageReport* report = nullptr,
                                               const LearnedRegistrationOptions& learned = {});

namespace detail {

/// The network's grid over `fixed`: its axes, `spacingMm` apart, covering it, each side rounded up
/// to a multiple of `multiple`, centred on it.
VolumeGeometry learnedGrid(const VolumeGeometry& fixed, double spacingMm, std::size_t multiple);

/// CT for the model: units HU, or no units and values down to -500 or below (a research-format
/// file exported from CT keeps HU but not the modality).
bool isCtLike(const Volume& volume);

/// Intensity normalisation of the model (ai/training/registration_model.py, normalise): CT (units
/// HU) window -1000..600 onto 0..1; otherwise divided by the 99.5th percentile, clipped to 0..1.5.
struct IntensityMap {
  bool ct = true;
  float scale = 1.0f;
  float operator()(double v) const;
};
IntensityMap intensityMapOf(const Volume& volume);

/// Each grid voxel the mean of eight trilinear samples of the normalised `volume` at +-a quarter
/// of the grid spacing along the grid's axes, taken at affine(point) (0 outside the volume): the
/// training pipeline's 2 mm resampling averaged to 4 mm.
std::vector<float> sampleOnGrid(const Volume& volume, const IntensityMap& map, const VolumeGeometry& grid,
                                const RegistrationTransform& affine, unsigned threads);

/// A box of grid voxels: first index and size per axis.
struct GridBox {
  std::array<std::size_t, 3> start{0, 0, 0}, size{0, 0, 0};
};
/// Normalised intensity above which a voxel counts as anatomy (CT: about -760 HU).
inline constexpr float kBodyLevel = 0.15f;
inline constexpr std::size_t kBoxMargin = 4; ///< voxels around the anatomy (16 mm at 4 mm)
/// The box around the voxels where `a` or `b` (images on `grid`) exceeds kBodyLevel, widened by
/// kBoxMargin and rounded up to even sides (the whole grid when nothing does).
GridBox anatomyBox(const VolumeGeometry& grid, const std::vector<float>& a, const std::vector<float>& b);

/// The grid of twice `grid`'s spacing and half its size, each node at the centre of 2x2x2 of its
/// nodes; `halvedField` averages a field (3 floats per node) onto it.
VolumeGeometry halvedGrid(const VolumeGeometry& grid);
std::vector<float> halvedField(const VolumeGeometry& grid, const std::vector<float>& field);

} // namespace detail
} // namespace lightbox
