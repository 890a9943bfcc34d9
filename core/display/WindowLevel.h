// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/geometry/Vec3.h"

#include <string>
#include <vector>

namespace lightbox {

struct Volume;

/// Display window: values below center - width/2 are black, above center + width/2 white.
struct WindowLevel {
  double center = 40.0;
  double width = 400.0;
  bool operator==(const WindowLevel& o) const { return center == o.center && width == o.width; }
};

struct WindowPreset {
  std::string name; ///< "lung", "mediastinum", ...
  char key;         ///< number key that selects it in the viewer
  WindowLevel window;
};

/// Presets radiologists know (CT, in HU): lung, mediastinum, bone, brain, abdomen, liver.
const std::vector<WindowPreset>& windowPresets();
/// The preset called `name`; throws std::invalid_argument listing the names otherwise.
WindowLevel windowPreset(const std::string& name);

/// True for PET values in SUV ("SUVbw", "SUVlbm", "SUV"...).
bool isSuvUnits(const std::string& units);
/// PET presets in SUV, lower end 0 as PET is read: 0-3, 0-5 (FDG's usual), 0-10, 0-20 (keys 1-4).
const std::vector<WindowPreset>& suvWindowPresets();
/// The presets for a series measured in `units`: SUV ones for PET in SUV, else the CT ones.
const std::vector<WindowPreset>& windowPresetsFor(const std::string& units);
/// The window a PET in SUV opens with: 0 to 5 SUV (a series' own window is in its stored units).
WindowLevel defaultSuvWindow();
/// Decimals a value of `units` is shown with, given the window's width: none for HU, two for SUV,
/// else by the width (a window a few units wide needs them).
int valueDecimals(const std::string& units, double windowWidth);

/// Window spanning the 1st to 99th percentile of a volume's values (a subsample of at most ~200k
/// voxels): the default when a series carries no window of its own.
WindowLevel percentileWindow(const Volume& volume);

/// Orientation letter(s) of an LPS direction for a viewport edge: "L", "R", "A", "P", "S", "I",
/// or two letters for oblique directions ("LA"), strongest first.
std::string orientationLetters(const Vec3& direction);

} // namespace lightbox
