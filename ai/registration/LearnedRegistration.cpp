// SPDX-License-Identifier: Apache-2.0
#include "ai/registration/LearnedRegistration.h"

#include "ai/registration/InstanceOptimisation.h"
#include "ai/runtime/ModelRunner.h"
#include "core/registration/StageGate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>

namespace lightbox {
namespace detail {

VolumeGeometry learnedGrid(const VolumeGeometry& fixed, double spacingMm, std::size_t multiple) {
  VolumeGeometry g;
  g.direction = fixed.direction;
  g.spacing = {spacingMm, spacingMm, spacingMm};
  const Vec3 centre =
      fixed.ijkToLps({(double(fixed.size[0]) - 1) / 2, (double(fixed.size[1]) - 1) / 2, (double(fixed.size[2]) - 1) / 2});
  g.origin = centre;
  for (int a = 0; a < 3; ++a) {
    const double extent = double(std::max<std::size_t>(1, fixed.size[a]) - 1) * fixed.spacing[a];
    std::size_t n = std::size_t(std::ceil(extent / spacingMm - 1e-6)) + 1;
    n = (n + multiple - 1) / multiple * multiple;
    g.size[a] = n;
    g.origin = g.origin - fixed.direction[a] * (double(n - 1) * spacingMm / 2);
  }
  return g;
}

float IntensityMap::operator()(double v) const {
  if (ct) return float(std::clamp((v + 1000.0) / 1600.0, 0.0, 1.0));
  return float(std::clamp(v / double(scale), 0.0, 1.5));
}

bool isCtLike(const Volume& volume) {
  if (volume.units == "HU") return true;
  // Research formats carry no modality: CT in HU has air near -1000, MR nothing below 0.
  return volume.units.empty() && volume.geometry.voxelCount() > 0 && volume.range().first <= -500.0;
}

IntensityMap intensityMapOf(const Volume& volume) {
  IntensityMap map;
  map.ct = isCtLike(volume);
  if (map.ct) return map;
  const std::size_t n = volume.geometry.voxelCount();
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = float(volume.value(i));
  if (values.empty()) return map;
  const std::size_t k = std::size_t(std::floor(0.995 * double(n - 1)));
  std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
  map.scale = values[k];
  if (map.scale <= 0.0f) {
    const float peak = *std::max_element(values.begin(), values.end());
    map.scale = peak > 0.0f ? peak : 1.0f;
  }
  return map;
}

namespace {

/// Trilinear value of the normalised volume at continuous index ijk; 0 beyond half a voxel outside.
float trilinear(const Volume& volume, const IntensityMap& map, const Vec3& ijk) {
  const auto& s = volume.geometry.size;
  std::size_t base[3];
  double frac[3];
  for (int a = 0; a < 3; ++a) {
    if (ijk[a] < -0.5 || ijk[a] > double(s[a]) - 0.5) return 0.0f;
    const double c = std::clamp(ijk[a], 0.0, double(s[a] - 1));
    base[a] = s[a] > 1 ? std::min(std::size_t(c), s[a] - 2) : 0;
    frac[a] = s[a] > 1 ? c - double(base[a]) : 0.0;
  }
  double v = 0.0;
  for (int dz = 0; dz < 2; ++dz) {
    for (int dy = 0; dy < 2; ++dy) {
      for (int dx = 0; dx < 2; ++dx) {
        const double w = (dx ? frac[0] : 1 - frac[0]) * (dy ? frac[1] : 1 - frac[1]) * (dz ? frac[2] : 1 - frac[2]);
        if (w == 0.0) continue;
        v += w * map(volume.value(base[0] + std::size_t(dx), base[1] + std::size_t(dy), base[2] + std::size_t(dz)));
      }
    }
  }
  return float(v);
}

void forSlabs(std::size_t count, unsigned threads, const std::function<void(std::size_t, std::size_t)>& work) {
  const unsigned n = std::max(1u, std::min<unsigned>(threads ? threads : std::thread::hardware_concurrency(), 16));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t) {
    const std::size_t a = count * t / n, b = count * (t + 1) / n;
    if (a < b) pool.emplace_back(work, a, b);
  }
  for (std::thread& t : pool) t.join();
}

} // namespace

std::vector<float> sampleOnGrid(const Volume& volume, const IntensityMap& map, const VolumeGeometry& grid,
                                const RegistrationTransform& affine, unsigned threads) {
  std::vector<float> out(grid.voxelCount(), 0.0f);
  const double q = grid.spacing[0] / 4.0;
  forSlabs(grid.size[2], threads, [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      for (std::size_t j = 0; j < grid.size[1]; ++j) {
        for (std::size_t i = 0; i < grid.size[0]; ++i) {
          double sum = 0.0;
          for (int o = 0; o < 8; ++o) {
            const Vec3 ijk{double(i) + ((o & 1) ? q : -q) / grid.spacing[0],
                           double(j) + ((o & 2) ? q : -q) / grid.spacing[1],
                           double(k) + ((o & 4) ? q : -q) / grid.spacing[2]};
            const Vec3 p = affine.applyAffine(grid.ijkToLps(ijk));
            sum += trilinear(volume, map, volume.geometry.lpsToIjk(p));
          }
          out[i + grid.size[0] * (j + grid.size[1] * k)] = float(sum / 8.0);
        }
      }
    }
  });
  return out;
}

