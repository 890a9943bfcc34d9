// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/SeriesAssembler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>

namespace lightbox {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string formatMm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

/// Frames group: a list of frames plus a label accumulated over the splits.
struct Group {
  std::vector<DicomFrame> frames;
  std::string label;
};

bool sameOrientation(const DicomFrame& a, const DicomFrame& b) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(a.rowDirection[c] - b.rowDirection[c]) > kOrientationTol ||
        std::abs(a.columnDirection[c] - b.columnDirection[c]) > kOrientationTol) {
      return false;
    }
  }
  return true;
}

/// Matrix, pixel spacing and orientation agree: the frames could belong to one stack.
bool sameGrid(const DicomFrame& a, const DicomFrame& b) {
  return a.rows == b.rows && a.columns == b.columns && a.hasOrientation == b.hasOrientation &&
         std::abs(a.spacingX - b.spacingX) < kGeomTolMm &&
         std::abs(a.spacingY - b.spacingY) < kGeomTolMm && sameOrientation(a, b);
}

bool sameGeometryClass(const DicomFrame& a, const DicomFrame& b) {
  return sameGrid(a, b) && a.file->frameOfReferenceUid == b.file->frameOfReferenceUid;
}

std::string geometryDifference(const DicomFrame& a, const DicomFrame& b) {
  if (a.rows != b.rows || a.columns != b.columns) {
    return "matrix " + std::to_string(a.columns) + "x" + std::to_string(a.rows) + " vs " +
           std::to_string(b.columns) + "x" + std::to_string(b.rows);
  }
  if (!sameOrientation(a, b) || a.hasOrientation != b.hasOrientation) {
    return "image orientation differs";
  }
  if (a.file->frameOfReferenceUid != b.file->frameOfReferenceUid) {
    return "frame of reference differs";
  }
  return "pixel spacing " + formatMm(a.spacingY) + "x" + formatMm(a.spacingX) + " vs " +
         formatMm(b.spacingY) + "x" + formatMm(b.spacingX) + " mm";
}

/// Fewer slices than this under different frames of reference are never joined by position.
constexpr std::size_t kMinSlicesToAssembleByPosition = 3;

/// Frames of one grid (see sameGrid) whose positions say they are one stack: at least
/// kMinSlicesToAssembleByPosition of them, each has a
/// position, no two share one, the gaps along the normal are even (kSpacingRelTol of their
/// median) and the in-plane step is the same between every neighbour (a straight or uniformly
/// sheared stack). Then a frame of reference that differs per slice is an artefact of the
/// exporter (e.g. an old de-identification), not a second acquisition.
bool formsOneStackByPosition(const std::vector<DicomFrame>& frames) {
  if (frames.size() < kMinSlicesToAssembleByPosition) {
    return false; // one gap says nothing about evenness
  }
  for (const DicomFrame& f : frames) {
    if (!f.hasPosition || !f.hasOrientation) {
      return false;
    }
  }
  const Vec3 normal = frames.front().normal();
  std::vector<Vec3> positions;
  for (const DicomFrame& f : frames) {
    positions.push_back(f.position);
  }
  std::sort(positions.begin(), positions.end(),
            [&](const Vec3& a, const Vec3& b) { return dot(a, normal) < dot(b, normal); });
  std::vector<double> gaps;
  for (std::size_t k = 1; k < positions.size(); ++k) {
    gaps.push_back(dot(positions[k] - positions[k - 1], normal));
  }
  std::vector<double> sorted = gaps;
  std::sort(sorted.begin(), sorted.end());
  const double nominal = sorted[sorted.size() / 2];
  if (sorted.front() <= kGeomTolMm) {
    return false; // repeated (overlapping) positions: two acquisitions, not one stack
  }
  const Vec3 span = positions.back() - positions.front();
  const Vec3 inPlaneStep = (span - normal * dot(span, normal)) * (1.0 / double(positions.size() - 1));
  for (std::size_t k = 1; k < positions.size(); ++k) {
    const Vec3 d = positions[k] - positions[k - 1];
    const double gap = gaps[k - 1];
    if (std::abs(gap / nominal - 1.0) > kSpacingRelTol) {
      return false;
    }
    if (norm((d - normal * gap) - inPlaneStep) > kSpacingRelTol * nominal + kGeomTolMm) {
      return false;
    }
  }
  return true;
}

