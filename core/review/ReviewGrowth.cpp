// SPDX-License-Identifier: Apache-2.0
#include "core/review/ReviewGrowth.h"

#include "core/review/ReadingSession.h"

#include <algorithm>

namespace lightbox {
namespace {

GrowthNodule nodule(const ReadingSession& session, const Finding& f, bool confirmed) {
  GrowthNodule n;
  n.id = f.id;
  n.centerLps = f.centerLps;
  n.diameterMm = session.effectiveDiameter(f);
  n.type = f.effectiveType();
  // The same solid component as the review's decision support.
  n.solidDiameterMm = n.type == "solid" ? n.diameterMm : n.type == "part-solid" ? std::min(f.solidDiameterMm, n.diameterMm) : 0.0;
  const bool mask = f.segmentLabel && f.maskLongAxisMm > 0;
  if (mask) {
    n.longAxisMm = f.maskLongAxisMm;
    n.shortAxisMm = f.maskShortAxisMm;
    n.volumeMm3 = f.maskVolumeMm3;
  }
  if (f.measurementId || !mask) n.longAxisMm = n.shortAxisMm = n.diameterMm; // one diameter: a sphere
  n.confirmed = confirmed;
  return n;
}

} // namespace

std::vector<GrowthNodule> growthNodules(const ReadingSession& session, bool proposalsIfUndecided) {
  std::vector<GrowthNodule> out;
  for (const Finding& f : session.findings()) {
    if (f.state != FindingState::Accepted && f.state != FindingState::Edited) continue;
    if (ReadingSession::unmeasured(f)) continue;
    out.push_back(nodule(session, f, true));
  }
  if (!out.empty() || !proposalsIfUndecided) return out;
  for (const Finding* f : session.visibleFindings(RejectedFindings::Hidden)) {
    if (f->state != FindingState::Proposed || ReadingSession::unmeasured(*f)) continue;
    out.push_back(nodule(session, *f, false));
  }
  return out;
}

std::vector<GrowthResult> assessReviewGrowth(const ReadingSession& current, const ReadingSession& prior,
                                             const RegistrationTransform& currentLpsToPriorLps,
                                             const std::string& currentStudyDate, const std::string& priorStudyDate) {
  GrowthInputs in;
  in.current = growthNodules(current);
  in.prior = growthNodules(prior, true);
  in.currentLpsToPriorLps = currentLpsToPriorLps;
  in.intervalDays = daysBetweenStudyDates(priorStudyDate, currentStudyDate);
  return assessGrowth(in);
}

} // namespace lightbox
