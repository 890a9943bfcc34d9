// SPDX-License-Identifier: Apache-2.0
// Finalize: the reviewed series becomes SEG + SR + PDF + Encapsulated PDF + KOS in a new version
// folder. Shared by the viewer (AI > Finalize report...) and `lightbox report`.
#include "app/report/FinalizeReport.h"

#include "app/i18n/Terms.h"

#include "ai/segmentation/LesionModelEngine.h"
#include "app/i18n/CoreMessages.h"
#include "app/report/ReportPdf.h"
#include "core/annotation/ScoreText.h"
#include "core/index/StudyIndex.h"
#include "core/io/ImageFileIO.h"
#include "core/report/DicomSegExport.h"
#include "core/report/EncapsulatedPdf.h"
#include "core/report/MeasurementReportSr.h"
#include "core/review/FindingMask.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/ClassicalSegmenter.h"
#include "core/segmentation/SegmentTools.h"
#include "core/util/AtomicFile.h"
#include "core/util/JsonNumbers.h"
#include "core/volume/Volume.h"

#include <QCoreApplication>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

nlohmann::json toJson(const ExportedObject& o) {
  return {{"kind", o.kind},
          {"file", fs::path(o.path).filename().string()},
          {"sop_class_uid", o.sopClassUid},
          {"sop_instance_uid", o.sopInstanceUid},
          {"series_instance_uid", o.seriesInstanceUid},
          {"study_instance_uid", o.studyInstanceUid}};
}

/// Gives a finding the engine's mask at its centre (model, else classical). False when none came.
bool segmentForReport(ReportFinding& f, LabelMap& labels, const Volume& image, const std::string& modality,
                      const LesionModelEngine* model, std::vector<std::string>& warnings) {
  const std::uint8_t label = labels.freeLabel();
  if (!label) {
    warnings.push_back(f.id + ": no free label for its mask; reported without one");
    return false;
  }
  LesionMask lesion;
  try {
    lesion = model ? model->segment(image, f.centerLps) : segmentClassical(image, f.centerLps);
  } catch (const std::exception& e) {
    warnings.push_back(f.id + ": no mask could be made at its centre (" + e.what() + "); reported without one");
    return false;
  }
  if (!model && !lesion.warning.empty()) {
    warnings.push_back(f.id + ": the classical engine leaked (" + lesion.warning + "); reported without a mask");
    return false;
  }
  // Never over another segment (writeMask leaves their voxels): the reader's masks win.
  writeMask(labels, lesion.box, lesion.mask, label);
  const std::size_t voxels = labels.count(label);
  if (!voxels) {
    warnings.push_back(f.id + ": the engine found nothing at its centre; reported without a mask");
    return false;
  }
  // A mask that cannot be this finding's lesion (a sliver beside another segment, air, off its
  // centre) is never reported.
  Finding asFound;
  asFound.centerLps = f.centerLps;
  asFound.diameterMm = f.aiDiameterMm;
  asFound.sizeCapped = f.aiSizeCapped;
  const SegmentStats stats = measureSegment(labels, label, &image);
  if (const std::string why = implausibleFindingMask(asFound, stats, modality); !why.empty()) {
    std::replace(labels.labels.begin(), labels.labels.end(), label, std::uint8_t(0));
    warnings.push_back(f.id + ": the mask made at its centre was refused (" + why + "); reported without a mask");
    return false;
  }
  static const std::uint8_t cyan[3] = {0, 200, 255};
  const Segment s = engineSegment(label, f.id + " (made at finalize)", cyan, lesion, voxels);
  labels.segments.push_back(s);
  f.segmentLabel = label;
  f.mask = stats;
  f.maskMatch = "made at finalize";
  f.sizeDisagreement = maskSizeDisagreement(asFound, stats);
  f.maskAlgorithmType = "AUTOMATIC";
  f.maskAlgorithm = s.algorithm;
  f.maskAlgorithmVersion = s.algorithmVersion;
  f.maskWeightsSha256 = s.weightsSha256;
  f.maskMadeAtFinalize = true;
  f.keySlice = f.mask.axisSlice;
  return true;
}

