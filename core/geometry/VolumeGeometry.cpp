// SPDX-License-Identifier: Apache-2.0
#include "core/geometry/VolumeGeometry.h"

#include <algorithm>
#include <stdexcept>

namespace lightbox {

Vec3 VolumeGeometry::ijkToLps(const Vec3& ijk) const {
  Vec3 p = origin;
  for (int c = 0; c < 3; ++c) {
    p = p + direction[c] * (ijk[c] * spacing[c]);
  }
  return p;
}

Vec3 VolumeGeometry::lpsToIjk(const Vec3& lps) const {
  // Solve M * x = lps - origin with M = D * diag(spacing), by Cramer's rule (M may be non-orthogonal).
  const Vec3 a = direction[0] * spacing[0];
  const Vec3 b = direction[1] * spacing[1];
  const Vec3 c = direction[2] * spacing[2];
  const double det = dot(a, cross(b, c));
  if (std::abs(det) < 1e-12) {
    throw std::runtime_error("VolumeGeometry: singular direction/spacing matrix");
  }
  const Vec3 r = lps - origin;
  return {dot(r, cross(b, c)) / det, dot(a, cross(r, c)) / det, dot(a, cross(b, r)) / det};
}

double VolumeGeometry::orthonormalityError() const {
  double err = 0.0;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      const double expected = (r == c) ? 1.0 : 0.0;
      err = std::max(err, std::abs(dot(direction[r], direction[c]) - expected));
    }
  }
  return err;
}

int VolumeGeometry::handedness() const {
  return dot(cross(direction[0], direction[1]), direction[2]) >= 0.0 ? 1 : -1;
}

bool VolumeGeometry::operator==(const VolumeGeometry& other) const {
  return size == other.size && spacing == other.spacing && origin == other.origin &&
         direction == other.direction;
}

bool sameGrid(const VolumeGeometry& a, const VolumeGeometry& b, double tolMm) {
  if (a.size != b.size) {
    return false;
  }
  const Vec3 last{double(a.size[0] ? a.size[0] - 1 : 0), double(a.size[1] ? a.size[1] - 1 : 0),
                  double(a.size[2] ? a.size[2] - 1 : 0)};
  for (const Vec3& corner : {Vec3{0, 0, 0}, Vec3{last[0], 0, 0}, Vec3{0, last[1], 0},
                             Vec3{0, 0, last[2]}, last}) {
    if (norm(a.ijkToLps(corner) - b.ijkToLps(corner)) > tolMm) {
      return false;
    }
  }
  return true;
}

} // namespace lightbox
