// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/nodule/ReferenceNodules.h"
#include "ai/segmentation/LesionPatch.h"
#include "core/volume/Volume.h"

#include <array>
#include <memory>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lightbox {

/// A lobulated, mildly elongated ellipsoid: the shape of every synthetic lesion (lung nodules of
/// the detector's dataset and the segmentation lesions alike).
struct LesionShape {
  Vec3 centreLps{0, 0, 0};
  double radiusMm = 5;
  Vec3 axes{1, 1, 1};
  std::array<Vec3, 3> bumpDir{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
  std::array<double, 3> bumpAmp{0, 0, 0};

  /// Draws bumps and elongation (in this order: three directions, three amplitudes, three axes).
  static LesionShape random(const Vec3& centreLps, double diameterMm, std::mt19937& rng);
  /// True when the LPS point is inside the shape scaled by `scale` (a core: scale < 1).
  bool inside(const Vec3& lps, double scale = 1.0) const;
  /// Occupancy of a voxel from 3x3x3 sub-samples: `centre` plus -1/3, 0, +1/3 of each `step` (LPS
  /// vectors spanning one voxel).
  double occupancy(const Vec3& centre, const std::array<Vec3, 3>& step, double scale = 1.0) const;
  /// Bounding half-extent in mm (for loops).
  double reachMm() const;
};

/// A lesion inserted into a real scan for the segmentation model: its shape and how it looks.
struct SyntheticLesion {
  LesionShape shape;
  std::string kind; ///< "lung-solid", "lung-part-solid", "lung-ground-glass", "liver-hypodense", "mr-bright"
  std::string site; ///< lung: "isolated" / "juxta-vascular" / "juxta-pleural"; "soft-tissue"; "brain"
  double plateau = 0;       ///< value inside (part-solid: the ground glass)
  double corePlateau = 0;   ///< part-solid: the solid core
  double coreFraction = 0;  ///< part-solid: core diameter / diameter
  double noiseSd = 0;
  double diameterMm() const { return 2 * shape.radiusMm; }
};

struct PreparedScan;

/// Where lesions of each kind may go in one background scan.
struct LesionSites {
  bool isCt = true;
  std::shared_ptr<const PreparedScan> lungs; ///< CT: the nodule detector's lung preparation
  std::vector<Vec3> softTissue;      ///< CT: inside homogeneous soft tissue, liver side, below mid-lung
  std::vector<double> softTissueDepth; ///< mm to the tissue's edge
  std::vector<Vec3> brain;           ///< MR: inside the head's tissue
  std::vector<double> brainDepth;
};

LesionSites findLesionSites(const Volume& scan);

/// Plans up to `count` lesions on the scan's sites (CT: 3/4 lung nodules of every type and site,
/// 1/4 hypodense liver-like lesions; MR: bright lesions), diameters log-uniform in 3-30 mm (liver
/// and MR: 6-30 mm), kept apart from each other and `keepAwayMm` from each point of `avoid`.
std::vector<SyntheticLesion> planLesions(const Volume& scan, const LesionSites& sites, std::size_t count,
                                         std::mt19937& rng, const std::vector<ReferenceNodule>& avoid, double keepAwayMm);

/// Writes the lesions into the scan (3x3x3 supersampled partial volume, blended over the
/// background, noise inside) and returns the truth: per voxel the index + 1 of the lesion that
/// covers at least half of it (0: none). A lung nodule's truth stops at the pleura (the part of a
/// juxta-pleural shape inside the chest wall cannot be seen, so no reader would outline it).
std::vector<std::uint8_t> insertLesions(Volume& scan, const std::vector<SyntheticLesion>& lesions, std::mt19937& rng,
                                        const LesionSites& sites);

/// True when the point lies in the lungs of the sites' CT (always true without lungs).
bool inLungs(const LesionSites& sites, const Vec3& lps);

struct SegmentationDatasetOptions {
  struct Background {
    std::string path;
    std::vector<ReferenceNodule> avoid;
  };
  std::vector<Background> backgrounds;
  std::size_t copies = 10, lesionsPerCopy = 8, samplesPerLesion = 2;
  std::uint32_t seed = 1;
  std::string outFolder;
  /// Held-out evaluation set instead of training patches: every copy is written as a scan
  /// (NIfTI) with its truth label map and a JSON of lesions and clicks.
  bool evaluationScans = false;
  std::size_t edge = 32;
};

/// Training: `images.f32` (N x edge^3 samples), `targets.u8` (occupancy x 255), `samples.csv`.
/// Evaluation: `scan_B_C.nii.gz`, `scan_B_C_truth.nii.gz`, `scan_B_C.json`. Returns a summary line per copy.
std::vector<std::string> writeSegmentationDataset(const SegmentationDatasetOptions& options);

} // namespace lightbox
