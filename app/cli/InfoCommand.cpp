// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/Progress.h"

#include "core/io/IngestJson.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace lightbox::cli {
namespace {

void printSeries(std::size_t index, const AssembledSeries& s) {
  const VolumeGeometry& g = s.geometry;
  const DicomFileInfo& h = *s.header;
  std::printf("    [%zu] %-3s #%d %s\n", index, h.modality.c_str(), h.seriesNumber, s.displayName().c_str());
  std::printf("        %zux%zux%zu%s, spacing %.3f x %.3f x %.3f mm, %s\n", g.size[0], g.size[1], g.size[2],
              s.volumes.size() > 1 ? (" x " + std::to_string(s.volumes.size()) + " volumes").c_str() : "",
              g.spacing[0], g.spacing[1], g.spacing[2], orientationLabel(g).c_str());
  const nlohmann::json j = toJson(s);
  std::string syntaxes;
  for (const auto& ts : j["transfer_syntaxes"]) {
    syntaxes += (syntaxes.empty() ? "" : ", ") + ts.get<std::string>();
  }
  std::printf("        row %+.4f %+.4f %+.4f  col %+.4f %+.4f %+.4f\n", g.direction[0][0], g.direction[0][1],
              g.direction[0][2], g.direction[1][0], g.direction[1][1], g.direction[1][2]);
  std::printf("        transfer syntax: %s\n", syntaxes.c_str());
  for (const IngestIssue& i : s.issues) {
    std::printf("        %s: %s\n", toString(i.severity), i.message.c_str());
  }
}

int printResearchImage(const std::string& path, bool json) {
  const std::vector<Volume> volumes = readResearchImage(path);
  const VolumeGeometry& g = volumes.front().geometry;
  if (json) {
    std::cout << nlohmann::json{{"path", path}, {"volumes", volumes.size()}, {"geometry", toJson(g)},
                                {"orientation", orientationLabel(g)}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::printf("%s\n  %zux%zux%zu x %zu volume(s), spacing %.3f x %.3f x %.3f mm, %s\n", path.c_str(), g.size[0],
              g.size[1], g.size[2], volumes.size(), g.spacing[0], g.spacing[1], g.spacing[2],
              orientationLabel(g).c_str());
  return kExitOk;
}

} // namespace

int runInfo(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"json", "quiet"}, {"threads"});
  if (args.positional().size() != 1) {
    throw UsageError("usage: lightbox info PATH [--json] [--quiet] [--threads N]");
  }
  const std::string path = args.positional()[0];
  const bool json = args.flag("json");
  if (isResearchImageFile(path) && std::filesystem::is_regular_file(path)) {
    return printResearchImage(path, json);
  }
  const unsigned threads = unsigned(args.integer("threads", 0, 0, 1024));
  const StudyScan scan = scanStudy(path, threads, makeProgressPrinter("scanning", args.flag("quiet") || json));
  if (json) {
    std::cout << toJson(scan).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::printf("%s\n  %zu files, %zu not DICOM, %zu rejected, %zu series\n", path.c_str(), scan.filesSeen,
                scan.notDicom, scan.fileIssues.size(), scan.series.size());
    const nlohmann::json tree = toJson(scan);
    for (const auto& patient : tree["patients"]) {
      std::printf("Patient %s (ID %s, born %s, sex %s)\n", patient["patient_name"].get<std::string>().c_str(),
                  patient["patient_id"].get<std::string>().c_str(), patient["birth_date"].get<std::string>().c_str(),
                  patient["sex"].get<std::string>().c_str());
      for (const auto& study : patient["studies"]) {
        std::printf("  Study %s %s \"%s\"\n", study["study_date"].get<std::string>().c_str(),
                    study["study_instance_uid"].get<std::string>().c_str(),
                    study["description"].get<std::string>().c_str());
        for (const auto& series : study["series"]) {
          const std::size_t index = series["index"].get<std::size_t>();
          printSeries(index, scan.series[index - 1]);
        }
      }
    }
    for (const IngestIssue& i : scan.assemblyIssues) {
      std::printf("  note: %s (%s)\n", i.message.c_str(), i.path.c_str());
    }
    if (!scan.fileIssues.empty()) {
      std::printf("Rejected files:\n");
      for (const IngestIssue& i : scan.fileIssues) {
        std::printf("  %s: %s\n", i.path.c_str(), i.message.c_str());
      }
    }
  }
  if (scan.series.empty()) {
    std::fprintf(stderr, "lightbox info: error: no loadable image series found in %s\n", path.c_str());
    return kExitNoImages;
  }
  return kExitOk;
}

} // namespace lightbox::cli
