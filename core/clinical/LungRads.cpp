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

} // namespace

LungRadsSuggestion suggestLungRads(const std::vector<AcceptedNodule>& nodules) {
  LungRadsSuggestion best{"1", "", "no accepted lung nodules", ""};
  for (const AcceptedNodule& n : nodules) {
    const LungRadsSuggestion c = categorise(n);
    if (rank(c.category) > rank(best.category)) best = c;
  }
  if (best.category == "1" || best.category == "2") best.management = "continue annual screening with LDCT in 12 months";
  else if (best.category == "3") best.management = "LDCT in 6 months";
  else if (best.category == "4A") best.management = "LDCT in 3 months; PET/CT may be used if there is a >= 8 mm solid component";
  else best.management = "diagnostic chest CT with or without contrast, PET/CT and/or tissue sampling, depending on the probability of malignancy";
  best.rule = "Lung-RADS v2022 (baseline): " + best.rule;
  return best;
}

} // namespace lightbox
