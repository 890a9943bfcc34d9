// SPDX-License-Identifier: Apache-2.0
// `lightbox report`: finalizes the saved review of a series headless, into the same objects as the
// viewer's AI > Finalize report...: DICOM SEG, SR TID 1500, KOS, PDF and Encapsulated PDF.
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/GuiApplication.h"
#include "app/i18n/Translations.h"
#include "app/report/FinalizeReport.h"
#include "core/annotation/AnnotationStore.h"
#include "core/io/ImageFileIO.h"
#include "core/registration/PairRegistrationStore.h"
#include "core/review/ReadingSession.h"
#include "core/review/ReviewGrowth.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/study/StudyLoader.h"

#include <QGuiApplication>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

namespace lightbox::cli {
namespace {

constexpr const char* kUsage =
    "usage: lightbox report SERIES_OR_PATH -o OUTDIR [--reader NAME] [--impression TEXT] [--series INDEX|UID]\n"
    "       [--no-auto-mask] [--nifti] [--csv] [--json] [--prior PRIOR_PATH [--prior-series INDEX|UID]\n"
    "       [--transform TRANSFORM_JSON]] [--confirm-size ID[,ID...]|all] [--language en|zh_CN]\n"
    "  --confirm-size: report these findings' mask sizes although they differ from the AI's by more than 2x\n"
    "  (without it such a report is refused, naming the finding)\n"
    "  --prior: growth of the accepted nodules against the prior series' saved review, matched through the\n"
    "  registration saved with the pair (or --transform, a transform.json of `lightbox register`)\n"
    "  --language: the drafted impression and the PDF's words in this language (default en); the SR's codes stay\n"
    "  standard, the messages here stay English";

/// Growth against the prior series' saved review: through `transformPath` when given, else the
/// registration saved with the pair (the viewer's Ctrl+R); without either, refuses (an unregistered
/// pair would match nodules by raw coordinates).
struct PriorGrowth {
  std::vector<GrowthResult> growth;
  std::string priorStudyDate;
};
PriorGrowth growthAgainstPrior(const ReadingSession& current, const AssembledSeries& currentSeries,
                               const std::string& priorPath, const std::string& priorSeries,
                               const std::string& transformPath, const AnnotationStore& store) {
  const StudyScan scan = scanStudy(priorPath);
  const AssembledSeries& prior = selectSeries(scan, priorSeries);
  const std::string currentKey = currentSeries.header->seriesInstanceUid, priorKey = prior.header->seriesInstanceUid;
  RegistrationTransform transform;
  if (!transformPath.empty()) {
    transform = loadTransform(transformPath);
  } else {
    const std::string path = pairRegistrationPath(store, currentKey, priorKey);
    const std::optional<PairRegistration> saved = loadPairRegistration(path);
    if (!saved) {
      throw std::runtime_error("no registration of the prior " + priorPath + " to this series is saved (" + path +
                               "): register the pair (viewer Ctrl+R) or pass --transform");
    }
    transform = saved->transform;
  }
  const ReadingSession priorReview = ReadingSession::open(store, priorKey);
  for (const std::string& p : priorReview.openProblems()) std::fprintf(stderr, "warning: prior: %s\n", p.c_str());
  const std::string priorStudyDate = prior.header->studyDate;
  return {assessReviewGrowth(current, priorReview, transform, currentSeries.header->studyDate, priorStudyDate),
          priorStudyDate};
}

} // namespace

std::unique_ptr<QGuiApplication> ensureGuiApplication() {
  if (QCoreApplication::instance()) return nullptr;
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  static int argc = 1;
  static char name[] = "lightbox";
  static char* argv[] = {name, nullptr};
  return std::make_unique<QGuiApplication>(argc, argv);
}

int runReport(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"no-auto-mask", "nifti", "csv", "json"},
                       {"o", "reader", "impression", "series", "prior", "prior-series", "transform", "confirm-size", "language"});
  std::optional<ReportLanguage> language = ReportLanguage::English;
  if (args.has("language")) {
    language = parseReportLanguage(args.option("language"));
    if (!language) throw UsageError("unknown --language " + args.option("language") + " (en or zh_CN)\n" + kUsage);
  }
  if (args.positional().size() != 1 || !args.has("o")) throw UsageError(kUsage);
  const std::string path = args.positional()[0];
  if (isResearchImageFile(path)) {
    throw std::runtime_error(path + " is not DICOM: a report's SEG and SR reference the source images, so `lightbox "
                                    "report` needs the DICOM series");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const StudyScan scan = scanStudy(path);
  const AssembledSeries& series = selectSeries(scan, args.option("series"));
  LoadedSeries loaded = loadSeries(series);
  if (loaded.volumes.empty()) throw NoImageSeriesError(path + ": the series could not be loaded");
  const Volume& image = loaded.volumes.front();
  for (const IngestIssue& issue : loaded.issues) {
    std::fprintf(stderr, "warning: %s%s%s\n", issue.path.c_str(), issue.path.empty() ? "" : ": ", issue.message.c_str());
  }

  const std::string key = series.header->seriesInstanceUid;
  const AnnotationStore store(AnnotationStore::defaultFolder());
  const ReadingSession session = ReadingSession::open(store, key);
  for (const std::string& p : session.openProblems()) std::fprintf(stderr, "warning: %s\n", p.c_str());
  const std::string labelsPath = store.labelsPathFor(key);
  LabelMap labels(image.geometry);
  if (std::error_code ec; std::filesystem::exists(labelsPath, ec)) labels = loadLabelMap(labelsPath, image.geometry);

  FinalizeOptions options;
  options.outputFolder = args.option("o");
  options.reader = args.option("reader");
  if (args.has("impression")) options.impression = args.option("impression");
  options.segmentUnmasked = !args.flag("no-auto-mask");
  options.language = *language;
  options.labelMapNifti = args.flag("nifti");
  options.measurementsCsv = args.flag("csv");
  if (args.has("confirm-size")) {
    std::stringstream ids(args.option("confirm-size"));
    for (std::string id; std::getline(ids, id, ',');) {
      if (!id.empty()) options.confirmedSizes.push_back(id);
    }
  }
  if (args.has("prior")) {
    PriorGrowth prior = growthAgainstPrior(session, series, args.option("prior"), args.option("prior-series"),
                                           args.option("transform"), store);
    options.growth = std::move(prior.growth);
    options.priorStudyDate = prior.priorStudyDate;
  } else if (args.has("transform") || args.has("prior-series")) {
    throw UsageError(kUsage);
  }
  const std::unique_ptr<QGuiApplication> app = ensureGuiApplication();
  const ReportPlan plan = planReport(session, labels, image, reportSourceOf(series, image.geometry), options);
  if (!args.flag("json")) std::fputs(plan.summary().c_str(), stdout); // English: no translation installed yet
  // The PDF's words in the report's language.
  if (!applyLanguage(QString::fromLatin1(toCode(*language))))
    throw std::runtime_error(std::string("the ") + toCode(*language) + " translation cannot be loaded");
  const ReportResult result = writeReport(plan, image);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (args.flag("json")) {
    nlohmann::json j;
    j["folder"] = result.folder;
    j["version"] = plan.content.version;
    j["files"] = result.files;
    nlohmann::json objects = nlohmann::json::array();
    for (const ExportedObject& o : result.objects) {
      objects.push_back({{"kind", o.kind}, {"path", o.path}, {"sop_instance_uid", o.sopInstanceUid},
                         {"series_instance_uid", o.seriesInstanceUid}});
    }
    j["objects"] = objects;
    j["findings"] = plan.content.findings.size();
    j["rejected"] = plan.content.rejected;
    j["masks_made"] = plan.madeMasks;
    j["warnings"] = plan.content.warnings;
    if (!plan.content.growth.empty()) {
      nlohmann::json growth = nlohmann::json::array();
      for (const GrowthResult& g : plan.content.growth) {
        growth.push_back({{"id", g.currentId}, {"status", toString(g.status)}, {"prior_id", g.priorId}});
      }
      j["growth"] = growth;
    }
    j["seconds"] = seconds;
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("wrote %zu files in %s (%.2f s):\n", result.files.size(), result.folder.c_str(), seconds);
    for (const std::string& f : result.files) std::printf("  %s\n", f.c_str());
  }
  return kExitOk;
}

} // namespace lightbox::cli
