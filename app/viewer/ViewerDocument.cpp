// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/ViewerDocument.h"

#include "app/i18n/CoreMessages.h"
#include "app/viewer/LabelStepCommand.h"

#include "core/annotation/AnnotationStore.h"
#include "core/io/ImageFileIO.h"
#include "core/report/SrMeasurementImport.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/LabelMapFile.h"
#include "core/segmentation/LabelMapImport.h"
#include "core/segmentation/RtStructImport.h"
#include "core/util/AtomicFile.h"

#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

namespace lightbox {
namespace {

/// One step of the session's history on the undo stack. Pushing calls redo() once: the session
/// has already made the change, so that first call does nothing.
class SessionStepCommand : public QUndoCommand {
public:
  SessionStepCommand(std::function<bool(bool undo)> replay, const QString& text)
      : QUndoCommand(text), replay_(std::move(replay)) {}
  void redo() override {
    if (pushed_ && !replay_(false)) setObsolete(true);
    pushed_ = true;
  }
  // A step the session no longer holds (its history dropped the oldest to stay in its memory
  // cap) leaves the stack.
  void undo() override {
    if (!replay_(true)) setObsolete(true);
  }

private:
  std::function<bool(bool undo)> replay_;
  bool pushed_ = false;
};

} // namespace

ViewerDocument::ViewerDocument(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {}
ViewerDocument::~ViewerDocument() = default;

void ViewerDocument::setVolume(std::shared_ptr<const Volume> volume, QString patientText, QString seriesText,
                               std::vector<IngestIssue> issues, WindowLevel initialWindow, QString seriesKey) {
  volume_ = std::move(volume);
  patientText_ = std::move(patientText);
  seriesText_ = std::move(seriesText);
  seriesKey_ = std::move(seriesKey);
  issues_ = std::move(issues);
  // Said on every frame: counted once per series, not per frame.
  undecodedImages_ = std::size_t(std::count_if(
      issues_.begin(), issues_.end(), [](const IngestIssue& i) { return i.kind == IssueKind::PixelDecodeFailed; }));
  window_ = seriesWindow_ = initialWindow;
  thresholdRange_ = volume_ && volume_->units == "HU"
                        ? std::pair<double, double>{-500.0, 300.0}
                        : std::pair<double, double>{initialWindow.center, initialWindow.center + initialWindow.width / 2};
  planes_.clear();
  const VolumeGeometry& g = volume_->geometry;
  // The middle of the volume, on an acquired slice.
  crosshair_ = g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), double((g.size[2] - 1) / 2)});
  undo_->clear();
  selected_ = 0;
  selectedFinding_.clear();
  openSession();
  // The series' segments, saved beside its review.
  labels_ = LabelMap(g);
  labelsPath_.clear();
  labelsWritable_ = true;
  segSource_ = {};
  statsCache_.clear();
  suvPeakCache_.clear();
  labelVolume_.reset(); // revisions restart with every map
  strokeBoxes_.clear();
  selectedSegment_ = 0;
  segmentDisplay_.clear();
  engineRuns_.clear();
  uncertaintyDirty_ = true;
  if (stroking_) {
    stroking_ = false;
    emit strokingChanged(false);
  }
  stroke_.clear();
  if (!seriesKey_.isEmpty()) {
    labelsPath_ = AnnotationStore(AnnotationStore::defaultFolder()).labelsPathFor(seriesKey_.toStdString());
    if (std::error_code exists; std::filesystem::exists(labelsPath_, exists)) {
      try {
        labels_ = loadLabelMap(labelsPath_, g);
      } catch (const std::exception& e) {
        // Never saved over: moved aside, as an unreadable review is.
        std::string reason;
        const std::string aside = moveAside(labelsPath_, reason);
        labelsWritable_ = !aside.empty();
        emit annotationError(aside.empty() ? tr("%1; segments of this series are not saved").arg(QString::fromUtf8(e.what()))
                                           : tr("%1; kept as %2").arg(QString::fromUtf8(e.what()), QString::fromStdString(aside)));
      }
    }
  }
  emit volumeChanged();
  emit measurementsChanged();
  emit findingsChanged();
  emit segmentsChanged();
}

