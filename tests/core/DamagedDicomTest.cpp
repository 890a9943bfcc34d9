// SPDX-License-Identifier: Apache-2.0
// Issue 22.1: real files cut short at every length through their header, and damaged byte by byte,
// go through every path that parses a file (header scan, tag dump, decoder, SEG / SR / RTSTRUCT
// import, the viewer's scan-and-load). None may end the process (Debian's GDCM asserts, aborting,
// on streams it cannot read), and a cut file is reported with its path and a reason.
#include "tests/support/TestData.h"

#include "core/dicom/DicomHeaderDump.h"
#include "core/dicom/DicomHeaderReader.h"
#include "core/dicom/DicomStreamCheck.h"
#include "core/dicom/FrameDecoder.h"
#include "core/report/MeasurementReportSr.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/RtStructImport.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

using namespace lightbox;
using lightbox::test::fileText;
using lightbox::test::scratchFolder;
using lightbox::test::sharedData;
using lightbox::test::sortedDicomFiles;

namespace {

constexpr std::size_t kCutsPastMeta = 64; ///< every length this far past the meta group
constexpr std::size_t kSpreadCuts = 50;   ///< lengths spread over the rest of the file
constexpr int kMutationsPerFile = 40;

enum class Kind { Image, Seg, Sr, RtStruct };

struct Sample {
  std::string path;
  Kind kind;
};

/// The first file of a folder by name (the GE phantom's files have no .dcm extension).
std::string firstFile(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(folder)) {
    files.push_back(e.path().string());
  }
  REQUIRE_FALSE(files.empty());
  return *std::min_element(files.begin(), files.end());
}

std::vector<Sample> samples() {
  return {
      {sortedDicomFiles(sharedData("ct/chest_4dct_popi_phase00/dicom")).front().string(), Kind::Image},
      {firstFile(sharedData("mr/phantom_ge_3d_t1_mprage_oblique/dicom")), Kind::Image},
      {sortedDicomFiles(sharedData("mr/brain_siemens_xa30_enhanced_t1w/dicom")).front().string(), Kind::Image},
      {sharedData("syntaxes/cornerstone_ctimage/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm"),
       Kind::Image},
      {sharedData("syntaxes/cornerstone_ctimage/"
                  "CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm"),
       Kind::Image},
      {sharedData("seg-sr/highdicom_seg_on_pydicom_ct2/seg/seg_image_ct_binary.dcm"), Kind::Seg},
      {sharedData("seg-sr/highdicom_sr_tid1500_ct_image/sr_document.dcm"), Kind::Sr},
      {sharedData("seg-sr/rt-utils_rtstruct_phantom/rt.dcm"), Kind::RtStruct},
  };
}

/// End of the file meta group: 132 + the (0002,0000) element + its value.
std::size_t metaEnd(const std::string& bytes) {
  REQUIRE(bytes.size() > 144);
  REQUIRE(bytes.compare(128, 4, "DICM") == 0);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + 140;
  return 144 + (p[0] | (p[1] << 8) | (p[2] << 16) | (std::size_t(p[3]) << 24));
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

/// Source series for the importers (a SEG or RTSTRUCT cut short must fail with a reason).
struct Sources {
  SegSourceSeries segCt = segSourceOf(selectSeries(scanStudy(sharedData("seg-sr/highdicom_seg_on_pydicom_ct2/ct")), ""));
  SegSourceSeries rtCt = segSourceOf(selectSeries(scanStudy(sharedData("seg-sr/rt-utils_rtstruct_phantom")), ""));
};

/// What opening a file every way gave: a reason when some path refused it.
struct Opened {
  std::vector<std::string> reasons;
  bool imported = false; ///< the object's own importer accepted it
};

void decodeAll(const HeaderReadResult& header, Opened& opened) {
  std::vector<std::vector<float>> buffers;
  std::vector<FrameTarget<float>> targets;
  for (const DicomFrame& f : header.frames) {
    buffers.emplace_back(std::size_t(f.rows) * f.columns);
    targets.push_back({&f, buffers.back().data()});
  }
  try {
    decodeFileFrames(targets);
  } catch (const std::exception& e) {
    opened.reasons.push_back(e.what());
  }
}

/// Every parse path a file can meet, in process. A GDCM assertion aborts the test binary here.
Opened openEveryWay(const std::string& path, Kind kind, const Sources& sources) {
  Opened opened;
  const HeaderReadResult header = readDicomHeader(path);
  if (header.issue) {
    CHECK(header.issue->path == path);
    CHECK_FALSE(header.issue->message.empty());
    opened.reasons.push_back(header.issue->message);
  }
  try {
    dumpDicomHeader(path);
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains(path));
  }
  if (!header.frames.empty()) {
    decodeAll(header, opened);
  }
  try {
    switch (kind) {
    case Kind::Seg: importDicomSeg(path, sources.segCt); break;
    case Kind::RtStruct: importRtStruct(path, sources.rtCt); break;
    case Kind::Sr: readMeasurementReportSr(path); break;
    case Kind::Image: importDicomSeg(path, sources.segCt); break; // refused: not a SEG, never aborts
    }
    opened.imported = kind != Kind::Image;
  } catch (const std::exception& e) {
    if (kind != Kind::Image) {
      opened.reasons.push_back(e.what());
    }
  }
  return opened;
}

