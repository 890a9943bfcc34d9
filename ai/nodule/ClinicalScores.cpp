// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/ClinicalScores.h"

#include <algorithm>
#include <cctype>
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

double brockProbability(const BrockFactors& f) {
  const double size = std::max(1.0, f.noduleSizeMm);
  double logit = -6.7892 + 0.0287 * (f.ageYears - 62.0) + 0.6011 * (f.female ? 1 : 0) +
                 0.2961 * (f.familyHistory ? 1 : 0) + 0.2953 * (f.emphysema ? 1 : 0) -
                 5.3854 * (std::pow(size / 10.0, -0.5) - 1.58113883) + 0.6581 * (f.upperLobe ? 1 : 0) -
                 0.0824 * (double(f.noduleCount) - 4.0) + 0.7729 * (f.spiculation ? 1 : 0);
  if (f.type == "ground-glass") logit += -0.1276;
  else if (f.type == "part-solid") logit += 0.377;
  return 1.0 / (1.0 + std::exp(-logit));
}

std::optional<int> ageAt(const std::string& birth, const std::string& study) {
  auto valid = [](const std::string& d) {
    return d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (!valid(birth) || !valid(study)) return std::nullopt;
  const int by = std::stoi(birth.substr(0, 4)), bmd = std::stoi(birth.substr(4));
  const int sy = std::stoi(study.substr(0, 4)), smd = std::stoi(study.substr(4));
  const int age = sy - by - (smd < bmd ? 1 : 0);
  if (age < 0 || age > 130) return std::nullopt;
  return age;
}

} // namespace lightbox
