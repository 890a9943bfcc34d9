// SPDX-License-Identifier: Apache-2.0
// The commands that load the AI runtime or the renderer, and the dispatcher over all commands.
#include "app/cli/Commands.h"

namespace lightbox::cli {

const std::vector<Command>& heavyCommands() {
  static const std::vector<Command> commands = {{"render", runRender},
                                                {"models", runModels},
                                                {"detect", runDetect},
                                                {"eval-detection", runEvalDetection},
                                                {"make-nodule-dataset", runMakeNoduleDataset},
                                                {"make-segmentation-dataset", runMakeSegmentationDataset},
                                                {"segment", runSegment},
                                                {"eval-segmentation", runEvalSegmentation},
                                                {"eval-lesion-set", runEvalLesionSet},
                                                {"eval-clicks", runEvalClicks},
                                                {"report", runReport},
                                                {"register", runRegister},
                                                {"map-points", runMapPoints},
                                                {"resample", runResample},
                                                {"batch", runBatch}};
  return commands;
}

int runCommandLine(int argc, char** argv) {
  std::vector<Command> all = lightCommands();
  all.insert(all.end(), heavyCommands().begin(), heavyCommands().end());
  return runCommandLine(argc, argv, all);
}

} // namespace lightbox::cli
