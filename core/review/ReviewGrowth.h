// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/clinical/Growth.h"

#include <string>
#include <vector>

namespace lightbox {

class ReadingSession;

/// A review's nodules for growth assessment: its accepted and edited findings with a size (the
/// diameter the reader stands behind, the mask's axes and volume when linked, else a ruler's or
/// the AI's diameter for both axes, the reader's type). Findings whose size is the AI's
/// measurement cap and that nobody measured are left out: they have no size to compare.
/// `proposalsIfUndecided`: when the review has no accepted or edited finding at all (a prior
/// detected on demand), its proposals at the operating point stand in, marked unconfirmed.
std::vector<GrowthNodule> growthNodules(const ReadingSession& session, bool proposalsIfUndecided = false);

/// Growth of the current review's accepted nodules against the prior review's, in one call:
/// matches through `currentLpsToPriorLps` (the registration of the prior to the current) and
/// takes the interval from the two study dates (DICOM DA "YYYYMMDD" or ISO; empty: unknown, so no
/// doubling time and no stepped Lung-RADS management). The prior's undecided proposals count
/// when nothing there was decided (see growthNodules).
std::vector<GrowthResult> assessReviewGrowth(const ReadingSession& current, const ReadingSession& prior,
                                             const RegistrationTransform& currentLpsToPriorLps,
                                             const std::string& currentStudyDate, const std::string& priorStudyDate);

} // namespace lightbox
