// SPDX-License-Identifier: Apache-2.0
#include "core/report/ReportContent.h"

#include "core/annotation/ScoreText.h"
#include "core/clinical/LungRads.h"
#include "core/dicom/DcmtkText.h"
#include "core/dicom/SeriesAssembler.h"
#include "core/report/ReportDicom.h"
#include "core/review/FindingMask.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/LabelMap.h"
#include "core/volume/Volume.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>

namespace lightbox {
namespace {

std::string nowIsoLocal() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &local);
  return buf;
}

const char* algorithmTypeOf(const Segment& s) {
  switch (s.origin) {
  case SegmentOrigin::Automatic:
    return "AUTOMATIC";
  case SegmentOrigin::SemiAutomatic:
    return "SEMIAUTOMATIC";
  case SegmentOrigin::Manual:
    return "MANUAL";
  case SegmentOrigin::Imported:
    return s.algorithm.empty() ? "MANUAL" : "SEMIAUTOMATIC";
  }
  return "MANUAL";
}

} // namespace

ReportSource reportSourceOf(const AssembledSeries& series, const VolumeGeometry& geometry) {
  ReportSource s;
  s.geometry = geometry;
  if (series.header) {
    const DicomFileInfo& h = *series.header;
    s.patientName = h.patientName;
    s.patientId = h.patientId;
    s.patientBirthDate = h.patientBirthDate;
    s.patientSex = h.patientSex;
    s.studyInstanceUid = h.studyInstanceUid;
    s.studyDate = h.studyDate;
    s.studyTime = h.studyTime;
    s.studyDescription = h.studyDescription;
    s.accessionNumber = h.accessionNumber;
    s.seriesInstanceUid = h.seriesInstanceUid;
    s.seriesDescription = h.seriesDescription;
    s.seriesNumber = h.seriesNumber;
    s.modality = h.modality;
    s.manufacturer = h.manufacturer;
    s.frameOfReferenceUid = h.frameOfReferenceUid;
  }
  if (series.volumes.empty() || series.volumes.front().slices.empty())
    return s;
  const std::vector<DicomFrame>& slices = series.volumes.front().slices;
  s.representativeFile = slices.front().file->path;
  // Each k of the grid references the source slice nearest to it along the normal.
  std::vector<double> sliceK;
  sliceK.reserve(slices.size());
  for (const DicomFrame& f : slices)
    sliceK.push_back(geometry.lpsToIjk(f.position)[2]);
  s.slices.resize(geometry.size[2]);
  for (std::size_t k = 0; k < geometry.size[2]; ++k) {
    std::size_t best = 0;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (std::size_t n = 0; n < slices.size(); ++n) {
      const double d = std::abs(sliceK[n] - double(k));
      if (d < bestDistance) {
        bestDistance = d;
        best = n;
      }
    }
    const DicomFrame& f = slices[best];
    SourceImage& img = s.slices[k];
    img.sopClassUid = f.file->sopClassUid;
    img.sopInstanceUid = f.file->sopInstanceUid;
    img.frameNumber = f.file->numberOfFrames > 1 ? f.frameIndex + 1 : 0;
    img.file = f.file->path;
    img.instanceNumber = f.instanceNumber;
    img.positionLps = f.position;
    img.exact =
        !series.needsResampling || (bestDistance < 0.05 && std::abs(series.tiltDegrees) < 0.01 &&
                                    f.rows == geometry.size[1] && f.columns == geometry.size[0]);
  }
  s.resampled = series.needsResampling;
  return s;
}

std::string sourceImageText(const ReportSource& source, std::size_t k, bool withPosition) {
  const VolumeGeometry& g = source.geometry;
  const std::size_t n = g.size[2];
  const Vec3 normal = g.direction[2];
  const double z = dot(g.ijkToLps({0, 0, double(k)}),
                       Vec3{std::abs(normal[0]), std::abs(normal[1]), std::abs(normal[2])});
  const std::string where =
      !withPosition ? std::string()
                    : " (" +
                          (std::abs(normal[2]) >= std::max(std::abs(normal[0]), std::abs(normal[1]))
                               ? std::string("z ")
                               : std::string("at ")) +
                          formatNumber("%.1f mm)", z);
  if (k < source.slices.size() && source.slices[k].instanceNumber > 0) {
    const SourceImage& s = source.slices[k];
    std::string text = "image " + std::to_string(s.instanceNumber);
    if (s.frameNumber)
      text += " frame " + std::to_string(s.frameNumber);
    if (!s.exact)
      text += ", nearest acquired";
    return text + where;
  }
  return "slice " + std::to_string(k + 1) + " of " + std::to_string(n) + where;
}