std::vector<std::size_t> cutLengths(std::size_t metaEndOffset, std::size_t size) {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= std::min(size - 1, metaEndOffset + kCutsPastMeta); ++n) {
    lengths.push_back(n);
  }
  const std::size_t from = std::min(size - 1, metaEndOffset + kCutsPastMeta + 1);
  for (std::size_t i = 0; i < kSpreadCuts && from < size - 1; ++i) {
    lengths.push_back(from + (size - 1 - from) * i / (kSpreadCuts - 1));
  }
  return lengths;
}

} // namespace

TEST_CASE("a file cut at any length is reported with its path and a reason, never aborts", "[malformed][issue22]") {
  quietGdcm();
  const Sources sources;
  const std::string dir = scratchFolder("cut-dicom");
  for (const Sample& s : samples()) {
    const std::string bytes = fileText(s.path);
    const std::size_t meta = metaEnd(bytes);
    const std::string name = std::filesystem::path(s.path).filename().string();
    // The intact file opens cleanly through its own path.
    const Opened intact = openEveryWay(s.path, s.kind, sources);
    INFO(name << " intact: " << (intact.reasons.empty() ? std::string("ok") : intact.reasons.front()));
    CHECK((s.kind == Kind::Image ? intact.reasons.empty() : intact.imported));
    std::size_t cuts = 0;
    for (const std::size_t n : cutLengths(meta, bytes.size())) {
      const std::string path = dir + "/cut-" + std::to_string(n) + "-" + name;
      writeFile(path, bytes.substr(0, n));
      const Opened opened = openEveryWay(path, s.kind, sources);
      INFO(name << " cut at " << n << " of " << bytes.size() << " bytes");
      CHECK_FALSE(opened.reasons.empty());
      CHECK_FALSE(opened.imported);
      std::filesystem::remove(path);
      ++cuts;
    }
    CHECK(cuts > meta + kSpreadCuts / 2);
  }
}

TEST_CASE("a cut inside an element names the element and the byte", "[malformed][issue22]") {
  const std::string bytes = fileText(sortedDicomFiles(sharedData("ct/chest_4dct_popi_phase00/dicom")).front().string());
  const std::string path = scratchFolder("cut-named") + "/cut.dcm";
  writeFile(path, bytes.substr(0, 140));
  const HeaderReadResult meta = readDicomHeader(path);
  REQUIRE(meta.issue);
  CHECK(meta.issue->kind == IssueKind::UnreadableFile);
  CHECK(meta.issue->message == "truncated DICOM file: the file ends inside file meta element (0002,0000) at byte 140 "
                               "(value of 4 bytes, 0 left)");
  writeFile(path, bytes.substr(0, 60));
  const HeaderReadResult preamble = readDicomHeader(path);
  REQUIRE(preamble.issue);
  CHECK(preamble.issue->message == "truncated DICOM file: the file ends at byte 60, inside the 128-byte DICOM preamble");
  const StreamCheck deep = checkDicomBytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), 2000, StreamExtent::Header);
  CHECK(deep.problem == StreamProblem::Truncated);
  CHECK_THAT(deep.reason, Catch::Contains("the file ends inside") && Catch::Contains("at byte"));
}