std::string csvOf(const ReportContent& c) {
  // Scores as the viewer and the PDF show them: truncated, with as many decimals as keep the
  // findings' different scores apart (a rounded 0.9999766 read 1.000, tied with its neighbours).
  const int decimals = scoreDecimalsOf(c);
  std::ostringstream out;
  out << "id,tracking_uid,state,type,diameter_mm,diameter_source,long_axis_mm,short_axis_mm,volume_ml,mean,sd,"
         "ai_score,lung_rads,segment_number\n";
  for (const ReportFinding& f : c.findings) {
    out << f.id << ',' << f.trackingUid << ',' << toString(f.state) << ',' << f.type << ',' << formatNumber("%.1f", f.diameterMm)
        << ',' << f.diameterSource << ',';
    if (f.segmentNumber) {
      out << formatNumber("%.1f", f.mask.longAxisMm) << ',' << formatNumber("%.1f", f.mask.shortAxisMm) << ','
          << formatNumber("%.3f", f.mask.volumeMl) << ',' << formatNumber("%.1f", f.mask.mean) << ',' << formatNumber("%.1f", f.mask.sd);
    } else {
      out << ",,,,";
    }
    out << ',' << scoreText(f.score, decimals) << ',' << f.lungRadsCategory << ','
        << f.segmentNumber << '\n';
  }
  return out.str();
}

} // namespace

int latestReportVersion(const std::string& outputFolder, const std::string& seriesInstanceUid,
                        std::vector<ExportedObject>* objects) {
  int latest = 0;
  std::error_code ec;
  if (!fs::is_directory(outputFolder, ec)) return 0;
  for (const fs::directory_entry& e : fs::directory_iterator(outputFolder, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() < 2 || name[0] != 'v' || name.find_first_not_of("0123456789", 1) != std::string::npos) continue;
    std::ifstream in(e.path() / "report.json");
    if (!in) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const std::exception&) {
      continue; // not ours, or damaged: never referenced
    }
    if (j.value("series_instance_uid", "") != seriesInstanceUid) continue;
    const int version = jsonInteger(j, "version", 0);
    if (version <= latest) continue;
    latest = version;
    if (objects) {
      objects->clear();
      for (const nlohmann::json& o : j.value("objects", nlohmann::json::array())) {
        ExportedObject x;
        x.kind = o.value("kind", "");
        x.path = (e.path() / o.value("file", "")).string();
        x.sopClassUid = o.value("sop_class_uid", "");
        x.sopInstanceUid = o.value("sop_instance_uid", "");
        x.seriesInstanceUid = o.value("series_instance_uid", "");
        x.studyInstanceUid = o.value("study_instance_uid", "");
        objects->push_back(x);
      }
    }
  }
  return latest;
}

void setReportFolder(ReportPlan& plan, const std::string& outputFolder) {
  ReportContent& c = plan.content;
  plan.options.outputFolder = outputFolder;
  c.version = latestReportVersion(outputFolder, c.source.seriesInstanceUid, &c.previous) + 1;
  // Never over an existing folder (e.g. one written for another series).
  std::error_code ec;
  while (fs::exists(fs::path(outputFolder) / ("v" + std::to_string(c.version)), ec)) ++c.version;
  plan.folder = (fs::path(outputFolder) / ("v" + std::to_string(c.version))).string();
}

std::string defaultReportFolder(const std::string& studyInstanceUid) {
  const fs::path index = StudyIndex::defaultPath();
  return (index.parent_path() / "reports" / (studyInstanceUid.empty() ? "unknown-study" : studyInstanceUid)).string();
}

