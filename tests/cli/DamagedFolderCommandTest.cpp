// SPDX-License-Identifier: Apache-2.0
// Issue 22.1 from the command line: a folder holding a real series and files cut short or damaged
// (as interrupted copies and damaged CDs leave them). `lightbox info` and `lightbox convert` run as
// real processes: each exits by itself (never GDCM's SIGABRT), names every bad file with its
// reason, and lists or converts the good series.
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using lightbox::test::fileText;
using lightbox::test::runProgram;
using lightbox::test::scratchFolder;
using lightbox::test::sharedData;
using lightbox::test::sortedDicomFiles;

namespace {

constexpr std::size_t kGoodSlices = 6;

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

/// An explicit-VR file whose (0008,0016) VR is overwritten with bytes no VR has.
std::string withBrokenVr(std::string bytes) {
  const std::string sopClass("\x08\x00\x16\x00UI", 6);
  const std::size_t at = bytes.find(sopClass, 132);
  REQUIRE(at != std::string::npos);
  bytes[at + 4] = '\x01';
  bytes[at + 5] = '\x02';
  return bytes;
}

struct DamagedFolder {
  std::string dir;
  std::vector<std::string> badFiles;
};

DamagedFolder makeDamagedFolder(const std::string& name) {
  DamagedFolder folder{scratchFolder(name), {}};
  const auto slices = sortedDicomFiles(sharedData("ct/chest_4dct_popi_phase00/dicom"));
  REQUIRE(slices.size() > kGoodSlices);
  for (std::size_t i = 0; i < kGoodSlices; ++i) {
    std::filesystem::copy_file(slices[i], folder.dir + "/" + slices[i].filename().string());
  }
  const std::string ct = fileText(slices[kGoodSlices].string());
  const std::string mr = fileText(sortedDicomFiles(sharedData("mr/brain_siemens_xa30_enhanced_t1w/dicom")).front().string());
  const std::string sr = fileText(sharedData("seg-sr/highdicom_sr_tid1500_ct_image/sr_document.dcm"));
  const std::string explicitCt =
      fileText(sharedData("syntaxes/cornerstone_ctimage/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm"));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty.dcm", ""},
      {"ct-cut-140.dcm", ct.substr(0, 140)},
      {"ct-cut-330.dcm", ct.substr(0, 330)},
      {"ct-cut-2000.dcm", ct.substr(0, 2000)},
      {"enhanced-mr-cut-5000.dcm", mr.substr(0, 5000)},
      {"sr-cut-1000.dcm", sr.substr(0, 1000)},
      {"broken-vr.dcm", withBrokenVr(explicitCt)},
  };
  for (const auto& [file, bytes] : bad) {
    writeFile(folder.dir + "/" + file, bytes);
    folder.badFiles.push_back(file);
  }
  return folder;
}

/// The line of `text` that names `file`.
std::string lineNaming(const std::string& text, const std::string& file) {
  const std::size_t at = text.find("/" + file + ": ");
  if (at == std::string::npos) return {};
  const std::size_t begin = text.rfind('\n', at) + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

} // namespace

TEST_CASE("info lists the good series and names every cut or damaged file with its reason", "[cli][malformed][issue22]") {
  const DamagedFolder folder = makeDamagedFolder("info-damaged");
  const auto r = runProgram(LIGHTBOX_BINARY, {"info", folder.dir});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("512x512x6"));
  for (const std::string& file : folder.badFiles) {
    INFO(file);
    const std::string line = lineNaming(r.out + r.err, file);
    CHECK_THAT(line, Catch::Contains("truncated DICOM file: ") || Catch::Contains("damaged DICOM file: "));
  }
  CHECK_THAT(lineNaming(r.out, "broken-vr.dcm"), Catch::Contains("(0008,0016) has no valid VR"));
}

TEST_CASE("convert writes the good series and names every cut or damaged file with its reason", "[cli][malformed][issue22]") {
  const DamagedFolder folder = makeDamagedFolder("convert-damaged");
  const std::string out = folder.dir + "/../convert-damaged.nii.gz";
  const auto r = runProgram(LIGHTBOX_BINARY, {"convert", folder.dir, out});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  CHECK_THAT(r.out, Catch::Contains("512x512x6"));
  CHECK(std::filesystem::file_size(out) > 0);
  for (const std::string& file : folder.badFiles) {
    INFO(file);
    CHECK_THAT(lineNaming(r.err, file), Catch::StartsWith("rejected: ") &&
                                            (Catch::Contains("truncated DICOM file: ") || Catch::Contains("damaged DICOM file: ")));
  }
  // A lone cut file: exit 3 (no image series), its name and why on stderr.
  const auto lone = runProgram(LIGHTBOX_BINARY, {"convert", folder.dir + "/ct-cut-330.dcm", out});
  INFO(lone.err);
  CHECK(lone.exitCode == 3);
  CHECK_THAT(lineNaming(lone.err, "ct-cut-330.dcm"), Catch::Contains("truncated DICOM file: the file ends inside"));
}