void ViewerDocument::setThresholdRange(double lo, double hi) {
  thresholdRange_ = {std::min(lo, hi), std::max(lo, hi)};
  emit thresholdRangeChanged();
  emit displayChanged();
}

VoxelBox ViewerDocument::boxOfRectangle(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down,
                                        const QString& offPlane) {
  const VolumeGeometry& g = volume_->geometry;
  const Vec3 normal = normalized(cross(right, down));
  const Vec3 sliceNormal = normalized(cross(g.direction[0], g.direction[1]));
  if (std::abs(dot(normal, sliceNormal)) < 0.999) {
    emit annotationError(offPlane);
    return {};
  }
  const Vec3 diagonal = cornerB - cornerA;
  const double width = std::abs(dot(diagonal, right)), height = std::abs(dot(diagonal, down));
  if (std::min(width, height) < 1.0) return {}; // a click, not a box
  const double depth = std::min(width, height) / 2;
  long lo[3] = {long(g.size[0]), long(g.size[1]), long(g.size[2])}, hi[3] = {-1, -1, -1};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 p = cornerA + right * ((corner & 1) ? dot(diagonal, right) : 0.0) +
                   down * ((corner & 2) ? dot(diagonal, down) : 0.0) + normal * ((corner & 4) ? depth : -depth);
    const Vec3 ijk = g.lpsToIjk(p);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], long(std::lround(ijk[a])));
      hi[a] = std::max(hi[a], long(std::lround(ijk[a])) + 1);
    }
  }
  return clampBox(labels_, lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]);
}

int ViewerDocument::segmentInBox(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down) {
  if (!volume_ || replaying_ || stroking_) return 0;
  const VoxelBox clip = boxOfRectangle(
      cornerA, cornerB, right, down,
      tr("The segment tool's box works in the acquired slices: use the view of the acquisition plane"));
  if (clip.empty()) return 0;
  return segmentAt((cornerA + cornerB) * 0.5, &clip);
}

int ViewerDocument::thresholdInBox(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down) {
  if (!volume_ || replaying_ || stroking_) return 0;
  const VoxelBox box = boxOfRectangle(
      cornerA, cornerB, right, down,
      tr("Threshold in a box works in the acquired slices: use the view of the acquisition plane"));
  if (box.empty()) return 0;
  const std::uint8_t label = labels_.freeLabel();
  if (label == 0) {
    emit annotationError(tr("255 segments on this series: no room for another"));
    return 0;
  }
  std::vector<Segment> before = labels_.segments;
  LabelDelta delta = thresholdBox(labels_, *volume_, box, thresholdRange_.first, thresholdRange_.second, label);
  if (delta.box.empty()) {
    emit annotationError(tr("Threshold in a box: no voxel between %1 and %2 in the box")
                             .arg(thresholdRange_.first).arg(thresholdRange_.second));
    return 0;
  }
  Segment s;
  s.label = label;
  s.name = QString("Lesion %1 (threshold %2..%3)").arg(label).arg(thresholdRange_.first).arg(thresholdRange_.second).toStdString();
  s.rgb[0] = 255, s.rgb[1] = 120, s.rgb[2] = 40;
  s.origin = SegmentOrigin::Manual;
  labels_.segments.push_back(s);
  selectedSegment_ = label;
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before), tr("Threshold in box")));
  labelsChanged();
  return label;
}

void ViewerDocument::setBrushRadiusMm(double mm) {
  brushRadiusMm_ = std::clamp(mm, 0.5, 50.0);
  emit displayChanged();
}

bool ViewerDocument::beginStroke(bool erase, const Vec3& viewNormal) {
  if (!volume_ || replaying_ || stroking_) return false;
  const Vec3 sliceNormal = normalized(cross(volume_->geometry.direction[0], volume_->geometry.direction[1]));
  if (std::abs(dot(normalized(viewNormal), sliceNormal)) < 0.999) {
    emit annotationError(tr("The brush paints in the acquired slices: use the view of the acquisition plane"));
    return false;
  }
  stroking_ = true;
  emit strokingChanged(true);
  strokeErase_ = erase;
  stroke_.clear();
  strokeTableBefore_ = labels_.segments;
  if (!labels_.segment(selectedSegment_)) selectedSegment_ = labels_.segments.empty() ? 0 : labels_.segments.back().label;
  if (selectedSegment_ == 0 && !erase) {
    Segment s;
    s.label = labels_.freeLabel();
    if (s.label == 0) {
      stroking_ = false;
      emit strokingChanged(false);
      emit annotationError(tr("255 segments on this series: no room for another"));
      return false;
    }
    s.name = QString("Lesion %1").arg(s.label).toStdString();
    s.rgb[0] = 120, s.rgb[1] = 255, s.rgb[2] = 80;
    s.origin = SegmentOrigin::Manual;
    labels_.segments.push_back(s);
    selectedSegment_ = s.label;
  }
  return true;
}