/// Splits a group into clusters with the same geometry class (first-fit, order kept). Frames of
/// one grid whose frame of reference differs between slices stay together when their positions
/// form one even stack (formsOneStackByPosition); otherwise the frame of reference splits them.
std::vector<Group> splitByGeometry(Group g, std::vector<IngestIssue>& issues) {
  std::vector<Group> grids;
  for (DicomFrame& f : g.frames) {
    auto it = std::find_if(grids.begin(), grids.end(),
                           [&](const Group& p) { return sameGrid(p.frames.front(), f); });
    if (it == grids.end()) {
      grids.push_back(Group{{}, g.label});
      it = grids.end() - 1;
    }
    it->frames.push_back(std::move(f));
  }
  std::vector<Group> parts;
  for (Group& grid : grids) {
    std::set<std::string> frames;
    for (const DicomFrame& f : grid.frames) {
      frames.insert(f.file->frameOfReferenceUid);
    }
    // Only the de-identification artefact is joined: every slice names its own frame of reference.
    // Two stations on two frames of reference (a table move) keep apart: their positions are in
    // different coordinate systems.
    if (frames.size() > 1 && frames.size() == grid.frames.size() && formsOneStackByPosition(grid.frames)) {
      issues.push_back({IssueKind::FrameOfReferenceDiffers, IssueSeverity::Warning, "",
                        "frame of reference differs between slices: assembled by position (" +
                            std::to_string(frames.size()) + " frame of reference UIDs in " +
                            std::to_string(grid.frames.size()) + " slices)"});
      parts.push_back(std::move(grid));
      continue;
    }
    const std::size_t first = parts.size();
    for (DicomFrame& f : grid.frames) {
      auto it = std::find_if(parts.begin() + std::ptrdiff_t(first), parts.end(),
                             [&](const Group& p) { return sameGeometryClass(p.frames.front(), f); });
      if (it == parts.end()) {
        parts.push_back(Group{{}, g.label});
        it = parts.end() - 1;
      }
      it->frames.push_back(std::move(f));
    }
  }
  if (parts.size() > 1) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const DicomFrame& f = parts[i].frames.front();
      parts[i].label += (parts[i].label.empty() ? "" : ", ") + std::string("stack ") +
                        std::to_string(i + 1) + " (" + std::to_string(f.columns) + "x" +
                        std::to_string(f.rows) + ")";
    }
    issues.push_back({IssueKind::SplitDistinctGeometry, IssueSeverity::Info, "",
                      "series split into " + std::to_string(parts.size()) +
                          " stacks: " + geometryDifference(parts[0].frames.front(), parts[1].frames.front())});
  }
  return parts;
}

/// Splits by echo number and value kind (magnitude / phase / real / imaginary).
std::vector<Group> splitByValueKind(Group g, std::vector<IngestIssue>& issues) {
  std::map<std::pair<int, std::string>, Group> parts;
  for (DicomFrame& f : g.frames) {
    auto key = std::make_pair(f.echoNumber, valueKind(f.file->imageType));
    parts[key].frames.push_back(std::move(f));
  }
  std::vector<Group> out;
  std::set<int> echoes;
  std::set<std::string> kinds;
  for (const auto& [key, part] : parts) {
    echoes.insert(key.first);
    kinds.insert(key.second);
  }
  const bool severalEchoes = echoes.size() > 1;
  const bool severalKinds = kinds.size() > 1;
  for (auto& [key, part] : parts) {
    part.label = g.label;
    std::string& label = part.label; // a lambda may not capture a structured binding (C++17)
    auto append = [&label](const std::string& s) { label += (label.empty() ? "" : ", ") + s; };
    if (severalEchoes) {
      append("echo " + std::to_string(key.first));
    }
    if (severalKinds) {
      static const std::map<std::string, std::string> kNames{
          {"M", "magnitude"}, {"P", "phase"}, {"R", "real"}, {"I", "imaginary"}};
      append(kNames.at(key.second));
    }
    out.push_back(std::move(part));
  }
  if (out.size() > 1) {
    issues.push_back({IssueKind::SplitDistinctVolumes, IssueSeverity::Info, "",
                      "series holds " + std::to_string(out.size()) +
                          " distinct image sets (echoes / magnitude / phase), shown separately"});
  }
  return out;
}

