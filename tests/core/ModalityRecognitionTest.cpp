// SPDX-License-Identifier: Apache-2.0
// Modality of an untagged image from its values, on every sarcoma image (CT, T1 MR, SUV PET) and
// on real CTs and an MR read from DICOM with their tag ignored.
#include "core/segmentation/ModalityRecognition.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

using namespace lightbox;

TEST_CASE("every sarcoma image is recognised as its modality from its values alone", "[modality][sarcoma]") {
  const std::filesystem::path root = test::sharedData("lesions/sarcoma_ibsi_sts");
  const std::map<std::string, std::string> truth{{"CT_image.nii.gz", "CT"}, {"MR_T1_image.nii.gz", "MR"},
                                                 {"PET_image.nii.gz", "PT"}};
  std::map<std::string, std::map<std::string, int>> confusion; // truth -> recognised -> count
  std::ostringstream wrong;
  for (const auto& c : std::filesystem::directory_iterator(root)) {
    if (!c.is_directory()) continue;
    for (const auto& [file, modality] : truth) {
      const std::filesystem::path p = c.path() / file;
      if (!std::filesystem::exists(p)) continue;
      const RecognisedModality r = recogniseModality(readResearchImage(p.string()).front());
      ++confusion[modality][r.modality];
      if (r.modality != modality) wrong << p.string() << ": " << r.modality << " (" << r.evidence << ")\n";
    }
  }
  std::ostringstream table;
  for (const auto& [t, row] : confusion) {
    table << t << ":";
    for (const auto& [g, n] : row) table << " " << g << "=" << n;
    table << "\n";
  }
  INFO(table.str() << wrong.str());
  // Measured: CT 24/24, MR 36/36, PET 37/37 (the confusion matrix is diagonal).
  CHECK(confusion["CT"]["CT"] == 24);
  CHECK(confusion["MR"]["MR"] == 36);
  CHECK(confusion["PT"]["PT"] == 37);
  CHECK(wrong.str().empty());
}

TEST_CASE("real CTs and an MR read from DICOM are recognised with their tag ignored", "[modality]") {
  const std::map<std::string, std::string> series{
      {"ct/chest_lidc-idri-0001_nodule_slab/dicom", "CT"},
      {"ct/chest_4dct_popi_phase00/dicom", "CT"},
      {"mr/brain_siemens_xa30_enhanced_t1w", "MR"}};
  for (const auto& [path, modality] : series) {
    Volume v = loadPath(test::sharedData(path)).volumes.front();
    v.units.clear(); // as if it came from a NIfTI file
    const RecognisedModality r = recogniseModality(v);
    INFO(path << ": " << r.evidence);
    CHECK(r.modality == modality);
  }
}

TEST_CASE("synthetic values: air makes CT, small non-negative values PET, the rest MR", "[modality]") {
  Volume v;
  v.geometry.size = {10, 10, 10};
  std::vector<float> values(1000, 300.0f);
  v.voxels = values;
  CHECK(recogniseModality(v).modality == "MR");
  for (std::size_t q = 0; q < 1000; ++q) values[q] = q % 10 == 0 ? 4.5f : 0.7f;
  v.voxels = values;
  CHECK(recogniseModality(v).modality == "PT");
  for (std::size_t q = 0; q < 1000; ++q) values[q] = q < 100 ? -1000.0f : 40.0f;
  v.voxels = values;
  CHECK(recogniseModality(v).modality == "CT");
  // A 0/1 mask (or a label map) is small and non-negative too, but whole numbers: not a PET.
  for (std::size_t q = 0; q < 1000; ++q) values[q] = q % 10 == 0 ? 1.0f : 0.0f;
  v.voxels = values;
  CHECK(recogniseModality(v).modality == "MR");
  CHECK(recognisedUnits(recogniseModality(v)).empty());
  for (std::size_t q = 0; q < 1000; ++q) values[q] = q % 10 == 0 ? 4.5f : 0.7f;
  v.voxels = values;
  CHECK(recognisedUnits(recogniseModality(v)) == "SUV");
}
