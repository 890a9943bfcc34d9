// SPDX-License-Identifier: Apache-2.0
// Issue 25, frame_decode fuzz findings: a JPEG 2000 codestream declaring a larger image than the DICOM
// header made GDCM 3.0's codec write past its buffer (a segmentation fault in a normal build), and a
// JPEG-LS frame smaller than the header made it assert (abort). Every codestream's frame header (J2K
// SIZ, JPEG SOFn, JPEG-LS SOF55) is now checked against the DICOM header first
// (core/dicom/CompressedFrameCheck).
#include "tests/support/TestData.h"

#include "core/dicom/CompressedFrameCheck.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace lightbox;

namespace {

void put16(std::vector<std::uint8_t>& b, std::uint32_t v) {
  b.push_back(std::uint8_t(v >> 8));
  b.push_back(std::uint8_t(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}

struct Siz {
  std::uint32_t width = 64, height = 64, xo = 0, yo = 0, tileW = 64, tileH = 64;
  std::vector<std::uint8_t> components{15}; ///< Ssiz: precision - 1 (bit 7: signed)
  std::uint8_t subsampling = 1;
};

/// SOC and SIZ as ISO 15444-1 A.5.1 lays them out (the rest of the codestream does not matter here).
std::vector<std::uint8_t> mainHeader(const Siz& s) {
  std::vector<std::uint8_t> b{0xff, 0x4f, 0xff, 0x51};
  put16(b, 38 + 3 * std::uint32_t(s.components.size()));
  put16(b, 0);
  for (std::uint32_t v : {s.width, s.height, s.xo, s.yo, s.tileW, s.tileH, 0u, 0u}) put32(b, v);
  put16(b, std::uint32_t(s.components.size()));
  for (std::uint8_t ssiz : s.components) {
    b.push_back(ssiz);
    b.push_back(s.subsampling);
    b.push_back(s.subsampling);
  }
  b.push_back(0xff);
  b.push_back(0xd9);
  return b;
}

std::string problem(const std::vector<std::uint8_t>& bytes, FrameExpected e = {64, 64, 1, 16}) {
  return jpeg2000FragmentProblem(bytes.data(), bytes.size(), e);
}

} // namespace

TEST_CASE("a JPEG 2000 codestream must match the DICOM header before it is decoded", "[jpeg2000][fuzz]") {
  CHECK(problem(mainHeader({})).empty());
  Siz offset;
  offset.width = 74;
  offset.xo = 10; // an image offset is allowed: the image is Xsiz - XOsiz wide
  offset.tileW = 74;
  CHECK(problem(mainHeader(offset)).empty());
  Siz taller;
  taller.height = taller.tileH = 65600;
  CHECK(problem(mainHeader(taller)) == "the JPEG 2000 image is 64 x 65600, the header says 64 x 64");
  Siz narrower;
  narrower.width = 63;
  CHECK(problem(mainHeader(narrower)).find("63 x 64") != std::string::npos);
  Siz tiles;
  tiles.width = tiles.height = 65536;
  tiles.tileW = tiles.tileH = 1;
  CHECK(problem(mainHeader(tiles), {65536, 65536, 1, 16}) == "the JPEG 2000 codestream has 4294967296 tiles (at most 65535)");
  Siz noTile;
  noTile.tileW = 0;
  CHECK(problem(mainHeader(noTile)) == "the JPEG 2000 tile grid is damaged");
  Siz colour;
  colour.components = {7, 7, 7};
  CHECK(problem(mainHeader(colour)).find("3 components") != std::string::npos);
  CHECK(problem(mainHeader(colour), {64, 64, 3, 8}).empty());
  Siz subsampled;
  subsampled.subsampling = 2;
  CHECK(problem(mainHeader(subsampled)) == "a subsampled JPEG 2000 component");
  Siz deep;
  deep.components = {16}; // 17 bits
  CHECK(problem(mainHeader(deep)).find("17 bits do not fit Bits Allocated 16") != std::string::npos);
  CHECK(problem(mainHeader({}), {64, 64, 1, 8}).find("16 bits do not fit Bits Allocated 8") != std::string::npos);
  Siz signed12;
  signed12.components = {0x80 | 11};
  CHECK(problem(mainHeader(signed12)).empty());

  // A damaged SIZ length, a codestream cut inside SIZ, SOC without SIZ.
  std::vector<std::uint8_t> bad = mainHeader({});
  bad[5] = 40;
  CHECK(problem(bad).find("SIZ marker is damaged") != std::string::npos);
  const std::vector<std::uint8_t> good = mainHeader({});
  CHECK(problem({good.begin(), good.begin() + 30}).find("does not start with its SIZ") != std::string::npos);
  // SOC not followed by SIZ is no codestream start: coded data of a continuation fragment.
  bool codestream = true;
  const std::vector<std::uint8_t> soc{0xff, 0x4f, 0xff, 0x52};
  CHECK(jpeg2000FragmentProblem(soc.data(), soc.size(), {64, 64, 1, 16}, &codestream).empty());
  CHECK_FALSE(codestream);

  // A fragment that starts no codestream is a continuation: nothing to check, and said so.
  bool starts = true;
  const std::vector<std::uint8_t> continuation{0x12, 0x34, 0x56};
  CHECK(jpeg2000FragmentProblem(continuation.data(), continuation.size(), {64, 64, 1, 16}, &starts).empty());
  CHECK_FALSE(starts);

  // Inside a JP2 file: signature, ftyp, then the codestream box.
  std::vector<std::uint8_t> jp2{0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a};
  const std::string ftyp("\0\0\0\x14" "ftypjp2 \0\0\0\0jp2 ", 20);
  jp2.insert(jp2.end(), ftyp.begin(), ftyp.end());
  const std::vector<std::uint8_t> wrong = mainHeader(taller);
  std::vector<std::uint8_t> box;
  put32(box, 8 + std::uint32_t(wrong.size()));
  for (char x : {'j', 'p', '2', 'c'}) box.push_back(std::uint8_t(x));
  box.insert(box.end(), wrong.begin(), wrong.end());
  jp2.insert(jp2.end(), box.begin(), box.end());
  CHECK(jpeg2000FragmentProblem(jp2.data(), jp2.size(), {64, 64, 1, 16}, &starts).find("64 x 65600") != std::string::npos);
  CHECK(starts);
  jp2.resize(jp2.size() - box.size());
  CHECK(problem(jp2) == "a JP2 file without a codestream box");
}

TEST_CASE("fuzz findings: a JPEG 2000 frame larger than its header is refused and the file named", "[jpeg2000][fuzz]") {
  // tests/fuzz/make/frame_regressions.py j2k: 64 x 64 in the header, 64 x 65600 in the codestream. Before
  // the check GDCM wrote 8 MB past a 8 kB buffer.
  const std::string path =
      std::string(LIGHTBOX_SOURCE_DIR) + "/tests/fuzz/regressions/frame_decode/j2k-image-larger-than-header.dcm";
  const LoadedSeries loaded = loadPath(path);
  REQUIRE(loaded.volumes.size() == 1);
  REQUIRE(loaded.issues.size() == 1);
  CHECK(loaded.issues.front().message.find("the JPEG 2000 image is 64 x 65600, the header says 64 x 64") !=
        std::string::npos);
  CHECK(loaded.issues.front().path == path);
}

namespace {

/// SOI, an APP0 segment, then a frame header SOFn (ISO 10918-1 B.2.2; SOF55 for JPEG-LS).
std::vector<std::uint8_t> jpegHeader(std::uint8_t sof, unsigned precision, std::uint32_t rows, std::uint32_t columns,
                                     unsigned components) {
  std::vector<std::uint8_t> b{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 'J', 'F', 0xff, 0xff, sof};
  put16(b, 8 + 3 * components);
  b.push_back(std::uint8_t(precision));
  put16(b, rows);
  put16(b, columns);
  b.push_back(std::uint8_t(components));
  for (unsigned c = 0; c < components; ++c) {
    b.push_back(std::uint8_t(c + 1));
    b.push_back(0x11);
    b.push_back(0);
  }
  b.push_back(0xff);
  b.push_back(0xda);
  return b;
}

std::string jpegProblem(const std::vector<std::uint8_t>& bytes, FrameExpected e = {52, 10, 1, 16}) {
  return jpegFragmentProblem(bytes.data(), bytes.size(), e);
}

} // namespace

TEST_CASE("a JPEG or JPEG-LS frame header must match the DICOM header before it is decoded", "[jpeg][fuzz]") {
  for (std::uint8_t sof : {0xc0, 0xc1, 0xc3, 0xf7}) { // baseline, extended, lossless, JPEG-LS
    INFO(int(sof));
    const unsigned precision = sof == 0xc0 ? 8 : 16;
    CHECK(jpegProblem(jpegHeader(sof, precision, 52, 10, 1)).empty());
    CHECK(jpegProblem(jpegHeader(sof, precision, 50, 10, 1)) == "the JPEG image is 10 x 50, the header says 10 x 52");
    CHECK(jpegProblem(jpegHeader(sof, precision, 52, 11, 1)).find("11 x 52") != std::string::npos);
    CHECK(jpegProblem(jpegHeader(sof, precision, 52, 10, 3)).find("3 components") != std::string::npos);
    CHECK(jpegProblem(jpegHeader(sof, precision, 0, 10, 1)).find("(DNL)") != std::string::npos);
  }
  CHECK(jpegProblem(jpegHeader(0xc3, 16, 52, 10, 1), {52, 10, 1, 8}).find("16 bits do not match Bits Allocated 8") !=
        std::string::npos);
  CHECK(jpegProblem(jpegHeader(0xc1, 12, 52, 10, 1)).empty());
  CHECK(jpegProblem(jpegHeader(0xc3, 8, 52, 10, 1)).empty()); // lossless 8-bit into 16 bits: GDCM widens it
  // JPEG-LS: an 8-bit stream in a 16-bit header made GDCM copy a 16-bit frame out of an 8-bit one.
  CHECK(jpegProblem(jpegHeader(0xf7, 8, 52, 10, 1)).find("8 bits do not match Bits Allocated 16") != std::string::npos);
  CHECK(jpegProblem(jpegHeader(0xc3, 17, 52, 10, 1)).find("17 bits") != std::string::npos);
  // DHT (C4), JPG (C8) and DAC (CC) are not frame headers: scanning goes on to the real one.
  std::vector<std::uint8_t> tables{0xff, 0xd8, 0xff, 0xc4, 0x00, 0x03, 0x00};
  const std::vector<std::uint8_t> frame = jpegHeader(0xc3, 16, 50, 10, 1);
  tables.insert(tables.end(), frame.begin() + 2, frame.end());
  CHECK(jpegProblem(tables).find("10 x 50") != std::string::npos);
  // Scan data before any frame header, a segment running past the fragment, a stream cut short.
  CHECK(jpegProblem({0xff, 0xd8, 0xff, 0xda, 0x00, 0x02}) == "the JPEG stream has no frame header before its data");
  CHECK(jpegProblem({0xff, 0xd8, 0xff, 0xe0, 0x40, 0x00, 0x00}) == "the JPEG stream is damaged before its frame header");
  CHECK(jpegProblem({0xff, 0xd8, 0xff}) == "the JPEG stream ends before its frame header");
  CHECK(jpegProblem({0xff, 0xd8, 0x12}) == "the JPEG stream is damaged before its frame header");
  bool starts = true;
  const std::vector<std::uint8_t> continuation{0x00, 0xff, 0xd9};
  CHECK(jpegFragmentProblem(continuation.data(), continuation.size(), {52, 10, 1, 16}, &starts).empty());
  CHECK_FALSE(starts);
}

TEST_CASE("fuzz findings: a JPEG-LS frame smaller than its header is refused and the file named", "[jpeg][fuzz]") {
  // tests/fuzz/make/frame_regressions.py jpeg-ls: DCMTK's JPEG-LS of a 10 x 50 image, the header saying 52 rows.
  // Before the check GDCM asserted (len <= outbv->GetLength()) and the process aborted.
  const std::string path =
      std::string(LIGHTBOX_SOURCE_DIR) + "/tests/fuzz/regressions/frame_decode/jpeg-ls-frame-smaller-than-header.dcm";
  const LoadedSeries loaded = loadPath(path);
  REQUIRE(loaded.volumes.size() == 1);
  // (The other issue is the missing pixel spacing of a secondary capture.)
  const auto refused = std::find_if(loaded.issues.begin(), loaded.issues.end(), [](const IngestIssue& i) {
    return i.message.find("the JPEG image is 10 x 50, the header says 10 x 52") != std::string::npos;
  });
  REQUIRE(refused != loaded.issues.end());
  CHECK(refused->path == path);
}

TEST_CASE("a JPEG or JPEG 2000 header split across fragments is checked joined, as the codec reads it",
          "[jpeg][jpeg2000][fuzz]") {
  const auto split = [](const std::vector<std::uint8_t>& bytes, std::vector<std::size_t> cuts) {
    std::vector<std::vector<std::uint8_t>> parts;
    std::size_t from = 0;
    cuts.push_back(bytes.size());
    for (std::size_t c : cuts) {
      parts.emplace_back(bytes.begin() + long(from), bytes.begin() + long(c));
      from = c;
    }
    return parts;
  };
  const auto views = [](const std::vector<std::vector<std::uint8_t>>& parts) {
    std::vector<FragmentBytes> v;
    for (const auto& p : parts) v.push_back({p.data(), p.size()});
    return v;
  };
  std::size_t codestreams = 0;
  // JPEG: SOI and APP0 in the first fragment, the frame header over the next two.
  const auto jpeg = split(jpegHeader(0xc3, 16, 52, 10, 1), {9, 14});
  CHECK_FALSE(jpegFragmentProblem(jpeg[0].data(), jpeg[0].size(), {52, 10, 1, 16}).empty()); // alone: too short
  CHECK(compressedFragmentsProblem(views(jpeg), false, {52, 10, 1, 16}, &codestreams).empty());
  CHECK(codestreams == 1);
  // Joined, a wrong size is still found, named by the fragment that starts the codestream.
  const auto wrongJpeg = split(jpegHeader(0xc3, 16, 50, 10, 1), {9, 14});
  CHECK(compressedFragmentsProblem(views(wrongJpeg), false, {52, 10, 1, 16}) ==
        "the JPEG image is 10 x 50, the header says 10 x 52 (fragment 1)");
  // JPEG 2000: SIZ cut after 20 bytes.
  const auto j2k = split(mainHeader(Siz{}), {20});
  CHECK_FALSE(problem(j2k[0]).empty());
  CHECK(compressedFragmentsProblem(views(j2k), true, {64, 64, 1, 16}, &codestreams).empty());
  Siz tall;
  tall.height = 65600;
  CHECK(compressedFragmentsProblem(views(split(mainHeader(tall), {20})), true, {64, 64, 1, 16}) ==
        "the JPEG 2000 image is 64 x 65600, the header says 64 x 64 (fragment 1)");
  // Not joined into the next frame's codestream: a cut header followed by a whole codestream.
  std::vector<std::vector<std::uint8_t>> twoFrames{split(mainHeader(Siz{}), {20})[0], mainHeader(Siz{})};
  CHECK(compressedFragmentsProblem(views(twoFrames), true, {64, 64, 1, 16}, &codestreams).find("(fragment 1)") !=
        std::string::npos);
  // Two whole frames, one fragment each.
  std::vector<std::vector<std::uint8_t>> whole{mainHeader(Siz{}), mainHeader(Siz{})};
  CHECK(compressedFragmentsProblem(views(whole), true, {64, 64, 1, 16}, &codestreams).empty());
  CHECK(codestreams == 2);
  // A multi-frame image (join false): each codestream's first fragment must hold its header.
  CHECK(compressedFragmentsProblem(views(jpeg), false, {52, 10, 1, 16}, nullptr, false) ==
        "the JPEG stream ends before its frame header (fragment 1)");
  // A JP2 file without its codestream box is still refused (it starts a codestream).
  const std::vector<std::uint8_t> jp2{0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 8, 'f', 't', 'y', 'p'};
  CHECK(compressedFragmentsProblem({{jp2.data(), jp2.size()}}, true, {64, 64, 1, 16}) ==
        "a JP2 file without a codestream box (fragment 1)");
  // A stream cut short with nothing after it is refused as before.
  const std::vector<std::uint8_t> cut{0xff, 0xd8, 0xff};
  CHECK(compressedFragmentsProblem({{cut.data(), cut.size()}}, false, {52, 10, 1, 16}) ==
        "the JPEG stream ends before its frame header (fragment 1)");
}