double along(const DicomFrame& f, const Vec3& normal) { return dot(f.position, normal); }

/// Number of distinct slice positions (tolerance kGeomTolMm along the normal).
std::size_t distinctPositions(std::vector<double> d) {
  std::sort(d.begin(), d.end());
  std::size_t n = d.empty() ? 0 : 1;
  for (std::size_t i = 1; i < d.size(); ++i) {
    if (d[i] - d[i - 1] > kGeomTolMm) {
      ++n;
    }
  }
  return n;
}

bool allAtOnePosition(const std::vector<DicomFrame>& frames) {
  std::vector<double> d;
  for (const DicomFrame& f : frames) {
    d.push_back(along(f, f.normal()));
  }
  return distinctPositions(d) == 1;
}

/// Separates repeated positions into volumes (time points / acquisitions) by the first key
/// that gives equally sized stacks without repeats.
std::vector<std::vector<DicomFrame>> separateRepeats(std::vector<DicomFrame> frames,
                                                     const Vec3& normal,
                                                     std::vector<IngestIssue>& issues) {
  std::vector<double> d;
  for (const DicomFrame& f : frames) {
    d.push_back(along(f, normal));
  }
  const std::size_t positions = distinctPositions(d);
  if (positions == frames.size()) {
    return {std::move(frames)};
  }
  using KeyFn = int (*)(const DicomFrame&);
  const std::pair<const char*, KeyFn> keys[] = {
      {"acquisition number", [](const DicomFrame& f) { return f.acquisitionNumber; }},
      {"temporal position", [](const DicomFrame& f) { return f.temporalPosition; }},
      {"stack", [](const DicomFrame& f) { return f.stackIndex; }},
  };
  for (const auto& [name, key] : keys) {
    std::map<int, std::vector<DicomFrame>> byKey;
    for (const DicomFrame& f : frames) {
      byKey[key(f)].push_back(f);
    }
    if (byKey.size() < 2) {
      continue;
    }
    bool ok = true;
    for (const auto& [k, part] : byKey) {
      std::vector<double> pd;
      for (const DicomFrame& f : part) {
        pd.push_back(along(f, normal));
      }
      ok = ok && part.size() == byKey.begin()->second.size() && distinctPositions(pd) == part.size();
    }
    if (ok) {
      std::vector<std::vector<DicomFrame>> volumes;
      for (auto& [k, part] : byKey) {
        volumes.push_back(std::move(part));
      }
      issues.push_back({IssueKind::SplitDistinctVolumes, IssueSeverity::Info, "",
                        std::to_string(volumes.size()) + " volumes of " +
                            std::to_string(positions) + " slices, ordered by " + name});
      return volumes;
    }
  }
  // No key separates them: keep the first frame at each position.
  std::vector<std::size_t> order(frames.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d[a] < d[b]; });
  std::vector<DicomFrame> kept;
  double last = -1e300;
  for (std::size_t i : order) {
    if (d[i] - last > kGeomTolMm) {
      kept.push_back(frames[i]);
      last = d[i];
    }
  }
  issues.push_back({IssueKind::DuplicatePosition, IssueSeverity::Warning, "",
                    std::to_string(frames.size() - kept.size()) +
                        " frames repeat a slice position and were left out"});
  return {std::move(kept)};
}

