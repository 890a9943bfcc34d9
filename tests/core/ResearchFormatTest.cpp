// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

using namespace lightbox;

namespace {

Volume obliqueVolume(VoxelType type) {
  Volume v;
  v.geometry.size = {5, 4, 3};
  v.geometry.spacing = {0.7, 0.9, 2.5};
  v.geometry.origin = {-12.5, 30.25, 7.0};
  const Vec3 row = normalized({0.9, 0.3, 0.1});
  const Vec3 col = normalized(Vec3{-0.3, 0.9, 0.2} - row * dot(Vec3{-0.3, 0.9, 0.2}, row));
  v.geometry.direction = {row, col, cross(row, col)};
  const std::size_t n = v.geometry.voxelCount();
  if (type == VoxelType::Int16) {
    std::vector<std::int16_t> data(n);
    for (std::size_t i = 0; i < n; ++i)
      data[i] = std::int16_t(int(i) * 37 - 1000);
    v.voxels = data;
  } else {
    std::vector<float> data(n);
    for (std::size_t i = 0; i < n; ++i)
      data[i] = float(i) * 0.25f - 3.5f;
    v.voxels = data;
  }
  return v;
}

} // namespace

TEST_CASE("NIfTI, NRRD and MetaImage round-trip values and LPS geometry", "[io]") {
  const std::string folder = test::scratchFolder("research-io");
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".mha"}) {
    for (VoxelType type : {VoxelType::Int16, VoxelType::Float32}) {
      const Volume v = obliqueVolume(type);
      const std::string path =
          folder + "/volume" + (type == VoxelType::Int16 ? "-i16" : "-f32") + ext;
      INFO(path);
      writeResearchImage({v}, path);
      const std::vector<Volume> back = readResearchImage(path);
      REQUIRE(back.size() == 1);
      CHECK(sameGrid(back[0].geometry, v.geometry, 1e-4)); // NIfTI stores float32 geometry
      CHECK(back[0].voxelType() == type);
      for (std::size_t i = 0; i < v.geometry.voxelCount(); ++i) {
        REQUIRE(back[0].value(i) == v.value(i));
      }
    }
  }
}

TEST_CASE("the NIfTI writer's quaternion (qform) alone gives the geometry, right- and left-handed",
          "[io]") {
  // Readers that ignore the sform (or files whose sform is dropped) rely on the qform: the file is
  // read back by ITK with its sform_code cleared, so only the quaternion, qfac and offsets count.
  const std::string folder = test::scratchFolder("research-qform");
  // Both branches of the quaternion's derivation: an oblique frame and one close to RAS's identity
  // (rows running right to left, columns posterior to anterior: a large trace once in RAS).
  const double c = std::cos(0.3), s = std::sin(0.3);
  const std::array<Vec3, 3> nearAxial{Vec3{-c, -s, 0}, Vec3{s, -c, 0}, Vec3{0, 0, 1}};
  for (int frame = 0; frame < 4; ++frame) {
    const bool leftHanded = frame % 2 == 1;
    Volume v = obliqueVolume(VoxelType::Float32);
    if (frame >= 2) {
      v.geometry.direction = nearAxial;
    }
    if (leftHanded) {
      v.geometry.direction[2] = v.geometry.direction[2] * -1.0;
    }
    const std::string path = folder + "/frame" + std::to_string(frame) + ".nii";
    INFO(path);
    writeResearchImage({v}, path);
    CHECK_FALSE(std::filesystem::exists(path + ".partial"));
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      const std::int16_t none = 0;
      f.seekp(254); // sform_code
      f.write(reinterpret_cast<const char*>(&none), 2);
    }
    const std::vector<Volume> back = readResearchImage(path);
    REQUIRE(back.size() == 1);
    CHECK(back[0].geometry.handedness() == (leftHanded ? -1 : 1));
    CHECK(sameGrid(back[0].geometry, v.geometry, 1e-4));
  }
}

TEST_CASE("a NIfTI that cannot be written names the file and leaves nothing behind", "[io]") {
  const std::string folder = test::scratchFolder("research-unwritable");
  const std::string path = folder + "/absent-folder/x.nii";
  CHECK_THROWS_WITH(writeResearchImage({obliqueVolume(VoxelType::Int16)}, path),
                    Catch::Contains(path));
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
  Volume wrong = obliqueVolume(VoxelType::Int16);
  wrong.geometry.size[2] = 4; // more voxels than the buffer holds
  CHECK_THROWS_WITH(writeResearchImage({wrong}, folder + "/wrong.nii"),
                    Catch::Contains("wrong.nii"));
  CHECK_FALSE(std::filesystem::exists(folder + "/wrong.nii"));
}

