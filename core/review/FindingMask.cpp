// SPDX-License-Identifier: Apache-2.0
#include "core/review/FindingMask.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace lightbox {
namespace {

bool isTaken(const std::vector<std::uint8_t>& taken, std::uint8_t label) {
  return std::find(taken.begin(), taken.end(), label) != taken.end();
}

std::string mm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f mm", v);
  return buf;
}

} // namespace

const char* toString(MaskMatch match) {
  switch (match) {
  case MaskMatch::Linked: return "linked";
  case MaskMatch::ContainsCentre: return "contains its centre";
  case MaskMatch::NearCentre: return "near its centre";
  case MaskMatch::None: break;
  }
  return "none";
}

FindingMaskChoice findingMaskOf(const Finding& f, const LabelMap& labels, const std::vector<std::uint8_t>& taken) {
  const VolumeGeometry& g = labels.geometry;
  if (labels.labels.size() != g.voxelCount() || labels.labels.empty()) return {};
  auto usable = [&](std::uint8_t label) { return label && labels.segment(label) && !isTaken(taken, label); };
  if (f.segmentLabel > 0 && f.segmentLabel < 256) {
    const auto label = std::uint8_t(f.segmentLabel);
    if (usable(label) && labels.count(label) > 0) return {label, MaskMatch::Linked};
  }
  const Vec3 c = g.lpsToIjk(f.centerLps);
  for (int a = 0; a < 3; ++a) {
    // A centre off the grid by more than the grid itself (or not a number) meets no segment.
    if (!std::isfinite(c[a]) || std::abs(c[a]) > 4.0 * double(g.size[a]) + 1e3) return {};
  }
  const long ci = std::lround(c[0]), cj = std::lround(c[1]), ck = std::lround(c[2]);
  auto inside = [&](long i, long j, long k) {
    return i >= 0 && j >= 0 && k >= 0 && i < long(g.size[0]) && j < long(g.size[1]) && k < long(g.size[2]);
  };
  if (inside(ci, cj, ck)) {
    const std::uint8_t at = labels.labels[labels.index(std::size_t(ci), std::size_t(cj), std::size_t(ck))];
    if (usable(at)) return {at, MaskMatch::ContainsCentre};
  }
  // The ball of the finding's radius: voxels per segment, the most wins (ties: the lower label).
  const double radius = std::clamp(0.5 * f.diameterMm, 2.0, 10.0);
  long lo[3], hi[3]; // the ball's index box, clamped to the grid
  const long centre[3] = {ci, cj, ck};
  for (int a = 0; a < 3; ++a) {
    const long reach = long(std::min(std::ceil(radius / std::max(g.spacing[a], 1e-3)) + 1.0, double(g.size[a])));
    lo[a] = std::max(0L, centre[a] - reach);
    hi[a] = std::min(long(g.size[a]) - 1, centre[a] + reach);
  }
  std::map<std::uint8_t, std::size_t> votes;
  for (long k = lo[2]; k <= hi[2]; ++k)
    for (long j = lo[1]; j <= hi[1]; ++j)
      for (long i = lo[0]; i <= hi[0]; ++i) {
        const std::uint8_t v = labels.labels[labels.index(std::size_t(i), std::size_t(j), std::size_t(k))];
        if (!usable(v)) continue;
        if (norm(g.ijkToLps({double(i), double(j), double(k)}) - f.centerLps) <= radius) ++votes[v];
      }
  FindingMaskChoice best;
  std::size_t most = 0;
  for (const auto& [label, n] : votes) {
    if (n > most) {
      most = n;
      best = {label, MaskMatch::NearCentre};
    }
  }
  return best;
}

std::vector<FindingMaskChoice> findingMasksOf(const std::vector<const Finding*>& findings, const LabelMap& labels,
                                              const std::function<bool(const Finding&, std::uint8_t)>& accept) {
  std::vector<FindingMaskChoice> out(findings.size());
  std::vector<std::uint8_t> taken;
  // First every finding's own link: a segment linked to one finding is never another's by position.
  for (std::size_t n = 0; n < findings.size(); ++n) {
    Finding linkedOnly = *findings[n];
    const FindingMaskChoice c = findingMaskOf(linkedOnly, labels, taken);
    if (c.match == MaskMatch::Linked) {
      out[n] = c;
      taken.push_back(c.label);
    }
  }
  // Then the others by position, in order, each segment once.
  for (std::size_t n = 0; n < findings.size(); ++n) {
    if (out[n].match == MaskMatch::Linked) continue;
    Finding unlinked = *findings[n];
    unlinked.segmentLabel = 0;
    const FindingMaskChoice c = findingMaskOf(unlinked, labels, taken);
    if (c.label && (!accept || accept(*findings[n], c.label))) {
      out[n] = c;
      taken.push_back(c.label);
    }
  }
  return out;
}

std::map<std::string, MeasuredFindingMask> measuredFindingMasks(const std::vector<const Finding*>& findings,
                                                                const LabelMap& labels, const Volume& image,
                                                                const std::string& modality) {
  std::map<std::uint8_t, SegmentStats> measured;
  auto statsOf = [&](std::uint8_t label) -> const SegmentStats& {
    auto it = measured.find(label);
    if (it == measured.end()) it = measured.emplace(label, measureSegment(labels, label, &image)).first;
    return it->second;
  };
  std::map<std::string, MeasuredFindingMask> out;
  const std::vector<FindingMaskChoice> choices =
      findingMasksOf(findings, labels, [&](const Finding& f, std::uint8_t label) {
        std::string why = implausibleFindingMask(f, statsOf(label), modality);
        if (why.empty()) return true;
        FindingMaskChoice found = findingMaskOf(f, labels); // how it was found (by position)
        found.label = label;
        out[f.id] = {found, statsOf(label), std::move(why)};
        return false;
      });
  for (std::size_t n = 0; n < findings.size(); ++n) {
    if (choices[n].label) out[findings[n]->id] = {choices[n], statsOf(choices[n].label), {}};
  }
  return out;
}

std::string implausibleFindingMask(const Finding& f, const SegmentStats& mask, const std::string& modality) {
  if (mask.voxels == 0) return "the mask is empty";
  const bool aiSized = !f.sizeCapped && f.diameterMm > 0;
  const double meanAxis = 0.5 * (mask.longAxisMm + mask.shortAxisMm);
  if (aiSized && meanAxis < f.diameterMm / 3.0) {
    char axes[64];
    std::snprintf(axes, sizeof(axes), "%.1f x %.1f mm", mask.longAxisMm, mask.shortAxisMm);
    return std::string("the mask (") + axes + ") is far smaller than the AI's size (" + mm(f.diameterMm) + ")";
  }
  if (modality == "CT" && mask.mean < -850.0) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "the mask's mean is %.0f HU: air, not a lesion", mask.mean);
    return buf;
  }
  const double off = norm(mask.centroidLps - f.centerLps);
  const double allowed = 0.5 * mask.longAxisMm + 0.5 * (aiSized ? f.diameterMm : 0.0) + 2.0;
  if (off > allowed) {
    return "the mask's centre lies " + mm(off) + " from the finding's (more than " + mm(allowed) + ")";
  }
  return {};
}

double maskSizeDisagreement(const Finding& f, const SegmentStats& mask) {
  if (f.sizeCapped || f.diameterMm <= 0 || mask.voxels == 0) return 0.0;
  const double maskSize = 0.5 * (mask.longAxisMm + mask.shortAxisMm);
  if (maskSize <= 0) return 0.0;
  return std::max(maskSize, f.diameterMm) / std::min(maskSize, f.diameterMm);
}

} // namespace lightbox