double median(std::vector<double> v);

/// Sorts along the normal and cuts wherever a gap exceeds kBlockSplitGapFactor x the median gap.
std::vector<std::vector<DicomFrame>> splitAtLargeGaps(std::vector<DicomFrame> frames, const Vec3& normal) {
  std::stable_sort(frames.begin(), frames.end(),
                   [&](const DicomFrame& a, const DicomFrame& b) { return along(a, normal) < along(b, normal); });
  if (frames.size() < 3) {
    if (frames.size() == 2 && along(frames[1], normal) - along(frames[0], normal) >
                                  kBlockSplitGapFactor * std::max(frames[0].sliceThickness, 1.0)) {
      std::vector<std::vector<DicomFrame>> two{{frames[0]}, {frames[1]}};
      return two;
    }
    return {std::move(frames)};
  }
  std::vector<double> gaps;
  for (std::size_t k = 1; k < frames.size(); ++k) {
    gaps.push_back(along(frames[k], normal) - along(frames[k - 1], normal));
  }
  const double nominal = median(gaps);
  std::vector<std::vector<DicomFrame>> blocks(1);
  for (std::size_t k = 0; k < frames.size(); ++k) {
    if (k > 0 && gaps[k - 1] > kBlockSplitGapFactor * nominal) {
      blocks.emplace_back();
    }
    blocks.back().push_back(std::move(frames[k]));
  }
  return blocks;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Most voxels along one axis of a grid a stack is resampled to.
constexpr double kMaxResampledAxis = 16384;

/// Sorts each stack along the normal, measures spacing and shear, and sets the geometry.
void measureStack(AssembledSeries& s) {
  const DicomFrame& ref = s.volumes.front().slices.front();
  const Vec3 normal = ref.normal();
  for (SliceStack& stack : s.volumes) {
    std::stable_sort(stack.slices.begin(), stack.slices.end(),
                     [&](const DicomFrame& a, const DicomFrame& b) { return along(a, normal) < along(b, normal); });
  }
  const std::vector<DicomFrame>& slices = s.volumes.front().slices;
  VolumeGeometry& g = s.geometry;
  g.size = {ref.columns, ref.rows, slices.size()};
  g.spacing = {ref.spacingX, ref.spacingY, 1.0};
  g.origin = slices.front().position;
  g.direction = {ref.rowDirection, ref.columnDirection, normal};

  if (slices.size() < 2) {
    g.spacing[2] = ref.sliceThickness > 0 ? ref.sliceThickness : 1.0;
    return;
  }
  std::vector<double> gaps;
  for (std::size_t k = 1; k < slices.size(); ++k) {
    const Vec3 delta = slices[k].position - slices[k - 1].position;
    const double gap = dot(delta, normal);
    gaps.push_back(gap);
  }
  const double nominal = median(gaps);
  s.nominalSpacing = nominal;
  g.spacing[2] = nominal;

  // Gantry tilt: slice positions move along a line that is not the slice normal.
  const Vec3 span = slices.back().position - slices.front().position;
  const double spanAlong = dot(span, normal);
  const double shearMm = norm(span - normal * spanAlong);
  if (shearMm > kShearTolMm * double(slices.size())) {
    s.tiltDegrees = std::atan2(shearMm, spanAlong) * 180.0 / kPi;
    s.needsResampling = true;
    char msg[200];
    std::snprintf(msg, sizeof(msg),
                  "gantry tilt: slices are sheared by %.1f degrees (header GantryDetectorTilt %.1f); "
                  "resampled onto an orthogonal grid",
                  s.tiltDegrees, ref.file->gantryTilt);
    s.issues.push_back({IssueKind::GantryTilt, IssueSeverity::Warning, "", msg});
  }

  // Missing slices (gaps that are whole multiples of the nominal spacing) and uneven spacing.
  std::size_t missing = 0;
  bool uneven = false;
  for (std::size_t k = 0; k < gaps.size(); ++k) {
    const double ratio = gaps[k] / nominal;
    if (std::abs(ratio - 1.0) <= kSpacingRelTol) {
      continue;
    }
    const double whole = std::round(ratio);
    const double za = along(slices[k], normal), zb = along(slices[k + 1], normal);
    if (whole >= 2.0 && whole <= kMaxResampledAxis && std::abs(ratio - whole) <= 0.1) {
      const std::size_t n = std::size_t(whole) - 1;
      missing += n;
      s.issues.push_back({IssueKind::MissingSlices, IssueSeverity::Warning, "",
                          std::to_string(n) + " slice" + (n > 1 ? "s" : "") + " missing between " +
                              formatMm(za) + " and " + formatMm(zb) + " mm along the slice normal"});
    } else {
      uneven = true;
    }
  }
  if (uneven) {
    const auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
    s.issues.push_back({IssueKind::UnevenSpacing, IssueSeverity::Warning, "",
                        "uneven slice spacing: gaps from " + formatMm(*lo) + " to " + formatMm(*hi) +
                            " mm (median " + formatMm(nominal) + " mm); resampled to a uniform grid"});
  }
  if (uneven || missing > 0) {
    s.needsResampling = true;
  }
  if (s.needsResampling) {
    // Uniform output grid: row/column/normal axes, covering every input slice.
    double aMin = 0, aMax = 0, bMin = 0, bMax = 0;
    for (const DicomFrame& f : slices) {
      const Vec3 o = f.position - slices.front().position;
      aMin = std::min(aMin, dot(o, ref.rowDirection));
      aMax = std::max(aMax, dot(o, ref.rowDirection));
      bMin = std::min(bMin, dot(o, ref.columnDirection));
      bMax = std::max(bMax, dot(o, ref.columnDirection));
    }
    // The grid in doubles first: slices shifted 1 km in-plane with 1e-7 mm pixels ask for 1e90
    // columns (converting that to size_t was undefined behaviour; found by fuzzing, issue 25). A
    // grid past kMaxResampledAxis voxels on an axis is not made: the stack stays as acquired.
    const double columns = double(ref.columns) + std::ceil((aMax - aMin) / ref.spacingX - 1e-6);
    const double rows = double(ref.rows) + std::ceil((bMax - bMin) / ref.spacingY - 1e-6);
    const double depth = std::round(spanAlong / nominal) + 1.0;
    const auto plausible = [](double n) { return std::isfinite(n) && n >= 1.0 && n <= kMaxResampledAxis; };
    if (!plausible(columns) || !plausible(rows) || !plausible(depth)) {
      s.needsResampling = false;
      // The warnings above promised a resampled grid: this one says what is shown instead.
      s.issues.erase(std::remove_if(s.issues.begin(), s.issues.end(),
                                    [](const IngestIssue& i) { return i.message.find("resampled") != std::string::npos; }),
                     s.issues.end());
      s.issues.push_back({IssueKind::UnevenSpacing, IssueSeverity::Warning, "",
                          "the slices cannot be placed on one grid (it would need " + formatMm(columns) + " x " +
                              formatMm(rows) + " x " + formatMm(depth) +
                              " voxels); shown as acquired, not resampled: positions and distances are approximate"});
      return;
    }
    g.origin = slices.front().position + ref.rowDirection * aMin + ref.columnDirection * bMin;
    g.size[0] = std::size_t(columns);
    g.size[1] = std::size_t(rows);
    g.size[2] = std::size_t(depth);
  }
}

} // namespace