ReportPlan planReport(const ReadingSession& session, const LabelMap& labels, const Volume& image,
                      const ReportSource& source, const FinalizeOptions& options) {
  ReportPlan plan;
  plan.options = options;
  plan.labels = labels;
  if (plan.labels.geometry != image.geometry) plan.labels = LabelMap(image.geometry);
  plan.content = buildReportContent(session, plan.labels, image, source, options.growth, options.priorStudyDate);
  ReportContent& c = plan.content;
  c.reader = options.reader;
  setReportFolder(plan, options.outputFolder);

  if (options.segmentUnmasked && c.blockers.empty()) {
    std::unique_ptr<LesionModelEngine> model;
    bool tried = false;
    for (ReportFinding& f : c.findings) {
      if (f.segmentLabel) continue;
      if (!tried) {
        std::string why;
        model = loadLesionModel(why);
        if (!model) c.warnings.push_back("the segmentation model cannot be used (" + why + "): classical engine");
        tried = true;
      }
      if (segmentForReport(f, plan.labels, image, c.source.modality, model.get(), c.warnings)) plan.madeMasks.push_back(f.id);
    }
    // Segment numbers follow the findings' order.
    int number = 1;
    for (ReportFinding& f : c.findings) f.segmentNumber = f.segmentLabel ? number++ : 0;
  }
  confirmSizes(plan, options.confirmedSizes);
  c.language = options.language;
  c.impression = options.impression ? *options.impression : draftImpression(c, options.language);
  c.aiDraft = options.aiDraft;
  if (c.aiDraft) {
    c.impression = (options.language == ReportLanguage::SimplifiedChinese ? std::string("AI 草稿，未经放射科医师审阅。")
                                                                          : std::string("AI draft, not reviewed by a radiologist. ")) +
                   c.impression;
  }

  const bool anyMask = std::any_of(c.findings.begin(), c.findings.end(), [](const ReportFinding& f) { return f.segmentNumber > 0; });
  if (anyMask) plan.files.push_back("seg.dcm");
  plan.files.insert(plan.files.end(), {"sr.dcm", "report.pdf", "report-pdf.dcm", "kos.dcm"});
  if (options.labelMapNifti) plan.files.push_back("labels.nii.gz");
  if (options.measurementsCsv) plan.files.push_back("measurements.csv");
  plan.files.push_back("report.json");
  return plan;
}

void confirmSizes(ReportPlan& plan, const std::vector<std::string>& findingIds) {
  plan.options.confirmedSizes = findingIds;
  const bool all = std::find(findingIds.begin(), findingIds.end(), "all") != findingIds.end();
  for (ReportFinding& f : plan.content.findings) {
    f.sizeConfirmed = all || std::find(findingIds.begin(), findingIds.end(), f.id) != findingIds.end();
  }
}

namespace {
/// The summary's words, through the installed translation (the viewer's language; `lightbox report`
/// prints it before it installs one, so the command line stays English).
struct SummaryText {
  Q_DECLARE_TR_FUNCTIONS(lightbox::ReportPlan)
};
QString q(const std::string& s) { return QString::fromStdString(s); }
QString n(std::size_t v) { return QString::number(qulonglong(v)); }
} // namespace

std::string ReportPlan::summary() const {
  const ReportContent& c = content;
  QString s = SummaryText::tr("Report version %1 of series %2\n  into %3\n").arg(n(std::size_t(c.version)), q(c.source.seriesInstanceUid), q(folder));
  s += SummaryText::tr("  findings reported: %1").arg(n(c.findings.size()));
  for (const ReportFinding& f : c.findings) {
    const QString size = f.diameterSource == "unmeasured"
                             ? SummaryText::tr("size unmeasured")
                             : SummaryText::tr("%1 (%2)").arg(q(formatNumber("%.1f mm", f.diameterMm)),
                                                              term(f.diameterSource.c_str()));
    const QString ai = f.aiSizeCapped ? SummaryText::tr("AI size unmeasured")
                                      : SummaryText::tr("AI %1").arg(q(formatNumber("%.1f mm", f.aiDiameterMm)));
    s += SummaryText::tr("\n    %1 %2, %3, %4, %5")
             .arg(q(f.id), term(toString(f.state)),
                  term(f.type.c_str()), size, ai);
    if (f.segmentNumber) {
      const QString mask = q(formatNumber("%.1f", f.mask.longAxisMm) + " x " + formatNumber("%.1f mm", f.mask.shortAxisMm) +
                             " " + formatNumber("%.2f mL", f.mask.volumeMl));
      s += f.maskMadeAtFinalize ? SummaryText::tr(", mask %1 made now by %2 (automatic)").arg(mask, q(f.maskAlgorithm))
                                : SummaryText::tr(", mask %1 (%2, %3)")
                                      .arg(mask, q(f.maskAlgorithmType), term(f.maskMatch.c_str()));
      if (f.sizeDisagreement > kMaskSizeConfirmFactor && f.sizeConfirmed) s += SummaryText::tr(", size confirmed by the reader");
    } else {
      s += SummaryText::tr(", no mask");
    }
    if (!f.lungRadsCategory.empty()) s += SummaryText::tr(", Lung-RADS %1").arg(q(f.lungRadsCategory));
  }
  s += SummaryText::tr("\n  rejected (counted, not reported): %1").arg(c.rejected);
  s += SummaryText::tr("\n  undecided (not reported): %1").arg(c.undecided);
  QStringList names;
  for (const std::string& f : files) names << q(f);
  s += SummaryText::tr("\n  will write: %1").arg(names.join(", "));
  if (!c.previous.empty()) {
    s += SummaryText::tr("\n  references version %1 (%2 objects); nothing is overwritten").arg(c.version - 1).arg(c.previous.size());
  }
  for (const std::string& b : c.blockers) s += SummaryText::tr("\n  BLOCKED: %1").arg(q(b));
  for (const std::string& b : unconfirmedSizes(c)) s += SummaryText::tr("\n  NEEDS CONFIRMATION: %1").arg(q(b));
  for (const std::string& w : c.warnings) s += SummaryText::tr("\n  warning: %1").arg(translateCoreMessage(w));
  return (s + "\n").toStdString();
}

