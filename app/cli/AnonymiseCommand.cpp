// SPDX-License-Identifier: Apache-2.0
// `lightbox anonymise SRC... -o OUTDIR` (issue 27): PS3.15 Basic Application Level Confidentiality Profile.
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"

#include "core/dicom/Anonymiser.h"

#include <cstdio>

namespace lightbox::cli {

int runAnonymise(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"keep-dates", "keep-descriptions"}, {"o", "shift-days", "mapping"});
  constexpr const char* usage =
      "usage: lightbox anonymise SRC... -o OUTDIR [--keep-dates|--shift-days N] [--keep-descriptions] "
      "[--mapping FILE.csv]";
  if (args.positional().empty() || args.option("o").empty()) throw UsageError(usage);
  AnonymiseOptions options;
  if (args.flag("keep-dates") && args.has("shift-days")) {
    throw UsageError("--keep-dates and --shift-days exclude each other");
  }
  if (args.flag("keep-dates")) options.dates = AnonymiseOptions::Dates::Keep;
  if (args.has("shift-days")) {
    options.dates = AnonymiseOptions::Dates::Shift;
    options.shiftDays = int(args.integer("shift-days", 0, -365000, 365000));
  }
  options.keepDescriptions = args.flag("keep-descriptions");
  options.mappingPath = args.option("mapping");
  const AnonymiseResult r = anonymiseDicom(args.positional(), args.option("o"), options);
  for (const AnonymisedFile& f : r.files) {
    if (!f.note.empty()) std::printf("  %s: %s\n", f.source.c_str(), f.note.c_str());
  }
  std::printf("%zu objects anonymised into %s (%zu UIDs replaced), %zu files skipped, %zu flagged for "
              "burned-in text%s\n",
              r.written, args.option("o").c_str(), r.uidsReplaced, r.skipped, r.flagged,
              options.mappingPath.empty() ? "; no mapping kept" : ("; mapping in " + options.mappingPath).c_str());
  if (r.written == 0) {
    std::fprintf(stderr, "lightbox anonymise: error: no DICOM object found\n");
    return kExitNoImages;
  }
  return kExitOk;
}

} // namespace lightbox::cli
