// SPDX-License-Identifier: Apache-2.0
#include "core/clinical/LungRads.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lightbox {
namespace {

double round1(double v) { return std::round(v * 10.0) / 10.0; }

std::string mm(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v << " mm";
  return s.str();
}

int rank(const std::string& category) {
  static const std::vector<std::string> order{"1", "2", "3", "4A", "4B"};
  return int(std::find(order.begin(), order.end(), category) - order.begin());
}

LungRadsSuggestion categorise(const AcceptedNodule& n) {
  const double d = round1(n.diameterMm), s = round1(n.solidDiameterMm);
  LungRadsSuggestion r;
  r.nodule = n.id;
  if (n.type == "solid") {
    if (d < 6) r = {"2", n.id, "solid nodule " + mm(d) + " < 6 mm", ""};
    else if (d < 8) r = {"3", n.id, "solid nodule " + mm(d) + " >= 6 and < 8 mm", ""};
    else if (d < 15) r = {"4A", n.id, "solid nodule " + mm(d) + " >= 8 and < 15 mm", ""};
    else r = {"4B", n.id, "solid nodule " + mm(d) + " >= 15 mm", ""};
  } else if (n.type == "part-solid") {
    if (d < 6) r = {"2", n.id, "part-solid nodule " + mm(d) + " total < 6 mm", ""};
    else if (s < 6) r = {"3", n.id, "part-solid nodule " + mm(d) + " total >= 6 mm, solid component " + mm(s) + " < 6 mm", ""};
    else if (s < 8) r = {"4A", n.id, "part-solid nodule, solid component " + mm(s) + " >= 6 and < 8 mm", ""};
    else r = {"4B", n.id, "part-solid nodule, solid component " + mm(s) + " >= 8 mm", ""};
  } else {
    if (d < 30) r = {"2", n.id, "ground-glass nodule " + mm(d) + " < 30 mm", ""};
    else r = {"3", n.id, "ground-glass nodule " + mm(d) + " >= 30 mm", ""};
  }
  return r;
}

// A follow-up counts as the "3-month" ("6-month") one of v2022's stepped management from 2.5 (5)
// months on: scheduled follow-ups are often done a little early.
constexpr double kThreeMonthFollowUpDays = 76;
constexpr double kSixMonthFollowUpDays = 152;
// v2022 growth of a solid component: the same > 1.5 mm mean-diameter increase as for a nodule, in
// tenths of a millimetre (sizes are to 0.1 mm, so the comparison is exact on that grid).
constexpr long kGrowthTenthsMm = 15;

std::string days(double d) {
  std::ostringstream s;
  s << std::lround(d) << " days";
  return s.str();
}

/// A stable or decreased nodule (or a growing part-solid one whose solid component did not grow):
/// the size-threshold note, then stepped management.
LungRadsSuggestion categoriseStable(const AcceptedNodule& n, const NoduleChange& c) {
  LungRadsSuggestion now = categorise(n);
  const std::string what = c.status + " since the prior";
  if (!c.priorType.empty() || c.priorDiameterMm > 0) {
    const AcceptedNodule prior{n.id, c.priorType.empty() ? n.type : c.priorType, c.priorDiameterMm,
                               c.priorSolidDiameterMm};
    if (rank(now.category) > rank(categorise(prior).category)) {
      now.rule += ", " + what + " but crossed a size threshold: categorised by size";
      return now;
    }
  }
  if (c.status == "growing") {
    // A part-solid nodule whose whole grew but whose solid component did not (or is not known to):
    // the growth rules are about the component, so its size decides, never a step down.
    now.rule += ", growing since the prior but not its solid component (as far as measured): categorised by size";
  } else if (c.intervalDays < 0) {
    now.rule += ", " + what + " (interval unknown: no stepped management)";
  } else if (now.category == "4A" && c.intervalDays >= kThreeMonthFollowUpDays) {
    now = {"3", n.id, now.rule + ", " + what + " over " + days(c.intervalDays) + ": 4A stable at 3-month follow-up -> 3", ""};
  } else if (now.category == "3" && c.intervalDays >= kSixMonthFollowUpDays) {
    now = {"2", n.id, now.rule + ", " + what + " over " + days(c.intervalDays) + ": 3 stable at 6-month follow-up -> 2", ""};
  } else if (now.category == "4B") {
    now.rule += ", " + what + ": 4B stays 4B until proven benign";
  } else {
    now.rule += ", " + what + " over " + days(c.intervalDays);
  }
  return now;
}

/// v2022 follow-up rules for one nodule (see LungRads.h for which).
LungRadsSuggestion categoriseFollowUp(const AcceptedNodule& n, const NoduleChange& c) {
  const double d = round1(n.diameterMm), s = round1(n.solidDiameterMm);
  const bool isNew = c.status == "new", growing = c.status == "growing";
  if (n.type == "solid") {
    if (isNew) {
      if (d < 4) return {"2", n.id, "new solid nodule " + mm(d) + " < 4 mm", ""};
      if (d < 6) return {"3", n.id, "new solid nodule " + mm(d) + " >= 4 and < 6 mm", ""};
      if (d < 8) return {"4A", n.id, "new solid nodule " + mm(d) + " >= 6 and < 8 mm", ""};
      return {"4B", n.id, "new solid nodule " + mm(d) + " >= 8 mm", ""};
    }
    if (growing) {
      const std::string from = " (from " + mm(round1(c.priorDiameterMm)) + ")";
      if (d < 8) return {"4A", n.id, "growing solid nodule " + mm(d) + from + " < 8 mm", ""};
      return {"4B", n.id, "growing solid nodule " + mm(d) + from + " >= 8 mm", ""};
    }
    return categoriseStable(n, c);
  }
  if (n.type == "part-solid") {
    if (isNew) {
      if (d < 6) return {"3", n.id, "new part-solid nodule " + mm(d) + " total < 6 mm", ""};
      if (s < 4) return {"4A", n.id, "new part-solid nodule " + mm(d) + " with a new solid component " + mm(s) + " < 4 mm", ""};
      return {"4B", n.id, "new part-solid nodule " + mm(d) + " with a new solid component " + mm(s) + " >= 4 mm", ""};
    }
    // The component's change is known when the prior was ground-glass (any solid part is new) or
    // part-solid with a measured solid component; otherwise only the size rules apply.
    const double priorSolid = round1(c.priorSolidDiameterMm);
    const bool newComponent = c.priorType == "ground-glass" && s > 0;
    const bool growingComponent =
        c.priorType == "part-solid" && priorSolid > 0 && std::lround(s * 10) - std::lround(priorSolid * 10) > kGrowthTenthsMm;
    if (newComponent || growingComponent) {
      const std::string how = newComponent ? "a new solid component " : "a growing solid component (from " + mm(priorSolid) + ") ";
      if (s < 4) return {"4A", n.id, "part-solid nodule " + mm(d) + " with " + how + mm(s) + " < 4 mm", ""};
      return {"4B", n.id, "part-solid nodule " + mm(d) + " with " + how + mm(s) + " >= 4 mm", ""};
    }
    return categoriseStable(n, c);
  }
  if (d < 30) {
    return {"2", n.id, (isNew ? "new " : growing ? "growing " : "") + std::string("ground-glass nodule ") + mm(d) + " < 30 mm", ""};
  }
  if (isNew) return {"3", n.id, "new ground-glass nodule " + mm(d) + " >= 30 mm", ""};
  if (growing) {
    return {"3", n.id, "growing ground-glass nodule " + mm(d) + " >= 30 mm (2 if the reader judges the growth slow)", ""};
  }
  return {"2", n.id, "ground-glass nodule " + mm(d) + " >= 30 mm, " + c.status + " since the prior", ""};
}

void addManagement(LungRadsSuggestion& best) {
  if (best.category == "1" || best.category == "2") best.management = "continue annual screening with LDCT in 12 months";
  else if (best.category == "3") best.management = "LDCT in 6 months";
  else if (best.category == "4A") best.management = "LDCT in 3 months; PET/CT may be used if there is a >= 8 mm solid component";
  else best.management = "diagnostic chest CT with or without contrast, PET/CT and/or tissue sampling, depending on the probability of malignancy";
}

} // namespace

LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules, const std::vector<NoduleChange>& changes) {
  if (changes.empty()) return suggestLungRads(nodules);
  LungRadsSuggestion best{"1", "", "no accepted lung nodules", ""};
  for (const AcceptedNodule& n : nodules) {
    const auto change = std::find_if(changes.begin(), changes.end(), [&](const NoduleChange& c) { return c.id == n.id; });
    LungRadsSuggestion c = change == changes.end() ? categorise(n) : categoriseFollowUp(n, *change);
    if (change == changes.end()) c.rule += " (no comparison with the prior: baseline rule)";
    if (rank(c.category) > rank(best.category)) best = c;
  }
  addManagement(best);
  best.rule = "Lung-RADS v2022 (follow-up, compared with the prior): " + best.rule;
  return best;
}

LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules) {
  LungRadsSuggestion best{"1", "", "no accepted lung nodules", ""};
  for (const AcceptedNodule& n : nodules) {
    const LungRadsSuggestion c = categorise(n);
    if (rank(c.category) > rank(best.category)) best = c;
  }
  addManagement(best);
  best.rule = "Lung-RADS v2022 (baseline): " + best.rule;
  return best;
}

} // namespace lightbox
