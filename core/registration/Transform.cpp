// SPDX-License-Identifier: Apache-2.0
#include "core/registration/Transform.h"

#include "core/util/AtomicFile.h"
#include "core/util/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lightbox {

namespace {

using Mat3 = std::array<Vec3, 3>; // rows

Mat3 inverse(const Mat3& m) {
  const Vec3 c0 = cross(m[1], m[2]);
  const Vec3 c1 = cross(m[2], m[0]);
  const Vec3 c2 = cross(m[0], m[1]);
  const double det = dot(m[0], c0);
  if (std::abs(det) < 1e-12) throw std::runtime_error("singular transform matrix");
  // The inverse's columns are the cofactor rows divided by the determinant.
  Mat3 out;
  for (int r = 0; r < 3; ++r) out[r] = Vec3{c0[r], c1[r], c2[r]} * (1.0 / det);
  return out;
}

Vec3 times(const Mat3& m, const Vec3& v) { return {dot(m[0], v), dot(m[1], v), dot(m[2], v)}; }

double det3(const Mat3& m) { return dot(m[0], cross(m[1], m[2])); }

} // namespace

Vec3 DisplacementField::atVoxel(std::size_t i, std::size_t j, std::size_t k) const {
  const std::size_t n = 3 * (i + grid.size[0] * (j + grid.size[1] * k));
  return {vectors[n], vectors[n + 1], vectors[n + 2]};
}

Vec3 DisplacementField::at(const Vec3& currentLps) const {
  if (grid.voxelCount() == 0 || vectors.size() != 3 * grid.voxelCount()) return {0, 0, 0};
  const Vec3 ijk = grid.lpsToIjk(currentLps);
  std::size_t base[3];
  double frac[3];
  for (int a = 0; a < 3; ++a) {
    const double last = double(grid.size[a] - 1);
    const double c = std::clamp(ijk[a], 0.0, last);
    base[a] = grid.size[a] > 1 ? std::min(std::size_t(std::floor(c)), grid.size[a] - 2) : 0;
    frac[a] = grid.size[a] > 1 ? c - double(base[a]) : 0.0;
  }
  Vec3 out{0, 0, 0};
  for (int dz = 0; dz < 2; ++dz) {
    for (int dy = 0; dy < 2; ++dy) {
      for (int dx = 0; dx < 2; ++dx) {
        const double w = (dx ? frac[0] : 1 - frac[0]) * (dy ? frac[1] : 1 - frac[1]) * (dz ? frac[2] : 1 - frac[2]);
        if (w == 0.0) continue;
        out = out + w * atVoxel(base[0] + dx, base[1] + dy, base[2] + dz);
      }
    }
  }
  return out;
}

double DisplacementField::jacobianDeterminantAtVoxel(std::size_t i, std::size_t j, std::size_t k) const {
  const std::size_t index[3] = {i, j, k};
  // Columns: du / d(index axis a).
  Mat3 dIndex{};
  for (int a = 0; a < 3; ++a) {
    std::size_t lo[3] = {i, j, k};
    std::size_t hi[3] = {i, j, k};
    if (index[a] > 0) lo[a] = index[a] - 1;
    if (index[a] + 1 < grid.size[a]) hi[a] = index[a] + 1;
    const double steps = double(hi[a] - lo[a]);
    if (steps == 0) continue;
    const Vec3 d = (atVoxel(hi[0], hi[1], hi[2]) - atVoxel(lo[0], lo[1], lo[2])) * (1.0 / steps);
    for (int r = 0; r < 3; ++r) dIndex[r][a] = d[r];
  }
  // index = M^-1 (x - origin) with M's columns direction[a] * spacing[a]: du/dx = dIndex * M^-1.
  Mat3 m{};
  for (int a = 0; a < 3; ++a) {
    for (int r = 0; r < 3; ++r) m[r][a] = grid.direction[a][r] * grid.spacing[a];
  }
  const Mat3 mInv = inverse(m);
  Mat3 jac{};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      jac[r][c] = (r == c ? 1.0 : 0.0) + dIndex[r][0] * mInv[0][c] + dIndex[r][1] * mInv[1][c] + dIndex[r][2] * mInv[2][c];
    }
  }
  return det3(jac);
}

Vec3 RegistrationTransform::applyAffine(const Vec3& p) const { return times(matrix, p) + translation; }

Vec3 RegistrationTransform::apply(const Vec3& currentLps) const {
  return applyAffine(field ? currentLps + field->at(currentLps) : currentLps);
}

Vec3 RegistrationTransform::applyInverse(const Vec3& priorLps) const {
  const Vec3 r = times(inverse(matrix), priorLps - translation);
  if (!field) return r;
  // p + u(p) = r: p <- r - u(p), a contraction where the field does not fold.
  Vec3 p = r;
  for (int iteration = 0; iteration < 50; ++iteration) {
    const Vec3 next = r - field->at(p);
    const bool done = norm(next - p) < 1e-4;
    p = next;
    if (done) break;
  }
  return p;
}

double RegistrationTransform::determinant() const { return det3(matrix); }

double RegistrationTransform::jacobianDeterminant(const Vec3& currentLps) const {
  if (!field) return determinant();
  const Vec3 ijk = field->grid.lpsToIjk(currentLps);
  std::size_t v[3];
  for (int a = 0; a < 3; ++a) {
    v[a] = std::size_t(std::clamp(std::lround(ijk[a]), 0L, long(field->grid.size[a]) - 1));
  }
  return determinant() * field->jacobianDeterminantAtVoxel(v[0], v[1], v[2]);
}

