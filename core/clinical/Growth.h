// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/clinical/LungRads.h"
#include "core/geometry/Vec3.h"
#include "core/registration/Transform.h"

#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// One nodule of a study as growth assessment needs it.
struct GrowthNodule {
  std::string id;
  Vec3 centerLps{0, 0, 0};
  double diameterMm = 0; ///< the mean diameter the reader stands behind (the Lung-RADS size)
  /// Long and short axis (mask RECIST axes, or a ruler length for both); 0: unknown, the
  /// ellipsoid volume then falls back to a sphere of `diameterMm`.
  double longAxisMm = 0, shortAxisMm = 0;
  double volumeMm3 = 0; ///< segmented volume of its mask; 0: no mask
  std::string type;     ///< "solid", "part-solid", "ground-glass"; empty when unknown
  double solidDiameterMm = 0;
  /// False for an AI proposal nobody has decided on (a prior detected on demand).
  bool confirmed = true;
  bool operator==(const GrowthNodule& o) const;
};

/// The two studies compared: the current study's accepted nodules, the prior's, the registration
/// (current LPS -> prior LPS) and the interval between the study dates.
struct GrowthInputs {
  std::vector<GrowthNodule> current, prior;
  RegistrationTransform currentLpsToPriorLps;
  std::optional<double> intervalDays; ///< prior study date to current; absent when either is unknown
};

/// Lung-RADS v2022 growth: "new" (no prior match), "growing" (mean diameter up by more than
/// 1.5 mm), "decreased" (down by more than 1.5 mm: the same measurement tolerance), else "stable".
enum class GrowthStatus { New, Growing, Stable, Decreased };
const char* toString(GrowthStatus status); ///< "new", "growing", "stable", "decreased"

/// Growth of one current nodule.
struct GrowthResult {
  std::string currentId;
  std::string priorId;            ///< the matched prior nodule; empty when new
  bool priorConfirmed = true;     ///< the matched prior nodule was decided on by a reader
  double matchDistanceMm = 0;     ///< mapped current centre to prior centre (matched only)
  double matchToleranceMm = 0;    ///< the tolerance the match had to be within
  std::string type, priorType;
  double diameterMm = 0, priorDiameterMm = 0, diameterChangeMm = 0; ///< mean diameters (0.1 mm)
  double solidDiameterMm = 0, priorSolidDiameterMm = 0;
  /// "mask" when both nodules have a segmented volume, else "ellipsoid" (pi/6 * long * short^2 on
  /// both; never one of each, which would mix methods in the ratio).
  std::string volumeSource;
  double volumeMm3 = 0, priorVolumeMm3 = 0, volumeChangeMm3 = 0, volumeChangePercent = 0;
  std::optional<double> intervalDays;
  /// VDT = interval * ln 2 / ln(V / Vprior): present only when finite and positive (the volume grew
  /// and the interval is known); `doublingNote` says why otherwise.
  std::optional<double> doublingTimeDays;
  std::string doublingNote;
  GrowthStatus status = GrowthStatus::New;
  std::string statusRule; ///< the rule in words, e.g. "mean diameter +2.1 mm (> 1.5 mm) in 92 days"
  bool operator==(const GrowthResult& o) const;
};

/// The centre distance within which a current nodule may be the same as a prior one:
/// max(5 mm, half the larger of the two mean diameters). 5 mm covers the residual registration
/// error (the goal is a mean landmark error under 1.5 mm, worse at the lung bases where
/// breathing differs) plus the centre's own uncertainty (a detector's or a mask's centre moves
/// by a voxel or two); half the diameter because a larger nodule's centre shifts further when it
/// grows unevenly, and a centre still inside the other nodule is the same lesion.
double matchToleranceMm(double currentDiameterMm, double priorDiameterMm);

/// Volume-doubling time in days: interval * ln 2 / ln(v / vPrior). +infinity when the volume is
/// unchanged, negative when it shrank (the halving time, negated); NaN when a volume is not positive.
double volumeDoublingTimeDays(double vPriorMm3, double vMm3, double intervalDays);

/// Ellipsoid volume pi/6 * long * short * short (the third axis taken as the short one); a sphere of
/// `diameterMm` when the axes are unknown.
double ellipsoidVolumeMm3(const GrowthNodule& n);

/// Matches each current nodule to a prior one and measures its growth. Matching: the current centre
/// is mapped through the transform into the prior; pairs closer than matchToleranceMm are taken
/// greedily from the closest, one-to-one. One result per current nodule, in the input order.
std::vector<GrowthResult> assessGrowth(const GrowthInputs& inputs);

/// Days from `priorDate` to `currentDate`, DICOM DA ("20260301") or ISO ("2026-03-01"); absent
/// when either is empty or malformed.
std::optional<double> daysBetweenStudyDates(const std::string& priorDate, const std::string& currentDate);

/// What Lung-RADS needs from each result (suggestLungRads(nodules, changes)).
std::vector<NoduleChange> noduleChanges(const std::vector<GrowthResult>& results);

} // namespace lightbox