TEST_CASE("a 4D series converts to a 4D file and back", "[io]") {
  const std::string folder = test::scratchFolder("research-4d");
  const LoadedSeries epi = loadPath(test::sharedData("mr/brain_siemens_xa10_enhanced_epi/dicom"));
  REQUIRE(epi.volumes.size() == 4);
  writeResearchImage(epi.volumes, folder + "/epi.nii.gz");
  const std::vector<Volume> back = readResearchImage(folder + "/epi.nii.gz");
  REQUIRE(back.size() == 4);
  for (std::size_t t = 0; t < 4; ++t) {
    CHECK(sameGrid(back[t].geometry, epi.volumes[t].geometry, 1e-3));
    CHECK(back[t].value(100) == epi.volumes[t].value(100));
  }
}

TEST_CASE("reading a missing or foreign file names the file", "[io]") {
  const std::string folder = test::scratchFolder("research-bad");
  CHECK_THROWS_WITH(readResearchImage(folder + "/absent.nii"),
                    Catch::Contains(folder + "/absent.nii"));
  CHECK_THROWS_WITH(writeResearchImage({obliqueVolume(VoxelType::Int16)}, folder + "/x.png"),
                    Catch::Contains("unknown output format"));
}

namespace {

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

/// The written NIfTI with its dimensions replaced (dim[1..3], int16 at byte 42).
std::string niftiDeclaring(const std::string& folder, std::int16_t nx, std::int16_t ny, std::int16_t nz) {
  const std::string path = folder + "/small.nii";
  writeResearchImage({obliqueVolume(VoxelType::Int16)}, path);
  std::string bytes = readBytes(path);
  const std::int16_t dims[3] = {nx, ny, nz};
  std::memcpy(&bytes[42], dims, sizeof dims);
  return bytes;
}

} // namespace

TEST_CASE("fuzz findings: a header declaring more voxels than its file holds is refused before allocating",
          "[io][malformed][fuzz]") {
  // A 112-byte .nii.gz declaring 198 x 198 x 15105 voxels made ITK allocate 2.4 GB before finding the
  // data missing. 512 x 512 x 2000 int16 (1 GB) fits this machine's memory, so the refusal below can
  // only come from the file-size check; 30000^3 fits no machine.
  const std::string folder = test::scratchFolder("research-declared");
  const std::string nii = folder + "/truncated.nii";
  writeBytes(nii, niftiDeclaring(folder, 512, 512, 2000));
  CHECK_THROWS_WITH(readResearchImage(nii), Catch::Contains(nii) && Catch::Contains("truncated or damaged"));

  const std::string gz = folder + "/truncated.nii.gz";
  for (const auto& [declared, path] : {std::pair{niftiDeclaring(folder, 512, 512, 2000), gz},
                                       std::pair{niftiDeclaring(folder, 30000, 30000, 30000), folder + "/huge.nii.gz"}}) {
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f);
    REQUIRE(gzwrite(f, declared.data(), unsigned(declared.size())) == int(declared.size()));
    gzclose(f);
    CHECK_THROWS_WITH(readResearchImage(path), Catch::Contains(path) && Catch::Contains("truncated or damaged"));
  }

  // MetaImage with its data in the file: the declared size against the bytes after the header.
  const std::string mha = folder + "/small.mha";
  writeResearchImage({obliqueVolume(VoxelType::Int16)}, mha);
  std::string text = readBytes(mha);
  const auto at = text.find("DimSize = 5 4 3");
  REQUIRE(at != std::string::npos);
  text.replace(at, 15, "DimSize = 5 4 30000");
  writeBytes(folder + "/truncated.mha", text);
  CHECK_THROWS_WITH(readResearchImage(folder + "/truncated.mha"), Catch::Contains("truncated or damaged"));

  // The untouched files still read.
  CHECK(readResearchImage(mha).front().geometry.size[2] == 3);
  writeBytes(nii, niftiDeclaring(folder, 5, 4, 3));
  CHECK(readResearchImage(nii).front().geometry.size[2] == 3);
}
