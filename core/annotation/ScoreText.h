// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// How many decimals AI scores (probabilities in [0, 1]) are shown with so that no two different
/// scores of one list read the same: the fewest from 2 to 9 that keep every distinct value
/// distinct once truncated. A reader must never see two findings "tied" that the model ranked.
int scoreDecimals(const std::vector<double>& scores);

/// `score` truncated, not rounded, to `decimals`: a score below 1 never reads "1.00".
std::string scoreText(double score, int decimals);

} // namespace lightbox