void ViewerDocument::strokeDab(const Vec3& lps) {
  if (!stroking_ || selectedSegment_ == 0) return;
  BrushDab dab;
  dab.centerLps = lps;
  dab.radiusMm = brushRadiusMm_;
  dab.label = selectedSegment_;
  dab.erase = strokeErase_;
  dab.disc = true;
  if (tool_ == Tool::ThresholdBrush && !strokeErase_) {
    dab.image = volume_.get();
    dab.lo = thresholdRange_.first;
    dab.hi = thresholdRange_.second;
  }
  LabelDelta d = paint(labels_, dab);
  if (d.box.empty()) return;
  strokeBoxes_.push_back(d.box);
  stroke_.push_back(std::move(d));
  statsCache_.clear();
  suvPeakCache_.clear();
  emit segmentsChanged(); // drawn as it goes; saved when the stroke ends
}

void ViewerDocument::endStroke() {
  if (!stroking_) return;
  stroking_ = false;
  emit strokingChanged(false);
  if (stroke_.empty()) {
    labels_.segments = strokeTableBefore_; // a new segment that got no voxel is not kept
    emit segmentsChanged();
    return;
  }
  if (Segment* s = labels_.segment(selectedSegment_)) {
    const std::size_t changed = changedVoxels(labels_, stroke_);
    if (s->origin == SegmentOrigin::Automatic) s->origin = SegmentOrigin::SemiAutomatic;
    s->changedVoxels += changed;
  }
  const QString what = strokeErase_ ? tr("Erase") : tr("Brush");
  undo_->push(new LabelStepCommand(this, std::move(stroke_), std::move(strokeTableBefore_), what));
  stroke_.clear();
  labelsChanged();
}

int ViewerDocument::importLabels(const QString& path) {
  if (!volume_ || replaying_ || stroking_) return 0;
  ImportedLabels in;
  const bool seg = !isResearchImageFile(path.toStdString()); // a DICOM SEG
  const std::string sopClass = seg ? sopClassUidOf(path.toStdString()) : std::string();
  if (isStructuredReportClass(sopClass)) return importMeasurementReport(path);
  const bool rtstruct = sopClass == "1.2.840.10008.5.1.4.1.1.481.3";
  try {
    if (seg) {
      const SegSourceSeries source = segSourceOnVolume();
      in = segToLabelMap(rtstruct ? importRtStruct(path.toStdString(), source) : importDicomSeg(path.toStdString(), source),
                         volume_->geometry);
    } else {
      in = importLabelFile(path.toStdString(), volume_->geometry);
    }
  } catch (const std::exception& e) {
    emit annotationError(QString::fromStdString(e.what()));
    return 0;
  }
  for (const std::string& w : in.warnings) emit annotationError(QString::fromStdString(w));
  if (in.map.segments.empty()) {
    emit annotationError(tr("%1: the label map is empty").arg(path));
    return 0;
  }
  std::vector<Segment> before = labels_.segments;
  std::uint8_t remap[256] = {0};
  int added = 0;
  for (Segment s : in.map.segments) {
    const std::uint8_t label = labels_.segment(s.label) ? labels_.freeLabel() : s.label;
    if (label == 0) {
      emit annotationError(tr("%1: 255 segments on this series: the rest of the file is left out").arg(path));
      break;
    }
    remap[s.label] = label;
    s.label = label;
    labels_.segments.push_back(s);
    ++added;
  }
  // One delta over the whole map (run-length encoded: small whatever the file).
  VoxelBox all;
  for (int a = 0; a < 3; ++a) all.hi[a] = labels_.geometry.size[a];
  LabelDelta delta = captureBox(labels_, all);
  for (std::size_t n = 0; n < labels_.labels.size(); ++n) {
    const std::uint8_t v = remap[in.map.labels[n]];
    if (v != 0 && labels_.labels[n] == 0) labels_.labels[n] = v;
  }
  ++labels_.revision;
  selectedSegment_ = labels_.segments.back().label;
  const QString file = QFileInfo(path).fileName();
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before),
                                   rtstruct ? tr("Open RTSTRUCT %1").arg(file)
                                   : seg    ? tr("Open DICOM SEG %1").arg(file)
                                            : tr("Open label map %1").arg(file)));
  labelsChanged();
  if (in.resampled && !seg) {
    emit annotationError(tr("%1: on another grid than the series, resampled (nearest neighbour)").arg(path));
  }
  return added;
}

