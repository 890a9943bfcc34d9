// SPDX-License-Identifier: Apache-2.0
#include "ai/runtime/SlidingWindow.h"

#include "ai/runtime/ModelRunner.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace lightbox {

std::vector<std::size_t> tileStarts(std::size_t n, std::size_t p, double overlap) {
  if (n <= p) {
    return {0};
  }
  const std::size_t maxStep = std::max<std::size_t>(1, std::size_t(std::floor(double(p) * (1.0 - overlap))));
  const std::size_t span = n - p;
  const std::size_t steps = (span + maxStep - 1) / maxStep;
  std::vector<std::size_t> starts;
  for (std::size_t s = 0; s <= steps; ++s) {
    starts.push_back(std::size_t(std::llround(double(span) * double(s) / double(steps))));
  }
  return starts;
}

namespace {

std::vector<float> blendWeights(const std::array<std::size_t, 3>& p, BlendMode mode) {
  std::vector<float> w(p[0] * p[1] * p[2], 1.0f);
  if (mode == BlendMode::Constant) {
    return w;
  }
  std::array<std::vector<double>, 3> axis;
  for (int a = 0; a < 3; ++a) {
    const double sigma = std::max(1e-3, double(p[a]) / 8.0), centre = 0.5 * double(p[a] - 1);
    for (std::size_t i = 0; i < p[a]; ++i) {
      axis[a].push_back(std::exp(-0.5 * std::pow((double(i) - centre) / sigma, 2)));
    }
  }
  for (std::size_t k = 0; k < p[2]; ++k) {
    for (std::size_t j = 0; j < p[1]; ++j) {
      for (std::size_t i = 0; i < p[0]; ++i) {
        // Floor keeps the patch borders contributing where only one tile covers a voxel.
        w[i + p[0] * (j + p[1] * k)] = float(std::max(1e-3, axis[0][i] * axis[1][j] * axis[2][k]));
      }
    }
  }
  return w;
}

} // namespace

FloatGrid slidingWindowInference(const FloatGrid& input, const ModelRunner& runner,
                                 const SlidingWindowOptions& options) {
  const std::array<std::size_t, 3>& p = options.patchXyz;
  const std::size_t pv = p[0] * p[1] * p[2], cin = input.channels;
  if (input.data.size() != cin * input.voxels() || input.voxels() == 0) {
    throw std::runtime_error("sliding window: input grid is empty or inconsistent");
  }
  std::array<std::vector<std::size_t>, 3> starts;
  for (int a = 0; a < 3; ++a) {
    starts[a] = tileStarts(input.size[a], p[a], options.overlap);
  }
  const std::size_t total = starts[0].size() * starts[1].size() * starts[2].size();
  const std::vector<float> weight = blendWeights(p, options.blend);

  FloatGrid out;
  out.size = input.size;
  std::vector<double> acc, wsum(input.voxels(), 0.0);
  Tensor patch;
  patch.shape = {1, std::int64_t(cin), std::int64_t(p[2]), std::int64_t(p[1]), std::int64_t(p[0])};
  std::size_t done = 0;
  for (std::size_t z0 : starts[2]) {
    for (std::size_t y0 : starts[1]) {
      for (std::size_t x0 : starts[0]) {
        patch.data.assign(cin * pv, options.padValue);
        for (std::size_t c = 0; c < cin; ++c) {
          for (std::size_t k = 0; k < p[2] && z0 + k < input.size[2]; ++k) {
            for (std::size_t j = 0; j < p[1] && y0 + j < input.size[1]; ++j) {
              const std::size_t n = std::min(p[0], input.size[0] - x0);
              const float* src = &input.data[c * input.voxels() + x0 + input.size[0] * (y0 + j + input.size[1] * (z0 + k))];
              std::copy(src, src + n, &patch.data[c * pv + p[0] * (j + p[1] * k)]);
            }
          }
        }
        const Tensor y = runner.run(patch);
        if (y.shape.size() != 5 || y.shape[0] != 1 || y.shape[2] != std::int64_t(p[2]) ||
            y.shape[3] != std::int64_t(p[1]) || y.shape[4] != std::int64_t(p[0])) {
          std::string s;
          for (std::int64_t d : y.shape) {
            s += (s.empty() ? "" : ", ") + std::to_string(d);
          }
          throw std::runtime_error(runner.path() + ": output shape (" + s +
                                   ") is not (1, C, " + std::to_string(p[2]) + ", " +
                                   std::to_string(p[1]) + ", " + std::to_string(p[0]) + ")");
        }
        if (acc.empty()) {
          out.channels = std::size_t(y.shape[1]);
          acc.assign(out.channels * input.voxels(), 0.0);
        } else if (std::size_t(y.shape[1]) != out.channels) {
          throw std::runtime_error(runner.path() + ": output channel count changed between tiles");
        }
        for (std::size_t k = 0; k < p[2] && z0 + k < input.size[2]; ++k) {
          for (std::size_t j = 0; j < p[1] && y0 + j < input.size[1]; ++j) {
            for (std::size_t i = 0; i < p[0] && x0 + i < input.size[0]; ++i) {
              const std::size_t q = i + p[0] * (j + p[1] * k);
              const std::size_t v = x0 + i + input.size[0] * (y0 + j + input.size[1] * (z0 + k));
              wsum[v] += weight[q];
              for (std::size_t c = 0; c < out.channels; ++c) {
                acc[c * input.voxels() + v] += double(weight[q]) * double(y.data[c * pv + q]);
              }
            }
          }
        }
        ++done;
        if (options.progress && !options.progress(done, total)) {
          throw InferenceCancelled();
        }
      }
    }
  }
  out.data.resize(acc.size());
  for (std::size_t c = 0; c < out.channels; ++c) {
    for (std::size_t v = 0; v < input.voxels(); ++v) {
      out.data[c * input.voxels() + v] = float(acc[c * input.voxels() + v] / wsum[v]);
    }
  }
  return out;
}

} // namespace lightbox
