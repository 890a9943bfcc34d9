// SPDX-License-Identifier: Apache-2.0
// `lightbox review`: the saved review of a series, headless, through the same ReadingSession the
// viewer drives: print it, import a detection run, accept and reject findings (saved at once).
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "core/annotation/AnnotationStore.h"
#include "core/io/ImageFileIO.h"
#include "core/review/DetectionImport.h"
#include "core/review/ReadingSession.h"
#include "core/study/StudyLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace lightbox::cli {
namespace {

constexpr const char* kUsage =
    "usage: lightbox review SERIES_OR_PATH [--series INDEX|UID] [--json] [--import DET.json [--fp-per-scan F]]\n"
    "       [--accept all|ID[,ID...]] [--reject ID[,ID...] [--reason TEXT]] [--replace]";

/// The key the viewer saves the series' review under: the Series Instance UID, or the absolute
/// path of a research-format file.
std::string seriesKeyOf(const std::string& path, const std::string& selector) {
  if (isResearchImageFile(path)) return std::filesystem::absolute(path).lexically_normal().string();
  const StudyScan scan = scanStudy(path);
  return selectSeries(scan, selector).header->seriesInstanceUid;
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

nlohmann::json reviewJson(const ReadingSession& session) {
  const FindingsRun& run = session.findingsRun();
  nlohmann::json j;
  j["series"] = session.seriesKey();
  if (session.hasFindingsRun()) {
    j["model"] = {{"name", run.model}, {"version", run.modelVersion}, {"sha256", run.modelSha256},
                  {"backend", run.backend}, {"ran_at", run.ranAt}};
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
                        {"at_operating_point", shown}};
    if (!f.rejectReason.empty()) e["reason"] = f.rejectReason;
    if (!f.editedType.empty()) e["reader_type"] = f.editedType;
    // The AI's size, unless it is its measurement cap; the reader's when measured.
    e["ai_diameter_mm"] = f.sizeCapped ? nlohmann::json() : nlohmann::json(f.diameterMm);
    e["size_capped"] = f.sizeCapped;
    if (f.measurementId) e["reader_diameter_mm"] = session.effectiveDiameter(f);
    findings.push_back(e);
  }
  j["findings"] = findings;
  j["measurements"] = toJson(session.measurements());
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

void printReview(const ReadingSession& session) {
  std::printf("series %s\n", session.seriesKey().c_str());
  if (!session.hasFindingsRun()) {
    std::printf("no detection run in this review\n");
  } else {
    const FindingsRun& run = session.findingsRun();
    std::printf("model %s %s (sha256 %.12s...), operating point %.3g FP/scan (score >= %.3f)\n", run.model.c_str(),
                run.modelVersion.c_str(), run.modelSha256.c_str(), run.fpPerScan, run.threshold());
    std::printf("%-4s %-9s %6s %9s %11s  %-13s %-18s %s\n", "id", "state", "score", "AI diam", "reader diam", "type",
                "centre LPS mm", "reason");
    for (const Finding* f : session.visibleFindings()) {
      char ai[16], reader[16];
      std::snprintf(ai, sizeof(ai), f->sizeCapped ? "unmeasured" : "%.1f", f->diameterMm);
      std::snprintf(reader, sizeof(reader), f->measurementId ? "%.1f" : "-", session.effectiveDiameter(*f));
      std::printf("%-4s %-9s %6.3f %9s %11s  %-13s (%.0f, %.0f, %.0f) %s\n", f->id.c_str(), toString(f->state),
                  f->score, ai, reader, f->effectiveType().c_str(), f->centerLps[0], f->centerLps[1], f->centerLps[2],
                  f->rejectReason.c_str());
    }
    const DecisionSupportInputs support = session.decisionSupport();
    std::printf("Lung-RADS %s (decision support): %s\n", support.lungRads.category.c_str(),
                support.lungRads.rule.c_str());
    for (const DecisionSupportInputs::Brock& b : support.brock) {
      std::printf("Brock %s: %.1f %%\n", b.findingId.c_str(), 100.0 * brockProbability(b.factors));
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
  const Arguments args(rawArgs, {"json", "replace"}, {"series", "import", "fp-per-scan", "accept", "reject", "reason"});
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
  const std::string key = seriesKeyOf(args.positional()[0], args.option("series"));
  if (imported && !imported->seriesUid.empty() && imported->seriesUid != key) {
    throw std::runtime_error(args.option("import") + " was detected on series " + imported->seriesUid + ", not on " +
                             key);
  }
  const AnnotationStore store(AnnotationStore::defaultFolder());
  ReadingSession session = ReadingSession::open(store, key);
  for (const std::string& p : session.openProblems()) std::fprintf(stderr, "warning: %s\n", p.c_str());
  std::string saveProblem;
  session.setProblemObserver([&saveProblem](const std::string& m) { saveProblem = m; });
  if (session.readOnly() && (imported || args.has("accept") || args.has("reject"))) {
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
  if (!saveProblem.empty()) throw std::runtime_error(saveProblem);
  if (args.flag("json")) {
    std::printf("%s\n", reviewJson(session).dump(2).c_str());
  } else {
    printReview(session);
  }
  return kExitOk;
}

} // namespace lightbox::cli
