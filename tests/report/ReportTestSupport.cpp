// SPDX-License-Identifier: Apache-2.0
#include "tests/report/ReportTestSupport.h"

#include "core/annotation/AnnotationStore.h"
#include "core/segmentation/ClassicalSegmenter.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/segmentation/SegmentTools.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <sstream>

namespace lightbox::test {

FindingsRun testFindingsRun() {
  FindingsRun run;
  run.model = "lightbox-nodule";
  run.modelVersion = "test";
  run.modelSha256 = std::string(64, 'a');
  run.backend = "cpu";
  run.licence = "Apache-2.0";
  run.fpPerScan = 1.0;
  run.operatingPoints = {{0.5, 0.9}, {1.0, 0.5}, {4.0, 0.2}};
  run.ranAt = "2026-12-01T00:00:00Z";
  return run;
}

ReviewedSeries lidcReviewedSeries(bool saved, bool linkF1, bool f4OnNodule) {
  ReviewedSeries r;
  r.folder = sharedData("ct/chest_lidc-idri-0001_nodule_slab/dicom");
  r.scan = std::make_unique<StudyScan>(scanStudy(r.folder));
  const AssembledSeries& series = selectSeries(*r.scan, "");
  LoadedSeries loaded = loadSeries(series);
  REQUIRE(!loaded.volumes.empty());
  r.image = std::move(loaded.volumes.front());
  const LidcConsensus c =
      lidcConsensus(sharedData("ct/chest_lidc-idri-0001_nodule_slab/annotations/069.xml"), r.image.geometry);

  r.labels = LabelMap(r.image.geometry);
  const LesionMask lesion = segmentClassical(r.image, c.centroid);
  Segment s;
  s.label = 1;
  s.name = "F1 nodule";
  s.origin = SegmentOrigin::Automatic;
  s.algorithm = lesion.engine;
  s.algorithmVersion = lesion.engineVersion;
  r.labels.segments.push_back(s);
  writeMask(r.labels, lesion.box, lesion.mask, 1);
  const SegmentStats stats = measureSegment(r.labels, 1, &r.image);
  REQUIRE(stats.voxels > 100);

  const FindingsRun run = testFindingsRun();
  std::vector<Finding> findings(4);
  const Vec3 corner = r.image.geometry.ijkToLps({100, 100, double(r.image.geometry.size[2] / 2)});
  for (int n = 0; n < 4; ++n) {
    Finding& f = findings[n];
    f.id = "F" + std::to_string(n + 1);
    f.centerLps = n == 0 ? c.centroid : corner + Vec3{10.0 * n, 0, 0};
    f.diameterMm = n == 0 ? 20.0 : 6.0;
    if (n == 3 && f4OnNodule) {
      f.centerLps = c.centroid + Vec3{2.0, 0, 0};
      f.diameterMm = 20.0;
    }
    f.type = "solid";
    f.score = 0.95 - 0.1 * n;
    f.probability = f.score;
  }
  const std::string key = series.header->seriesInstanceUid;
  if (saved) {
    const AnnotationStore store(AnnotationStore::defaultFolder());
    r.session = std::make_unique<ReadingSession>(ReadingSession::open(store, key));
    saveLabelMap(r.labels, store.labelsPathFor(key));
  } else {
    r.session = std::make_unique<ReadingSession>();
  }
  r.session->applyDetection(run, findings);
  REQUIRE(r.session->setFindingState("F1", FindingState::Accepted));
  if (linkF1) REQUIRE(r.session->setFindingMask("F1", 1, stats.longAxisMm, stats.shortAxisMm, stats.volumeMl * 1000.0));
  if (f4OnNodule) REQUIRE(r.session->setFindingState("F4", FindingState::Accepted));
  REQUIRE(r.session->setFindingType("F2", "ground-glass"));
  REQUIRE(r.session->setFindingState("F3", FindingState::Rejected, "vessel"));
  r.content = buildReportContent(*r.session, r.labels, r.image, reportSourceOf(series, r.image.geometry));
  r.content.reader = "Test^Reader";
  return r;
}

ToolRun runTool(const std::string& command) {
  ToolRun out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.output.append(buf.data(), n);
  const int status = pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

void requireTool(const std::string& tool) {
  const ToolRun which = runTool("command -v " + tool);
  INFO(tool << " is not installed: run scripts/setup.sh");
  REQUIRE(which.status == 0);
}

Dciodvfy dciodvfy(const std::string& path) {
  requireTool("dciodvfy");
  Dciodvfy d;
  d.output = runTool("dciodvfy '" + path + "'").output;
  std::istringstream lines(d.output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Error", 0) == 0) d.errors.push_back(line);
    if (line.rfind("Warning", 0) == 0) d.warnings.push_back(line);
  }
  return d;
}

} // namespace lightbox::test
