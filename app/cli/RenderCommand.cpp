// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"

#include "app/render/SlicePipeline.h"
#include "app/render/VolumePipeline.h"
#include "core/io/ImageFileIO.h"
#include "core/study/StudyLoader.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include <cstdio>

namespace lightbox::cli {

int runRender(const std::vector<std::string>& argv) {
  const Arguments args(argv, {"invert", "no-annotations", "crosshair"},
                       {"plane", "slice", "preset", "window", "level", "series", "size", "o", "marker", "slab",
                        "thickness", "yaw", "pitch", "zoom", "azimuth", "elevation"});
  if (args.positional().size() != 1 || args.option("o").empty()) {
    throw UsageError("usage: lightbox render SERIES_OR_PATH --plane axial|coronal|sagittal|3d [--slice N] "
                     "[--preset NAME | --window W --level L] [--invert] [--size PX] [--marker x,y,z] "
                     "[--slab mip|minip|mean --thickness MM] [--yaw DEG --pitch DEG] [--zoom F] [--crosshair] "
                     "[3d: --preset bone|soft|lung|mip --azimuth DEG --elevation DEG] -o out.png");
  }
  std::string patientText, seriesText;
  std::optional<WindowLevel> seriesWindow;
  LoadedSeries loaded;
  if (isResearchImageFile(args.positional()[0])) {
    loaded = loadPath(args.positional()[0]);
    seriesText = std::filesystem::path(args.positional()[0]).filename().string();
  } else {
    const StudyScan scan = scanStudy(args.positional()[0]);
    const AssembledSeries& series = selectSeries(scan, args.option("series"));
    loaded = loadSeries(series);
    const DicomFileInfo& h = *series.header;
    patientText = h.patientName + (h.patientId.empty() ? "" : "  " + h.patientId) + "\n" + h.studyDate;
    if (h.hasWindow) {
      seriesWindow = WindowLevel{h.windowCenter, h.windowWidth};
    }
    seriesText = h.modality + " #" + std::to_string(h.seriesNumber) + " " + series.displayName();
  }
  auto volume = std::make_shared<const Volume>(loaded.volumes.front());
  const int size = std::stoi(args.option("size", "768"));
  if (args.option("plane") == "3d") {
    VolumePipeline pipeline3d;
    pipeline3d.setPreset(parseVolumePreset(args.option("preset", "bone")));
    pipeline3d.setWindow(seriesWindow ? *seriesWindow : percentileWindow(*volume));
    pipeline3d.setVolume(volume);
    pipeline3d.setCrosshairVisible(args.flag("crosshair"));
    pipeline3d.rotate(std::stod(args.option("azimuth", "0")), std::stod(args.option("elevation", "0")));
    pipeline3d.renderToPng(args.option("o"), size, size);
    std::printf("wrote %s (3D %s)\n", args.option("o").c_str(), toString(pipeline3d.preset()));
    return kExitOk;
  }
  SlicePipeline pipeline;
  pipeline.setVolume(volume, patientText, seriesText);
  SliceViewState state = pipeline.state();
  state.plane = parseViewPlane(args.option("plane", "axial"));
  if (!args.option("preset").empty()) {
    state.window = windowPreset(args.option("preset"));
  } else if (!args.option("window").empty()) {
    state.window = {std::stod(args.option("level", "40")), std::stod(args.option("window"))};
  } else if (seriesWindow) {
    state.window = *seriesWindow;
  } else {
    state.window = percentileWindow(*volume);
  }
  const std::size_t count = sliceCount(volume->geometry, state.plane);
  if (!args.option("slice").empty()) {
    const double index = std::stod(args.option("slice"));
    if (index < 0 || index >= double(count)) {
      throw UsageError("slice " + args.option("slice") + " is outside 0.." + std::to_string(count - 1));
    }
    state.crosshairLps = sliceCenter(volume->geometry, state.plane, index);
  }
  state.invert = args.flag("invert");
  state.showCrosshair = args.flag("crosshair");
  state.yawDeg = std::stod(args.option("yaw", "0"));
  state.pitchDeg = std::stod(args.option("pitch", "0"));
  state.zoom = std::stod(args.option("zoom", "1"));
  if (!args.option("slab").empty()) {
    state.slab = parseSlabMode(args.option("slab"));
    state.slabMm = std::stod(args.option("thickness", "10"));
  }
  state.showAnnotations = !args.flag("no-annotations");
  OverlayLayers overlays;
  if (!args.option("marker").empty()) {
    Vec3 p{};
    if (std::sscanf(args.option("marker").c_str(), "%lf,%lf,%lf", &p[0], &p[1], &p[2]) != 3) {
      throw UsageError("--marker needs x,y,z in LPS mm");
    }
    overlays.markers.push_back({p, {255, 40, 40, 255}, 4.0, true});
    if (args.option("slice").empty()) {
      state.crosshairLps = p;
    }
  }
  pipeline.setState(state);
  pipeline.setOverlays(overlays);
  pipeline.renderToPng(args.option("o"), size, size);
  std::printf("wrote %s (%s slice through %.1f %.1f %.1f, %zu slices in this plane)\n", args.option("o").c_str(),
              toString(state.plane), state.crosshairLps[0], state.crosshairLps[1], state.crosshairLps[2], count);
  return kExitOk;
}

} // namespace lightbox::cli
