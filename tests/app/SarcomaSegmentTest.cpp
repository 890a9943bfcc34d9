// SPDX-License-Identifier: Apache-2.0
// Issue 23 in the reading room: a real sarcoma CT, one click with the promptable model (run off the
// GUI thread: the window keeps serving events), two correction clicks that each improve the mask
// against the clinicians' outline, and the 3D view's surface. STS_005 is one of the shipped model's
// training cases: this checks the viewer's path, not the model's accuracy (MODEL_CARD.md has that).
#include "tests/support/QtWait.h"
#include "tests/support/TestData.h"

#include "app/viewer/MainWindow.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "app/viewer/VtkViewport.h"
#include "core/segmentation/LesionPrompts.h"
#include "core/segmentation/SegmentationMetrics.h"
#include "core/study/StudyLoader.h"

#include <catch2/catch.hpp>

#include <QTimer>

#include <cstdlib>

using namespace lightbox;

TEST_CASE("a sarcoma CT: one click outlines the tumour without blocking the window, two corrections improve it, the 3D "
          "view draws it",
          "[viewer][window][segmentation][sarcoma]") {
  const std::string folder = test::scratchFolder("sarcoma-annotations");
  setenv("LIGHTBOX_ANNOTATIONS", folder.c_str(), 1);
  const std::string caseDir = test::sharedData("lesions/sarcoma_ibsi_sts/STS_005");
  MainWindow window;
  window.resize(1600, 1000);
  window.show();
  REQUIRE(window.openPath(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  ViewerDocument* doc = window.document();
  REQUIRE(doc->segmentEngine() == ViewerDocument::SegmentEngine::Model);
  const VolumeGeometry& g = doc->volume()->geometry;
  const LoadedSeries maskFile = loadPath(caseDir + "/CT_mask.nii.gz");
  std::vector<std::uint8_t> reference(g.voxelCount());
  REQUIRE(maskFile.volumes.front().geometry.voxelCount() == reference.size());
  for (std::size_t q = 0; q < reference.size(); ++q) reference[q] = maskFile.volumes.front().value(q) > 0.5;
  const std::size_t interior = mostInteriorVoxel(g, reference);
  const Vec3 seed = g.ijkToLps({double(interior % g.size[0]), double((interior / g.size[0]) % g.size[1]),
                                double(interior / (g.size[0] * g.size[1]))});

  // The window keeps serving its events while the model runs: a 10 ms timer goes on firing.
  int ticks = 0;
  QTimer timer;
  QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
  timer.start(10);
  REQUIRE(doc->segmentAt(seed) == 1);
  timer.stop();
  INFO("timer ticks while the model ran: " << ticks);
  CHECK(ticks >= 3);
  auto maskOf = [&] {
    std::vector<std::uint8_t> m(reference.size());
    for (std::size_t q = 0; q < m.size(); ++q) m[q] = doc->labels().labels[q] == 1;
    return m;
  };
  double dice = diceCoefficient(maskOf(), reference);
  std::printf("STS_005 CT in the viewer: one click Dice %.3f", dice);
  CHECK(dice >= 0.6); // 0.77 today (training case; 0.40 with the first 800-iteration model)
  for (int k = 0; k < 2; ++k) {
    const std::optional<CorrectionClick> c = nextCorrection(g, maskOf(), reference);
    REQUIRE(c);
    REQUIRE(doc->refineSegment(1, c->lps, c->add));
    const double next = diceCoefficient(maskOf(), reference);
    std::printf(", %s click %.3f", c->add ? "add" : "remove", next);
    CHECK(next >= dice); // a correction changes only the region it points at
    dice = next;
  }
  std::printf("\n");
  // The prompts are saved with the segment, in order.
  REQUIRE(doc->labels().segments.size() == 1);
  const std::vector<SegmentPrompt> prompts = doc->labels().segments[0].prompts;
  REQUIRE(prompts.size() == 3);
  CHECK(prompts[0].seed);
  CHECK(prompts[0].lps == seed);
  CHECK_FALSE(prompts[1].seed);
  doc->goToSegment(1);
  VolumeViewport* vr = window.volumeView();
  REQUIRE(vr->isVisible());
  vr->grabFramebuffer();
  bool surface = false;
  for (const SegmentSurfaceInfo& s : vr->segmentSurfaces()) surface = surface || (s.label == 1 && s.points > 100);
  CHECK(surface);
  if (const char* shots = std::getenv("LIGHTBOX_TEST_SHOTS")) {
    grabWindow(&window).save(QString(shots) + "/sarcoma-ct-segment.png");
    vr->grabFramebuffer().save(QString(shots) + "/sarcoma-ct-3d.png");
  }

  // Reopened in a new window: the segment and its prompts come back, and a third correction
  // refines it (the model's last result replayed from the saved prompts).
  MainWindow again;
  again.resize(1600, 1000);
  again.show();
  REQUIRE(again.openPath(QString::fromStdString(caseDir + "/CT_image.nii.gz")));
  ViewerDocument* reopened = again.document();
  REQUIRE(reopened->labels().segments.size() == 1);
  CHECK(reopened->labels().segments[0].prompts == prompts);
  const std::optional<CorrectionClick> third = nextCorrection(g, maskOf(), reference);
  REQUIRE(third);
  doc = reopened;
  REQUIRE(reopened->refineSegment(1, third->lps, third->add));
  const double after = diceCoefficient(maskOf(), reference);
  std::printf("after reopening, a third click: %.3f\n", after);
  CHECK(after >= dice);
  CHECK(reopened->labels().segments[0].prompts.size() == 4);
}