std::string valueKind(const std::vector<std::string>& imageType) {
  for (std::size_t i = 2; i < imageType.size(); ++i) {
    const std::string& v = imageType[i];
    if (v == "P" || v == "PHASE" || v == "PHASE MAP") {
      return "P";
    }
    if (v == "R" || v == "REAL") {
      return "R";
    }
    if (v == "I" || v == "IMAGINARY") {
      return "I";
    }
  }
  return "M";
}

bool isSegmentation(const DicomFileInfo& info) {
  return info.sopClassUid == "1.2.840.10008.5.1.4.1.1.66.4" || info.modality == "SEG";
}

bool isLocalizer(const DicomFileInfo& info) {
  return std::find(info.imageType.begin(), info.imageType.end(), "LOCALIZER") != info.imageType.end();
}

namespace {

/// Larger coordinates than this (1 km) are not a patient's: such a value is damage, and the
/// differences the assembler takes of it would overflow to infinity.
constexpr double kMaxCoordinateMm = 1e6;
/// Largest pixel spacing taken as one (10 m).
constexpr double kMaxSpacingMm = 1e4;

bool finiteWithin(const Vec3& v, double limit) {
  for (double x : v)
    if (!std::isfinite(x) || std::abs(x) > limit) return false;
  return true;
}

/// The frame with every geometric or value attribute that is not a finite, physically possible
/// number treated as absent (the header reader's numbers come from text such as "NaN" or
/// "1e999"; found by fuzzing, issue 25): the assembler then uses its fallbacks and warnings for a
/// missing position, orientation or spacing instead of building a grid of NaN or infinity.
DicomFrame withPlausibleGeometry(const DicomFrame& in) {
  DicomFrame f = in;
  if (!finiteWithin(f.position, kMaxCoordinateMm)) {
    f.hasPosition = false;
    f.position = {0, 0, 0};
  }
  if (finiteWithin(f.rowDirection, kMaxCoordinateMm) && finiteWithin(f.columnDirection, kMaxCoordinateMm) &&
      norm(f.rowDirection) > 1e-6 && norm(f.columnDirection) > 1e-6) {
    f.rowDirection = normalized(f.rowDirection);
    f.columnDirection = normalized(f.columnDirection);
  }
  if (!finiteWithin(f.rowDirection, 1.001) || !finiteWithin(f.columnDirection, 1.001) ||
      norm(f.rowDirection) < 0.5 || norm(f.columnDirection) < 0.5 || norm(f.normal()) < 1e-3) {
    f.hasOrientation = false;
    f.rowDirection = {1, 0, 0};
    f.columnDirection = {0, 1, 0};
  }
  const auto spacingOk = [](double s) { return std::isfinite(s) && s > 0 && s <= kMaxSpacingMm; };
  if (!spacingOk(f.spacingX) || !spacingOk(f.spacingY)) {
    f.hasPixelSpacing = false;
    f.spacingX = f.spacingY = 1.0;
  }
  if (!std::isfinite(f.sliceThickness) || f.sliceThickness < 0 || f.sliceThickness > kMaxSpacingMm) f.sliceThickness = 0;
  if (!std::isfinite(f.spacingBetweenSlices) || std::abs(f.spacingBetweenSlices) > kMaxSpacingMm) f.spacingBetweenSlices = 0;
  if (!std::isfinite(f.rescaleSlope) || f.rescaleSlope == 0 || !std::isfinite(f.rescaleIntercept)) {
    f.rescaleSlope = 1.0;
    f.rescaleIntercept = 0.0;
  }
  if (!std::isfinite(f.philipsScaleSlope)) f.philipsScaleSlope = 0;
  return f;
}

} // namespace

