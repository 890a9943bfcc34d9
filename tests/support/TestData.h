// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/volume/Volume.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lightbox::test {

/// Absolute path of `relative` inside the shared test data. A missing file fails the test
/// loudly (it never skips): the suite must run against ../shared/data.
std::string sharedData(const std::string& relative);

/// A finished child process: its exit code (128 + signal when killed) and what it printed.
struct ProcessResult {
  int exitCode = -1;
  std::string out, err;
};

/// Runs `binary` with `args` (no shell), stdout and stderr captured in files of a scratch folder.
ProcessResult runProgram(const std::string& binary, const std::vector<std::string>& args);

/// The whole file as bytes ("" when it cannot be read).
std::string fileText(const std::string& path);

/// A fresh empty folder under the system temp dir, removed when the process exits.
std::string scratchFolder(const std::string& name);

/// The `.dcm` files of folder `source` (not recursive), sorted by path; fails the test when there
/// are none.
std::vector<std::filesystem::path> sortedDicomFiles(const std::string& source);

/// Copies the DICOM files of `source` (one folder, not recursive) into `destination` and writes
/// a different Frame of Reference UID into every file with DCMTK's dcmodify, as an old
/// de-identification did to LIDC-IDRI. Returns the number of files copied; fails the test when
/// dcmodify is missing or refuses a file.
std::size_t copyWithFrameOfReferencePerSlice(const std::string& source, const std::string& destination);

/// Voxel-by-voxel comparison in world space: every voxel of `ours` is mapped through its LPS point
/// to the reference grid.
struct WorldComparison {
  std::size_t voxels = 0;
  std::size_t outside = 0;    ///< voxels whose LPS point falls outside the reference grid
  std::size_t mismatches = 0; ///< values differing by more than the tolerance
  double maxIndexErrorMm = 0; ///< distance from the mapped point to the nearest reference voxel centre
  double maxAbsDifference = 0;
};
/// Values match within `valueTolerance` plus 1e-6 of their magnitude (float32 rescale rounding).
WorldComparison compareInWorld(const Volume& ours, const Volume& reference, double valueTolerance);

/// Voxels that at least half of `masks` include.
std::vector<std::uint8_t> atLeastHalf(const std::vector<const std::vector<std::uint8_t>*>& masks);

/// The LIDC readers' outlines of the main lesion in `xmlPath` (the largest outline and every
/// outline overlapping it, Dice > 0.3), rasterised on `geometry`; their consensus (at least half);
/// and the consensus's centroid. Fails the test when no outline is found.
struct LidcConsensus {
  std::vector<std::vector<std::uint8_t>> readers;
  std::vector<std::uint8_t> mask;
  Vec3 centroid{0, 0, 0};
};
LidcConsensus lidcConsensus(const std::string& xmlPath, const VolumeGeometry& geometry);
/// The readers' own agreement: the mean of each reader's Dice against the consensus of the others.
double readersAgreement(const LidcConsensus& consensus);

} // namespace lightbox::test