GridBox anatomyBox(const VolumeGeometry& grid, const std::vector<float>& a, const std::vector<float>& b) {
  std::array<std::size_t, 3> lo = grid.size, hi{0, 0, 0};
  bool any = false;
  for (std::size_t k = 0; k < grid.size[2]; ++k) {
    for (std::size_t j = 0; j < grid.size[1]; ++j) {
      for (std::size_t i = 0; i < grid.size[0]; ++i) {
        const std::size_t n = i + grid.size[0] * (j + grid.size[1] * k);
        if (std::max(a[n], b[n]) <= kBodyLevel) continue;
        any = true;
        const std::size_t idx[3] = {i, j, k};
        for (int c = 0; c < 3; ++c) {
          lo[c] = std::min(lo[c], idx[c]);
          hi[c] = std::max(hi[c], idx[c]);
        }
      }
    }
  }
  GridBox box;
  box.size = grid.size;
  if (!any) return box;
  for (int c = 0; c < 3; ++c) {
    const std::size_t first = lo[c] > kBoxMargin ? lo[c] - kBoxMargin : 0;
    const std::size_t last = std::min(grid.size[c] - 1, hi[c] + kBoxMargin);
    // Even sides (the network halves them once); the grid's own sides are multiples of 8.
    std::size_t n = std::min(grid.size[c], (last - first + 2) / 2 * 2);
    box.start[c] = std::min(first, grid.size[c] - n);
    box.size[c] = n;
  }
  return box;
}

VolumeGeometry halvedGrid(const VolumeGeometry& grid) {
  VolumeGeometry out = grid;
  for (int a = 0; a < 3; ++a) {
    out.size[a] = std::max<std::size_t>(1, grid.size[a] / 2);
    out.spacing[a] = 2 * grid.spacing[a];
  }
  // Node I of the halved grid sits between nodes 2I and 2I + 1 of the original.
  out.origin = grid.ijkToLps({0.5, 0.5, 0.5});
  return out;
}

std::vector<float> halvedField(const VolumeGeometry& grid, const std::vector<float>& field) {
  const VolumeGeometry half = halvedGrid(grid);
  std::vector<float> out(3 * half.voxelCount(), 0.0f);
  const auto& s = grid.size;
  for (std::size_t k = 0; k < half.size[2]; ++k) {
    for (std::size_t j = 0; j < half.size[1]; ++j) {
      for (std::size_t i = 0; i < half.size[0]; ++i) {
        float* o = &out[3 * (i + half.size[0] * (j + half.size[1] * k))];
        int count = 0;
        for (std::size_t dz = 0; dz < 2; ++dz) {
          for (std::size_t dy = 0; dy < 2; ++dy) {
            for (std::size_t dx = 0; dx < 2; ++dx) {
              const std::size_t x = std::min(2 * i + dx, s[0] - 1), y = std::min(2 * j + dy, s[1] - 1),
                                z = std::min(2 * k + dz, s[2] - 1);
              const float* v = &field[3 * (x + s[0] * (y + s[1] * z))];
              for (int c = 0; c < 3; ++c) o[c] += v[c];
              ++count;
            }
          }
        }
        for (int c = 0; c < 3; ++c) o[c] /= float(count);
      }
    }
  }
  return out;
}

} // namespace detail

namespace {

NormalisedImage normalised(const Volume& volume, const detail::IntensityMap& map) {
  NormalisedImage out;
  out.geometry = volume.geometry;
  out.values.resize(volume.geometry.voxelCount());
  for (std::size_t n = 0; n < out.values.size(); ++n) out.values[n] = map(volume.value(n));
  return out;
}

} // namespace