int scoreDecimalsOf(const ReportContent& content) {
  std::vector<double> scores;
  for (const ReportFinding& f : content.findings)
    scores.push_back(f.score);
  return scoreDecimals(scores);
}

std::string formatNumber(const char* printfFormat, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), printfFormat, value);
  return buf;
}

std::string currentIsoTime() {
  return nowIsoLocal();
}

std::string trackingUidFor(const std::string& seriesInstanceUid, const std::string& findingId) {
  return hashedDicomUid("lightbox-finding/" + seriesInstanceUid + "/" + findingId);
}

const GrowthResult* growthOf(const ReportContent& content, const std::string& id) {
  for (const GrowthResult& g : content.growth) {
    if (g.currentId == id)
      return &g;
  }
  return nullptr;
}

std::string growthSentence(const GrowthResult& g) {
  if (g.status == GrowthStatus::New)
    return "new since the prior";
  const std::string when =
      g.intervalDays ? ", " + formatNumber("%.0f", *g.intervalDays) + " days earlier" : "";
  std::string s = std::string(toString(g.status)) + " since the prior (" + g.priorId + when +
                  "): mean diameter " + formatNumber("%.1f", g.priorDiameterMm) + " -> " +
                  formatNumber("%.1f", g.diameterMm) + " mm (" +
                  (g.diameterChangeMm >= 0 ? "+" : "") + formatNumber("%.1f", g.diameterChangeMm) +
                  " mm), volume " + (g.volumeChangePercent >= 0 ? "+" : "") +
                  formatNumber("%.0f", g.volumeChangePercent) + " % (" + g.volumeSource + ")";
  if (g.doublingTimeDays)
    s += ", doubling time " + formatNumber("%.0f", *g.doublingTimeDays) + " days";
  else
    s += ", " + g.doublingNote;
  return s;
}