double RegistrationTransform::foldingFraction() const {
  const double affineSign = determinant();
  if (!field || field->grid.voxelCount() == 0) return affineSign <= 0.0 ? 1.0 : 0.0;
  const auto& s = field->grid.size;
  std::size_t folded = 0;
  for (std::size_t k = 0; k < s[2]; ++k) {
    for (std::size_t j = 0; j < s[1]; ++j) {
      for (std::size_t i = 0; i < s[0]; ++i) {
        if (affineSign * field->jacobianDeterminantAtVoxel(i, j, k) <= 0.0) ++folded;
      }
    }
  }
  return double(folded) / double(field->grid.voxelCount());
}

bool RegistrationTransform::operator==(const RegistrationTransform& other) const {
  if (matrix != other.matrix || translation != other.translation) return false;
  if (!field || !other.field) return field == other.field;
  return *field == *other.field;
}

namespace {

nlohmann::json vec(const Vec3& v) { return {v[0], v[1], v[2]}; }
Vec3 vecOf(const nlohmann::json& j) { return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>()}; }

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TransformFileError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool littleEndian() {
  const std::uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

} // namespace

std::string transformToJson(const RegistrationTransform& t, const std::string& fieldDataName) {
  nlohmann::json j;
  j["frame"] = "currentLpsToPriorLps";
  j["matrix"] = {vec(t.matrix[0]), vec(t.matrix[1]), vec(t.matrix[2])};
  j["translation"] = vec(t.translation);
  if (t.field) {
    const VolumeGeometry& g = t.field->grid;
    j["field"] = {{"size", {g.size[0], g.size[1], g.size[2]}},
                  {"spacing", vec(g.spacing)},
                  {"origin", vec(g.origin)},
                  {"direction", {vec(g.direction[0]), vec(g.direction[1]), vec(g.direction[2])}},
                  {"data", fieldDataName},
                  {"encoding", "float32 little-endian, 3 per voxel (LPS mm), i fastest"}};
  }
  return j.dump(2) + "\n";
}

RegistrationTransform transformFromJson(const std::string& text, const std::string& folder) {
  RegistrationTransform t;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.value("frame", std::string()) != "currentLpsToPriorLps") {
      throw TransformFileError("not a currentLpsToPriorLps transform");
    }
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) t.matrix[r][c] = j.at("matrix").at(r).at(c).get<double>();
      t.translation[r] = j.at("translation").at(r).get<double>();
    }
    if (j.contains("field")) {
      const nlohmann::json& f = j.at("field");
      auto field = std::make_shared<DisplacementField>();
      for (int a = 0; a < 3; ++a) field->grid.size[a] = jsonInteger<std::size_t>(f.at("size").at(a));
      field->grid.spacing = vecOf(f.at("spacing"));
      field->grid.origin = vecOf(f.at("origin"));
      for (int a = 0; a < 3; ++a) field->grid.direction[a] = vecOf(f.at("direction").at(a));
      const std::string name = f.at("data").get<std::string>();
      const std::string path = folder.empty() ? name : (std::filesystem::path(folder) / name).string();
      const std::string bytes = readAll(path);
      const std::size_t count = 3 * field->grid.voxelCount();
      if (count == 0 || bytes.size() != count * sizeof(float)) {
        throw TransformFileError(path + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                                 std::to_string(count * sizeof(float)) + " for the field's grid");
      }
      if (!littleEndian()) throw TransformFileError("big-endian machines cannot read " + path);
      field->vectors.resize(count);
      std::memcpy(field->vectors.data(), bytes.data(), bytes.size());
      t.field = std::move(field);
    }
  } catch (const nlohmann::json::exception& e) {
    throw TransformFileError(std::string("malformed transform: ") + e.what());
  } catch (const TransformFileError&) {
    throw;
  } catch (const std::runtime_error& e) { // jsonInteger: a size that is no whole number in range
    throw TransformFileError(std::string("malformed transform: ") + e.what());
  }
  return t;
}

void saveTransform(const RegistrationTransform& transform, const std::string& path) {
  std::string dataName;
  if (transform.field) {
    if (!littleEndian()) throw TransformFileError("big-endian machines cannot write " + path);
    dataName = std::filesystem::path(path).filename().string() + ".field.f32";
    const std::string dataPath = path + ".field.f32";
    const auto& v = transform.field->vectors;
    const std::string why =
        writeFileAtomically(dataPath, std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    if (!why.empty()) throw TransformFileError("cannot write " + dataPath + ": " + why);
  }
  const std::string why = writeFileAtomically(path, transformToJson(transform, dataName));
  if (!why.empty()) throw TransformFileError("cannot write " + path + ": " + why);
}

RegistrationTransform loadTransform(const std::string& path) {
  try {
    return transformFromJson(readAll(path), std::filesystem::path(path).parent_path().string());
  } catch (const TransformFileError& e) {
    throw TransformFileError(path + ": " + e.what());
  }
}

std::string itkTransformText(const RegistrationTransform& t) {
  std::string text = "#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters:";
  char number[40];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      std::snprintf(number, sizeof number, " %.17g", t.matrix[r][c]);
      text += number;
    }
  }
  for (int r = 0; r < 3; ++r) {
    std::snprintf(number, sizeof number, " %.17g", t.translation[r]);
    text += number;
  }
  text += "\nFixedParameters: 0 0 0\n";
  return text;
}

void writeItkTransformFile(const RegistrationTransform& transform, const std::string& path) {
  const std::string why = writeFileAtomically(path, itkTransformText(transform));
  if (!why.empty()) throw TransformFileError("cannot write " + path + ": " + why);
}

} // namespace lightbox
