// SPDX-License-Identifier: Apache-2.0
#include "core/registration/Transform.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace lightbox {

Vec3 RegistrationTransform::apply(const Vec3& currentLps) const {
  return {dot(matrix[0], currentLps) + translation[0], dot(matrix[1], currentLps) + translation[1],
          dot(matrix[2], currentLps) + translation[2]};
}

double RegistrationTransform::determinant() const { return dot(matrix[0], cross(matrix[1], matrix[2])); }

std::string transformToJson(const RegistrationTransform& t) {
  nlohmann::json j;
  j["frame"] = "currentLpsToPriorLps";
  j["matrix"] = {{t.matrix[0][0], t.matrix[0][1], t.matrix[0][2]},
                 {t.matrix[1][0], t.matrix[1][1], t.matrix[1][2]},
                 {t.matrix[2][0], t.matrix[2][1], t.matrix[2][2]}};
  j["translation"] = {t.translation[0], t.translation[1], t.translation[2]};
  return j.dump(2) + "\n";
}

RegistrationTransform transformFromJson(const std::string& text) {
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
  } catch (const nlohmann::json::exception& e) {
    throw TransformFileError(std::string("malformed transform: ") + e.what());
  }
  return t;
}

void saveTransform(const RegistrationTransform& transform, const std::string& path) {
  const std::string why = writeFileAtomically(path, transformToJson(transform));
  if (!why.empty()) throw TransformFileError("cannot write " + path + ": " + why);
}

namespace {
std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TransformFileError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
} // namespace

RegistrationTransform loadTransform(const std::string& path) {
  try {
    return transformFromJson(readAll(path));
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
