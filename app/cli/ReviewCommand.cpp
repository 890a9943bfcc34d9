// SPDX-License-Identifier: Apache-2.0
// `lightbox review`: the saved review of a series, headless, through the same ReadingSession the
// viewer drives: print it, import a detection run, accept and reject findings (saved at once).
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "core/annotation/AnnotationStore.h"
#include "core/annotation/ScoreText.h"
#include "core/clinical/PatientAge.h"
#include "core/io/ImageFileIO.h"
#include "core/review/DetectionImport.h"
#include "core/review/FindingMask.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/segmentation/ModalityRecognition.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace lightbox::cli {
namespace {

constexpr const char* kUsage =
    "usage: lightbox review SERIES_OR_PATH [--series INDEX|UID] [--json] [--import DET.json [--fp-per-scan F]]\n"
    "       [--accept all|ID[,ID...]] [--reject ID[,ID...] [--reason TEXT]] [--replace] [--link-masks]\n"
    "  --link-masks: link each accepted finding to its lesion's segment in the saved label map (the\n"
    "  viewer's rule: its linked segment, else the segment at its centre), when that mask is plausible";

/// The series a review is about: the key the viewer saves it under (the Series Instance UID, or
/// the absolute path of a research-format file) and what DICOM says of the patient.
struct ReviewedSeries {
  std::string key;
  std::string modality;
  PatientAgeFact age;
  std::string sex;
  std::string
      recognised; ///< a research file's modality as recognised from its values, said in the output
};

ReviewedSeries reviewedSeriesOf(const std::string& path, const std::string& selector) {
  ReviewedSeries r;
  if (isResearchImageFile(path)) {
    r.key = std::filesystem::absolute(path).lexically_normal().string();
    return r;
  }
  const StudyScan scan = scanStudy(path);
  const DicomFileInfo& h = *selectSeries(scan, selector).header;
  r.key = h.seriesInstanceUid;
  r.modality = h.modality;
  r.age = patientAgeOf(h.patientAge, h.patientBirthDate, h.studyDate);
  r.sex = h.patientSex == "F" || h.patientSex == "M" ? h.patientSex : "";
  return r;
}

/// Each accepted or edited finding's lesion mask by the report's rule (measuredFindingMasks): the
/// segments refused for a finding are kept to say why.
std::map<std::string, MeasuredFindingMask> masksOfFindings(const ReadingSession& session, const LabelMap& labels,
                                                           const Volume& image, const std::string& modality) {
  std::vector<const Finding*> decided;
  for (const Finding& f : session.findings()) {
    if (f.state == FindingState::Accepted || f.state == FindingState::Edited) decided.push_back(&f);
  }
  return measuredFindingMasks(decided, labels, image, modality);
}

std::vector<std::string> splitIds(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string id;
  while (std::getline(ss, id, ',')) {
    if (!id.empty()) out.push_back(id);
  }
  return out;
}

nlohmann::json reviewJson(const ReadingSession& session, const ReviewedSeries& series,
                          const std::map<std::string, MeasuredFindingMask>& masks) {
  const FindingsRun& run = session.findingsRun();
  nlohmann::json j;
  j["series"] = session.seriesKey();
  if (!series.recognised.empty())
    j["modality_recognised"] = series.recognised;
  if (session.hasFindingsRun()) {
    j["model"] = {{"name", run.model}, {"version", run.modelVersion}, {"sha256", run.modelSha256},
                  {"backend", run.backend}, {"ran_at", run.ranAt}};
    if (!run.source.empty()) j["model"]["source"] = {{"kind", run.source}, {"folder", run.sourceFolder}};
    j["operating_point"] = {{"fp_per_scan", run.fpPerScan}, {"threshold", run.threshold()}};
    j["warnings"] = run.warnings;
  }
  nlohmann::json findings = nlohmann::json::array();
  const std::vector<const Finding*> visible = session.visibleFindings();
  for (const Finding& f : session.findings()) {
    const bool shown = std::find(visible.begin(), visible.end(), &f) != visible.end();
    nlohmann::json e = {{"id", f.id},
                        {"state", toString(f.state)},
                        {"score", f.score},
                        {"probability", f.probability},
                        {"type", f.type},
                        {"center_lps", f.centerLps},
                        {"size_source", f.sizeSource},
                        {"at_operating_point", shown}};
    if (!f.rejectReason.empty()) e["reason"] = f.rejectReason;
    if (!f.editedType.empty()) e["reader_type"] = f.editedType;
    // The AI's size, unless it is its measurement cap; the reader's when measured.
    e["ai_diameter_mm"] = f.sizeCapped ? nlohmann::json() : nlohmann::json(f.diameterMm);
    e["size_capped"] = f.sizeCapped;
    if (f.measurementId) e["reader_diameter_mm"] = session.effectiveDiameter(f);
    if (const auto m = masks.find(f.id); m != masks.end()) {
      const MeasuredFindingMask& mask = m->second;
      e["mask"] = {{"label", mask.choice.label}, {"match", toString(mask.choice.match)},
                   {"long_axis_mm", mask.stats.longAxisMm}, {"short_axis_mm", mask.stats.shortAxisMm},
                   {"volume_ml", mask.stats.volumeMl}, {"linked", f.segmentLabel == mask.choice.label}};
      if (!mask.refused.empty()) e["mask"]["refused"] = mask.refused;
    }
    findings.push_back(e);
  }
  j["findings"] = findings;
  j["measurements"] = toJson(session.measurements());
  j["patient"] = {{"age_years", session.patientFactors().ageYears > 0 ? nlohmann::json(session.patientFactors().ageYears)
                                                                      : nlohmann::json()},
                  {"age_source", session.patientFactors().ageYears > 0 && session.patientFactors().ageYears == series.age.years.value_or(0)
                                     ? series.age.source
                                     : session.patientFactors().ageYears > 0 ? "entered by the reader" : "unknown: Brock assumes 62"},
                  {"sex", session.patientFactors().sex}};
  const DecisionSupportInputs support = session.decisionSupport();
  if (session.hasFindingsRun()) {
    j["lung_rads"] = {{"category", support.lungRads.category}, {"nodule", support.lungRads.nodule},
                      {"rule", support.lungRads.rule}, {"management", support.lungRads.management},
                      {"unmeasured", support.unmeasured}};
    nlohmann::json brock = nlohmann::json::array();
    for (const DecisionSupportInputs::Brock& b : support.brock) {
      brock.push_back({{"finding", b.findingId}, {"probability", brockProbability(b.factors)}});
    }
    j["brock"] = brock;
  }
  return j;
}

void printReview(const ReadingSession& session, const ReviewedSeries& series,
                 const std::map<std::string, MeasuredFindingMask>& masks) {
  std::printf("series %s\n", session.seriesKey().c_str());
  if (!series.recognised.empty())
    std::printf("modality %s\n", series.recognised.c_str());
  if (!session.hasFindingsRun()) {
    std::printf("no detection run in this review\n");
  } else {
    const FindingsRun& run = session.findingsRun();
    std::printf("model %s %s (sha256 %.12s...), operating point %.3g FP/scan (score >= %.4g)\n", run.model.c_str(),
                run.modelVersion.c_str(), run.modelSha256.c_str(), run.fpPerScan, run.threshold());
    std::printf("%-4s %-9s %11s %9s %11s  %-13s %-18s %s\n", "id", "state", "score", "AI diam", "reader diam", "type",
                "centre LPS mm", "reason");
    std::vector<double> scores;
    for (const Finding* f : session.visibleFindings()) scores.push_back(f->score);
    const int decimals = scoreDecimals(scores);
    for (const Finding* f : session.visibleFindings()) {
      char ai[16], reader[16];
      std::snprintf(ai, sizeof(ai), f->sizeCapped ? "unmeasured" : "%.1f", f->diameterMm);
      std::snprintf(reader, sizeof(reader), f->measurementId ? "%.1f" : "-", session.effectiveDiameter(*f));
      std::printf("%-4s %-9s %11s %9s %11s  %-13s (%.0f, %.0f, %.0f) %s\n", f->id.c_str(), toString(f->state),
                  scoreText(f->score, decimals).c_str(), ai, reader, f->effectiveType().c_str(), f->centerLps[0], f->centerLps[1], f->centerLps[2],
                  f->rejectReason.c_str());
    }
    const DecisionSupportInputs support = session.decisionSupport();
    std::printf("Lung-RADS %s (decision support): %s\n", support.lungRads.category.c_str(),
                support.lungRads.rule.c_str());
    for (const DecisionSupportInputs::Brock& b : support.brock) {
      std::printf("Brock %s: %.1f %%\n", b.findingId.c_str(), 100.0 * brockProbability(b.factors));
    }
    if (!support.brock.empty()) {
      const int age = session.patientFactors().ageYears;
      std::printf("Brock age: %s\n", age <= 0 ? "unknown, 62 assumed"
                                     : (std::to_string(age) + (age == series.age.years.value_or(0) ? " (from " + series.age.source + ")"
                                                                                                 : std::string(" (entered)"))).c_str());
    }
    for (const auto& [id, m] : masks) {
      std::printf("%s mask: segment %d (%s), %.1f x %.1f mm, %.2f mL%s%s\n", id.c_str(), int(m.choice.label),
                  toString(m.choice.match), m.stats.longAxisMm, m.stats.shortAxisMm, m.stats.volumeMl,
                  session.finding(id) && session.finding(id)->segmentLabel == m.choice.label ? ", linked" : ", not linked",
                  m.refused.empty() ? "" : ("; refused: " + m.refused).c_str());
    }
    for (const std::string& id : support.unmeasured) {
      std::printf("%s: accepted but its size is unmeasured (the AI's profile hit its cap): measure it\n", id.c_str());
    }
  }
  std::printf("%zu measurement(s)\n", session.measurements().size());
  for (const Measurement& m : session.measurements()) {
    std::printf("  %d %s %s\n", m.id, toString(m.kind), describe(m, nullptr).c_str());
  }
}

} // namespace