TEST_CASE("seeded random byte damage never aborts any parse path", "[malformed][issue22]") {
  quietGdcm();
  const Sources sources;
  const std::string dir = scratchFolder("damaged-dicom");
  std::mt19937 rng(22);
  int mutations = 0;
  for (const Sample& s : samples()) {
    const std::string original = fileText(s.path);
    const std::string name = std::filesystem::path(s.path).filename().string();
    for (int m = 0; m < kMutationsPerFile; ++m) {
      std::string bytes = original;
      // Most damage lands in the header, where GDCM parses; some anywhere, some also cut short.
      const std::size_t region = (m % 4 == 3) ? bytes.size() : std::min<std::size_t>(bytes.size(), 4096);
      const int flips = 1 + int(rng() % 6);
      for (int f = 0; f < flips; ++f) {
        const std::size_t at = rng() % region;
        const unsigned choice = rng() % 4;
        bytes[at] = char(choice == 0 ? 0x00 : choice == 1 ? 0xff : choice == 2 ? rng() % 256 : bytes[at] ^ (1 << (rng() % 8)));
      }
      if (m % 5 == 4) {
        bytes.resize(rng() % bytes.size());
      }
      const std::string path = dir + "/damaged-" + std::to_string(m) + "-" + name;
      writeFile(path, bytes);
      INFO(name << " mutation " << m);
      openEveryWay(path, s.kind, sources);
      // The viewer's open path: scan (header-only) and load what assembles.
      const StudyScan scan = scanStudy(path);
      for (const IngestIssue& i : scan.fileIssues) {
        CHECK(i.path == path);
      }
      for (const AssembledSeries& series : scan.series) {
        CHECK_NOTHROW(loadSeries(series));
      }
      std::filesystem::remove(path);
      ++mutations;
    }
  }
  CHECK(mutations == kMutationsPerFile * int(samples().size()));
}

TEST_CASE("the viewer's open path reports each cut file and opens the rest of the folder", "[malformed][issue22]") {
  const std::string dir = scratchFolder("folder-with-cut-files");
  const auto slices = sortedDicomFiles(sharedData("ct/chest_4dct_popi_phase00/dicom"));
  for (std::size_t i = 0; i < 6; ++i) {
    std::filesystem::copy_file(slices[i], dir + "/" + slices[i].filename().string());
  }
  const std::string ct = fileText(slices[6].string());
  const std::string enhanced = fileText(sortedDicomFiles(sharedData("mr/brain_siemens_xa30_enhanced_t1w/dicom")).front().string());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty.dcm", ""},
      {"cut60.dcm", ct.substr(0, 60)},
      {"cut140.dcm", ct.substr(0, 140)},
      {"cut700.dcm", ct.substr(0, 700)},
      {"cut1000.dcm", ct.substr(0, 1000)},
      {"enhanced-cut.dcm", enhanced.substr(0, 5000)},
  };
  for (const auto& [name, bytes] : bad) {
    writeFile(dir + "/" + name, bytes);
  }
  const StudyScan scan = scanStudy(dir);
  for (const auto& [name, bytes] : bad) {
    INFO(name);
    const auto issue = std::find_if(scan.fileIssues.begin(), scan.fileIssues.end(),
                                    [&, &n = name](const IngestIssue& i) { return i.path == dir + "/" + n; });
    REQUIRE(issue != scan.fileIssues.end());
    CHECK_THAT(issue->message, Catch::StartsWith("truncated DICOM file: "));
  }
  REQUIRE(scan.series.size() == 1);
  const LoadedSeries loaded = loadSeries(scan.series.front());
  REQUIRE(loaded.volumes.size() == 1);
  CHECK(loaded.volumes.front().geometry.size[2] == 6);
}

TEST_CASE("fuzz findings: a damaged Siemens CSA header and a DICM file without meta group give a reason", "[malformed][fuzz]") {
  // tests/fuzz/regressions/dicom_header: GDCM's CSA parser asserted (aborting the process) on
  // every one of the damaged headers, and on the undamaged one too (its element types are not
  // GDCM's expected ones); GDCM allocated 1.6 GB for the 245-byte DICM file without meta group.
  const std::string folder = std::string(LIGHTBOX_SOURCE_DIR) + "/tests/fuzz/regressions/dicom_header/";
  const HeaderReadResult good = readDicomHeader(folder + "mosaic-good.dcm");
  REQUIRE(good.frames.size() == 4);
  CHECK(good.frames[0].columns == 4);
  CHECK(good.frames[0].rows == 4);
  CHECK(good.frames[1].position[2] - good.frames[0].position[2] == Approx(2.0)); // along SliceNormalVector
  for (const char* name : {"mosaic-csa-item-too-long.dcm", "mosaic-csa-negative-items.dcm",
                           "mosaic-csa-too-many-tags.dcm", "mosaic-csa-truncated.dcm"}) {
    INFO(name);
    const HeaderReadResult r = readDicomHeader(folder + name);
    CHECK(r.frames.empty());
    REQUIRE(r.issue);
    CHECK(r.issue->message.find("Siemens mosaic without usable CSA header") != std::string::npos);
  }
  const HeaderReadResult noMeta = readDicomHeader(folder + "dicm-without-meta-group.dcm");
  CHECK(noMeta.frames.empty());
  REQUIRE(noMeta.issue);
  CHECK(noMeta.issue->message.find("no file meta information") != std::string::npos);
}
