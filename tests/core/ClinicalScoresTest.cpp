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

TEST_CASE("the patient's age comes from Patient's Age, else the birth and study dates, and says which", "[clinical]") {
  CHECK(ageFromAgeString("077Y") == 77);
  CHECK(ageFromAgeString("018M") == 1);
  CHECK(ageFromAgeString("104W") == 1);
  CHECK(ageFromAgeString("400D") == 1);
  CHECK_FALSE(ageFromAgeString("77Y").has_value());
  CHECK_FALSE(ageFromAgeString("077X").has_value());
  CHECK_FALSE(ageFromAgeString("").has_value());

  // The reader's report: 077Y with no birth date gave 62 (assumed), so Brock 30.5 % instead of 40.3 %.
  const PatientAgeFact fromAs = patientAgeOf("077Y", "", "20220412");
  REQUIRE(fromAs.years == 77);
  CHECK(fromAs.source == "Patient's Age 077Y");
  // Patient's Age wins over the dates (it is what the scanner stated at the time).
  CHECK(patientAgeOf("077Y", "19600101", "20260101").years == 77);
  const PatientAgeFact fromDates = patientAgeOf("", "19600101", "20260101");
  CHECK(fromDates.years == 66);
  CHECK_THAT(fromDates.source, Catch::Contains("birth date 19600101") && Catch::Contains("study date 20260101"));
  const PatientAgeFact none = patientAgeOf("", "", "20260101");
  CHECK_FALSE(none.years.has_value());
  CHECK(none.source.empty());

  BrockFactors f;
  f.ageYears = 77;
  f.female = false;
  f.noduleSizeMm = 24.7;
  f.type = "solid";
  BrockFactors assumed = f;
  assumed.ageYears = 62;
  CHECK(brockProbability(f) > brockProbability(assumed)); // age matters: it must not be assumed when DICOM has it
}
