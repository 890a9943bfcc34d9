// SPDX-License-Identifier: Apache-2.0
// Instance optimisation of a displacement field with LibTorch autograd, inside liblightbox_torch.so
// (see runtime/TorchBackend.h). With runtime/TorchModelRunner.cpp, the only code that includes Torch.
#include "ai/registration/InstanceOptimisation.h"
#include "ai/runtime/TorchBackendImpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lightbox::torchimpl {
namespace {

namespace tf = torch::nn::functional;

/// Row-major 3x3 of index -> LPS (columns direction[a] * spacing[a]) and its inverse.
struct GridMap {
  at::Tensor toLps;   ///< (3, 3): lps = origin + idx @ toLps^T
  at::Tensor toIndex; ///< (3, 3): idx = (lps - origin) @ toIndex^T
  at::Tensor origin;  ///< (3)
  std::array<std::int64_t, 3> size{};
};

GridMap gridMap(const VolumeGeometry& g) {
  GridMap m;
  m.toLps = torch::empty({3, 3}, torch::kFloat64);
  auto a = m.toLps.accessor<double, 2>();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a[r][c] = g.direction[c][r] * g.spacing[c];
  }
  m.toIndex = torch::inverse(m.toLps).to(torch::kFloat32);
  m.toLps = m.toLps.to(torch::kFloat32);
  m.origin = torch::tensor({float(g.origin[0]), float(g.origin[1]), float(g.origin[2])});
  for (int a2 = 0; a2 < 3; ++a2) m.size[a2] = std::int64_t(g.size[a2]);
  return m;
}

/// (S, 3) continuous indices (i, j, k) -> the grid_sample grid (1, S, 1, 1, 3), align_corners.
at::Tensor sampleGrid(const at::Tensor& idx, const std::array<std::int64_t, 3>& size) {
  const at::Tensor n = torch::tensor({float(std::max<std::int64_t>(1, size[0] - 1)),
                                      float(std::max<std::int64_t>(1, size[1] - 1)),
                                      float(std::max<std::int64_t>(1, size[2] - 1))});
  return (idx / n * 2.0 - 1.0).view({1, -1, 1, 1, 3});
}

at::Tensor sample(const at::Tensor& image, const at::Tensor& idx, const std::array<std::int64_t, 3>& size,
                  bool border) {
  auto options = tf::GridSampleFuncOptions().mode(torch::kBilinear).align_corners(true);
  options = border ? options.padding_mode(torch::kBorder) : options.padding_mode(torch::kZeros);
  // image (1, C, K, J, I) -> (1, C, S, 1, 1) -> (S, C)
  const at::Tensor out = tf::grid_sample(image, sampleGrid(idx, size), options);
  return out.view({image.size(1), -1}).t();
}

at::Tensor imageTensor(const NormalisedImage& image) {
  const auto& s = image.geometry.size;
  if (image.values.size() != image.geometry.voxelCount()) {
    throw std::invalid_argument("instance optimisation: image values do not match the grid");
  }
  return torch::from_blob(const_cast<float*>(image.values.data()),
                          {1, 1, std::int64_t(s[2]), std::int64_t(s[1]), std::int64_t(s[0])}, torch::kFloat32);
}

/// Voxels of the structure image whose gradient magnitude is in the top 40 % of the voxels that are
/// not background (value > 0.02): where a similarity measure has something to align.
std::vector<std::int64_t> structureVoxels(const VolumeGeometry& grid, const std::vector<float>& s) {
  const std::size_t nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];
  std::vector<float> magnitude(s.size(), -1.0f);
  const auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return s[i + nx * (j + ny * k)]; };
  for (std::size_t k = 0; k < nz; ++k) {
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t n = i + nx * (j + ny * k);
        if (s[n] <= 0.02f) continue;
        const double gx = (at(std::min(i + 1, nx - 1), j, k) - at(i ? i - 1 : 0, j, k)) / grid.spacing[0];
        const double gy = (at(i, std::min(j + 1, ny - 1), k) - at(i, j ? j - 1 : 0, k)) / grid.spacing[1];
        const double gz = (at(i, j, std::min(k + 1, nz - 1)) - at(i, j, k ? k - 1 : 0)) / grid.spacing[2];
        magnitude[n] = float(std::sqrt(gx * gx + gy * gy + gz * gz));
      }
    }
  }
  std::vector<float> present;
  for (float m : magnitude) {
    if (m >= 0.0f) present.push_back(m);
  }
  std::vector<std::int64_t> out;
  if (present.size() < 1000) {
    for (std::size_t n = 0; n < s.size(); ++n) out.push_back(std::int64_t(n));
    return out;
  }
  const std::size_t cut = std::size_t(0.6 * double(present.size()));
  std::nth_element(present.begin(), present.begin() + std::ptrdiff_t(cut), present.end());
  const float threshold = present[cut];
  for (std::size_t n = 0; n < s.size(); ++n) {
    if (magnitude[n] >= threshold) out.push_back(std::int64_t(n));
  }
  return out;
}