SegSourceSeries ViewerDocument::segSourceOnVolume() const {
  // Without the series' instances (a research file is open): DICOM objects are placed by position only.
  SegSourceSeries source = segSource_;
  if (!sameGrid(source.geometry, volume_->geometry)) source = SegSourceSeries{volume_->geometry, {}, {}};
  source.geometry = volume_->geometry;
  return source;
}

int ViewerDocument::importMeasurementReport(const QString& path) {
  if (!volume_ || replaying_ || stroking_) return 0;
  SrOnSeries placed;
  try {
    placed = placeSrMeasurements(readMeasurementReportSr(path.toStdString()), segSourceOnVolume());
  } catch (const std::exception& e) {
    emit annotationError(QString::fromStdString(e.what()));
    return 0;
  }
  for (const std::string& w : placed.warnings) emit annotationError(QString::fromStdString(w));
  if (placed.notes.empty()) {
    emit annotationError(tr("%1: no measurement of this SR lies on the open series").arg(path));
    return 0;
  }
  // One undo step for the whole report.
  session_.beginEdit(tr("Open SR %1").arg(QFileInfo(path).fileName()).toStdString());
  int last = 0;
  for (Measurement& m : placed.notes) last = session_.addMeasurement(std::move(m));
  session_.endEdit();
  pushStep();
  selectMeasurement(last);
  return int(placed.notes.size());
}

void ViewerDocument::setSegSource(SegSourceSeries source) {
  segSource_ = std::move(source);
}

bool ViewerDocument::applyToSelectedSegment(SegmentOperation op) {
  if (replaying_ || stroking_) return false;
  if (!labels_.segment(selectedSegment_)) selectedSegment_ = labels_.segments.empty() ? 0 : labels_.segments.back().label;
  Segment* s = labels_.segment(selectedSegment_);
  if (!s) return false;
  std::vector<Segment> before = labels_.segments;
  LabelDelta delta = op == SegmentOperation::FillBetweenSlices ? fillBetweenSlices(labels_, s->label)
                     : op == SegmentOperation::RemoveIslands   ? removeIslands(labels_, s->label)
                                                               : smoothSegment(labels_, s->label);
  if (delta.box.empty()) return false;
  if (s->origin == SegmentOrigin::Automatic) s->origin = SegmentOrigin::SemiAutomatic;
  s->changedVoxels += changedVoxels(labels_, {delta});
  const QString what = op == SegmentOperation::FillBetweenSlices ? tr("Fill between slices")
                       : op == SegmentOperation::RemoveIslands   ? tr("Remove islands")
                                                                 : tr("Smooth segment");
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before), what));
  labelsChanged();
  return true;
}

void ViewerDocument::selectSegment(std::uint8_t label) {
  if (stroking_ || label == selectedSegment_ || (label != 0 && !labels_.segment(label))) return;
  selectedSegment_ = label;
  emit segmentSelected();
}

void ViewerDocument::goToSegment(std::uint8_t label) {
  if (!labels_.segment(label)) return;
  selectSegment(label);
  const SegmentStats st = segmentStats(label);
  if (st.voxels == 0) return;
  // The centroid on the RECIST slice: where the axes are drawn, on an acquired slice.
  Vec3 ijk = labels_.geometry.lpsToIjk(st.centroidLps);
  ijk[2] = double(st.axisSlice);
  setCrosshair(labels_.geometry.ijkToLps(ijk));
}

