// SPDX-License-Identifier: Apache-2.0
#include "core/clinical/Brock.h"

#include <algorithm>
#include <cmath>

namespace lightbox {

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

} // namespace lightbox
