// SPDX-License-Identifier: Apache-2.0
#include "core/volume/VolumeLoader.h"

#include "core/dicom/PetSuv.h"

#include "core/dicom/FrameDecoder.h"
#include "core/dicom/PixelFormat.h"
#include "core/util/MemoryBudget.h"
#include "core/util/ParallelFor.h"
#include "core/volume/StackResampler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

namespace lightbox {
namespace {

bool integral(double v) { return std::abs(v - std::round(v)) < 1e-9; }

double paddingValue(const AssembledSeries& s) {
  const DicomFileInfo& info = *s.header;
  if (info.modality == "CT") {
    return -1024.0;
  }
  return 0.0;
}

template <typename T>
std::vector<IngestIssue> decodeStacks(const AssembledSeries& series, std::vector<Volume>& volumes,
                                      const LoadOptions& options, double padding) {
  // One work item per file: all frames a file contributes, to any volume.
  std::map<std::string, std::vector<FrameTarget<T>>> byFile;
  std::vector<std::string> fileOrder;
  for (std::size_t v = 0; v < series.volumes.size(); ++v) {
    auto& voxels = std::get<std::vector<T>>(volumes[v].voxels);
    const std::size_t slicePixels = volumes[v].geometry.size[0] * volumes[v].geometry.size[1];
    const auto& slices = series.volumes[v].slices;
    for (std::size_t k = 0; k < slices.size(); ++k) {
      auto [it, inserted] = byFile.try_emplace(slices[k].file->path);
      if (inserted) {
        fileOrder.push_back(slices[k].file->path);
      }
      it->second.push_back({&slices[k], voxels.data() + k * slicePixels});
    }
  }
  std::vector<IngestIssue> issues;
  std::mutex issueMutex;
  std::atomic<std::size_t> done{0};
  std::atomic<bool> cancelled{false};
  const std::size_t total = series.frameCount();
  parallelFor(fileOrder.size(), options.threads, [&](std::size_t i) {
    if (cancelled) {
      return;
    }
    const auto& targets = byFile[fileOrder[i]];
    try {
      decodeFileFrames(targets);
    } catch (const std::exception& e) {
      const std::size_t pixels = std::size_t(targets.front().frame->rows) * targets.front().frame->columns;
      for (const auto& t : targets) {
        std::fill(t.destination, t.destination + pixels, T(padding));
      }
      std::lock_guard<std::mutex> lock(issueMutex);
      issues.push_back({IssueKind::PixelDecodeFailed, IssueSeverity::Error, fileOrder[i],
                        std::string(e.what()) + "; " + std::to_string(targets.size()) +
                            " slice(s) shown blank"});
    }
    const std::size_t n = done += targets.size();
    if (options.progress && !options.progress(n, total)) {
      cancelled = true;
    }
  });
  if (cancelled) {
    throw LoadCancelled();
  }
  std::sort(issues.begin(), issues.end(), [](const IngestIssue& a, const IngestIssue& b) { return a.path < b.path; });
  return issues;
}

} // namespace

VoxelType voxelTypeFor(const AssembledSeries& series) {
  constexpr double lo16 = std::numeric_limits<std::int16_t>::min();
  constexpr double hi16 = std::numeric_limits<std::int16_t>::max();
  for (const SliceStack& stack : series.volumes) {
    for (const DicomFrame& f : stack.slices) {
      const DicomFileInfo& info = *f.file;
      if (!integral(f.rescaleSlope) || !integral(f.rescaleIntercept) || info.bitsAllocated > 16) {
        return VoxelType::Float32;
      }
      PixelFormat pf;
      pf.bitsStored = info.bitsStored ? info.bitsStored : info.bitsAllocated;
      pf.isSigned = info.pixelRepresentation == 1;
      const auto [smin, smax] = pf.storedRange();
      const double a = smin * f.rescaleSlope + f.rescaleIntercept;
      const double b = smax * f.rescaleSlope + f.rescaleIntercept;
      if (std::min(a, b) < lo16 || std::max(a, b) > hi16) {
        return VoxelType::Float32;
      }
    }
  }
  return VoxelType::Int16;
}

/// The series with Philips floating-point scaling folded into each frame's rescale.
AssembledSeries withPhilipsFloatScaling(const AssembledSeries& series) {
  AssembledSeries scaled = series;
  for (SliceStack& stack : scaled.volumes) {
    for (DicomFrame& f : stack.slices) {
      if (f.philipsScaleSlope > 0) {
        const double divisor = f.rescaleSlope * f.philipsScaleSlope;
        f.rescaleSlope /= divisor;
        f.rescaleIntercept /= divisor;
      }
    }
  }
  return scaled;
}

namespace {

/// PET in SUV (body weight) when the header allows it, else as stored, said either way.
void convertPetToSuv(const DicomFileInfo& header, LoadedSeries& out) {
  const SuvConversion suv = suvBodyWeight(header.pet);
  for (Volume& vol : out.volumes) {
    if (!suv.ok) {
      vol.units = header.pet.units == "BQML" ? "Bq/mL" : header.pet.units;
      continue;
    }
    if (vol.voxelType() == VoxelType::Int16) {
      const auto& stored = std::get<std::vector<std::int16_t>>(vol.voxels);
      vol.voxels = std::vector<float>(stored.begin(), stored.end());
    }
    for (float& v : std::get<std::vector<float>>(vol.voxels)) v = float(double(v) * suv.factor);
    vol.units = "SUVbw";
  }
  out.issues.push_back(suv.ok ? IngestIssue{IssueKind::PetValues, IssueSeverity::Info, "", "PET values in SUVbw: " + suv.detail}
                              : IngestIssue{IssueKind::PetValues, IssueSeverity::Warning, "",
                                            "PET values kept as stored, not SUV: " + suv.reason});
}

} // namespace

LoadedSeries loadSeries(const AssembledSeries& input, const LoadOptions& options) {
  const bool philips = options.philipsFloatValues &&
                       input.volumes.front().slices.front().philipsScaleSlope > 0;
  const AssembledSeries scaled = philips ? withPhilipsFloatScaling(input) : AssembledSeries{};
  const AssembledSeries& series = philips ? scaled : input;
  LoadedSeries out;
  out.issues = series.issues;
  const DicomFrame& ref = series.volumes.front().slices.front();
  const VoxelType type = voxelTypeFor(series);
  const double padding = paddingValue(series);
  const bool resample = series.needsResampling && options.resampleToUniform;

  // Raw stacks first: the assembled geometry, or the sorted stack when it will be resampled.
  VolumeGeometry stackGeometry = series.geometry;
  if (series.needsResampling) {
    stackGeometry.size = {ref.columns, ref.rows, series.volumes.front().slices.size()};
    stackGeometry.origin = series.volumes.front().slices.front().position;
    stackGeometry.spacing = {ref.spacingX, ref.spacingY, series.nominalSpacing};
  }
  {
    // Refused up front when it cannot fit (issue 25): never the kernel's OOM kill mid-decode.
    const std::uint64_t voxelBytes = type == VoxelType::Int16 ? 2 : 4;
    std::uint64_t bytes = std::uint64_t(stackGeometry.voxelCount()) * voxelBytes * series.volumes.size();
    if (resample) bytes += std::uint64_t(series.geometry.voxelCount()) * voxelBytes; // one resampled at a time
    const auto& g = stackGeometry.size;
    requireMemory(bytes, "The series (" + std::to_string(series.volumes.size() > 1 ? series.volumes.size() : 1) +
                             (series.volumes.size() > 1 ? " volumes of " : " volume of ") + std::to_string(g[0]) + " x " +
                             std::to_string(g[1]) + " x " + std::to_string(g[2]) + " voxels, " +
                             std::to_string(voxelBytes * 8) + "-bit)");
  }
  for (std::size_t v = 0; v < series.volumes.size(); ++v) {
    Volume vol;
    vol.geometry = stackGeometry;
    vol.units = series.header->modality == "CT" ? "HU" : "";
    if (type == VoxelType::Int16) {
      vol.voxels = std::vector<std::int16_t>(stackGeometry.voxelCount());
    } else {
      vol.voxels = std::vector<float>(stackGeometry.voxelCount());
    }
    out.volumes.push_back(std::move(vol));
  }
  std::vector<IngestIssue> decodeIssues =
      type == VoxelType::Int16 ? decodeStacks<std::int16_t>(series, out.volumes, options, padding)
                               : decodeStacks<float>(series, out.volumes, options, padding);
  out.issues.insert(out.issues.end(), decodeIssues.begin(), decodeIssues.end());

  if (resample) {
    for (std::size_t v = 0; v < out.volumes.size(); ++v) {
      std::vector<Vec3> positions;
      for (const DicomFrame& f : series.volumes[v].slices) {
        positions.push_back(f.position);
      }
      out.volumes[v] = resampleStack(out.volumes[v], positions, series.geometry, padding, options.threads);
    }
    out.issues.push_back({IssueKind::Resampled, IssueSeverity::Info, "",
                          "resampled to a uniform " + std::to_string(series.geometry.size[0]) + "x" +
                              std::to_string(series.geometry.size[1]) + "x" +
                              std::to_string(series.geometry.size[2]) + " grid"});
  }
  if (series.header && series.header->modality == "PT") convertPetToSuv(*series.header, out);
  return out;
}

} // namespace lightbox
