// SPDX-License-Identifier: Apache-2.0
// One series of `lightbox batch`: detect, segment, register to the newest prior, draft report.
#include "app/cli/BatchWorker.h"

#include "ai/nodule/DetectionFindings.h"
#include "ai/nodule/DetectionJson.h"
#include "ai/nodule/MaskSizing.h"
#include "ai/nodule/NoduleDetector.h"
#include "ai/registration/LearnedRegistration.h"
#include "ai/runtime/ModelManifest.h"
#include "ai/runtime/ModelRunner.h"
#include "app/cli/GuiApplication.h"
#include "app/report/FinalizeReport.h"
#include "core/annotation/AnnotationStore.h"
#include "core/annotation/ScoreText.h"
#include "core/index/StudyIndex.h"
#include "core/io/IngestJson.h"
#include "core/registration/PairRegistrationStore.h"
#include "core/registration/RegistrationMaps.h"
#include "core/review/FindingMask.h"
#include "core/review/ReadingSession.h"
#include "core/review/ReviewGrowth.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/study/StudyLoader.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace lightbox::cli {
namespace {

/// Less aerated lung than this and the CT is not a chest CT (a head CT has well under 100 mL; the
/// 16-slice LIDC slab about 1 000 mL): detection does not apply.
constexpr double kMinLungMl = 250.0;

bool hasStep(const BatchPlan& plan, const std::string& step) {
  return std::find(plan.steps.begin(), plan.steps.end(), step) != plan.steps.end();
}

void writeText(const fs::path& path, const std::string& text) {
  const std::string why = writeFileAtomically(path.string(), text);
  if (!why.empty()) throw std::runtime_error("cannot write " + path.string() + ": " + why);
}

/// The newest earlier study of the same patient: among the plan's series first (their pre-read
/// lands in this run), else in the local study index. Same modality.
struct PriorChoice {
  std::string seriesUid, path, selector, studyDate;
  bool inPlan = false;
};
std::optional<PriorChoice> newestPrior(const BatchPlan& plan, const BatchSeries& current) {
  std::optional<PriorChoice> best;
  auto consider = [&](const PriorChoice& c) {
    if (c.studyDate.empty() || c.studyDate >= current.studyDate) return;
    if (!best || c.studyDate > best->studyDate) best = c;
  };
  if (current.patientId.empty() || current.studyDate.empty()) return best;
  if (const BatchSeries* s = newestPriorInPlan(plan, current)) return PriorChoice{s->seriesUid, s->path, s->selector, s->studyDate, true};
  try {
    const StudyIndex index(StudyIndex::defaultPath());
    for (const IndexedStudy& st : index.studies()) {
      if (st.patientId != current.patientId || st.studyInstanceUid == current.studyUid) continue;
      for (const IndexedSeries& se : st.series) {
        if (se.modality == current.modality) consider({se.seriesInstanceUid, se.folder, se.seriesInstanceUid, st.studyDate, false});
      }
    }
  } catch (const std::exception&) {
    // No index: priors come from the plan only.
  }
  return best;
}

/// Waits (up to 10 minutes) while a prior of this run is still to be pre-read: its findings are
/// what growth compares. Returns the prior's state then: "done", "failed", "skipped", or
/// "pending"/"running" when it did not finish in time.
std::string waitForPrior(const std::string& outFolder, const std::string& priorUid) {
  std::string state = "pending";
  for (int i = 0; i < 300; ++i) {
    const bool held = BatchSeriesLock::heldByAnyone(outFolder, priorUid);
    const std::optional<BatchRecord> r = loadBatchRecord(outFolder, priorUid);
    state = r ? r->state : "pending";
    if (!held && (state == "done" || state == "failed" || state == "skipped")) return state;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  return state;
}

} // namespace

std::string batchCsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

const char* batchFindingsCsvHeader() {
  return "series_uid,patient_id,study_date,finding,score,probability,type,ai_diameter_mm,size_capped,"
         "mask_long_axis_mm,mask_short_axis_mm,mask_volume_ml,center_x_lps,center_y_lps,center_z_lps,growth\n";
}

BatchRecord runBatchSeries(const std::string& outFolder, const BatchPlan& plan, const BatchSeries& s, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  BatchRecord rec;
  rec.seriesUid = s.seriesUid;
  rec.path = s.path;
  rec.inputHash = s.inputHash;
  rec.state = "done";
  const fs::path folder = batchSeriesFolder(outFolder, s.seriesUid);
  fs::create_directories(folder);
  auto finish = [&](const std::string& state, const std::string& reason) {
    rec.state = state;
    rec.reason = reason;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rec;
  };

  const StudyScan scan = scanStudy(s.path);
  const AssembledSeries& series = selectSeries(scan, s.selector);
  const std::string modality = series.header->modality;
  if (series.isSingleImage) return finish("skipped", "a single image: the steps need a volume");
  if (hasStep(plan, "detect") && modality != "CT") {
    return finish("skipped", "modality " + (modality.empty() ? std::string("unknown") : modality) +
                                 ": nodule detection reads chest CT only");
  }
  LoadedSeries loaded = loadSeries(series);
  if (loaded.volumes.empty()) throw std::runtime_error(s.path + ": the series could not be loaded");
  const Volume& image = loaded.volumes.front();
  const AnnotationStore store(plan.annotations.empty() ? AnnotationStore::defaultFolder() : plan.annotations);

  // The pre-read in memory: the proposals at the operating point stand as accepted (the draft);
  // the reader's review gets the proposals as proposals.
  ReadingSession draft;
  ReadingSession review;
  bool reviewTakesPreRead = false;
  std::vector<std::string> saveProblems;
  // The reader's review as it is now (opened again just before it is written: the reader may be
  // deciding on this series while the model runs).
  auto openReview = [&] {
    review = ReadingSession::open(store, s.seriesUid);
    review.setProblemObserver([&saveProblems](const std::string& m) { saveProblems.push_back(m); });
  };
  auto readerDecided = [](const ReadingSession& r) { return !r.measurements().empty() || anyFindingDecided(r.findings()); };
  // The draft stands behind every proposal at the operating point; returns how many.
  auto acceptShown = [](ReadingSession& session) {
    std::vector<std::string> shown;
    for (const Finding* f : session.visibleFindings()) shown.push_back(f->id);
    for (const std::string& id : shown) session.setFindingState(id, FindingState::Accepted);
    return shown.size();
  };
  openReview();
  if (hasStep(plan, "detect")) {
    const ModelEntry entry = findModel("lightbox-nodule", defaultModelFolders());
    const auto runner = loadVerifiedModel(entry, threads);
    ScanFacts facts;
    facts.modality = modality;
    if (!series.volumes.empty() && !series.volumes.front().slices.empty()) {
      facts.sliceThicknessMm = series.volumes.front().slices.front().sliceThickness;
    }
    DetectionResult r = detectNodules(image, facts, entry.manifest, *runner);
    sizeDetectionFromMasks(r, image, entry.manifest.thresholdForFpPerScan(plan.fpPerScan), threads);
    DetectionFindings found = findingsFromDetection(r, entry.manifest, plan.fpPerScan);
    found.run.source = "batch";
    found.run.sourceFolder = fs::absolute(outFolder).lexically_normal().string();
    nlohmann::json j = detectionToJson(r, entry.manifest, plan.fpPerScan, entry.manifest.thresholdForFpPerScan(plan.fpPerScan));
    j["series"] = {{"path", s.path}, {"series_instance_uid", s.seriesUid}, {"modality", modality},
                   {"geometry", toJson(image.geometry)}};
    writeText(folder / "detection.json", j.dump(2) + "\n");
    for (const std::string& w : r.warnings) rec.stepNotes.push_back("detect: warning: " + w);
    if (r.lungVolumeMl < kMinLungMl) {
      rec.steps.push_back("detect");
      return finish("skipped", "no lungs in the field (" + formatNumber("%.0f", r.lungVolumeMl) +
                                   " mL of aerated lung): not a chest CT, nothing put in its review");
    }

    openReview();
    if (review.readOnly() || !review.openProblems().empty()) {
      std::string why;
      for (const std::string& p : review.openProblems()) why += (why.empty() ? "" : "; ") + p;
      rec.stepNotes.push_back("detect: the series' saved review could not be read (" + why +
                              "): the pre-read is in this folder only");
    } else if (readerDecided(review)) {
      rec.stepNotes.push_back("detect: the reader has decided on this series' review: it is left as it is");
    } else {
      review.applyDetection(found.run, found.findings);
      reviewTakesPreRead = true;
    }
    SeriesAnnotations pre;
    pre.findings = found.findings;
    pre.findingsRun = found.run;
    pre.hasFindingsRun = true;
    draft = ReadingSession(pre);
    const std::size_t shown = acceptShown(draft);
    rec.findings = int(shown);
    rec.stepNotes.push_back("detect: " + std::to_string(r.candidates) + " candidates, " + std::to_string(shown) +
                            " at " + formatNumber("%.2f", plan.fpPerScan) + " FP/scan" +
                            (reviewTakesPreRead ? ", put in the series' review" : ""));
    rec.steps.push_back("detect");
  } else {
    // Later steps on the series' review as the reader left it (nothing decided: its proposals).
    if (readerDecided(review) && hasStep(plan, "report")) {
      throw std::runtime_error("the reader has decided on this series' review: an AI draft would misstate it "
                               "(finalize it in the viewer or with lightbox report), or run without --steps report");
    }
    SeriesAnnotations pre = review.review();
    draft = ReadingSession(pre);
    if (!anyFindingDecided(pre.findings)) acceptShown(draft);
    rec.findings = int(draft.decisionSupport().nodules.size() + draft.decisionSupport().unmeasured.size());
  }

  // Segment: the report's rule for a finding without a mask (model, else classical; an
  // implausible mask refused), linked to the finding in the draft and in the review.
  LabelMap labels(image.geometry);
  FinalizeOptions options;
  options.outputFolder = (folder / "report").string();
  options.aiDraft = true;
  if (hasStep(plan, "segment")) {
    options.segmentUnmasked = true;
    const ReportPlan masks = planReport(draft, labels, image, reportSourceOf(series, image.geometry), options);
    labels = masks.labels;
    const std::string labelsPath = store.labelsPathFor(s.seriesUid);
    // The review's label map takes the masks when it has none, or only masks an earlier pre-read
    // made (never the reader's outlines).
    bool reviewTakesMasks = reviewTakesPreRead;
    if (reviewTakesMasks && fs::exists(labelsPath)) {
      try {
        const LabelMap existing = loadLabelMap(labelsPath, image.geometry);
        static const std::string kMadeByEngine = " (made at finalize)"; // segmentForReport's names
        reviewTakesMasks = std::all_of(existing.segments.begin(), existing.segments.end(), [](const Segment& seg) {
          return seg.name.size() > kMadeByEngine.size() &&
                 seg.name.compare(seg.name.size() - kMadeByEngine.size(), kMadeByEngine.size(), kMadeByEngine) == 0;
        });
      } catch (const std::exception&) {
        reviewTakesMasks = false;
      }
      if (!reviewTakesMasks) rec.stepNotes.push_back("segment: the series' label map has the reader's segments: left as it is");
    }
    std::size_t linked = 0;
    for (const ReportFinding& f : masks.content.findings) {
      if (!f.segmentLabel) continue;
      if (f.sizeDisagreement > kMaskSizeConfirmFactor) {
        // Nobody is there to confirm a mask this far from the AI's size: dropped, said.
        labels.removeSegment(std::uint8_t(f.segmentLabel));
        rec.stepNotes.push_back("segment: " + f.id + ": the mask (" + formatNumber("%.1f", f.mask.longAxisMm) +
                                " mm long axis) differs from the AI's size by " + formatNumber("%.1f", f.sizeDisagreement) +
                                "x: not kept, for the reader to outline");
        continue;
      }
      ++linked;
      draft.setFindingMask(f.id, f.segmentLabel, f.mask.longAxisMm, f.mask.shortAxisMm, f.mask.volumeMl * 1000.0);
      if (reviewTakesMasks) review.setFindingMask(f.id, f.segmentLabel, f.mask.longAxisMm, f.mask.shortAxisMm, f.mask.volumeMl * 1000.0);
    }
    if (reviewTakesMasks && linked) saveLabelMap(labels, labelsPath);
    saveLabelMap(labels, (folder / "labels.lbx").string());
    rec.stepNotes.push_back("segment: " + std::to_string(linked) + " of " + std::to_string(masks.content.findings.size()) +
                            " findings outlined" + (reviewTakesMasks && linked ? ", linked in the series' review" : ""));
    for (const std::string& w : masks.content.warnings) rec.stepNotes.push_back("segment: " + w);
    rec.steps.push_back("segment");
  }
  options.segmentUnmasked = false;

  // Register to the newest prior of the same patient; growth of the draft's nodules against it.
  std::map<std::string, std::string> growthOf;
  if (hasStep(plan, "register")) {
    const std::optional<PriorChoice> prior = newestPrior(plan, s);
    if (!prior) {
      rec.stepNotes.push_back("register: no earlier study of this patient (" +
                              (s.patientId.empty() ? std::string("no Patient ID") : s.patientId) + ")");
    } else {
      std::string priorProblem;
      if (prior->inPlan) {
        const std::string state = waitForPrior(outFolder, prior->seriesUid);
        if (state == "pending" || state == "running") {
          throw BatchPriorNotReady("its prior " + prior->studyDate + " (" + prior->seriesUid + ") is still " + state +
                                   ": growth needs the prior's pre-read; a rerun reads this series after it");
        }
        if (state != "done") priorProblem = "the prior's pre-read " + state;
      }
      const StudyScan priorScan = scanStudy(prior->path);
      LoadedSeries priorLoaded = loadSeries(selectSeries(priorScan, prior->selector));
      if (priorLoaded.volumes.empty()) throw std::runtime_error(prior->path + ": the prior could not be loaded");
      RegistrationOptions ro;
      ro.engine = RegistrationEngine::Affine;
      ro.threads = unsigned(std::max(0, threads));
      const RegistrationResult reg = registerImagesWithAnyEngine(image, priorLoaded.volumes.front(), ro);
      fs::create_directories(folder / "registration");
      saveTransform(reg.transform, (folder / "registration" / "transform.json").string());
      const std::string pairPath = pairRegistrationPath(store, s.seriesUid, prior->seriesUid);
      if (!fs::exists(pairPath)) { // never over the reader's own registration of the pair
        PairRegistration pr;
        pr.currentSeries = s.seriesUid;
        pr.priorSeries = prior->seriesUid;
        pr.engine = "affine";
        pr.createdAt = utcNowIso8601();
        pr.seconds = reg.seconds;
        pr.foldingFraction = reg.transform.foldingFraction();
        pr.transform = reg.transform;
        savePairRegistration(pairPath, pr);
      }
      const ReadingSession priorReview = ReadingSession::open(store, prior->seriesUid);
      if (priorProblem.empty() && !priorReview.hasFindingsRun() && priorReview.measurements().empty()) {
        priorProblem = "the prior has no review nor pre-read";
      }
      if (priorProblem.empty()) {
        // Without the prior's findings every nodule would read "new": growth only against a read prior.
        options.growth = assessReviewGrowth(draft, priorReview, reg.transform, s.studyDate, prior->studyDate);
        options.priorStudyDate = prior->studyDate;
        for (const GrowthResult& g : options.growth) growthOf[g.currentId] = toString(g.status);
      }
      const RegistrationQuality q = registrationQuality(image, priorLoaded.volumes.front(), reg.transform, unsigned(std::max(0, threads)));
      rec.stepNotes.push_back("register: prior " + prior->studyDate + " (" + prior->seriesUid + "), affine, quality " +
                              formatNumber("%.2f", q.medianLocalNcc) + (q.checkAlignment ? " (check the alignment)" : "") + ", " +
                              (priorProblem.empty() ? std::to_string(options.growth.size()) + " nodules compared"
                                                    : priorProblem + ": growth not compared"));
    }
    rec.steps.push_back("register");
  }

  // The draft report (never finalised for a reader): always v1, rewritten on every run.
  if (hasStep(plan, "report")) {
    std::error_code ec;
    fs::remove_all(folder / "report", ec);
    const auto app = ensureGuiApplication();
    ReportPlan report = planReport(draft, labels, image, reportSourceOf(series, image.geometry), options);
    if (!report.content.blockers.empty()) {
      std::string why;
      for (const std::string& b : report.content.blockers) why += (why.empty() ? "" : "; ") + b;
      rec.stepNotes.push_back("report: not written: " + why);
    } else {
      confirmSizes(report, {"all"}); // a draft: a size the AI and the mask disagree on is listed, not blocking
      const ReportResult written = writeReport(report, image);
      rec.stepNotes.push_back("report: AI draft in " + written.folder);
    }
    rec.steps.push_back("report");
  }
  rec.worstLungRads = draft.hasFindingsRun() ? draft.decisionSupport().lungRads.category : "";

  // findings.csv: the draft's findings (those at the operating point) with their masks and growth.
  std::ostringstream csv;
  csv << batchFindingsCsvHeader();
  // Scores as the viewer shows them: truncated, with as many decimals as keep different ones apart.
  std::vector<double> scores;
  for (const Finding* f : draft.visibleFindings()) {
    scores.push_back(f->score);
    scores.push_back(f->probability);
  }
  const int decimals = scoreDecimals(scores);
  for (const Finding* f : draft.visibleFindings()) {
    const auto g = growthOf.find(f->id);
    csv << batchCsvField(s.seriesUid) << ',' << batchCsvField(s.patientId) << ',' << s.studyDate
        << ',' << f->id << ',' << scoreText(f->score, decimals) << ','
        << scoreText(f->probability, decimals) << ',' << f->type << ','
        << (f->sizeCapped ? std::string() : formatNumber("%.1f", f->diameterMm)) << ','
        << (f->sizeCapped ? 1 : 0) << ','
        << (f->segmentLabel ? formatNumber("%.1f", f->maskLongAxisMm) : std::string()) << ','
        << (f->segmentLabel ? formatNumber("%.1f", f->maskShortAxisMm) : std::string()) << ','
        << (f->segmentLabel ? formatNumber("%.3f", f->maskVolumeMm3 / 1000.0) : std::string())
        << ',' << formatNumber("%.1f", f->centerLps[0]) << ','
        << formatNumber("%.1f", f->centerLps[1]) << ',' << formatNumber("%.1f", f->centerLps[2])
        << ',' << (g == growthOf.end() ? std::string() : g->second) << '\n';
  }
  writeText(folder / "findings.csv", csv.str());
  for (const std::string& p : saveProblems) rec.stepNotes.push_back("review: not saved: " + p);
  return finish("done", "");
}

} // namespace lightbox::cli