RegistrationResult registerWithModel(const Volume& fixed, const Volume& moving, const RegistrationOptions& options,
                                     const ModelEntry& model, const LearnedRegistrationOptions& learned,
                                     LearnedStageReport* report) {
  const detail::IntensityMap fixedMap = detail::intensityMapOf(fixed);
  const detail::IntensityMap movingMap = detail::intensityMapOf(moving);
  const bool fixedCt = fixedMap.ct;
  const bool movingCt = movingMap.ct;
  if (fixedCt != movingCt) {
    throw std::runtime_error(std::string("the learned registration engine needs two images of the same modality (it was "
                                         "trained on CT-CT and MR-MR pairs); the current is ") +
                             (fixedCt ? "CT" : "not CT") + ", the prior " + (movingCt ? "CT" : "not CT") +
                             ": use the deformable engine");
  }
  if (!model.usable) throw std::runtime_error("model " + model.manifest.name + " is refused: " + model.problem);
  constexpr double kLinearShare = 0.6;
  const auto progress = [&options](double fraction, const std::string& stage) {
    if (options.progress && !options.progress(std::clamp(fraction, 0.0, 1.0), stage)) throw RegistrationCancelled();
  };
  const auto t0 = std::chrono::steady_clock::now();
  RegistrationOptions linear = options;
  linear.engine = RegistrationEngine::Affine;
  linear.progress = [&options](double fraction, const std::string& stage) {
    return !options.progress || options.progress(kLinearShare * fraction, stage);
  };
  RegistrationResult result = registerImages(fixed, moving, linear);
  const RegistrationTransform affine = result.transform;

  const auto t1 = std::chrono::steady_clock::now();
  const ModelManifest& manifest = model.manifest;
  const VolumeGeometry grid = detail::learnedGrid(fixed.geometry, manifest.targetSpacingXyz[0], 8);
  NormalisedImage fixedCoarse{grid, detail::sampleOnGrid(fixed, fixedMap, grid, RegistrationTransform{}, options.threads)};
  NormalisedImage movingCoarse{grid, detail::sampleOnGrid(moving, movingMap, grid, affine, options.threads)};
  progress(kLinearShare + 0.02, "model");

  const std::size_t voxels = grid.voxelCount();
  // The network runs on the box around the anatomy (either image above kBodyLevel, plus a margin):
  // the air around a chest CT is half of its grid, and the correlation volume costs time per voxel.
  const detail::GridBox box = detail::anatomyBox(grid, fixedCoarse.values, movingCoarse.values);
  const std::size_t bx = box.size[0], by = box.size[1], bz = box.size[2], boxVoxels = bx * by * bz;
  Tensor input;
  input.shape = {1, 2, std::int64_t(bz), std::int64_t(by), std::int64_t(bx)};
  input.data.resize(2 * boxVoxels);
  const auto gridIndex = [&](std::size_t i, std::size_t j, std::size_t k) {
    return (box.start[0] + i) + grid.size[0] * ((box.start[1] + j) + grid.size[1] * (box.start[2] + k));
  };
  for (std::size_t k = 0; k < bz; ++k) {
    for (std::size_t j = 0; j < by; ++j) {
      for (std::size_t i = 0; i < bx; ++i) {
        const std::size_t b = i + bx * (j + by * k), g = gridIndex(i, j, k);
        input.data[b] = fixedCoarse.values[g];
        input.data[boxVoxels + b] = movingCoarse.values[g];
      }
    }
  }
  const auto tNet = std::chrono::steady_clock::now();
  const std::unique_ptr<ModelRunner> runner = loadVerifiedModel(model, int(options.threads));
  const Tensor output = runner->run(input);
  if (output.shape.size() != 5 || output.shape[1] != 3 || output.data.size() != 3 * boxVoxels) {
    throw std::runtime_error(manifest.name + ": expected a (1, 3, D, H, W) displacement field from the model");
  }
  const double networkSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tNet).count();
  // Components along the grid's axes -> LPS, interleaved per voxel; outside the box, the value of
  // the nearest box voxel.
  std::vector<float> field(3 * voxels);
  double meanDisplacement = 0.0;
  for (std::size_t k = 0; k < grid.size[2]; ++k) {
    for (std::size_t j = 0; j < grid.size[1]; ++j) {
      for (std::size_t i = 0; i < grid.size[0]; ++i) {
        const std::size_t ci = std::clamp(i, box.start[0], box.start[0] + bx - 1) - box.start[0];
        const std::size_t cj = std::clamp(j, box.start[1], box.start[1] + by - 1) - box.start[1];
        const std::size_t ck = std::clamp(k, box.start[2], box.start[2] + bz - 1) - box.start[2];
        const std::size_t b = ci + bx * (cj + by * ck);
        Vec3 u{0, 0, 0};
        for (int a = 0; a < 3; ++a) u = u + grid.direction[a] * double(output.data[std::size_t(a) * boxVoxels + b]);
        const std::size_t n = i + grid.size[0] * (j + grid.size[1] * k);
        for (int c = 0; c < 3; ++c) field[3 * n + std::size_t(c)] = float(u[c]);
        if (ci == i - box.start[0] && cj == j - box.start[1] && ck == k - box.start[2]) {
          meanDisplacement += std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        }
      }
    }
  }
  meanDisplacement /= double(std::max<std::size_t>(1, boxVoxels));
  progress(kLinearShare + 0.05, "model");

  std::vector<InstanceLevelInput> levels;
  NormalisedImage fixedFull, movingFull;
  if (learned.coarseIterations > 0) {
    levels.push_back({"4mm", &fixedCoarse, &movingCoarse, RegistrationTransform{}, learned.coarseIterations,
                      learned.coarseSamples});
  }
  if (learned.fineIterations > 0) {
    fixedFull = normalised(fixed, fixedMap);
    movingFull = normalised(moving, movingMap);
    levels.push_back({"full", &fixedFull, &movingFull, affine, learned.fineIterations, learned.fineSamples});
  }
  InstanceOptimisationOptions io;
  io.learningRate = learned.learningRate;
  io.smoothness = learned.smoothness;
  io.seed = options.seed;
  io.threads = options.threads;
  const double totalIterations = double(learned.coarseIterations + learned.fineIterations);
  io.onIteration = [&](std::size_t level, unsigned iteration) {
    const double done = double(level == 0 || levels.size() == 1 ? 0 : learned.coarseIterations) + double(iteration);
    progress(kLinearShare + 0.05 + (1.0 - kLinearShare - 0.05) * done / std::max(1.0, totalIterations), "model");
  };
  // The optimiser's field lives on a grid of twice the network's spacing (the network's field
  // averaged 2x2x2): an eighth of the parameters, and each random sample's gradient reaches
  // the nodes within 8 mm. The network's own field is kept when nothing is optimised.
  const auto withField = [&affine](const VolumeGeometry& g, std::vector<float> vectors) {
    RegistrationTransform t = affine;
    auto displacement = std::make_shared<DisplacementField>();
    displacement->grid = g;
    displacement->vectors = std::move(vectors);
    t.field = std::move(displacement);
    return t;
  };
  const RegistrationTransform network = withField(grid, field);
  RegistrationTransform learnedMap = network;
  InstanceOptimisationResult optimised;
  std::string optimisationDropped;
  if (!levels.empty()) {
    const VolumeGeometry fieldGrid = detail::halvedGrid(grid);
    optimised = optimiseField(fieldGrid, detail::halvedField(grid, field), fixedCoarse, levels, io);
    // The instance optimisation is kept only when held-back points match better than with the
    // network's field alone, and its field stays plausible (issue 26).
    RegistrationStage check;
    const RegistrationTransform optimisedMap = withField(fieldGrid, std::move(optimised.field));
    learnedMap = options.checkStages ? gateStage(fixed, moving, network, optimisedMap, check) : optimisedMap;
    optimisationDropped = check.droppedReason;
  }

  RegistrationStage stage;
  stage.name = "model";
  // The learned map against the affine it started from: a map that makes things worse is dropped.
  result.transform = options.checkStages ? gateStage(fixed, moving, affine, learnedMap, stage) : learnedMap;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    RegistrationLevel level;
    level.level = int(l);
    level.shrink = levels[l].name == "full" ? 1 : int(std::lround(grid.spacing[0]));
    level.iterations = levels[l].iterations;
    level.metric = -optimised.nccAfter[l]; // lower is better, as ITK's metrics
    stage.levels.push_back(level);
  }
  stage.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  result.stages.push_back(stage);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report) {
    report->model = manifest.name + " " + manifest.version;
    report->weightsSha256 = manifest.weightsSha256;
    report->grid = grid.size;
    report->networkSeconds = networkSeconds;
    report->meanNetworkDisplacementMm = meanDisplacement;
    report->instanceOptimisationDropped = optimisationDropped;
    report->levels.clear();
    for (std::size_t l = 0; l < levels.size(); ++l) {
      report->levels.push_back({levels[l].name, levels[l].iterations, optimised.nccBefore[l], optimised.nccAfter[l]});
    }
  }
  progress(1.0, "done");
  return result;
}

RegistrationResult registerImagesWithAnyEngine(const Volume& fixed, const Volume& moving,
                                               const RegistrationOptions& options, LearnedStageReport* report,
                                               const LearnedRegistrationOptions& learned) {
  if (options.engine != RegistrationEngine::Model) return registerImages(fixed, moving, options);
  const ModelEntry model = findModel(kRegistrationModelName, defaultModelFolders());
  return registerWithModel(fixed, moving, options, model, learned, report);
}

} // namespace lightbox
