// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"
#include "core/study/StudyLoader.h"

#include <cstdio>
#include <cstring>
#include <exception>

namespace lightbox::cli {
namespace {

constexpr const char* kUsage = R"(usage: lightbox COMMAND [ARGS]

  info PATH [--json]               studies and series found, with warnings and rejected files
  import PATH... [--index DB]      add folders/files/DICOMDIRs to the local study index
  list [--json] [--rejected]       studies in the local study index
  convert SERIES_OR_PATH OUT       write a series as .nii/.nii.gz/.nrrd/.mha [--series INDEX|UID]
  make-phantom OUT_DIR             write the synthetic chest CT (DICOM + phantom.json)
  render PATH --plane P -o OUT.png render a slice headlessly [--slice N] [--preset lung] [--marker x,y,z]
  models [--json]                  AI models found (built-in and user folder), licence, intended use
  detect PATH [--json OUT]         lung nodule detection [--fp-per-scan F] [--threads N] [--model NAME]
  eval-detection DET.json REF ...  FROC and CPM against LIDC reader XML or ground-truth JSON
  make-nodule-dataset OUT BG[=REF] training patches: synthetic nodules in real scans (ai/training)
  make-segmentation-dataset OUT BG[=REF]  lesion patches + masks for the segmentation model [--eval: scans]
  default-study                    print the default study folder (generated on first use)
  review PATH [--json]             the saved review of a series; --import DET.json [--fp-per-scan F],
                                   --accept all|ID,..., --reject ID,... [--reason TEXT] (saved at once)
  segment PATH --seed-lps X,Y,Z -o MASK.nii.gz   lesion mask from one click [--engine model|classical]
                                   [--box-lps X0,Y0,Z0,X1,Y1,Z1] [--add-lps X,Y,Z]... [--remove-lps X,Y,Z]...
                                   [--json OUT.json]
  eval-segmentation PRED REF ...   Dice, HD95, volume and long-axis error per pair and their means
  eval-lesion-set DIR              both engines on a held-out synthetic set: Dice and long-axis error
                                   per lesion type and size band [--engine model|classical] [--json OUT]
  eval-clicks IMAGE=REF ...        one click at the lesion's most interior point, then simulated
                                   corrections: Dice after 0..N clicks per modality [--clicks N]
  report PATH -o OUTDIR            finalize the saved review: DICOM SEG + SR TID 1500 + KOS + PDF +
                                   Encapsulated PDF in OUTDIR/v<N> [--reader NAME] [--impression TEXT]
                                   [--no-auto-mask] [--nifti] [--csv] [--json]
  register FIXED MOVING -o OUTDIR  rigid/affine registration of the prior (MOVING) to the current (FIXED):
                                   OUTDIR/registration.json + transform.tfm [--engine rigid|affine]
                                   [--threads N] [--fixed-series S] [--moving-series S]
                                   [--keep-all-stages] (else a stage that made the match worse on
                                   held-back points, or an implausible map, is dropped and said)
  map-points OUTDIR IN.csv -o OUT.csv   x,y,z (LPS mm) of the current image to the prior
  resample OUTDIR -o WARPED.nii.gz the prior on the current grid (linear)
  batch [PATH...] -o OUTDIR        pre-read many series unattended: detect, segment, register to the newest
                                   prior, AI draft report; resumable [--steps S,...] [--jobs N] [--slurm]
                                   [--modality M] [--since YYYYMMDD] [--description TEXT] [--retry-failed]
  batch status OUTDIR [--json]     one entry per series: state, reason, steps, findings, seconds
  pacs echo|find|get|send|listen|nodes   the archive over DICOM (C-ECHO, C-FIND, C-GET/C-MOVE into the
                                   index, C-STORE, a storage receiver); `lightbox pacs --help`
  anonymise SRC... -o OUTDIR       PS3.15 basic profile: UIDs remapped consistently, dates dummy
                                   [--keep-dates|--shift-days N] [--keep-descriptions] [--mapping FILE.csv]

Exit codes: 0 ok, 1 failure, 2 usage error, 3 no loadable image series.
)";

} // namespace

int defaultStudyCommand(const std::vector<std::string>& args) {
  const Arguments none(args, {}, {});
  if (!none.positional().empty()) throw UsageError("usage: lightbox default-study (no arguments)");
  requireWritableFolder(defaultStudyFolder());
  std::printf("%s\n", ensureDefaultStudy().c_str());
  return kExitOk;
}

const std::vector<Command>& lightCommands() {
  static const std::vector<Command> commands = {
      {"info", runInfo},       {"import", runImport},           {"list", runList},
      {"convert", runConvert}, {"make-phantom", runMakePhantom}, {"default-study", defaultStudyCommand},
      {"review", runReview}, {"pacs", runPacs}, {"anonymise", runAnonymise}};
  return commands;
}

bool isHeavyCommand(const std::string& name) {
  for (const char* heavy : {"render", "models", "detect", "eval-detection", "make-nodule-dataset",
                            "make-segmentation-dataset", "segment", "eval-segmentation", "eval-lesion-set", "eval-clicks", "report",
                            "register", "map-points", "resample", "batch"}) {
    if (name == heavy) return true;
  }
  return false;
}

int runCommandLine(int argc, char** argv, const std::vector<Command>& commands) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    for (const Command& c : commands) {
      if (command == c.name) return c.run(args);
    }
    std::fprintf(stderr, "lightbox: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lightbox %s: %s\n", command.c_str(), e.what());
    return kExitUsage;
  } catch (const UnknownSeriesError& e) {
    std::fprintf(stderr, "lightbox %s: option --series: %s\n", command.c_str(), e.what());
    return kExitUsage;
  } catch (const NoImageSeriesError& e) {
    std::fprintf(stderr, "lightbox %s: error: %s\n", command.c_str(), e.what());
    return kExitNoImages;
  } catch (const std::exception& e) {
    // OutputError (names the path), I/O and unreadable input.
    std::fprintf(stderr, "lightbox %s: error: %s\n", command.c_str(), e.what());
    return kExitFailure;
  }
}

} // namespace lightbox::cli