int runReview(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"json", "replace", "link-masks"},
                       {"series", "import", "fp-per-scan", "accept", "reject", "reason"});
  if (args.positional().size() != 1) throw UsageError(kUsage);
  if (args.has("fp-per-scan") && !args.has("import")) {
    throw UsageError("option --fp-per-scan needs --import (it chooses the imported run's operating point)");
  }
  if (args.has("reason") && !args.has("reject")) throw UsageError("option --reason needs --reject");
  std::optional<double> fpPerScan;
  if (args.has("fp-per-scan")) fpPerScan = args.number("fp-per-scan", 1.0, 1e-3, 1e3);
  std::optional<ImportedDetection> imported;
  if (args.has("import")) {
    const std::string file = args.option("import");
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
      imported = importDetection(j, fpPerScan);
    } catch (const std::exception& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
  }
  ReviewedSeries series = reviewedSeriesOf(args.positional()[0], args.option("series"));
  const std::string& key = series.key;
  if (imported && !imported->seriesUid.empty() && imported->seriesUid != key) {
    throw std::runtime_error(args.option("import") + " was detected on series " + imported->seriesUid + ", not on " +
                             key);
  }
  const AnnotationStore store(AnnotationStore::defaultFolder());
  ReadingSession session = ReadingSession::open(store, key);
  for (const std::string& p : session.openProblems()) std::fprintf(stderr, "warning: %s\n", p.c_str());
  std::string saveProblem;
  session.setProblemObserver([&saveProblem](const std::string& m) { saveProblem = m; });
  session.setPatientDefaults(series.age.years.value_or(0), series.sex); // not saved unless something else is
  if (session.readOnly() && (imported || args.has("accept") || args.has("reject") || args.flag("link-masks"))) {
    throw std::runtime_error("the saved review of " + key + " could not be read nor moved aside: nothing is changed");
  }
  // Everything is checked before anything is saved: a bad id never leaves a half-applied review.
  const std::vector<Finding>& target = imported ? imported->findings : session.findings();
  auto idsOf = [&](const std::string& option) {
    std::vector<std::string> ids = splitIds(args.option(option));
    for (const std::string& id : ids) {
      const bool known = id == "all" || std::any_of(target.begin(), target.end(), [&](const Finding& f) { return f.id == id; });
      if (!known) throw UsageError("option --" + option + ": no finding '" + id + "' in this review");
    }
    if (std::count(ids.begin(), ids.end(), "all") && ids.size() > 1) {
      throw UsageError("option --" + option + ": 'all' stands alone");
    }
    return ids;
  };
  const std::vector<std::string> accept = args.has("accept") ? idsOf("accept") : std::vector<std::string>{};
  const std::vector<std::string> reject = args.has("reject") ? idsOf("reject") : std::vector<std::string>{};
  if (imported && !args.flag("replace")) {
    // The command line has no undo: a new run never silently replaces the reader's decisions.
    std::string decided;
    for (const Finding& f : session.findings()) {
      if (f.state != FindingState::Proposed) decided += (decided.empty() ? "" : ", ") + f.id;
    }
    if (!decided.empty()) {
      throw std::runtime_error("the review of " + key + " has decisions (" + decided +
                               ") that --import would replace; add --replace to do so");
    }
  }
  if (imported) session.applyDetection(imported->run, std::move(imported->findings));
  auto decide = [&](std::vector<std::string> ids, FindingState state, const std::string& reason) {
    if (ids.size() == 1 && ids.front() == "all") {
      ids.clear();
      for (const Finding* f : session.visibleFindings()) {
        if (f->state == FindingState::Proposed) ids.push_back(f->id);
      }
    }
    for (const std::string& id : ids) session.setFindingState(id, state, reason);
  };
  decide(accept, FindingState::Accepted, {});
  decide(reject, FindingState::Rejected, args.option("reason", "rejected on the command line"));

  // The findings' masks in the label map saved beside the review (the viewer's segments).
  std::map<std::string, MeasuredFindingMask> masks;
  const std::string labelsPath = store.labelsPathFor(key);
  LoadedSeries loaded; // only when a label map is saved: its grid and the image's values
  if (std::error_code ec; std::filesystem::exists(labelsPath, ec)) {
    try {
      loaded = loadPath(args.positional()[0], args.option("series"));
    } catch (const std::exception& e) {
      if (args.flag("link-masks")) throw;
      std::fprintf(stderr, "warning: the masks are not shown: %s\n", e.what()); // the review itself still is
    }
    if (loaded.volumes.empty() && args.flag("link-masks")) {
      throw NoImageSeriesError(args.positional()[0] + ": the series could not be loaded, so its masks cannot be linked");
    }
  }
  if (std::error_code ec; std::filesystem::exists(labelsPath, ec) && !loaded.volumes.empty()) {
    // A research file has no modality: recognised from its values as the viewer does, so a CT's
    // masks are checked in HU (a mask of air is refused) here as there. A DICOM series says its
    // modality (an MR's units stay empty).
    if (const auto r = isResearchImageFile(args.positional()[0])
                           ? recogniseMissingUnits(loaded.volumes)
                           : std::nullopt) {
      series.recognised = r->modality + " (recognised from its values: " + r->evidence + ")";
    }
    const Volume& image = loaded.volumes.front();
    LabelMap labels;
    try {
      labels = loadLabelMap(labelsPath, image.geometry);
    } catch (const std::exception& e) {
      if (args.flag("link-masks")) throw;
      std::fprintf(stderr, "warning: %s\n", e.what()); // the review itself is still shown
    }
    const std::string modality = series.modality.empty() && image.units == "HU" ? "CT" : series.modality;
    masks = masksOfFindings(session, labels, image, modality);
    if (args.flag("link-masks")) {
      for (const auto& [id, m] : masks) {
        const Finding* f = session.finding(id);
        if (!f || f->segmentLabel == m.choice.label || !m.refused.empty()) continue;
        session.setFindingMask(id, m.choice.label, m.stats.longAxisMm, m.stats.shortAxisMm, m.stats.volumeMl * 1000.0);
      }
      masks = masksOfFindings(session, labels, image, modality); // as linked now
    }
  } else if (args.flag("link-masks")) {
    std::fprintf(stderr, "warning: no label map is saved for %s (%s): no mask to link\n", key.c_str(), labelsPath.c_str());
  }
  if (!saveProblem.empty()) throw std::runtime_error(saveProblem);
  if (args.flag("json")) {
    std::printf("%s\n", reviewJson(session, series, masks).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    printReview(session, series, masks);
  }
  return kExitOk;
}

} // namespace lightbox::cli