void ViewerDocument::pushTableEdit(std::vector<Segment> before, const QString& what) {
  undo_->push(new LabelStepCommand(this, std::vector<LabelDelta>{}, std::move(before), what));
  labelsChanged();
}

bool ViewerDocument::renameSegment(std::uint8_t label, const std::string& name) {
  Segment* s = labels_.segment(label);
  if (replaying_ || stroking_ || !s || name.empty() || s->name == name) return false;
  std::vector<Segment> before = labels_.segments;
  s->name = name;
  pushTableEdit(std::move(before), tr("Rename segment to %1").arg(QString::fromStdString(name)));
  return true;
}

bool ViewerDocument::setSegmentColour(std::uint8_t label, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Segment* s = labels_.segment(label);
  if (replaying_ || stroking_ || !s || (s->rgb[0] == r && s->rgb[1] == g && s->rgb[2] == b)) return false;
  std::vector<Segment> before = labels_.segments;
  s->rgb[0] = r, s->rgb[1] = g, s->rgb[2] = b;
  pushTableEdit(std::move(before), tr("Colour of %1").arg(QString::fromStdString(s->name)));
  return true;
}

bool ViewerDocument::removeSegment(std::uint8_t label) {
  const Segment* s = labels_.segment(label);
  if (replaying_ || stroking_ || !s) return false;
  engineRuns_.erase(label);
  // The undo record covers the segment's box only.
  const auto& size = labels_.geometry.size;
  long lo[3] = {long(size[0]), long(size[1]), long(size[2])}, hi[3] = {0, 0, 0};
  for (std::size_t k = 0, n = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i, ++n) {
        if (labels_.labels[n] != label) continue;
        const long at[3] = {long(i), long(j), long(k)};
        for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], at[a]), hi[a] = std::max(hi[a], at[a] + 1);
      }
  const QString what = tr("Delete segment %1").arg(QString::fromStdString(s->name));
  std::vector<Segment> before = labels_.segments;
  const VoxelBox box = clampBox(labels_, lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]);
  LabelDelta delta = captureBox(labels_, box);
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i)
        if (labels_.labels[labels_.index(i, j, k)] == label) labels_.labels[labels_.index(i, j, k)] = 0;
  ++labels_.revision;
  labels_.segments.erase(std::remove_if(labels_.segments.begin(), labels_.segments.end(),
                                        [label](const Segment& x) { return x.label == label; }),
                         labels_.segments.end());
  if (selectedSegment_ == label) selectedSegment_ = 0;
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before), what));
  labelsChanged();
  return true;
}

SegmentDisplay ViewerDocument::segmentDisplay(std::uint8_t label) const {
  const auto it = segmentDisplay_.find(label);
  return it != segmentDisplay_.end() ? it->second : SegmentDisplay{};
}

void ViewerDocument::setSegmentDisplay(std::uint8_t label, const SegmentDisplay& display) {
  SegmentDisplay d = display;
  d.opacity = std::clamp(d.opacity, 0.0, 1.0);
  if (segmentDisplay(label) == d) return;
  segmentDisplay_[label] = d;
  emit segmentDisplayChanged();
}

void ViewerDocument::labelsChanged() {
  statsCache_.clear();
  suvPeakCache_.clear();
  uncertaintyDirty_ = true;
  if (!labelsPath_.empty() && labelsWritable_) {
    try {
      saveLabelMap(labels_, labelsPath_);
    } catch (const std::exception& e) {
      emit annotationError(QString::fromStdString(e.what()));
    }
  }
  emit segmentsChanged();
  refreshLinkedFindings();
}

