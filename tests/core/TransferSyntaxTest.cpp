// SPDX-License-Identifier: Apache-2.0
// Every transfer syntax GDCM 3.0 decodes gives the same pixels for the same image; lossy codecs
// stay within their measured tolerance.
#include "tests/support/TestData.h"

#include "core/dicom/TransferSyntaxNames.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace lightbox;
using lightbox::test::sharedData;

namespace {

/// Loads the only series of a single file; fails when the file has decode errors.
Volume loadSingle(const std::string& path) {
  INFO("loading " << path);
  const StudyScan scan = scanStudy(path, 1);
  REQUIRE(scan.fileIssues.empty());
  REQUIRE(scan.series.size() == 1);
  LoadedSeries loaded = loadSeries(scan.series.front());
  for (const IngestIssue& i : loaded.issues) {
    CHECK(i.kind != IssueKind::PixelDecodeFailed);
  }
  REQUIRE(loaded.volumes.size() == 1);
  return std::move(loaded.volumes.front());
}

struct Difference {
  double maxAbs = 0, meanAbs = 0;
};

Difference difference(const Volume& a, const Volume& b) {
  REQUIRE(a.geometry.size == b.geometry.size);
  Difference d;
  const std::size_t n = a.geometry.voxelCount();
  for (std::size_t i = 0; i < n; ++i) {
    const double e = std::abs(a.value(i) - b.value(i));
    d.maxAbs = std::max(d.maxAbs, e);
    d.meanAbs += e / double(n);
  }
  return d;
}

struct LossyTolerance {
  double meanAbs, maxAbs;
};

/// Per-codec bounds, set from what GDCM 3.0 gives on the cornerstone CT slice (measured: J2K
/// mean 0.57 / max 5; JPEG-LS NEAR=1 mean 0.69 / max 1; 12-bit JPEG mean 3.8 / max 35.6; 8-bit
/// baseline JPEG of a 12-bit CT mean 19.8 / max 64.2) with headroom, so a decoder regression shows.
LossyTolerance lossyTolerance(const std::string& ts) {
  if (ts == "1.2.840.10008.1.2.4.91") return {1.0, 8.0};
  if (ts == "1.2.840.10008.1.2.4.81") return {1.0, 2.0};
  if (ts == "1.2.840.10008.1.2.4.50") return {25.0, 80.0};
  return {5.0, 45.0}; // JPEG extended / spectral / progressive (12-bit)
}

std::string syntaxOf(const std::string& path) {
  return scanStudy(path, 1).series.front().header->transferSyntaxUid;
}

} // namespace

TEST_CASE("cornerstone CT slice: lossless syntaxes are identical, lossy ones within tolerance", "[syntax]") {
  const std::string folder = sharedData("syntaxes/cornerstone_ctimage");
  const Volume reference = loadSingle(folder + "/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm");
  REQUIRE(reference.units == "HU");
  std::size_t lossless = 0, lossy = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".dcm") {
      continue;
    }
    const std::string ts = syntaxOf(path);
    INFO(path << " — " << transferSyntaxName(ts));
    const Volume v = loadSingle(path);
    const Difference d = difference(v, reference);
    if (isLossyTransferSyntax(ts)) {
      ++lossy;
      const LossyTolerance tol = lossyTolerance(ts);
      INFO("mean " << d.meanAbs << " max " << d.maxAbs);
      CHECK(d.meanAbs <= tol.meanAbs);
      CHECK(d.maxAbs <= tol.maxAbs);
    } else {
      ++lossless;
      CHECK(d.maxAbs == 0.0);
    }
  }
  CHECK(lossless == 10); // original, implicit, explicit, big endian, deflate, JPEG 57/70, JPEG-LS 80, J2K 90, RLE
  CHECK(lossy == 6);     // JPEG 50/51/53/55, JPEG-LS 81, J2K 91
}

TEST_CASE("Siemens mosaic: all 9 lossless encodings decode to identical pixels", "[syntax][mosaic]") {
  const Volume first = loadSingle(sharedData("syntaxes/dcm_qa_ts/dicom/1.dcm"));
  for (int i = 2; i <= 9; ++i) {
    const std::string path = sharedData("syntaxes/dcm_qa_ts/dicom/" + std::to_string(i) + ".dcm");
    INFO(path << " — " << transferSyntaxName(syntaxOf(path)));
    CHECK(difference(loadSingle(path), first).maxAbs == 0.0);
  }
}

TEST_CASE("pydicom MR_small in 7 encodings decodes to identical pixels", "[syntax]") {
  const Volume reference = loadSingle(sharedData("syntaxes/pydicom/MR_small.dcm"));
  for (const char* name : {"MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                           "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm"}) {
    const std::string path = sharedData(std::string("syntaxes/pydicom/") + name);
    INFO(path);
    CHECK(difference(loadSingle(path), reference).maxAbs == 0.0);
  }
}

TEST_CASE("10-frame MR in 5 encodings decodes to identical pixels", "[syntax][multiframe]") {
  const Volume reference = loadSingle(sharedData("syntaxes/pydicom-data/emri_small.dcm"));
  CHECK(reference.geometry.size == std::array<std::size_t, 3>{64, 64, 10});
  for (const char* name : {"emri_small_big_endian.dcm", "emri_small_RLE.dcm", "emri_small_jpeg_2k_lossless.dcm",
                           "emri_small_jpeg_ls_lossless.dcm"}) {
    const std::string path = sharedData(std::string("syntaxes/pydicom-data/") + name);
    INFO(path);
    CHECK(difference(loadSingle(path), reference).maxAbs == 0.0);
  }
}

TEST_CASE("HTJ2K and deflated-frame files are rejected naming file and syntax", "[syntax][errors]") {
  for (const char* name : {"HTJ2K_08_RGB.dcm", "HTJ2KLossless_08_RGB.dcm", "liver_deflate.dcm"}) {
    const std::string path = sharedData(std::string("syntaxes/pydicom-data/") + name);
    const StudyScan scan = scanStudy(path, 1);
    CHECK(scan.series.empty());
    REQUIRE(scan.fileIssues.size() == 1);
    CHECK(scan.fileIssues[0].kind == IssueKind::UnsupportedTransferSyntax);
    CHECK(scan.fileIssues[0].path == path);
    CHECK_THAT(scan.fileIssues[0].message, Catch::Contains("not supported"));
  }
}
