// SPDX-License-Identifier: Apache-2.0
#include "core/index/PriorSuggestion.h"

#include <algorithm>
#include <tuple>

namespace lightbox {

const IndexedStudy* studyOfSeries(const std::vector<IndexedStudy>& studies, const std::string& seriesUid) {
  if (seriesUid.empty()) return nullptr;
  const IndexedStudy* found = nullptr;
  for (const IndexedStudy& st : studies) {
    for (const IndexedSeries& se : st.series) {
      if (se.seriesInstanceUid == seriesUid) found = &st;
    }
  }
  return found;
}

std::vector<PriorSuggestion> suggestPriors(const std::vector<IndexedStudy>& studies, const std::string& currentSeriesUid) {
  const IndexedStudy* current = studyOfSeries(studies, currentSeriesUid);
  std::vector<PriorSuggestion> out;
  if (!current) return out;
  for (const IndexedStudy& st : studies) {
    if (&st == current || st.studyInstanceUid == current->studyInstanceUid) continue;
    if (!current->patientId.empty() && !st.patientId.empty()) {
      if (st.patientId == current->patientId) out.push_back({st, PriorMatch::PatientId});
    } else if (!current->patientName.empty() && !current->patientBirthDate.empty() &&
               st.patientName == current->patientName && st.patientBirthDate == current->patientBirthDate) {
      out.push_back({st, PriorMatch::NameAndBirthDate});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PriorSuggestion& a, const PriorSuggestion& b) {
    return std::tie(a.study.studyDate, a.study.studyTime) < std::tie(b.study.studyDate, b.study.studyTime);
  });
  return out;
}

} // namespace lightbox
