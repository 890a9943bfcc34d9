// SPDX-License-Identifier: Apache-2.0
#include "ai/nodule/Froc.h"

#include <algorithm>
#include <set>

namespace lightbox {

FrocResult computeFroc(const std::vector<ScanForEvaluation>& scans) {
  struct Event {
    double score;
    int nodule; ///< global index of the counting nodule hit, -1 false positive
  };
  std::vector<Event> events;
  FrocResult r;
  r.scans = scans.size();
  int base = 0;
  for (const ScanForEvaluation& s : scans) {
    std::vector<int> counting(s.reference.size(), -1);
    for (std::size_t n = 0; n < s.reference.size(); ++n) {
      if (s.reference[n].counts) counting[n] = base + int(r.nodules++);
    }
    base = int(r.nodules);
    for (const ScoredPoint& d : s.detections) {
      ++r.detections;
      int hit = -1;
      bool ignored = false;
      double nearest = 1e300;
      for (std::size_t n = 0; n < s.reference.size(); ++n) {
        const double dist = norm(d.centerLps - s.reference[n].centerLps);
        if (dist <= s.reference[n].diameterMm / 2.0) {
          if (counting[n] >= 0 && dist < nearest) {
            nearest = dist;
            hit = counting[n];
          } else if (counting[n] < 0) {
            ignored = true;
          }
        }
      }
      if (hit >= 0) events.push_back({d.score, hit});
      else if (!ignored) events.push_back({d.score, -1});
    }
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.score > b.score; });
  // Operating points after each distinct score.
  struct Step {
    double fpRate, sensitivity, threshold;
  };
  std::vector<Step> steps;
  std::set<int> found;
  std::size_t fp = 0;
  const double scansD = std::max<std::size_t>(1, r.scans), nodulesD = std::max<std::size_t>(1, r.nodules);
  for (std::size_t e = 0; e < events.size(); ++e) {
    if (events[e].nodule >= 0) found.insert(events[e].nodule);
    else ++fp;
    if (e + 1 == events.size() || events[e + 1].score < events[e].score) {
      steps.push_back({double(fp) / scansD, double(found.size()) / nodulesD, events[e].score});
    }
  }
  for (double rate : {0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    FrocPoint p{rate, 0.0, 1.0}; // nothing kept until a step fits
    for (const Step& s : steps) {
      if (s.fpRate <= rate + 1e-12) {
        p.sensitivity = s.sensitivity;
        p.threshold = s.threshold;
      }
    }
    r.points.push_back(p);
    r.cpm += p.sensitivity / 7.0;
  }
  if (!steps.empty()) {
    r.maxSensitivity = steps.back().sensitivity;
    r.fpPerScanAtMax = steps.back().fpRate;
  }
  return r;
}

} // namespace lightbox
