// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestData.h"

#include "core/phantom/DicomSeriesWriter.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace lightbox;

TEST_CASE("a DICOMDIR is read through its directory records", "[dicomdir]") {
  const std::string root = test::scratchFolder("dicomdir");
  DicomSeriesSpec spec;
  spec.folder = root + "/SERIES1";
  spec.rows = spec.columns = 4;
  spec.slicePositions = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}};
  for (const std::string& p : writeDicomSeries(spec, [](std::size_t k, std::vector<std::int16_t>& s) {
         std::fill(s.begin(), s.end(), std::int16_t(k));
       })) {
    fs::rename(p, fs::path(p).replace_extension()); // DICOM file IDs: 8 characters, no extension
  }
  const std::string cmd = "cd '" + root + "' && dcmmkdir --recurse -A SERIES1 >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0); // dcmmkdir comes with scripts/setup.sh (dcmtk)
  REQUIRE(fs::exists(root + "/DICOMDIR"));
  // A DICOM file beside the media that the DICOMDIR does not reference is not part of it.
  DicomSeriesSpec stray = spec;
  stray.folder = root + "/STRAY";
  stray.seriesInstanceUid.clear();
  writeDicomSeries(stray, [](std::size_t, std::vector<std::int16_t>& s) { std::fill(s.begin(), s.end(), 0); });

  for (const std::string& path : {root, root + "/DICOMDIR"}) {
    INFO(path);
    const StudyScan scan = scanStudy(path, 1);
    REQUIRE(scan.series.size() == 1);
    CHECK(scan.series[0].frameCount() == 3);
    CHECK(scan.series[0].header->seriesInstanceUid == spec.seriesInstanceUid);
  }
}
