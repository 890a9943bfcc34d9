// SPDX-License-Identifier: Apache-2.0
#include "core/clinical/Growth.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinMatchToleranceMm = 5.0;
/// Lung-RADS v2022 growth: mean diameter up by more than 1.5 mm, in tenths of a millimetre (sizes
/// are reported to 0.1 mm, so the comparison is exact on that grid).
constexpr long kGrowthTenthsMm = 15;
constexpr double kGrowthWindowDays = 365.25;

long tenths(double mm) { return std::lround(mm * 10.0); }

std::string fixed(double v, int precision) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(precision);
  s << v;
  return s.str();
}

std::string signedMm(long tenthsMm) { return (tenthsMm >= 0 ? "+" : "") + fixed(double(tenthsMm) / 10.0, 1) + " mm"; }

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long daysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + long(doe) - 719468;
}

std::optional<long> parseDate(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c != '-' && c != '.' && c != ' ') return std::nullopt;
  }
  if (digits.size() != 8) return std::nullopt;
  const long y = std::stol(digits.substr(0, 4));
  const unsigned m = unsigned(std::stoul(digits.substr(4, 2))), d = unsigned(std::stoul(digits.substr(6, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return daysFromCivil(y, m, d);
}

void measureVolumes(GrowthResult& r, const GrowthNodule& now, const GrowthNodule& prior) {
  const bool masks = now.volumeMm3 > 0 && prior.volumeMm3 > 0;
  r.volumeSource = masks ? "mask" : "ellipsoid";
  r.volumeMm3 = masks ? now.volumeMm3 : ellipsoidVolumeMm3(now);
  r.priorVolumeMm3 = masks ? prior.volumeMm3 : ellipsoidVolumeMm3(prior);
  r.volumeChangeMm3 = r.volumeMm3 - r.priorVolumeMm3;
  r.volumeChangePercent = r.priorVolumeMm3 > 0 ? 100.0 * r.volumeChangeMm3 / r.priorVolumeMm3 : 0.0;
  if (!r.intervalDays) {
    r.doublingNote = "interval unknown (a study date is missing): no doubling time";
    return;
  }
  const double vdt = volumeDoublingTimeDays(r.priorVolumeMm3, r.volumeMm3, *r.intervalDays);
  if (std::isnan(vdt) || *r.intervalDays <= 0) {
    r.doublingNote = *r.intervalDays < 0    ? "the prior is dated after the current study: no doubling time"
                     : *r.intervalDays == 0 ? "the studies are from the same day: no doubling time"
                                            : "no volume to compare: no doubling time";
  } else if (std::isinf(vdt)) {
    r.doublingNote = "volume unchanged: no doubling (stable)";
  } else if (vdt < 0) {
    r.doublingNote = "volume decreased: no doubling time (shrinking)";
  } else {
    r.doublingTimeDays = vdt;
  }
}

void classify(GrowthResult& r) {
  const long change = tenths(r.diameterMm) - tenths(r.priorDiameterMm);
  std::string rule = "mean diameter " + fixed(r.priorDiameterMm, 1) + " -> " + fixed(r.diameterMm, 1) + " mm (" +
                     signedMm(change) + ")";
  if (change > kGrowthTenthsMm) {
    r.status = GrowthStatus::Growing;
    rule += ", more than 1.5 mm";
  } else if (change < -kGrowthTenthsMm) {
    r.status = GrowthStatus::Decreased;
    rule += ", down by more than 1.5 mm";
  } else {
    r.status = GrowthStatus::Stable;
    rule += ", within 1.5 mm";
  }
  if (r.intervalDays) {
    rule += " in " + fixed(*r.intervalDays, 0) + " days";
    // v2022 defines growth within 12 months; a larger change over a longer interval is still
    // called growing (never stable), and the reader judges whether it is slow growth.
    if (r.status == GrowthStatus::Growing && *r.intervalDays > kGrowthWindowDays) {
      rule += " (over more than 12 months: may be slow growth)";
    }
  } else {
    rule += " (interval unknown)";
  }
  r.statusRule = rule;
}

} // namespace

bool GrowthNodule::operator==(const GrowthNodule& o) const {
  return id == o.id && centerLps == o.centerLps && diameterMm == o.diameterMm && longAxisMm == o.longAxisMm &&
         shortAxisMm == o.shortAxisMm && volumeMm3 == o.volumeMm3 && type == o.type &&
         solidDiameterMm == o.solidDiameterMm && confirmed == o.confirmed;
}

bool GrowthResult::operator==(const GrowthResult& o) const {
  return currentId == o.currentId && priorId == o.priorId && priorConfirmed == o.priorConfirmed &&
         matchDistanceMm == o.matchDistanceMm && matchToleranceMm == o.matchToleranceMm && type == o.type &&
         priorType == o.priorType && diameterMm == o.diameterMm && priorDiameterMm == o.priorDiameterMm &&
         diameterChangeMm == o.diameterChangeMm && solidDiameterMm == o.solidDiameterMm &&
         priorSolidDiameterMm == o.priorSolidDiameterMm && volumeSource == o.volumeSource &&
         volumeMm3 == o.volumeMm3 && priorVolumeMm3 == o.priorVolumeMm3 && volumeChangeMm3 == o.volumeChangeMm3 &&
         volumeChangePercent == o.volumeChangePercent && intervalDays == o.intervalDays &&
         doublingTimeDays == o.doublingTimeDays && doublingNote == o.doublingNote && status == o.status &&
         statusRule == o.statusRule;
}

const char* toString(GrowthStatus status) {
  switch (status) {
  case GrowthStatus::New: return "new";
  case GrowthStatus::Growing: return "growing";
  case GrowthStatus::Stable: return "stable";
  case GrowthStatus::Decreased: return "decreased";
  }
  return "new";
}

double matchToleranceMm(double currentDiameterMm, double priorDiameterMm) {
  return std::max(kMinMatchToleranceMm, 0.5 * std::max(currentDiameterMm, priorDiameterMm));
}

double volumeDoublingTimeDays(double vPriorMm3, double vMm3, double intervalDays) {
  if (!(vPriorMm3 > 0) || !(vMm3 > 0)) return std::numeric_limits<double>::quiet_NaN();
  const double l = std::log(vMm3 / vPriorMm3);
  if (l == 0.0) return std::numeric_limits<double>::infinity();
  return intervalDays * std::log(2.0) / l;
}

double ellipsoidVolumeMm3(const GrowthNodule& n) {
  const double l = n.longAxisMm > 0 ? n.longAxisMm : n.diameterMm;
  const double s = n.shortAxisMm > 0 ? n.shortAxisMm : (n.longAxisMm > 0 ? n.longAxisMm : n.diameterMm);
  return kPi / 6.0 * l * s * s;
}

std::vector<GrowthResult> assessGrowth(const GrowthInputs& in) {
  struct Pair {
    double distance;
    std::size_t current, prior;
  };
  std::vector<Pair> pairs;
  std::vector<double> tolerance(in.current.size() * in.prior.size());
  for (std::size_t i = 0; i < in.current.size(); ++i) {
    const Vec3 mapped = in.currentLpsToPriorLps.apply(in.current[i].centerLps);
    for (std::size_t j = 0; j < in.prior.size(); ++j) {
      const double d = norm(mapped - in.prior[j].centerLps);
      const double tol = matchToleranceMm(in.current[i].diameterMm, in.prior[j].diameterMm);
      tolerance[i * in.prior.size() + j] = tol;
      if (d <= tol) pairs.push_back({d, i, j});
    }
  }
  // Greedy by distance, one-to-one: the closest pair first (ties by input order, so the result
  // does not depend on the sort's whims).
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return a.distance != b.distance ? a.distance < b.distance
                                    : (a.current != b.current ? a.current < b.current : a.prior < b.prior);
  });
  const std::size_t none = in.prior.size();
  std::vector<std::size_t> matchOf(in.current.size(), none);
  std::vector<double> distanceOf(in.current.size(), 0.0);
  std::vector<bool> priorTaken(in.prior.size(), false);
  for (const Pair& p : pairs) {
    if (matchOf[p.current] != none || priorTaken[p.prior]) continue;
    matchOf[p.current] = p.prior;
    distanceOf[p.current] = p.distance;
    priorTaken[p.prior] = true;
  }

  std::vector<GrowthResult> out;
  for (std::size_t i = 0; i < in.current.size(); ++i) {
    const GrowthNodule& now = in.current[i];
    GrowthResult r;
    r.currentId = now.id;
    r.type = now.type;
    r.diameterMm = now.diameterMm;
    r.solidDiameterMm = now.solidDiameterMm;
    r.intervalDays = in.intervalDays;
    if (matchOf[i] == none) {
      r.status = GrowthStatus::New;
      r.matchToleranceMm = matchToleranceMm(now.diameterMm, 0);
      r.statusRule = in.prior.empty() ? "no nodule in the prior" : "no prior nodule within the match tolerance";
      r.volumeSource = now.volumeMm3 > 0 ? "mask" : "ellipsoid";
      r.volumeMm3 = now.volumeMm3 > 0 ? now.volumeMm3 : ellipsoidVolumeMm3(now);
      r.doublingNote = "new: no prior volume";
      out.push_back(r);
      continue;
    }
    const GrowthNodule& prior = in.prior[matchOf[i]];
    r.priorId = prior.id;
    r.priorConfirmed = prior.confirmed;
    r.matchDistanceMm = distanceOf[i];
    r.matchToleranceMm = tolerance[i * in.prior.size() + matchOf[i]];
    r.priorType = prior.type;
    r.priorDiameterMm = prior.diameterMm;
    r.priorSolidDiameterMm = prior.solidDiameterMm;
    r.diameterChangeMm = double(tenths(now.diameterMm) - tenths(prior.diameterMm)) / 10.0;
    measureVolumes(r, now, prior);
    classify(r);
    out.push_back(r);
  }
  return out;
}

std::optional<double> daysBetweenStudyDates(const std::string& priorDate, const std::string& currentDate) {
  const std::optional<long> a = parseDate(priorDate), b = parseDate(currentDate);
  if (!a || !b) return std::nullopt;
  return double(*b - *a);
}

std::vector<NoduleChange> noduleChanges(const std::vector<GrowthResult>& results) {
  std::vector<NoduleChange> out;
  for (const GrowthResult& r : results) {
    NoduleChange c;
    c.id = r.currentId;
    c.status = toString(r.status);
    c.intervalDays = r.intervalDays ? *r.intervalDays : -1.0;
    c.priorType = r.priorType;
    c.priorDiameterMm = r.priorDiameterMm;
    c.priorSolidDiameterMm = r.priorSolidDiameterMm;
    out.push_back(c);
  }
  return out;
}

} // namespace lightbox
