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

/// Dispatches `lightbox COMMAND ...`; returns the process exit code.
int runCommandLine(int argc, char** argv);

/// Folder of the embedded default study (generated on first use): $LIGHTBOX_DEFAULT_STUDY, else
/// $XDG_CACHE_HOME/lightbox/phantom, else ~/.cache/lightbox/phantom.
std::string defaultStudyFolder();
/// Generates the default study when absent; returns its folder.
std::string ensureDefaultStudy();

} // namespace lightbox::cli