ReportContent buildReportContent(const ReadingSession& session, const LabelMap& labels,
                                 const Volume& image, const ReportSource& source,
                                 const std::vector<GrowthResult>& growth,
                                 const std::string& priorStudyDate) {
  ReportContent c;
  c.source = source;
  c.growth = growth;
  c.priorStudyDate = priorStudyDate;
  const std::vector<NoduleChange> changes = noduleChanges(growth);
  c.hasRun = session.hasFindingsRun();
  c.run = session.findingsRun();
  c.measurements = session.measurements();
  c.finalizedAt = currentIsoTime();
  const bool sameGrid =
      labels.geometry == image.geometry && labels.labels.size() == image.geometry.voxelCount();
  std::vector<AcceptedNodule> nodules;
  int nextSegment = 1;
  // The one rule (core/review/FindingMask): each reported finding's linked segment, else the
  // reader's (or any) segment at its centre when plausible for it; a segment is one finding's only.
  std::map<std::string, MeasuredFindingMask> masks;
  if (sameGrid) {
    std::vector<const Finding*> reported;
    for (const Finding& f : session.findings()) {
      if (f.state == FindingState::Accepted || f.state == FindingState::Edited)
        reported.push_back(&f);
    }
    masks = measuredFindingMasks(reported, labels, image, source.modality);
    for (const Finding* f : reported) {
      const auto m = masks.find(f->id);
      if (m == masks.end() || m->second.refused.empty())
        continue;
      const Segment* s = labels.segment(m->second.choice.label);
      c.warnings.push_back(
          f->id + ": segment '" + (s ? s->name : std::to_string(m->second.choice.label)) +
          "' near its centre was not taken as its mask (" + m->second.refused + ")");
    }
  }
  const std::vector<const Finding*> visible = session.visibleFindings();
  for (const Finding& f : session.findings()) {
    if (f.state == FindingState::Rejected) {
      ++c.rejected;
      c.rejectedIds.push_back(f.id);
      continue;
    }
    if (f.state == FindingState::Proposed) {
      // Proposals below the operating point were never shown to the reader: not "undecided".
      const bool shown = std::any_of(visible.begin(), visible.end(),
                                     [&f](const Finding* v) { return v->id == f.id; });
      if (shown)
        ++c.undecided;
      continue;
    }
    ReportFinding r;
    r.id = f.id;
    // Finding ids restart with every detection run: the run (model hash, time) is part of the
    // identity.
    r.trackingUid = trackingUidFor(source.seriesInstanceUid,
                                   c.run.modelSha256 + "/" + c.run.ranAt + "/" + f.id);
    r.state = f.state;
    r.type = f.effectiveType();
    r.aiType = f.type;
    r.score = f.score;
    r.probability = f.probability;
    r.centerLps = f.centerLps;
    r.aiDiameterMm = f.diameterMm;
    r.aiSizeCapped = f.sizeCapped;
    const auto mask = masks.find(f.id);
    const bool hasMask = mask != masks.end() && mask->second.refused.empty();
    const FindingMaskChoice choice = hasMask ? mask->second.choice : FindingMaskChoice{};
    const Segment* seg = choice.label ? labels.segment(choice.label) : nullptr;
    const SegmentStats stats = hasMask ? mask->second.stats : SegmentStats{};
    const bool masked = seg != nullptr;
    // The diameter the reader stands behind: the ruler, else the mask as it is in the map now
    // (never the axes the review stored, which an edit outside the viewer may have outdated), else
    // the AI's unless that is its measurement cap.
    if (f.measurementId) {
      r.diameterMm = session.effectiveDiameter(f);
      r.diameterSource = "ruler";
    } else if (masked) {
      r.diameterSource = "mask";
    } else if (f.sizeCapped) {
      r.diameterSource = "unmeasured";
    } else {
      r.diameterMm = f.diameterMm;
      r.diameterSource = "ai";
    }
    if (masked) {
      r.segmentLabel = seg->label;
      r.segmentNumber = nextSegment++;
      r.mask = stats;
      r.maskMatch = toString(choice.match);
      r.sizeDisagreement = maskSizeDisagreement(f, r.mask);
      r.maskAlgorithmType = algorithmTypeOf(*seg);
      r.maskAlgorithm = seg->algorithm;
      r.maskAlgorithmVersion = seg->algorithmVersion;
      r.maskWeightsSha256 = seg->weightsSha256;
      r.keySlice = r.mask.axisSlice;
      if (r.diameterSource == "mask")
        r.diameterMm = lungRadsMeanDiameterMm(r.mask.longAxisMm, r.mask.shortAxisMm);
    } else {
      const Vec3 ijk = source.geometry.lpsToIjk(f.centerLps);
      const double k = std::clamp(std::round(ijk[2]), 0.0,
                                  double(std::max<std::size_t>(source.geometry.size[2], 1) - 1));
      r.keySlice = std::size_t(k);
      if (f.segmentLabel) {
        c.warnings.push_back(
            f.id + ": its segment (label " + std::to_string(f.segmentLabel) +
            ") is missing, empty or another finding's in the label map; reported without a mask");
      }
    }
    if (r.diameterSource == "unmeasured")
      c.unmeasured.push_back(f.id);
    if (r.diameterSource != "unmeasured") {
      // Lung-RADS from the reported diameter (the same rule as the review's decision support).
      const double solid = r.type == "solid"        ? r.diameterMm
                           : r.type == "part-solid" ? std::min(f.solidDiameterMm, r.diameterMm)
                                                    : 0.0;
      nodules.push_back({f.id, r.type, r.diameterMm, solid});
      if (source.modality == "CT")
        r.lungRadsCategory = suggestLungRads({nodules.back()}, changes).category;
    }
    c.findings.push_back(r);
  }
  if (source.modality == "CT")
    c.lungRads = suggestLungRads(nodules, changes); // a chest CT scheme: none on MR
  // What a valid object needs.
  if (source.studyInstanceUid.empty())
    c.blockers.push_back("the series has no Study Instance UID");
  if (source.seriesInstanceUid.empty())
    c.blockers.push_back("the series has no Series Instance UID");
  if (source.slices.empty() || source.representativeFile.empty()) {
    c.blockers.push_back("the series is not DICOM (a research-format file): SEG and SR need source "
                         "images to reference");
  } else {
    for (const SourceImage& s : source.slices) {
      if (s.sopInstanceUid.empty() || s.sopClassUid.empty()) {
        c.blockers.push_back("a source image has no SOP Instance or SOP Class UID (" + s.file +
                             ")");
        break;
      }
    }
  }
  if (source.patientId.empty())
    c.warnings.push_back("the series has no Patient ID: the objects carry it empty");
  if (source.patientName.empty())
    c.warnings.push_back("the series has no Patient's Name: the objects carry it empty");
  // The objects carry the source's patient and study text in UTF-8 (issue 28): bytes its Specific
  // Character Set cannot decode become U+FFFD there, said before anything is written.
  if (!source.representativeFile.empty()) {
    const std::vector<std::string> lossy = undecodableText(source.representativeFile);
    if (!lossy.empty()) {
      std::string names;
      for (const std::string& n : lossy)
        names += (names.empty() ? "" : ", ") + n;
      c.warnings.push_back("the source's " + names +
                           " hold bytes its Specific Character Set cannot decode: the objects "
                           "carry them as U+FFFD (" +
                           source.representativeFile + ")");
    }
  }
  if (source.resampled) {
    c.warnings.push_back("the series was resampled onto an even grid (gaps, uneven spacing or "
                         "gantry tilt): SEG frames "
                         "on interpolated slices are placed by position only, key images are the "
                         "nearest acquired slices");
  }
  if (source.frameOfReferenceUid.empty()) {
    c.warnings.push_back("the series has no Frame of Reference UID: the SEG places its frames by "
                         "the source images only");
  }
  c.impression = draftImpression(c);
  return c;
}