void ViewerDocument::refreshLinkedFindings() {
  // A finding linked to a segment sizes itself from the mask as it is now (Lung-RADS, Brock).
  // Not while the series' label file could not be read (moved aside): the review keeps its numbers.
  if (replayingLabels_ || !labelsWritable_) return;
  replayingLabels_ = true;
  std::vector<std::pair<std::string, int>> linked;
  for (const Finding& f : session_.findings()) {
    if (f.segmentLabel) linked.emplace_back(f.id, f.segmentLabel);
  }
  for (const auto& [id, label] : linked) {
    // One pass over the map per segment and revision (segmentStats is cached), not a count as well.
    const SegmentStats st = labels_.segment(std::uint8_t(label)) ? segmentStats(std::uint8_t(label)) : SegmentStats{};
    const bool present = st.voxels > 0;
    session_.refreshFindingMask(id, present ? label : 0, st.longAxisMm, st.shortAxisMm, st.volumeMl * 1000.0);
  }
  replayingLabels_ = false;
}

std::shared_ptr<const Volume> ViewerDocument::labelVolume() const {
  if (labels_.segments.empty()) return nullptr;
  if (labelVolume_ && labelVolumeRevision_ != labels_.revision &&
      labelVolumeRevision_ + strokeBoxes_.size() == labels_.revision) {
    // Only brush dabs since: copy their boxes, not the map (a stroke is one dab per mouse move).
    auto& voxels = std::get<std::vector<std::int16_t>>(labelVolume_->voxels);
    for (const VoxelBox& b : strokeBoxes_)
      for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
        for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
          for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i) voxels[labels_.index(i, j, k)] = labels_.labels[labels_.index(i, j, k)];
    labelVolumeRevision_ = labels_.revision;
  }
  strokeBoxes_.clear();
  if (!labelVolume_ || labelVolumeRevision_ != labels_.revision) {
    auto v = std::make_shared<Volume>();
    v->geometry = labels_.geometry;
    v->voxels = std::vector<std::int16_t>(labels_.labels.begin(), labels_.labels.end());
    labelVolume_ = std::move(v);
    labelVolumeRevision_ = labels_.revision;
  }
  return labelVolume_;
}

SegmentStats ViewerDocument::segmentStats(std::uint8_t label) const {
  auto it = statsCache_.find(label);
  if (it != statsCache_.end() && it->second.first == labels_.revision) return it->second.second;
  const SegmentStats st = measureSegment(labels_, label, volume_.get());
  statsCache_[label] = {labels_.revision, st};
  return st;
}

double ViewerDocument::segmentSuvPeak(std::uint8_t label) const {
  if (!volume_ || !isSuvUnits(volume_->units) ||
      labels_.labels.size() != volume_->geometry.voxelCount())
    return 0.0;
  auto it = suvPeakCache_.find(label);
  if (it != suvPeakCache_.end() && it->second.first == labels_.revision)
    return it->second.second;
  std::vector<std::uint8_t> mask(labels_.labels.size());
  for (std::size_t q = 0; q < mask.size(); ++q)
    mask[q] = labels_.labels[q] == label;
  const double peak = suvPeak(*volume_, mask);
  suvPeakCache_[label] = {labels_.revision, peak};
  return peak;
}

void ViewerDocument::setCrosshair(const Vec3& lps) {
  if (!volume_) {
    return;
  }
  const VolumeGeometry& g = volume_->geometry;
  Vec3 ijk = g.lpsToIjk(lps);
  for (int a = 0; a < 3; ++a) {
    ijk[a] = std::clamp(ijk[a], 0.0, double(g.size[a] - 1));
  }
  // The acquisition plane shows acquired slices, never an image interpolated between two of them
  // (measurements there lie on a real slice); a turned plane or a slab stays where it is put.
  const PlaneSettings acquired = planeSettings(nearestViewPlane(g.direction[2]));
  if (acquired.yawDeg == 0.0 && acquired.pitchDeg == 0.0 && acquired.slab == SlabMode::None) {
    ijk[2] = std::round(ijk[2]);
  }
  crosshair_ = g.ijkToLps(ijk);
  emit crosshairChanged();
}

std::pair<Vec3, Vec3> ViewerDocument::axes(ViewPlane plane) const {
  const PlaneSettings s = planeSettings(plane);
  return obliqueAxes(plane, s.yawDeg, s.pitchDeg);
}

