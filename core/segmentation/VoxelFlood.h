// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lightbox {

/// Marks with `id` the 6-connected region of `allowed` (a box of nx x ny x nz, x fastest,
/// non-zero = allowed) that contains `seed`, in `component` (same box; 0 = not yet marked, and
/// marked voxels are not entered again). Returns the number of voxels marked.
inline std::size_t floodComponent(std::size_t nx, std::size_t ny, std::size_t nz, const std::vector<std::uint8_t>& allowed,
                                  std::size_t seed, std::vector<int>& component, int id) {
  if (!allowed[seed] || component[seed]) return 0;
  std::size_t size = 0;
  std::vector<std::size_t> stack{seed};
  component[seed] = id;
  while (!stack.empty()) {
    const std::size_t n = stack.back();
    stack.pop_back();
    ++size;
    const std::size_t i = n % nx, j = (n / nx) % ny, k = n / (nx * ny);
    auto visit = [&](bool inside, std::size_t m) {
      if (inside && allowed[m] && !component[m]) {
        component[m] = id;
        stack.push_back(m);
      }
    };
    visit(i > 0, n - 1);
    visit(i + 1 < nx, n + 1);
    visit(j > 0, n - nx);
    visit(j + 1 < ny, n + nx);
    visit(k > 0, n - nx * ny);
    visit(k + 1 < nz, n + nx * ny);
  }
  return size;
}

/// The 6-connected region of `allowed` that contains `seed`, as a mask of the same box; empty of
/// voxels when the seed is not allowed.
inline std::vector<std::uint8_t> flood6(std::size_t nx, std::size_t ny, std::size_t nz,
                                        const std::vector<std::uint8_t>& allowed, std::size_t seed) {
  std::vector<int> component(allowed.size(), 0);
  floodComponent(nx, ny, nz, allowed, seed, component, 1);
  return std::vector<std::uint8_t>(component.begin(), component.end());
}

} // namespace lightbox