std::size_t AssembledSeries::frameCount() const {
  std::size_t n = 0;
  for (const SliceStack& v : volumes) {
    n += v.slices.size();
  }
  return n;
}

std::string AssembledSeries::displayName() const {
  std::string name = header->seriesDescription.empty() ? "series " + std::to_string(header->seriesNumber)
                                                        : header->seriesDescription;
  return partLabel.empty() ? name : name + " [" + partLabel + "]";
}

AssemblyResult assembleSeries(const std::vector<DicomFrame>& frames) {
  AssemblyResult result;
  // 1. Group by series instance UID and number (files without a UID stand alone).
  std::map<std::string, Group> bySeries;
  std::vector<std::string> order;
  for (const DicomFrame& original : frames) {
    const DicomFrame f = withPlausibleGeometry(original);
    // Series number is part of the key: some exporters reuse one UID for several series.
    std::string key = f.file->seriesInstanceUid + "#" + std::to_string(f.file->seriesNumber);
    if (f.file->seriesInstanceUid.empty()) {
      key = "file:" + f.file->path;
    }
    auto [it, inserted] = bySeries.try_emplace(key);
    if (inserted) {
      order.push_back(key);
    }
    it->second.frames.push_back(f);
  }

  for (const std::string& key : order) {
    Group group = std::move(bySeries[key]);
    // 2. Localizers never join a volume.
    std::size_t localizers = 0;
    std::string localizerPath;
    group.frames.erase(std::remove_if(group.frames.begin(), group.frames.end(),
                                      [&](const DicomFrame& f) {
                                        if (!isLocalizer(*f.file)) {
                                          return false;
                                        }
                                        ++localizers;
                                        localizerPath = f.file->path;
                                        return true;
                                      }),
                       group.frames.end());
    // 2b. Segmentations are overlays of another series, not images to read.
    const std::size_t before = group.frames.size();
    std::string segPath;
    group.frames.erase(std::remove_if(group.frames.begin(), group.frames.end(),
                                      [&](const DicomFrame& f) {
                                        const bool seg = isSegmentation(*f.file);
                                        if (seg) segPath = f.file->path;
                                        return seg;
                                      }),
                       group.frames.end());
    if (group.frames.size() != before) {
      result.issues.push_back({IssueKind::NotAnImage, IssueSeverity::Info, segPath,
                               "DICOM Segmentation (" + std::to_string(before - group.frames.size()) +
                                   " frames): an overlay object, not an image series"});
    }
    // 2c. The same instance stored twice (e.g. in several transfer syntaxes): keep the first.
    {
      std::map<std::tuple<std::string, unsigned, int>, std::string> firstFile;
      std::set<std::string> reported;
      group.frames.erase(std::remove_if(group.frames.begin(), group.frames.end(),
                                        [&](const DicomFrame& f) {
                                          if (f.file->sopInstanceUid.empty()) return false;
                                          const auto [it, fresh] = firstFile.emplace(
                                              std::make_tuple(f.file->sopInstanceUid, f.frameIndex, f.mosaicTile),
                                              f.file->path);
                                          if (fresh || it->second == f.file->path) return false;
                                          if (reported.insert(f.file->path).second) {
                                            result.issues.push_back(
                                                {IssueKind::DuplicatePosition, IssueSeverity::Info, f.file->path,
                                                 "same SOP Instance UID as " + it->second +
                                                     ", which is used instead"});
                                          }
                                          return true;
                                        }),
                         group.frames.end());
    }
    if (localizers > 0) {
      result.issues.push_back({IssueKind::Localizer, IssueSeverity::Info, localizerPath,
                               std::to_string(localizers) +
                                   " localizer image(s) kept out of the volume"});
    }
    if (group.frames.empty()) {
      continue;
    }
    std::vector<IngestIssue> splitIssues;
    // 3. Geometry classes, then 4. value kinds.
    for (Group& geo : splitByGeometry(std::move(group), splitIssues)) {
      for (Group& part : splitByValueKind(std::move(geo), splitIssues)) {
        const DicomFrame& first = part.frames.front();
        const bool classicMultiFrame = !first.file->isEnhanced && first.file->numberOfFrames > 1 &&
                                       first.mosaicTile < 0;
        const bool noGeometry = !first.hasPosition || !first.hasOrientation;
        if (noGeometry && !classicMultiFrame) {
          // Images without position: each is its own 2D image (radiographs, secondary captures).
          for (DicomFrame& f : part.frames) {
            AssembledSeries s;
            s.header = f.file;
            s.partLabel = part.label;
            s.isSingleImage = true;
            s.volumes.push_back(SliceStack{{f}});
            measureStack(s);
            if (!f.hasPixelSpacing) {
              s.issues.push_back({IssueKind::MissingGeometry, IssueSeverity::Warning, f.file->path,
                                  "no pixel spacing: distances are in pixels, not mm"});
            }
            result.series.push_back(std::move(s));
          }
          continue;
        }
        AssembledSeries s;
        s.header = first.file;
        s.partLabel = part.label;
        s.issues = splitIssues;
        if (classicMultiFrame && (noGeometry || allAtOnePosition(part.frames))) {
          // Classic multi-frame without per-frame positions: frames stacked in stored order.
          s.volumes.push_back(SliceStack{part.frames});
          const double step = first.spacingBetweenSlices > 0 ? first.spacingBetweenSlices
                                                             : (first.sliceThickness > 0 ? first.sliceThickness : 1.0);
          s.geometry.size = {first.columns, first.rows, part.frames.size()};
          s.geometry.spacing = {first.spacingX, first.spacingY, step};
          s.geometry.origin = first.position;
          s.geometry.direction = {first.rowDirection, first.columnDirection, first.normal()};
          s.nominalSpacing = step;
          s.issues.push_back({IssueKind::MissingGeometry, IssueSeverity::Warning, first.file->path,
                              "multi-frame image without per-frame positions: frames stacked in stored "
                              "order at " + formatMm(step) + " mm"});
          result.series.push_back(std::move(s));
          continue;
        }
        // 5. Repeated positions become separate volumes (time points). `first` lives in the frames
        // moved away here: its normal is taken first (AddressSanitizer: heap-use-after-free).
        const Vec3 normal = first.normal();
        for (auto& stack : separateRepeats(std::move(part.frames), normal, s.issues)) {
          s.volumes.push_back(SliceStack{std::move(stack)});
        }
        // 6. Far-apart blocks of slices become separate parts.
        const bool singleVolume = s.volumes.size() == 1;
        std::vector<std::vector<DicomFrame>> blocks;
        if (singleVolume) {
          blocks = splitAtLargeGaps(std::move(s.volumes.front().slices), normal);
          s.volumes.clear();
        }
        for (std::size_t b = 0; b < std::max<std::size_t>(blocks.size(), 1); ++b) {
          AssembledSeries part2 = s;
          if (singleVolume) {
            part2.volumes = {SliceStack{std::move(blocks[b])}};
          }
          if (blocks.size() > 1) {
            part2.partLabel += (part2.partLabel.empty() ? "" : ", ") + std::string("block ") +
                               std::to_string(b + 1) + " of " + std::to_string(blocks.size());
            part2.issues.push_back({IssueKind::SplitDistinctGeometry, IssueSeverity::Info, "",
                                    "slices form " + std::to_string(blocks.size()) +
                                        " separate blocks far apart; each is shown on its own"});
          }
          part2.isSingleImage = part2.volumes.front().slices.size() == 1 && part2.volumes.size() == 1;
          // 7. Sort, measure spacing and tilt, fix the geometry.
          measureStack(part2);
          result.series.push_back(std::move(part2));
        }
      }
    }
  }
  // 8. Text that its character set could not decode: named per file with the series showing it.
  for (AssembledSeries& s : result.series) {
    std::set<std::string> named;
    for (const SliceStack& v : s.volumes) {
      for (const DicomFrame& f : v.slices) {
        if (!f.file->textWarning.empty() && named.insert(f.file->path).second) {
          s.issues.push_back({IssueKind::UndecodableText, IssueSeverity::Warning, f.file->path, f.file->textWarning});
        }
      }
    }
  }
  return result;
}

} // namespace lightbox