std::vector<std::string> unconfirmedSizes(const ReportContent& content) {
  std::vector<std::string> out;
  for (const ReportFinding& f : content.findings) {
    if (!f.segmentNumber || f.sizeConfirmed || f.sizeDisagreement <= kMaskSizeConfirmFactor)
      continue;
    out.push_back(f.id + ": its mask (" + formatNumber("%.1f", f.mask.longAxisMm) + " x " +
                  formatNumber("%.1f", f.mask.shortAxisMm) + " mm) and the AI's size (" +
                  formatNumber("%.1f", f.aiDiameterMm) + " mm) differ by " +
                  formatNumber("%.1f", f.sizeDisagreement) +
                  "x: confirm the mask's size before it is reported");
  }
  return out;
}

std::string draftImpression(const ReportContent& content) {
  std::string out;
  if (content.findings.empty()) {
    out = content.source.modality == "CT" ? "No pulmonary nodule accepted" : "No finding accepted";
    out += content.hasRun ? " among the AI proposals" : "";
    out += ".";
  }
  for (const ReportFinding& f : content.findings) {
    std::string type = f.type.empty() ? "nodule" : f.type;
    if (!type.empty())
      type[0] = char(std::toupper(static_cast<unsigned char>(type[0])));
    out += (out.empty() ? "" : "\n") + type + (f.type.empty() ? "" : " nodule") + " " + f.id;
    if (f.diameterSource == "unmeasured") {
      out += ", size not measured";
    } else {
      out += " of " + formatNumber("%.1f", f.diameterMm) + " mm";
      if (f.diameterSource == "mask")
        out += " (mean of the mask's long and short axis)";
      if (f.diameterSource == "ruler")
        out += " (measured)";
    }
    if (f.segmentNumber) {
      out += "; mask " + formatNumber("%.1f", f.mask.longAxisMm) + " x " +
             formatNumber("%.1f", f.mask.shortAxisMm) + " mm, " +
             formatNumber("%.2f", f.mask.volumeMl) + " mL";
    }
    if (const GrowthResult* g = growthOf(content, f.id))
      out += "; " + growthSentence(*g);
    out += ".";
  }
  if (!content.lungRads.category.empty() && content.hasRun) {
    out += "\nLung-RADS " + content.lungRads.category + " (decision support, " +
           (content.growth.empty() ? std::string("baseline rules")
                                   : "follow-up rules against the prior") +
           "): " + content.lungRads.management;
  }
  if (!content.unmeasured.empty()) {
    std::string ids;
    for (const std::string& id : content.unmeasured)
      ids += (ids.empty() ? "" : ", ") + id;
    out += "\nNot measured: " + ids + ".";
  }
  return out;
}

std::string dicomDate(const std::string& iso) {
  std::string d;
  for (char ch : iso.substr(0, 10)) {
    if (ch != '-')
      d += ch;
  }
  return d;
}

std::string dicomTime(const std::string& iso) {
  if (iso.size() < 19)
    return "000000";
  return iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2);
}

} // namespace lightbox