ReportResult writeReport(const ReportPlan& plan, const Volume& image) {
  const auto t0 = std::chrono::steady_clock::now();
  const ReportContent& c = plan.content;
  if (!c.blockers.empty()) throw std::runtime_error("cannot finalize the report: " + c.blockers.front());
  if (const std::vector<std::string> sizes = unconfirmedSizes(c); !sizes.empty()) {
    throw std::runtime_error("cannot finalize the report: " + sizes.front());
  }
  std::error_code ec;
  fs::create_directories(plan.options.outputFolder, ec);
  if (ec) throw std::runtime_error(plan.options.outputFolder + ": cannot create the folder (" + ec.message() + ")");
  if (fs::exists(plan.folder, ec)) throw std::runtime_error(plan.folder + " exists already: nothing is overwritten");
  // What a finalize killed before its rename left (v<N>.partial-<pid> of a process that is gone):
  // never shown as a version, removed here so the folder needs no manual repair (issue 25).
  for (const auto& e : fs::directory_iterator(plan.options.outputFolder, ec)) {
    const std::string name = e.path().filename().string();
    const std::size_t at = name.find(".partial-");
    if (name.size() < 2 || name[0] != 'v' || at == std::string::npos || !staleLocalWriter(name.substr(at + 9))) continue;
    std::error_code rm;
    fs::remove_all(e.path(), rm);
  }
  ec.clear();
  // Our own temporary folder: another process (or machine) finalizing into the same folder has its own.
  const fs::path partial = plan.folder + ".partial-" + writerTag();
  fs::remove_all(partial, ec);
  ec.clear();
  fs::create_directories(partial, ec);
  if (ec) throw std::runtime_error(partial.string() + ": cannot create the folder (" + ec.message() + ")");

  ReportResult result;
  try {
    ExportedObject seg;
    if (std::find(plan.files.begin(), plan.files.end(), "seg.dcm") != plan.files.end()) {
      seg = writeDicomSeg(c, plan.labels, (partial / "seg.dcm").string());
      result.objects.push_back(seg);
    }
    const ExportedObject sr = writeMeasurementReportSr(c, seg, (partial / "sr.dcm").string());
    result.objects.push_back(sr);
    writeReportPdf(c, image, plan.labels, (partial / "report.pdf").string());
    const ExportedObject pdf = writeEncapsulatedPdf(c, (partial / "report.pdf").string(), sr, (partial / "report-pdf.dcm").string());
    result.objects.push_back(pdf);
    const ExportedObject kos = writeKeyObjectSelection(c, result.objects, (partial / "kos.dcm").string());
    result.objects.push_back(kos);
    if (plan.options.labelMapNifti) {
      Volume v;
      v.geometry = plan.labels.geometry;
      v.voxels = std::vector<std::int16_t>(plan.labels.labels.begin(), plan.labels.labels.end());
      writeResearchImage({v}, (partial / "labels.nii.gz").string());
    }
    if (plan.options.measurementsCsv) {
      const std::string why = writeFileAtomically((partial / "measurements.csv").string(), csvOf(c));
      if (!why.empty()) throw std::runtime_error((partial / "measurements.csv").string() + ": " + why);
    }
    nlohmann::json j;
    j["format"] = "lightbox-report/1";
    j["version"] = c.version;
    j["series_instance_uid"] = c.source.seriesInstanceUid;
    j["study_instance_uid"] = c.source.studyInstanceUid;
    j["finalized_at"] = c.finalizedAt;
    j["reader"] = c.reader;
    j["ai_draft"] = c.aiDraft;
    j["impression"] = c.impression;
    j["language"] = toCode(plan.options.language);
    j["lung_rads"] = c.lungRads.category;
    nlohmann::json objects = nlohmann::json::array();
    for (const ExportedObject& o : result.objects) objects.push_back(toJson(o));
    j["objects"] = objects;
    nlohmann::json previous = nlohmann::json::array();
    for (const ExportedObject& o : c.previous) previous.push_back(toJson(o));
    j["previous"] = previous;
    nlohmann::json findings = nlohmann::json::array();
    for (const ReportFinding& f : c.findings) {
      findings.push_back({{"id", f.id}, {"tracking_uid", f.trackingUid}, {"state", toString(f.state)},
                          {"type", f.type}, {"diameter_mm", f.diameterMm}, {"diameter_source", f.diameterSource},
                          {"segment_number", f.segmentNumber}, {"mask_made_at_finalize", f.maskMadeAtFinalize},
                          {"mask_match", f.maskMatch}, {"ai_diameter_mm", f.aiSizeCapped ? nlohmann::json() : nlohmann::json(f.aiDiameterMm)},
                          {"size_disagreement", f.sizeDisagreement}, {"size_confirmed", f.sizeConfirmed},
                          {"long_axis_mm", f.mask.longAxisMm}, {"short_axis_mm", f.mask.shortAxisMm},
                          {"volume_ml", f.mask.volumeMl}, {"lung_rads", f.lungRadsCategory}});
    }
    j["findings"] = findings;
    if (!c.growth.empty()) {
      // Growth against the prior, one entry per compared finding (absent without a prior).
      nlohmann::json growth = nlohmann::json::array();
      for (const GrowthResult& g : c.growth) {
        nlohmann::json e{{"id", g.currentId}, {"status", toString(g.status)}, {"status_rule", g.statusRule},
                         {"prior_id", g.priorId.empty() ? nlohmann::json() : nlohmann::json(g.priorId)},
                         {"diameter_mm", g.diameterMm}, {"volume_mm3", g.volumeMm3}, {"volume_source", g.volumeSource}};
        if (!g.priorId.empty()) {
          e["prior_confirmed"] = g.priorConfirmed;
          e["match_distance_mm"] = g.matchDistanceMm;
          e["prior_diameter_mm"] = g.priorDiameterMm;
          e["diameter_change_mm"] = g.diameterChangeMm;
          e["prior_volume_mm3"] = g.priorVolumeMm3;
          e["volume_change_mm3"] = g.volumeChangeMm3;
          e["volume_change_percent"] = g.volumeChangePercent;
          e["doubling_note"] = g.doublingNote;
        }
        if (g.intervalDays) e["interval_days"] = *g.intervalDays;
        if (g.doublingTimeDays) e["volume_doubling_time_days"] = *g.doublingTimeDays;
        growth.push_back(e);
      }
      j["prior_study_date"] = c.priorStudyDate;
      j["growth"] = growth;
    }
    j["rejected"] = c.rejectedIds;
    j["warnings"] = c.warnings;
    const std::string why = writeFileAtomically((partial / "report.json").string(), j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    if (!why.empty()) throw std::runtime_error((partial / "report.json").string() + ": " + why);
  } catch (...) {
    fs::remove_all(partial, ec);
    throw;
  }
  // Every object on the disk before the version appears (a power cut never leaves a version of
  // empty files), then the rename that publishes it, then the parent folder's entry.
  if (const std::string why = syncFolderToDisk(partial.string()); !why.empty()) {
    fs::remove_all(partial, ec);
    throw std::runtime_error("cannot finish the version: " + why);
  }
  fs::rename(partial, plan.folder, ec);
  if (ec) throw std::runtime_error(plan.folder + ": cannot finish the version (" + ec.message() + ")");
  (void)syncFolderToDisk(plan.options.outputFolder); // best effort: the version is complete either way
  result.folder = plan.folder;
  for (ExportedObject& o : result.objects) o.path = (fs::path(plan.folder) / fs::path(o.path).filename()).string();
  result.pdf = (fs::path(plan.folder) / "report.pdf").string();
  for (const std::string& f : plan.files) result.files.push_back((fs::path(plan.folder) / f).string());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

} // namespace lightbox
