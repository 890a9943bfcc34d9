// SPDX-License-Identifier: Apache-2.0
// Correctness against a peer: every series in ../shared/data with a dcm2niix reference NIfTI is
// loaded from DICOM and compared voxel by voxel, through world coordinates, with the reference.
#include "tests/support/TestData.h"

#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

using namespace lightbox;
using lightbox::test::sharedData;

namespace {

struct ReferenceCase {
  const char* dicom;     ///< file or folder
  const char* selector;  ///< series selector for selectSeries ("" = the largest)
  const char* reference; ///< dcm2niix NIfTI
};

void checkAgainstReference(const ReferenceCase& c) {
  INFO("DICOM " << c.dicom << " vs " << c.reference);
  const StudyScan scan = scanStudy(sharedData(c.dicom));
  const AssembledSeries& series = selectSeries(scan, c.selector);
  LoadOptions options;
  options.philipsFloatValues = true; // dcm2niix's default for Philips
  const LoadedSeries ours = loadSeries(series, options);
  const std::vector<Volume> ref = readResearchImage(sharedData(c.reference));
  REQUIRE(ours.volumes.size() == ref.size());
  for (std::size_t v = 0; v < ref.size(); ++v) {
    INFO("volume " << v);
    REQUIRE(ours.volumes[v].geometry.voxelCount() == ref[v].geometry.voxelCount());
    const auto cmp = test::compareInWorld(ours.volumes[v], ref[v], 1e-3);
    CHECK(cmp.outside == 0);
    CHECK(cmp.maxIndexErrorMm < kGeomTolMm);
    CHECK(cmp.mismatches == 0);
  }
}

} // namespace

TEST_CASE("enhanced MR (XA30, 96 frames) matches dcm2niix voxel for voxel", "[dcm2niix][enhanced]") {
  checkAgainstReference({"mr/brain_siemens_xa30_enhanced_t1w/dicom", "",
                         "mr/brain_siemens_xa30_enhanced_t1w/dcm2niix_ref/5_anat-T1w_acq-tfl.nii"});
}

TEST_CASE("enhanced MR EPI split over 4 files gives the 4 dcm2niix time points", "[dcm2niix][enhanced]") {
  checkAgainstReference({"mr/brain_siemens_xa10_enhanced_epi/dicom", "",
                         "mr/brain_siemens_xa10_enhanced_epi/dcm2niix_ref/Siemens_REST1_w_SMS_PF7-8_6.nii"});
}

TEST_CASE("Philips dual-echo magnitude echoes match dcm2niix", "[dcm2niix]") {
  const char* fixed = "registration/mr_philips_table_shift_60mm/fixed_1301_Dual-echo_iso/";
  const char* moving = "registration/mr_philips_table_shift_60mm/moving_2201_Dual-echo_FH-60_table_moved/";
  // Series parts are listed echo 1 magnitude, echo 1 phase, echo 2 magnitude, echo 2 phase.
  checkAgainstReference({(std::string(fixed) + "dicom").c_str(), "1",
                         (std::string(fixed) + "dcm2niix_ref/Ph_727468159_1301_Dual-echo_iso_e1.nii").c_str()});
  checkAgainstReference({(std::string(fixed) + "dicom").c_str(), "3",
                         (std::string(fixed) + "dcm2niix_ref/Ph_727468159_1301_Dual-echo_iso_e2.nii").c_str()});
  checkAgainstReference(
      {(std::string(moving) + "dicom").c_str(), "1",
       (std::string(moving) + "dcm2niix_ref/Ph_727468159_2201_Dual-echo_FH-60_table_moved_e1.nii").c_str()});
  checkAgainstReference(
      {(std::string(moving) + "dicom").c_str(), "3",
       (std::string(moving) + "dcm2niix_ref/Ph_727468159_2201_Dual-echo_FH-60_table_moved_e2.nii").c_str()});
}

TEST_CASE("Siemens mosaic in 9 lossless transfer syntaxes matches dcm2niix", "[dcm2niix][mosaic][syntax]") {
  for (int i = 1; i <= 9; ++i) {
    const std::string dicom = "syntaxes/dcm_qa_ts/dicom/" + std::to_string(i) + ".dcm";
    const std::string ref = "syntaxes/dcm_qa_ts/dcm2niix_ref/" + std::to_string(i) + ".nii";
    checkAgainstReference({dicom.c_str(), "", ref.c_str()});
  }
}

TEST_CASE("12-bit stored mosaics (unsigned, 0x0F0F stripes, signed) match dcm2niix", "[dcm2niix][mosaic][bits]") {
  // Series numbers 2, 3, 4 share one Series Instance UID; dcm2niix names its outputs by number.
  checkAgainstReference({"malformed/dcm_qa_12bit/dicom/12bitUnsigned.dcm", "", "malformed/dcm_qa_12bit/dcm2niix_ref/2.nii"});
  checkAgainstReference({"malformed/dcm_qa_12bit/dicom/12bitUnsigned_0x0F0F.dcm", "",
                         "malformed/dcm_qa_12bit/dcm2niix_ref/3.nii"});
  checkAgainstReference({"malformed/dcm_qa_12bit/dicom/12bitSigned_0x0F0F.dcm", "",
                         "malformed/dcm_qa_12bit/dcm2niix_ref/4.nii"});
}
