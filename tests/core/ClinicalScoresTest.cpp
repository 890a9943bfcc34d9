// SPDX-License-Identifier: Apache-2.0
// Lung-RADS v2022, Brock and patient age: clinical rules, not AI.
#include "core/clinical/Brock.h"
#include "core/clinical/LungRads.h"
#include "core/clinical/PatientAge.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace lightbox;

TEST_CASE("Lung-RADS v2022 categories follow size and type, with the rule shown", "[clinical]") {
  CHECK(suggestLungRads({}).category == "1");
  CHECK(suggestLungRads({{"a", "solid", 5.9, 5.9}}).category == "2");
  CHECK(suggestLungRads({{"a", "solid", 6.0, 6.0}}).category == "3");
  CHECK(suggestLungRads({{"a", "solid", 7.96, 7.96}}).category == "4A"); // rounds to 8.0 mm
  CHECK(suggestLungRads({{"a", "solid", 14.9, 14.9}}).category == "4A");
  CHECK(suggestLungRads({{"a", "solid", 15.0, 15.0}}).category == "4B");
  CHECK(suggestLungRads({{"a", "part-solid", 5.0, 2.0}}).category == "2");
  CHECK(suggestLungRads({{"a", "part-solid", 12.0, 5.0}}).category == "3");
  CHECK(suggestLungRads({{"a", "part-solid", 12.0, 6.5}}).category == "4A");
  CHECK(suggestLungRads({{"a", "part-solid", 12.0, 8.0}}).category == "4B");
  CHECK(suggestLungRads({{"a", "ground-glass", 29.0, 0}}).category == "2");
  CHECK(suggestLungRads({{"a", "ground-glass", 30.0, 0}}).category == "3");
  const LungRadsSuggestion s = suggestLungRads({{"F1", "solid", 4, 4}, {"F2", "solid", 9.2, 9.2}, {"F3", "ground-glass", 12, 0}});
  CHECK(s.category == "4A");
  CHECK(s.nodule == "F2");
  CHECK_THAT(s.rule, Catch::Contains("solid nodule 9.2 mm >= 8 and < 15 mm") && Catch::Contains("v2022"));
  CHECK_THAT(s.management, Catch::Contains("3 months"));
}

TEST_CASE("the Brock model reproduces its published coefficients", "[clinical]") {
  BrockFactors f; // the model's reference patient: 62, male, 10 mm solid, 4 nodules, nothing else
  f.noduleSizeMm = 10;
  f.noduleCount = 4;
  CHECK(brockProbability(f) == Approx(1.0 / (1.0 + std::exp(3.65953))).epsilon(1e-4));
  BrockFactors g = f;
  g.female = true;
  g.spiculation = true;
  g.upperLobe = true;
  g.type = "part-solid";
  // Each factor adds its coefficient to the logit.
  const double logit = -3.65953 + 0.6011 + 0.7729 + 0.6581 + 0.377;
  CHECK(brockProbability(g) == Approx(1.0 / (1.0 + std::exp(-logit))).epsilon(1e-4));
  BrockFactors small = f;
  small.noduleSizeMm = 4;
  CHECK(brockProbability(small) < brockProbability(f));
  CHECK(ageAt("19600101", "20260101") == 66);
  CHECK(ageAt("19601231", "20260101") == 65);
  CHECK_FALSE(ageAt("", "20260101").has_value());
}
