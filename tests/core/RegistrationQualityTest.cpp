// SPDX-License-Identifier: Apache-2.0
// Issue 26: the one quality number (median local NCC of the current image and the warped prior),
// computed in core for `lightbox register` and the viewer alike. On the real POPI chest CT against
// itself: the right map scores 1 and is trusted, a map 6 mm off falls below the threshold; the
// CLI's quick path gives the viewer's number.
#include "core/registration/RegistrationMaps.h"
#include "core/study/StudyLoader.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

using namespace lightbox;

TEST_CASE("registration quality: the right map is trusted, a map 6 mm off asks for a check",
          "[registration][quality]") {
  const LoadedSeries ct = loadPath(test::sharedData("ct/chest_4dct_popi_phase00/dicom"));
  const Volume& v = ct.volumes.front();

  const RegistrationQuality right = registrationQuality(v, v, RegistrationTransform{});
  CHECK(right.boxes > 10000);
  CHECK(right.medianLocalNcc == Approx(1.0).margin(1e-3));
  CHECK_FALSE(right.checkAlignment);
  CHECK(right.threshold == kRegistrationQualityThreshold);

  RegistrationTransform off;
  off.translation = {4.0, -4.0, 2.0}; // 6 mm
  const RegistrationQuality wrong = registrationQuality(v, v, off);
  INFO("median local NCC 6 mm off: " << wrong.medianLocalNcc);
  CHECK(wrong.medianLocalNcc < right.medianLocalNcc - 0.2);
  CHECK(wrong.checkAlignment);
  // Threads share the slices and sums, not the result.
  const RegistrationQuality serial = registrationQuality(v, v, off, 1);
  const RegistrationQuality threaded = registrationQuality(v, v, off, 3);
  CHECK(serial.medianLocalNcc == threaded.medianLocalNcc);
  CHECK(serial.boxes == threaded.boxes);
  CHECK(serial.medianLocalNcc == wrong.medianLocalNcc);

  // The viewer's maps hold the same number.
  const RegistrationMaps maps = computeRegistrationMaps(v, v, off);
  CHECK(maps.summary.medianLocalNcc == Approx(wrong.medianLocalNcc).margin(0.01));
  CHECK(maps.summary.checkAlignment == wrong.checkAlignment);
}
