// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/LabelMapFile.h"

#include "core/util/AtomicFile.h"
#include "core/util/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr const char* kFormat = "lightbox-labels-1";

nlohmann::json vec(const Vec3& v) { return {v[0], v[1], v[2]}; }
Vec3 vec(const nlohmann::json& j) { return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>()}; }

SegmentOrigin originFrom(const std::string& s) {
  if (s == "AUTOMATIC") return SegmentOrigin::Automatic;
  if (s == "SEMIAUTOMATIC") return SegmentOrigin::SemiAutomatic;
  if (s == "IMPORTED") return SegmentOrigin::Imported;
  return SegmentOrigin::Manual;
}

} // namespace

void saveLabelMap(const LabelMap& map, const std::string& path) {
  VoxelBox all;
  for (int a = 0; a < 3; ++a) all.hi[a] = map.geometry.size[a];
  const LabelDelta runs = captureBox(map, all);
  nlohmann::json h;
  h["format"] = kFormat;
  h["size"] = {map.geometry.size[0], map.geometry.size[1], map.geometry.size[2]};
  h["spacing"] = vec(map.geometry.spacing);
  h["origin"] = vec(map.geometry.origin);
  h["direction"] = {vec(map.geometry.direction[0]), vec(map.geometry.direction[1]), vec(map.geometry.direction[2])};
  h["runs"] = runs.runs.size();
  nlohmann::json segments = nlohmann::json::array();
  for (const Segment& s : map.segments) {
    segments.push_back({{"label", s.label},
                        {"name", s.name},
                        {"rgb", {s.rgb[0], s.rgb[1], s.rgb[2]}},
                        {"category", {s.categoryCode, s.categoryMeaning, s.categoryScheme}},
                        {"type", {s.typeCode, s.typeMeaning, s.typeScheme}},
                        {"origin", segmentOriginName(s.origin)},
                        {"algorithm", s.algorithm},
                        {"algorithm_version", s.algorithmVersion},
                        {"weights_sha256", s.weightsSha256},
                        {"automatic_voxels", s.automaticVoxels},
                        {"changed_voxels", s.changedVoxels}});
    if (!s.prompts.empty()) {
      nlohmann::json prompts = nlohmann::json::array();
      for (const SegmentPrompt& p : s.prompts) {
        prompts.push_back({{"kind", p.seed ? "seed" : p.positive ? "add" : "remove"}, {"lps", vec(p.lps)}});
      }
      segments.back()["prompts"] = prompts;
    }
  }
  h["segments"] = segments;
  std::string bytes = h.dump() + "\n";
  bytes.reserve(bytes.size() + 5 * runs.runs.size());
  for (std::size_t r = 0; r < runs.runs.size(); ++r) {
    bytes.push_back(char(runs.values[r]));
    for (int b = 0; b < 4; ++b) bytes.push_back(char((runs.runs[r] >> (8 * b)) & 0xff));
  }
  if (const std::string reason = writeFileAtomically(path, bytes); !reason.empty()) {
    throw std::runtime_error(path + ": cannot save the label map: " + reason);
  }
}

LabelMap loadLabelMap(const std::string& path, const VolumeGeometry& expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  std::string header;
  std::getline(in, header);
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(header);
  } catch (const std::exception&) {
    throw std::runtime_error(path + ": not a Lightbox label map (the header is not JSON)");
  }
  const std::string format = h.is_object() && h.contains("format") && h["format"].is_string() ? h["format"].get<std::string>() : std::string();
  if (format != kFormat) {
    throw std::runtime_error(path + ": unknown label map format '" + format + "'");
  }
  LabelMap map;
  try {
    for (int a = 0; a < 3; ++a) map.geometry.size[std::size_t(a)] = jsonInteger<std::size_t>(h.at("size").at(a));
    map.geometry.spacing = vec(h.at("spacing"));
    map.geometry.origin = vec(h.at("origin"));
    for (int a = 0; a < 3; ++a) map.geometry.direction[std::size_t(a)] = vec(h.at("direction").at(a));
    for (const auto& s : h.at("segments")) {
      Segment seg;
      const int label = jsonInteger<int>(s.at("label"));
      if (label < 1 || label > 255) throw std::runtime_error("segment label " + std::to_string(label) + " is not 1..255");
      seg.label = std::uint8_t(label);
      if (map.segment(seg.label)) throw std::runtime_error("segment label " + std::to_string(label) + " appears twice");
      seg.name = s.at("name").get<std::string>();
      for (int c = 0; c < 3; ++c) seg.rgb[c] = jsonInteger<std::uint8_t>(s.at("rgb").at(c));
      seg.categoryCode = s.at("category").at(0).get<std::string>();
      seg.categoryMeaning = s.at("category").at(1).get<std::string>();
      seg.typeCode = s.at("type").at(0).get<std::string>();
      seg.typeMeaning = s.at("type").at(1).get<std::string>();
      // Files written before the scheme was kept hold two entries: SNOMED CT then.
      if (s.at("category").size() > 2) seg.categoryScheme = s.at("category").at(2).get<std::string>();
      if (s.at("type").size() > 2) seg.typeScheme = s.at("type").at(2).get<std::string>();
      seg.origin = originFrom(s.at("origin").get<std::string>());
      seg.algorithm = s.value("algorithm", std::string());
      seg.algorithmVersion = s.value("algorithm_version", std::string());
      seg.weightsSha256 = s.value("weights_sha256", std::string());
      seg.automaticVoxels = jsonInteger(s, "automatic_voxels", std::size_t(0));
      seg.changedVoxels = jsonInteger(s, "changed_voxels", std::size_t(0));
      if (s.contains("prompts")) {
        for (const nlohmann::json& p : s.at("prompts")) {
          const std::string kind = p.at("kind").get<std::string>();
          if (kind != "seed" && kind != "add" && kind != "remove") throw std::runtime_error("unknown prompt kind '" + kind + "'");
          seg.prompts.push_back({kind == "seed", kind != "remove", vec(p.at("lps"))});
        }
      }
      map.segments.push_back(seg);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": damaged label map header: " + e.what());
  }
  if (!sameGrid(map.geometry, expected)) {
    throw std::runtime_error(path + ": the label map lies on another grid than the series");
  }
  std::size_t count = 0;
  try {
    count = jsonInteger<std::size_t>(h.at("runs"));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": damaged label map header: " + e.what());
  }
  map.labels.resize(map.geometry.voxelCount());
  std::size_t filled = 0;
  for (std::size_t r = 0; r < count; ++r) {
    unsigned char rec[5];
    if (!in.read(reinterpret_cast<char*>(rec), 5)) {
      throw std::runtime_error(path + ": the label map is truncated (" + std::to_string(r) + " of " +
                               std::to_string(count) + " runs)");
    }
    const std::uint32_t len = std::uint32_t(rec[1]) | std::uint32_t(rec[2]) << 8 | std::uint32_t(rec[3]) << 16 |
                              std::uint32_t(rec[4]) << 24;
    if (len > map.labels.size() - filled) throw std::runtime_error(path + ": the label map has more voxels than its grid");
    std::fill_n(map.labels.begin() + long(filled), len, rec[0]);
    filled += len;
  }
  if (filled != map.labels.size()) {
    throw std::runtime_error(path + ": the label map covers " + std::to_string(filled) + " of " +
                             std::to_string(map.labels.size()) + " voxels");
  }
  return map;
}

} // namespace lightbox