/// `count` LPS points (count, 3): random voxels of `candidates` (linear indices on `sg`), each
/// jittered uniformly within its voxel.
at::Tensor drawStructurePoints(const at::Tensor& candidates, const GridMap& sg, unsigned count, at::Generator& generator) {
  const std::int64_t sx = sg.size[0], sy = sg.size[1];
  const at::Tensor pick = torch::randint(candidates.size(0), {std::int64_t(count)}, generator, torch::kInt64);
  const at::Tensor n = candidates.index_select(0, pick);
  const at::Tensor i = (n % sx).to(torch::kFloat32);
  // Floor division: `/` on integer tensors is true division in LibTorch.
  const at::Tensor j = (at::div(n, sx, "floor") % sy).to(torch::kFloat32);
  const at::Tensor k = at::div(n, sx * sy, "floor").to(torch::kFloat32);
  const at::Tensor jitter = torch::rand({std::int64_t(count), 3}, generator, torch::kFloat32) - 0.5;
  return sg.origin + torch::matmul(torch::stack({i, j, k}, 1) + jitter, sg.toLps.t());
}

/// Negative normalised cross-correlation of the masked samples.
at::Tensor negativeNcc(const at::Tensor& f, const at::Tensor& m, const at::Tensor& mask) {
  const at::Tensor w = mask.to(torch::kFloat32);
  const at::Tensor n = w.sum().clamp_min(1.0);
  const at::Tensor fm = (f * w).sum() / n;
  const at::Tensor mm = (m * w).sum() / n;
  const at::Tensor fc = (f - fm) * w;
  const at::Tensor mc = (m - mm) * w;
  return -(fc * mc).sum() / torch::sqrt((fc * fc).sum() * (mc * mc).sum() + 1e-8);
}

} // namespace

std::vector<Vec3> structurePoints(const NormalisedImage& structure, unsigned count, unsigned seed) {
  torch::NoGradGuard none;
  const at::Tensor candidates = torch::tensor(structureVoxels(structure.geometry, structure.values), torch::kInt64);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const at::Tensor p = drawStructurePoints(candidates, gridMap(structure.geometry), count, generator).contiguous();
  std::vector<Vec3> out(std::size_t(p.size(0)));
  const auto a = p.accessor<float, 2>();
  for (std::size_t n = 0; n < out.size(); ++n) out[n] = {a[std::int64_t(n)][0], a[std::int64_t(n)][1], a[std::int64_t(n)][2]};
  return out;
}

