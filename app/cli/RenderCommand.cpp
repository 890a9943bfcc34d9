// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"

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
  // Every option value is checked before the series is loaded, and the output before rendering.
  const bool threeD = args.option("plane") == "3d";
  const int size = int(args.integer("size", 768, 16, 8192));
  const VolumePreset preset3d = threeD ? args.parsed("preset", "bone", parseVolumePreset) : VolumePreset{};
  const ViewPlane plane = threeD ? ViewPlane::Axial : args.parsed("plane", "axial", parseViewPlane);
  const std::optional<WindowLevel> presetWindow =
      !threeD && args.has("preset") ? std::optional<WindowLevel>(args.parsed("preset", "", windowPreset)) : std::nullopt;
  const double windowWidth = args.number("window", 400, 1e-6);
  const double windowLevel = args.number("level", 40);
  const double sliceIndex = args.number("slice", 0);
  const double yaw = args.number("yaw", 0), pitch = args.number("pitch", 0);
  const double zoom = args.number("zoom", 1, 1e-3, 1e3);
  const double azimuth = args.number("azimuth", 0), elevation = args.number("elevation", 0);
  const SlabMode slab = args.parsed("slab", "none", parseSlabMode);
  const double thickness = args.number("thickness", 10, 1e-3, 1e4);
  Vec3 marker{};
  if (args.has("marker") &&
      std::sscanf(args.option("marker").c_str(), "%lf,%lf,%lf", &marker[0], &marker[1], &marker[2]) != 3) {
    throw UsageError("--marker needs x,y,z in LPS mm");
  }
  requireWritableFile(args.option("o"));

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
  if (threeD) {
    VolumePipeline pipeline3d;
    pipeline3d.setPreset(preset3d);
    pipeline3d.setWindow(seriesWindow ? *seriesWindow : percentileWindow(*volume));
    pipeline3d.setVolume(volume);
    pipeline3d.setCrosshairVisible(args.flag("crosshair"));
    pipeline3d.rotate(azimuth, elevation);
    pipeline3d.renderToPng(args.option("o"), size, size);
    std::printf("wrote %s (3D %s)\n", args.option("o").c_str(), toString(pipeline3d.preset()));
    return kExitOk;
  }
  SlicePipeline pipeline;
  pipeline.setVolume(volume, patientText, seriesText);
  SliceViewState state = pipeline.state();
  state.plane = plane;
  if (presetWindow) {
    state.window = *presetWindow;
  } else if (args.has("window")) {
    state.window = {windowLevel, windowWidth};
  } else if (seriesWindow) {
    state.window = *seriesWindow;
  } else {
    state.window = percentileWindow(*volume);
  }
  const std::size_t count = sliceCount(volume->geometry, state.plane);
  if (args.has("slice")) {
    if (sliceIndex < 0 || sliceIndex >= double(count)) {
      throw UsageError("option --slice: " + args.option("slice") + " is outside 0.." + std::to_string(count - 1));
    }
    state.crosshairLps = sliceCenter(volume->geometry, state.plane, sliceIndex);
  }
  state.invert = args.flag("invert");
  state.showCrosshair = args.flag("crosshair");
  state.yawDeg = yaw;
  state.pitchDeg = pitch;
  state.zoom = zoom;
  if (args.has("slab")) {
    state.slab = slab;
    state.slabMm = thickness;
  }
  state.showAnnotations = !args.flag("no-annotations");
  OverlayLayers overlays;
  if (args.has("marker")) {
    overlays.markers.push_back({marker, {255, 40, 40, 255}, 4.0, true});
    if (!args.has("slice")) {
      state.crosshairLps = marker;
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
