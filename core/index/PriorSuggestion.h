// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/index/StudyIndex.h"

#include <string>
#include <vector>

namespace lightbox {

/// Why a study was suggested as a prior of the current one.
enum class PriorMatch { PatientId, NameAndBirthDate };

struct PriorSuggestion {
  IndexedStudy study;
  PriorMatch match = PriorMatch::PatientId;
};

/// The study of `studies` that holds series `seriesUid`, or null (also for an empty UID).
const IndexedStudy* studyOfSeries(const std::vector<IndexedStudy>& studies, const std::string& seriesUid);

/// The studies of `studies` that are priors candidates for the study holding series
/// `currentSeriesUid`: the same patient (the same non-empty Patient ID; else, when either ID is
/// empty, the same non-empty name and birth date), other studies, older first by study date (then
/// time). Empty when the series is not in `studies`.
std::vector<PriorSuggestion> suggestPriors(const std::vector<IndexedStudy>& studies, const std::string& currentSeriesUid);

} // namespace lightbox