void ViewerDocument::scroll(ViewPlane plane, int steps) {
  if (!volume_) {
    return;
  }
  const PlaneSettings s = planeSettings(plane);
  if (s.yawDeg == 0.0 && s.pitchDeg == 0.0) {
    const auto [right, down] = screenAxes(plane);
    const Vec3 n = normalized(cross(right, down));
    const Vec3 scrollAxis{std::abs(n[0]), std::abs(n[1]), std::abs(n[2])};
    setCrosshair(crosshair_ + scrollAxis * (double(steps) * sliceSpacing(volume_->geometry, plane)));
    return;
  }
  const auto [right, down] = axes(plane);
  const Vec3 n = normalized(cross(right, down));
  setCrosshair(crosshair_ + n * (double(steps) * sliceSpacingAlong(volume_->geometry, n)));
}

void ViewerDocument::setWindow(const WindowLevel& window) {
  window_ = {window.center, std::max(window.width, 1.0)};
  emit displayChanged();
}

void ViewerDocument::setInverted(bool inverted) {
  inverted_ = inverted;
  emit displayChanged();
}

void ViewerDocument::cycleAnnotationDetail() {
  // full -> minimal -> off -> full, as Weasis and most PACS viewers offer.
  if (annotations_ && !minimalText_) {
    minimalText_ = true;
  } else if (annotations_) {
    annotations_ = false;
    minimalText_ = false;
  } else {
    annotations_ = true;
  }
  emit displayChanged();
}

void ViewerDocument::setAnnotationsVisible(bool visible) {
  annotations_ = visible;
  emit displayChanged();
}

void ViewerDocument::setCrosshairLinesVisible(bool visible) {
  crosshairLines_ = visible;
  emit displayChanged();
}

PlaneSettings ViewerDocument::planeSettings(ViewPlane plane) const {
  const auto it = planes_.find(plane);
  return it != planes_.end() ? it->second : PlaneSettings{};
}

void ViewerDocument::setPlaneSettings(ViewPlane plane, const PlaneSettings& settings) {
  PlaneSettings s = settings;
  s.slabMm = std::clamp(s.slabMm, 1.0, 100.0);
  planes_[plane] = s;
  emit displayChanged();
}

void ViewerDocument::setTool(Tool tool) {
  tool_ = tool;
  emit toolChanged();
}

void ViewerDocument::openSession() {
  session_ = seriesKey_.isEmpty()
                 ? ReadingSession()
                 : ReadingSession::open(AnnotationStore(AnnotationStore::defaultFolder()), seriesKey_.toStdString());
  // Unreadable file moved aside (or left and the review read-only), a folder that cannot be written.
  for (const std::string& problem : session_.openProblems()) emit annotationError(QString::fromStdString(problem));
  session_.setObserver([this](const ReviewChanges& what) {
    if (what.measurements) emit measurementsChanged();
    if (what.findings || what.run || what.patient) emit findingsChanged();
  });
  session_.setProblemObserver([this](const std::string& message) { emit annotationError(QString::fromStdString(message)); });
}

void ViewerDocument::pushStep() {
  undo_->push(new SessionStepCommand([this](bool undo) { return replay(undo); },
                                     QString::fromStdString(session_.history().undoLabel())));
}

bool ViewerDocument::replay(bool undo) {
  if (replaying_) return true; // a handler of the change asked again: the step is under way
  replaying_ = true;
  const bool done = undo ? session_.undo() : session_.redo();
  replaying_ = false;
  refreshLinkedFindings(); // a restored finding carries the axes of its time: measure the mask now
  return done;
}

int ViewerDocument::addMeasurement(Measurement m) {
  if (replaying_) return 0;
  const int id = session_.addMeasurement(std::move(m));
  pushStep();
  selectMeasurement(id);
  return id;
}

void ViewerDocument::replaceMeasurement(const Measurement& m, const QString& what) {
  if (!replaying_ && session_.replaceMeasurement(m, what.toStdString())) pushStep();
}

void ViewerDocument::removeMeasurement(int id) {
  if (!replaying_ && session_.removeMeasurement(id)) pushStep();
}

void ViewerDocument::selectMeasurement(int id) {
  if (selected_ != id) {
    selected_ = id;
    emit measurementsChanged();
  }
}

void ViewerDocument::setDetectionResult(const FindingsRun& run, std::vector<Finding> findings) {
  if (replaying_) return;
  session_.applyDetection(run, std::move(findings));
  pushStep();
}

