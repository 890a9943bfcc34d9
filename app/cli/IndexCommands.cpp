// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/Progress.h"

#include "core/index/StudyIndex.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace lightbox::cli {

int runImport(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"quiet"}, {"index", "threads"});
  if (args.positional().empty()) {
    throw UsageError("usage: lightbox import PATH... [--index DB] [--quiet]");
  }
  const unsigned threads = unsigned(args.integer("threads", 0, 0, 1024));
  StudyIndex index(args.option("index", StudyIndex::defaultPath()));
  bool withoutImages = false;
  for (const std::string& path : args.positional()) {
    const ImportStats s = index.import(path, threads, makeProgressPrinter("importing", args.flag("quiet")));
    std::printf("%s: %zu files, %zu read, %zu unchanged, %zu removed, %zu rejected, %zu not DICOM\n",
                path.c_str(), s.filesSeen, s.scanned, s.unchanged, s.removed, s.rejected, s.notDicom);
    if (s.filesSeen == s.notDicom + s.rejected) {
      std::fprintf(stderr, "lightbox import: error: no loadable image series in %s\n", path.c_str());
      withoutImages = true;
    }
  }
  return withoutImages ? kExitNoImages : kExitOk;
}

int runList(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"json", "rejected"}, {"index"});
  StudyIndex index(args.option("index", StudyIndex::defaultPath()));
  const std::vector<IndexedStudy> studies = index.studies();
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const IndexedStudy& st : studies) {
      nlohmann::json series = nlohmann::json::array();
      for (const IndexedSeries& se : st.series) {
        series.push_back({{"series_instance_uid", se.seriesInstanceUid}, {"number", se.seriesNumber},
                          {"description", se.description}, {"modality", se.modality}, {"files", se.files},
                          {"folder", se.folder}});
      }
      out.push_back({{"study_instance_uid", st.studyInstanceUid}, {"patient_id", st.patientId},
                     {"patient_name", st.patientName}, {"study_date", st.studyDate},
                     {"description", st.description}, {"series", series}});
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  for (const IndexedStudy& st : studies) {
    std::printf("%s  %-24s %-12s %s\n", st.studyDate.c_str(), st.patientName.c_str(), st.patientId.c_str(),
                st.description.c_str());
    for (const IndexedSeries& se : st.series) {
      std::printf("    #%-4d %-3s %5zu files  %s  (%s)\n", se.seriesNumber, se.modality.c_str(), se.files,
                  se.description.c_str(), se.folder.c_str());
    }
  }
  if (args.flag("rejected")) {
    for (const auto& [path, reason] : index.rejectedFiles()) {
      std::printf("rejected %s: %s\n", path.c_str(), reason.c_str());
    }
  }
  return kExitOk;
}

} // namespace lightbox::cli
