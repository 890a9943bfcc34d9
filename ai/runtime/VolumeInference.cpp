// SPDX-License-Identifier: Apache-2.0
#include "ai/runtime/VolumeInference.h"

#include "core/util/ParallelFor.h"
#include "core/volume/Trilinear.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lightbox {
namespace {

std::string mm(double v) {
  std::ostringstream s;
  s.precision(3);
  s << v << " mm";
  return s.str();
}

} // namespace

std::vector<std::string> preflightWarnings(const ModelManifest& m, const Volume& v, const ScanFacts& facts) {
  std::vector<std::string> out;
  if (facts.modality.empty()) {
    out.push_back("modality unknown; the model '" + m.name + "' is for " + m.modalities.front());
  } else if (std::find(m.modalities.begin(), m.modalities.end(), facts.modality) == m.modalities.end()) {
    out.push_back("modality " + facts.modality + " is outside the model's intended use (" +
                  m.modalities.front() + ")");
  }
  const double thickness = facts.sliceThicknessMm > 0 ? facts.sliceThicknessMm : v.geometry.spacing[2];
  if (m.maxSliceThicknessMm > 0 && thickness > m.maxSliceThicknessMm + 1e-6) {
    out.push_back("slice thickness " + mm(thickness) + " exceeds the model's limit of " + mm(m.maxSliceThicknessMm));
  }
  if (m.maxSliceThicknessMm > 0 && v.geometry.spacing[2] > m.maxSliceThicknessMm + 1e-6) {
    out.push_back("slice spacing " + mm(v.geometry.spacing[2]) + " exceeds the model's limit of " +
                  mm(m.maxSliceThicknessMm));
  }
  for (int a = 0; a < 2; ++a) {
    if (v.geometry.spacing[a] > 2.0 * m.targetSpacingXyz[a]) {
      out.push_back("in-plane spacing " + mm(v.geometry.spacing[a]) + " is coarser than twice the model's " +
                    mm(m.targetSpacingXyz[a]));
      break;
    }
  }
  // Coverage along the patient's z axis, whatever the slice direction.
  double zMin = 1e300, zMax = -1e300;
  for (int c = 0; c < 8; ++c) {
    const Vec3 ijk{(c & 1) ? double(v.geometry.size[0] - 1) : 0.0, (c & 2) ? double(v.geometry.size[1] - 1) : 0.0,
                   (c & 4) ? double(v.geometry.size[2] - 1) : 0.0};
    const double z = v.geometry.ijkToLps(ijk)[2];
    zMin = std::min(zMin, z);
    zMax = std::max(zMax, z);
  }
  if (m.minCoverageMm > 0 && zMax - zMin < m.minCoverageMm) {
    out.push_back("the scan covers " + mm(zMax - zMin) + " along z, less than the " + mm(m.minCoverageMm) +
                  " the model needs: findings near its ends may be missed");
  }
  return out;
}

FloatGrid resampleToSpacing(const Volume& volume, const Vec3& spacing, VolumeGeometry& g) {
  const VolumeGeometry& src = volume.geometry;
  g = src;
  for (int a = 0; a < 3; ++a) {
    g.spacing[a] = spacing[a];
    g.size[a] = std::size_t(std::floor(double(src.size[a] - 1) * src.spacing[a] / spacing[a] + 1e-6)) + 1;
  }
  FloatGrid out;
  out.size = g.size;
  out.data.resize(g.voxelCount());
  const Vec3 scale{spacing[0] / src.spacing[0], spacing[1] / src.spacing[1], spacing[2] / src.spacing[2]};
  parallelFor(g.size[2], 0, [&](std::size_t k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p{double(i) * scale[0], double(j) * scale[1], double(k) * scale[2]};
        const double value = std::visit([&](const auto& vox) { return trilinear(vox.data(), src, p); }, volume.voxels);
        out.data[i + g.size[0] * (j + g.size[1] * k)] = float(value);
      }
    }
  });
  return out;
}

Volume resampleToGeometry(const FloatGrid& grid, std::size_t channel, const VolumeGeometry& gg,
                          const VolumeGeometry& target) {
  Volume out;
  out.geometry = target;
  std::vector<float> vox(target.voxelCount());
  const float* data = grid.data.data() + channel * grid.voxels();
  parallelFor(target.size[2], 0, [&](std::size_t k) {
    for (std::size_t j = 0; j < target.size[1]; ++j) {
      for (std::size_t i = 0; i < target.size[0]; ++i) {
        const Vec3 p = gg.lpsToIjk(target.ijkToLps({double(i), double(j), double(k)}));
        vox[i + target.size[0] * (j + target.size[1] * k)] = float(trilinear(data, gg, p));
      }
    }
  });
  out.voxels = std::move(vox);
  return out;
}

void normaliseIntensity(std::vector<float>& values, const ModelManifest& m) {
  const double lo = m.intensityWindow[0], hi = m.intensityWindow[1];
  const double a = m.normalisedRange[0], b = m.normalisedRange[1];
  const double scale = (b - a) / (hi - lo);
  for (float& v : values) {
    v = float(a + (std::clamp(double(v), lo, hi) - lo) * scale);
  }
}

std::vector<Volume> runDenseModel(const Volume& volume, const ModelManifest& m, const ModelRunner& runner,
                                  const ProgressCallback& progress) {
  if (m.outputType != "probability-map") {
    throw std::runtime_error(m.name + ": not a dense model (output type " + m.outputType + ")");
  }
  VolumeGeometry g;
  FloatGrid grid = resampleToSpacing(volume, m.targetSpacingXyz, g);
  normaliseIntensity(grid.data, m);
  SlidingWindowOptions options;
  options.patchXyz = m.patchXyz;
  options.overlap = m.overlap;
  options.padValue = float(m.normalisedRange[0]);
  options.progress = progress;
  const FloatGrid out = slidingWindowInference(grid, runner, options);
  std::vector<Volume> channels;
  for (std::size_t c = 0; c < out.channels; ++c) {
    channels.push_back(resampleToGeometry(out, c, g, volume.geometry));
  }
  return channels;
}

} // namespace lightbox
