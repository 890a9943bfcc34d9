// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <cstdio>

namespace lightbox::cli {

int runConvert(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"no-resample"}, {"series", "threads"});
  if (args.positional().size() != 2) {
    throw UsageError("usage: lightbox convert SERIES_OR_PATH OUT.nii.gz|.nii|.nrrd|.mha "
                     "[--series INDEX|UID] [--no-resample]");
  }
  const std::string& input = args.positional()[0];
  const std::string& output = args.positional()[1];
  if (!isResearchImageFile(output)) {
    throw UsageError("unknown output format: " + output + " (use .nii, .nii.gz, .nrrd or .mha)");
  }
  LoadOptions options;
  options.threads = unsigned(args.integer("threads", 0, 0, 1024));
  requireWritableFile(output); // before the long load
  options.resampleToUniform = !args.flag("no-resample");
  const LoadedSeries loaded = loadPath(input, args.option("series"), options);
  for (const IngestIssue& i : loaded.rejectedFiles) {
    std::fprintf(stderr, "rejected: %s: %s\n", i.path.c_str(), i.message.c_str());
  }
  for (const IngestIssue& i : loaded.issues) {
    std::fprintf(stderr, "%s: %s%s%s\n", toString(i.severity), i.message.c_str(), i.path.empty() ? "" : " — ",
                 i.path.c_str());
  }
  writeResearchImage(loaded.volumes, output);
  const VolumeGeometry& g = loaded.volumes.front().geometry;
  std::printf("wrote %s: %zux%zux%zu x %zu volume(s)\n", output.c_str(), g.size[0], g.size[1], g.size[2],
              loaded.volumes.size());
  return kExitOk;
}

} // namespace lightbox::cli