void ViewerDocument::setFpPerScan(double fpPerScan) { session_.setFpPerScan(fpPerScan); }

std::vector<const Finding*> ViewerDocument::visibleFindings() const {
  return session_.visibleFindings(hideRejected_ ? RejectedFindings::Hidden : RejectedFindings::Shown);
}

void ViewerDocument::setRejectedHidden(bool hidden) {
  hideRejected_ = hidden;
  emit findingsChanged();
}

bool ViewerDocument::setFindingState(const std::string& id, FindingState state, const std::string& reason) {
  if (replaying_ || !session_.setFindingState(id, state, reason)) return false;
  pushStep();
  return true;
}

int ViewerDocument::editFinding(const std::string& id) {
  const Finding* f = finding(id);
  if (!f || !volume_ || replaying_) return 0;
  // A finding that already has its measurement keeps it: no new step.
  const bool measured = f->measurementId && measurement(f->measurementId);
  const auto [right, down] = axes(ViewPlane::Axial);
  const int m = session_.editFinding(id, right, down);
  if (!measured) pushStep();
  selectMeasurement(m);
  return m;
}

void ViewerDocument::setFindingType(const std::string& id, const std::string& type) {
  if (!replaying_ && session_.setFindingType(id, type)) pushStep();
}

void ViewerDocument::setFindingFactors(const std::string& id, bool upperLobe, bool spiculated) {
  if (!replaying_ && session_.setFindingFactors(id, upperLobe, spiculated)) pushStep();
}

void ViewerDocument::selectFinding(const std::string& id) {
  const Finding* f = finding(id);
  if (!f) return;
  selectedFinding_ = id;
  setCrosshair(f->centerLps);
  emit findingSelected(QString::fromStdString(id));
  emit findingsChanged();
}

std::string ViewerDocument::stepFinding(int direction) {
  const std::string next = session_.stepFinding(selectedFinding_, direction,
                                                hideRejected_ ? RejectedFindings::Hidden : RejectedFindings::Shown);
  if (next.empty()) return {};
  selectFinding(next);
  return selectedFinding_;
}

QString ViewerDocument::imageWarning() const {
  if (undecodedImages_ == 0) return {};
  return tr("%1 image(s) could not be decoded and are blank: see Messages").arg(qulonglong(undecodedImages_));
}

QString ViewerDocument::aiBanner() const {
  if (!aiProgress_.isEmpty()) return aiProgress_;
  const FindingsRun& run = session_.findingsRun();
  if (!session_.hasFindingsRun() || run.warnings.empty()) return {};
  // Short enough for a quarter of the screen; the full reasons are in the findings panel.
  if (run.warnings.size() == 1) return tr("AI: scan outside the model's intended use\n(1 warning, see AI findings)");
  return tr("AI: scan outside the model's intended use\n(%1 warnings, see AI findings)")
      .arg(qulonglong(run.warnings.size()));
}

QString ViewerDocument::aiWarnings() const {
  QString text;
  if (!session_.hasFindingsRun()) return text;
  const std::vector<std::string>& warnings = session_.findingsRun().warnings;
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    text += (i ? "; " : "") + translateCoreMessage(warnings[i]);
  }
  return text.isEmpty() ? text : tr("AI outside intended use: %1").arg(text);
}

void ViewerDocument::setAiProgress(const QString& text) {
  if (aiProgress_ == text) return;
  aiProgress_ = text;
  emit displayChanged();
}

void ViewerDocument::setPatientFactors(const PatientFactors& f) { session_.setPatientFactors(f); }

void ViewerDocument::setPatientDefaults(int ageYears, const std::string& sex) {
  session_.setPatientDefaults(ageYears, sex); // not saved until the reader changes something
}

double ViewerDocument::valueAt(const Vec3& lps) const {
  if (!volume_) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const VolumeGeometry& g = volume_->geometry;
  const Vec3 ijk = g.lpsToIjk(lps);
  std::size_t idx[3];
  for (int a = 0; a < 3; ++a) {
    const double r = std::round(ijk[a]);
    if (r < 0 || r >= double(g.size[a])) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    idx[a] = std::size_t(r);
  }
  return volume_->value(idx[0], idx[1], idx[2]);
}

} // namespace lightbox
