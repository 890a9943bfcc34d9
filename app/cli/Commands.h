// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox::cli {

int runInfo(const std::vector<std::string>& args);
int runImport(const std::vector<std::string>& args);
int runList(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runMakePhantom(const std::vector<std::string>& args);
int runRender(const std::vector<std::string>& args);
int runModels(const std::vector<std::string>& args);
int runDetect(const std::vector<std::string>& args);
int runEvalDetection(const std::vector<std::string>& args);
int runMakeNoduleDataset(const std::vector<std::string>& args);
int runMakeSegmentationDataset(const std::vector<std::string>& args);
int runEvalLesionSet(const std::vector<std::string>& args);
int runEvalClicks(const std::vector<std::string>& args);
int runReview(const std::vector<std::string>& args);
int runSegment(const std::vector<std::string>& args);
int runEvalSegmentation(const std::vector<std::string>& args);
int runReport(const std::vector<std::string>& args);
int runRegister(const std::vector<std::string>& args);
int runMapPoints(const std::vector<std::string>& args);
int runResample(const std::vector<std::string>& args);
int runBatch(const std::vector<std::string>& args);
int runPacs(const std::vector<std::string>& args);
int runAnonymise(const std::vector<std::string>& args);

/// A subcommand: its name and the function that runs it on the arguments after the name.
struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>& args);
};

/// Commands that need only the core (ITK, GDCM, SQLite): the light `lightbox` front runs them in
/// its own process, starting in milliseconds.
const std::vector<Command>& lightCommands();
/// Commands that need the AI runtime (Torch) or the renderer (VTK): `lightbox-full` runs them.
const std::vector<Command>& heavyCommands();
bool isHeavyCommand(const std::string& name);

/// Dispatches `lightbox COMMAND ...` over `commands` (usage, typed errors to exit codes).
int runCommandLine(int argc, char** argv, const std::vector<Command>& commands);
/// The same over every command (light and heavy): `lightbox-full` and the in-process tests.
int runCommandLine(int argc, char** argv);

/// Folder of the embedded default study (generated on first use): $LIGHTBOX_DEFAULT_STUDY, else
/// $XDG_CACHE_HOME/lightbox/phantom, else ~/.cache/lightbox/phantom.
std::string defaultStudyFolder();
/// Generates the default study when absent; returns its folder.
std::string ensureDefaultStudy();

} // namespace lightbox::cli
