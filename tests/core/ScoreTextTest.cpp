// SPDX-License-Identifier: Apache-2.0
// Issue 24: the AI score a reader sees never ties two findings the model ranked apart, and never
// reads "1.00" for a probability below one.
#include "core/annotation/Finding.h"
#include "core/annotation/ScoreText.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <set>

using namespace lightbox;

TEST_CASE("scores are shown with the fewest decimals that keep different ones different", "[review][score]") {
  CHECK(scoreDecimals({}) == 2);
  CHECK(scoreDecimals({0.5}) == 2);
  CHECK(scoreDecimals({0.91, 0.42, 0.07}) == 2);
  CHECK(scoreDecimals({0.996, 0.994}) == 3);
  CHECK(scoreDecimals({0.9991, 0.9993, 0.42}) == 4);
  CHECK(scoreDecimals({0.42, 0.42, 0.1}) == 2); // equal raw values may share their text
  CHECK(scoreDecimals({0.123456781, 0.123456789}) == 9);

  // Truncated, not rounded: a probability below one never reads 1.00, and every text of a list
  // is unique when the values are.
  CHECK(scoreText(0.9996, 2) == "0.99");
  CHECK(scoreText(0.9996, 4) == "0.9996");
  CHECK(scoreText(1.0, 2) == "1.00");
  CHECK(scoreText(0.29, 2) == "0.29");
  CHECK(scoreText(0.0, 2) == "0.00");
  CHECK(scoreText(-0.2, 2) == "0.00");
  CHECK(scoreText(std::numeric_limits<double>::quiet_NaN(), 2) == "-");
  const std::vector<double> scores{0.99991, 0.99987, 0.9899, 0.98, 0.5, 0.49999};
  const int d = scoreDecimals(scores);
  std::set<std::string> texts;
  for (double s : scores) {
    texts.insert(scoreText(s, d));
    CHECK(scoreText(s, d).rfind("1.", 0) != 0); // all below one
  }
  // A logit of 30 is a probability of 1 - 1e-13: still not 1.00, whatever the decimals.
  const double nearOne = 1.0 / (1.0 + std::exp(-30.0));
  REQUIRE(nearOne < 1.0);
  for (int decimals = 2; decimals <= 9; ++decimals) CHECK(scoreText(nearOne, decimals).rfind("0.", 0) == 0);
  CHECK(texts.size() == scores.size());
}

TEST_CASE("a finding's size source is saved with the review and checked when read", "[review][score]") {
  Finding f;
  f.id = "F1";
  f.diameterMm = 7.7;
  f.type = "solid";
  f.score = 0.8;
  CHECK(f.sizeSource == "profile");
  f.sizeSource = "mask";
  const std::vector<Finding> back = findingsFromJson(toJson(std::vector<Finding>{f}));
  REQUIRE(back.size() == 1);
  CHECK(back[0].sizeSource == "mask");
  CHECK(back[0] == f);
  nlohmann::json j = toJson(std::vector<Finding>{f});
  j[0].erase("size_source"); // a review saved before issue 24: profile sizes
  CHECK(findingsFromJson(j)[0].sizeSource == "profile");
  j[0]["size_source"] = "guess";
  CHECK_THROWS_WITH(findingsFromJson(j), Catch::Contains("size_source must be"));
}