InstanceOptimisationResult optimiseField(const VolumeGeometry& grid, std::vector<float> field,
                                         const NormalisedImage& structure,
                                         const std::vector<InstanceLevelInput>& levels,
                                         const InstanceOptimisationOptions& options) {
  if (field.size() != 3 * grid.voxelCount() || structure.values.size() != structure.geometry.voxelCount()) {
    throw std::invalid_argument("instance optimisation: the field or the structure image does not match its grid");
  }
  torch::NoGradGuard outer; // autograd only where asked for below
  const GridMap g = gridMap(grid);
  const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  // (K, J, I, 3) interleaved -> (1, 3, K, J, I)
  at::Tensor params = torch::from_blob(field.data(), {nz, ny, nx, 3}, torch::kFloat32)
                          .permute({3, 0, 1, 2}).unsqueeze(0).contiguous();
  const std::vector<std::int64_t> voxels = structureVoxels(structure.geometry, structure.values);
  const at::Tensor candidates = torch::tensor(voxels, torch::kInt64);
  const GridMap sg = gridMap(structure.geometry);
  at::Generator generator = at::detail::createCPUGenerator(options.seed);

  const auto drawPoints = [&](unsigned count) { return drawStructurePoints(candidates, sg, count, generator); };

  InstanceOptimisationResult result;
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const InstanceLevelInput& level = levels[l];
    if (!level.fixed || !level.moving) throw std::invalid_argument("instance optimisation: a level has no images");
    const at::Tensor fixedT = imageTensor(*level.fixed);
    const at::Tensor movingT = imageTensor(*level.moving);
    const GridMap fm = gridMap(level.fixed->geometry);
    const GridMap mm = gridMap(level.moving->geometry);
    at::Tensor affine = torch::empty({3, 3}, torch::kFloat32);
    {
      auto a = affine.accessor<float, 2>();
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) a[r][c] = float(level.movingMap.matrix[r][c]);
      }
    }
    const at::Tensor translation = torch::tensor({float(level.movingMap.translation[0]),
                                                  float(level.movingMap.translation[1]),
                                                  float(level.movingMap.translation[2])});
    // The loss of one point set (LPS) under the field `u`.
    const auto evaluate = [&](const at::Tensor& u, const at::Tensor& x) {
      const at::Tensor idx = torch::matmul(x - g.origin, g.toIndex.t());
      at::Tensor f;
      {
        torch::NoGradGuard none;
        f = sample(fixedT, torch::matmul(x - fm.origin, fm.toIndex.t()), fm.size, false).squeeze(1);
      }
      const at::Tensor disp = sample(u, idx, g.size, true); // (S, 3) LPS mm
      const at::Tensor q = torch::matmul(x + disp, affine.t()) + translation;
      const at::Tensor mIdx = torch::matmul(q - mm.origin, mm.toIndex.t());
      at::Tensor inside;
      {
        torch::NoGradGuard none;
        const at::Tensor hi = torch::tensor({float(mm.size[0] - 1), float(mm.size[1] - 1), float(mm.size[2] - 1)});
        // Inside the voxel centres only: zero padding fades towards 0 in the half voxel beyond.
        inside = ((mIdx >= 0.0) & (mIdx <= hi)).all(1);
      }
      const at::Tensor m = sample(movingT, mIdx, mm.size, false).squeeze(1);
      return negativeNcc(f, m, inside);
    };
    const at::Tensor evalPoints = drawPoints(std::max(level.samples, 20000u));
    result.nccBefore.push_back(-evaluate(params, evalPoints).item<double>());

    params.set_requires_grad(true);
    torch::optim::Adam optimiser({params}, torch::optim::AdamOptions(options.learningRate));
    const double spacing[3] = {grid.spacing[0], grid.spacing[1], grid.spacing[2]};
    for (unsigned it = 0; it < level.iterations; ++it) {
      torch::AutoGradMode enable(true);
      // Step size decays linearly to a fifth over the level.
      const double lr = options.learningRate * (1.0 - 0.8 * double(it) / double(std::max(1u, level.iterations)));
      for (auto& group : optimiser.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      optimiser.zero_grad();
      const at::Tensor& u = params;
      // Diffusion penalty: mean squared derivative of each component along each axis (mm per mm).
      const at::Tensor dx = (u.narrow(4, 1, nx - 1) - u.narrow(4, 0, nx - 1)) / spacing[0];
      const at::Tensor dy = (u.narrow(3, 1, ny - 1) - u.narrow(3, 0, ny - 1)) / spacing[1];
      const at::Tensor dz = (u.narrow(2, 1, nz - 1) - u.narrow(2, 0, nz - 1)) / spacing[2];
      const at::Tensor penalty = dx.pow(2).mean() + dy.pow(2).mean() + dz.pow(2).mean();
      const at::Tensor loss = evaluate(u, drawPoints(level.samples)) + options.smoothness * penalty;
      loss.backward();
      optimiser.step();
      if (options.onIteration) options.onIteration(l, it + 1);
    }
    params.set_requires_grad(false);
    result.nccAfter.push_back(-evaluate(params, evalPoints).item<double>());
  }
  const at::Tensor u = params[0].permute({1, 2, 3, 0}).contiguous(); // (K, J, I, 3)
  result.field.assign(u.data_ptr<float>(), u.data_ptr<float>() + u.numel());
  return result;
}

} // namespace lightbox::torchimpl
