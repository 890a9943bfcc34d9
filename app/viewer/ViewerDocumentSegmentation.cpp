// SPDX-License-Identifier: Apache-2.0
// ViewerDocument: click-to-segment with the engines, model refinement, findings' masks and the
// model's uncertainty band (the rest of the document is in ViewerDocument.cpp).
#include "app/viewer/LabelStepCommand.h"
#include "app/viewer/OffGuiThread.h"

#include "app/i18n/Terms.h"
#include "app/viewer/ViewerDocument.h"
#include "core/review/FindingMask.h"
#include "core/segmentation/LesionPrompts.h"

#include "core/segmentation/ClassicalSegmenter.h"

#include <QCoreApplication>
#include <QUndoStack>

#include <algorithm>
#include <exception>
#include <optional>

namespace lightbox {

std::shared_ptr<const Volume> ViewerDocument::runEngine(const QString& busy, const QString& failed,
                                                        const std::function<void(const Volume&)>& work) {
  if (segmenting_) {
    emit annotationError(busy);
    return nullptr;
  }
  const std::shared_ptr<const Volume> volume = volume_; // kept alive even if the series closes meanwhile
  try {
    segmenting_ = true;
    runOffGuiThread([&] { work(*volume); });
    segmenting_ = false;
  } catch (const std::exception& e) {
    segmenting_ = false;
    emit annotationError(failed.arg(QString::fromUtf8(e.what())));
    return nullptr;
  }
  return volume;
}

const LesionModelEngine* ViewerDocument::lesionModel() const {
  if (!modelTried_) {
    modelTried_ = true;
    std::string why;
    model_ = loadLesionModel(why);
    if (!model_) {
      emit const_cast<ViewerDocument*>(this)->annotationError(
          tr("segment: the segmentation model cannot be used (%1); the classical engine runs instead")
              .arg(QString::fromStdString(why)));
    }
  }
  return model_.get();
}

int ViewerDocument::segmentAt(const Vec3& lps, const VoxelBox* clip, const Finding* findingIn) {
  if (!volume_ || replaying_) return 0;
  // A copy: the finding list may change while the engine runs off the GUI thread.
  const std::optional<Finding> finding = findingIn ? std::optional<Finding>(*findingIn) : std::nullopt;
  const Finding* forFinding = finding ? &*finding : nullptr;
  std::uint8_t label = labels_.freeLabel();
  if (label == 0) {
    emit annotationError(tr("255 segments on this series: no room for another"));
    return 0;
  }
  LesionMask lesion;
  const LesionModelEngine* model = engine_ == SegmentEngine::Model ? lesionModel() : nullptr;
  // A box tells the promptable model where the lesion is and its size: its first cube is placed
  // on the box and sized to it.
  const BoxPrompt boxPrompt = clip ? boxPromptOf(volume_->geometry, *clip) : BoxPrompt{};
  const std::shared_ptr<const Volume> volume = runEngine(
      tr("segment: still working on the previous click"), tr("segment: %1"), [&](const Volume& v) {
        lesion = model ? model->segment(v, lps, {}, boxPrompt) : segmentClassical(v, lps);
      });
  if (!volume) return 0;
  if (volume_ != volume || replaying_) return 0; // the series changed meanwhile: the result is dropped
  label = labels_.freeLabel(); // the reader may have made a segment meanwhile
  if (label == 0) {
    emit annotationError(tr("255 segments on this series: no room for another"));
    return 0;
  }
  if (clip) {
    // The reader's box bounds the lesion: nothing outside it is kept (a classical region that
    // leaked beyond the box is cut back to it, so the box rescues a leak), only what stays
    // connected to the click (core/segmentation/LesionPrompts, as `lightbox segment --box-lps`).
    keepInBoxConnected(volume_->geometry, lesion, *clip, lps);
    if (!model) lesion.warning.clear(); // the box bounds what leaked
    // A mask cut by the box is said (`lightbox segment` says touches_limit). The rectangle is
    // drawn on one slice: its depth across the slices is a guess, and a long tumour goes on
    // beyond it. Faces on the image's edge are the image's, not the box's.
    const std::vector<std::string> faces =
        facesInsideImage(volume_->geometry, touchedFaces(lesion, *clip), *clip);
    const bool ends =
        std::any_of(faces.begin(), faces.end(), [](const std::string& f) { return f[0] == 'z'; });
    if (ends && model) {
      emit annotationError(
          tr("segment: the mask reaches the first or last slice of the box, which spans %1 mm "
             "across the slices (as deep as the rectangle is narrow): the lesion may go on beyond; "
             "a click inside it without a box lets the model find its extent")
              .arg(double(clip->hi[2] - clip->lo[2]) * volume_->geometry.spacing[2], 0, 'f', 0));
    } else if (!faces.empty()) {
      emit annotationError(
          tr("segment: the mask reaches the box's edge: the lesion may go on beyond it"));
    }
  }
  if (!lesion.warning.empty()) {
    if (!model) {
      // A region that leaked into its surroundings is not a lesion outline: nothing is added.
      emit annotationError(tr("segment: %1; nothing added (click inside the lesion, or outline it with the brush)")
                               .arg(QString::fromStdString(lesion.warning)));
      return 0;
    }
    emit annotationError(tr("segment: %1").arg(QString::fromStdString(lesion.warning)));
  }
  std::vector<Segment> before = labels_.segments;
  LabelDelta delta = writeMask(labels_, lesion.box, lesion.mask, label);
  const std::size_t voxels = labels_.count(label);
  if (voxels == 0) {
    if (!delta.box.empty()) swapDelta(labels_, delta);
    emit annotationError(tr("segment: nothing found at the click"));
    return 0;
  }
  if (forFinding) {
    // A mask that cannot be the finding's lesion (what was left beside another segment, air,
    // off its centre) is taken back, never linked.
    const SegmentStats st = measureSegment(labels_, label, volume_.get());
    if (const std::string why = implausibleFindingMask(*forFinding, st, reportSource_.modality); !why.empty()) {
      if (!delta.box.empty()) swapDelta(labels_, delta);
      emit annotationError(tr("segment finding %1: %2; no mask made (outline it with the segment tool or the brush)")
                               .arg(QString::fromStdString(forFinding->id), QString::fromStdString(why)));
      return 0;
    }
  }
  static const std::uint8_t palette[6][3] = {{255, 200, 0}, {0, 200, 255}, {255, 90, 200}, {120, 255, 80}, {255, 120, 40}, {170, 130, 255}};
  Segment s = engineSegment(label, QString("Lesion %1").arg(label).toStdString(), palette[(label - 1) % 6], lesion, voxels);
  if (model && !clip) s.prompts = {{true, true, lps}}; // replayed to refine it again after reopening
  labels_.segments.push_back(s);
  selectedSegment_ = label;
  if (model && !clip) { // refinement clicks would run the model without the box: not offered for boxed ones
    engineRuns_[label] = EngineRun{lps, {}, lesion.box, lesion.mask, lesion.probability};
  } else {
    engineRuns_.erase(label);
  }
  uncertaintyDirty_ = true;
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before),
                                   tr("Segment %1").arg(QString::fromStdString(s.name))));
  labelsChanged();
  return label;
}

bool ViewerDocument::refineSegment(std::uint8_t label, const Vec3& lps, bool positive) {
  if (!volume_ || replaying_ || stroking_) return false;
  auto run = engineRuns_.find(label);
  const Segment* segment = labels_.segment(label);
  const bool replayable = segment && !segment->prompts.empty() && segment->prompts.front().seed;
  if (!segment || (run == engineRuns_.end() && !replayable)) {
    emit annotationError(tr("refine: only a segment the model made from a click can be refined"));
    return false;
  }
  const LesionModelEngine* model = lesionModel();
  if (!model) return false;
  if (run == engineRuns_.end()) {
    // Reopened, or after an undo: the model's last result comes back by replaying the segment's
    // saved prompts (the engine is deterministic), so the reader's own edits can be told apart.
    EngineRun replay;
    replay.seed = segment->prompts.front().lps;
    for (std::size_t k = 1; k < segment->prompts.size(); ++k) replay.clicks.push_back({segment->prompts[k].lps, segment->prompts[k].positive});
    LesionMask last;
    const std::shared_ptr<const Volume> volume =
        runEngine(tr("refine: still working on the previous click"), tr("refine: %1"),
                  [&](const Volume& v) { last = model->segment(v, replay.seed, replay.clicks); });
    if (!volume) return false;
    if (volume_ != volume || replaying_ || stroking_ || !labels_.segment(label)) return false;
    replay.box = last.box;
    replay.mask = std::move(last.mask);
    replay.probability = std::move(last.probability);
    run = engineRuns_.insert_or_assign(label, std::move(replay)).first;
    segment = labels_.segment(label);
  }
  std::vector<LesionClick> clicks = run->second.clicks;
  clicks.push_back({lps, positive});
  LesionMask next;
  const Vec3 seed = run->second.seed;
  const std::shared_ptr<const Volume> volume =
      runEngine(tr("refine: still working on the previous click"), tr("refine: %1"),
                [&](const Volume& v) { next = model->segment(v, seed, clicks); });
  if (!volume) return false;
  // The series, the segment or its run may have changed while the model ran.
  if (volume_ != volume || replaying_ || stroking_ || engineRuns_.find(label) != run || !labels_.segment(label)) return false;
  // One box holding the previous result and the new one.
  const EngineRun& prev = run->second;
  if (next.box.lo[0] == prev.box.lo[0] && next.box.lo[1] == prev.box.lo[1] && next.box.lo[2] == prev.box.lo[2] &&
      next.box.hi[0] == prev.box.hi[0] && next.box.hi[1] == prev.box.hi[1] && next.box.hi[2] == prev.box.hi[2] &&
      next.mask == prev.mask) {
    emit annotationError(tr("refine: the click changes nothing (outside the model's field of view, or already as asked)"));
    return false;
  }
  VoxelBox u;
  for (int a = 0; a < 3; ++a) {
    u.lo[a] = std::min(prev.box.lo[a], next.box.lo[a]);
    u.hi[a] = std::max(prev.box.hi[a], next.box.hi[a]);
  }
  const std::size_t nx = u.hi[0] - u.lo[0], ny = u.hi[1] - u.lo[1], nz = u.hi[2] - u.lo[2];
  std::vector<std::uint8_t> mask(nx * ny * nz, 0), protect(mask.size(), 0);
  auto valueIn = [](const VoxelBox& b, const std::vector<std::uint8_t>& m, std::size_t i, std::size_t j, std::size_t k) {
    if (i < b.lo[0] || j < b.lo[1] || k < b.lo[2] || i >= b.hi[0] || j >= b.hi[1] || k >= b.hi[2]) return std::uint8_t(0);
    return m[(i - b.lo[0]) + (b.hi[0] - b.lo[0]) * ((j - b.lo[1]) + (b.hi[1] - b.lo[1]) * (k - b.lo[2]))];
  };
  std::size_t q = 0, produced = 0;
  for (std::size_t k = u.lo[2]; k < u.hi[2]; ++k)
    for (std::size_t j = u.lo[1]; j < u.hi[1]; ++j)
      for (std::size_t i = u.lo[0]; i < u.hi[0]; ++i, ++q) {
        mask[q] = valueIn(next.box, next.mask, i, j, k);
        produced += mask[q] != 0;
        // Where the map differs from what the model wrote last, the reader edited: kept.
        const bool now = labels_.labels[labels_.index(i, j, k)] == label;
        protect[q] = now != (valueIn(prev.box, prev.mask, i, j, k) != 0);
      }
  if (produced == 0) {
    emit annotationError(tr("refine: the model found nothing with these clicks; the segment is unchanged"));
    return false;
  }
  std::vector<Segment> before = labels_.segments;
  LabelDelta delta = writeMask(labels_, u, mask, label, &protect);
  if (Segment* seg = labels_.segment(label)) {
    seg->automaticVoxels = produced;
    if (!seg->prompts.empty()) seg->prompts.push_back({false, positive, lps});
  }
  run->second = EngineRun{prev.seed, clicks, next.box, next.mask, next.probability};
  uncertaintyDirty_ = true;
  undo_->push(new LabelStepCommand(this, std::move(delta), std::move(before),
                                   (positive ? tr("Refine %1 (add click)") : tr("Refine %1 (remove click)"))
                                       .arg(QString::fromStdString(segment->name))));
  labelsChanged();
  return true;
}

int ViewerDocument::segmentFinding(const std::string& findingId) {
  const Finding* f = session_.finding(findingId);
  if (!f || !volume_) return 0;
  // The one rule (core/review/FindingMask): a segment already there (the reader's, or any) is the
  // finding's mask; only where there is none does the engine make one.
  std::vector<std::uint8_t> taken;
  for (const Finding& o : session_.findings()) {
    if (o.id != findingId && o.segmentLabel > 0 && o.segmentLabel < 256) taken.push_back(std::uint8_t(o.segmentLabel));
  }
  const FindingMaskChoice choice = findingMaskOf(*f, labels_, taken);
  int label = choice.label;
  if (label && choice.match != MaskMatch::Linked) {
    if (const std::string why = implausibleFindingMask(*f, segmentStats(choice.label), reportSource_.modality);
        !why.empty()) {
      emit annotationError(tr("segment finding %1: the segment %2 is not its lesion (%3)")
                               .arg(QString::fromStdString(findingId),
                                    term(toString(choice.match)),
                                    QString::fromStdString(why)));
      label = 0;
    }
  }
  if (!label) {
    label = segmentAt(f->centerLps, nullptr, f);
    if (label == 0) return 0;
    if (Segment* seg = labels_.segment(std::uint8_t(label))) {
      seg->name = "Finding " + findingId;
      labelsChanged();
    }
  }
  const SegmentStats st = segmentStats(std::uint8_t(label));
  // Its own undo step on the window's stack (above the segment's): Ctrl+Z unlinks, then removes.
  if (session_.setFindingMask(findingId, label, st.longAxisMm, st.shortAxisMm, st.volumeMl * 1000.0)) pushStep();
  return label;
}

std::shared_ptr<const Volume> ViewerDocument::uncertaintyVolume() const {
  if (!uncertaintyDirty_) return uncertaintyVolume_;
  uncertaintyDirty_ = false;
  uncertaintyVolume_.reset();
  if (!volume_ || engineRuns_.empty()) return nullptr;
  auto v = std::make_shared<Volume>();
  v->geometry = labels_.geometry;
  std::vector<std::int16_t> voxels(labels_.geometry.voxelCount(), 0);
  bool any = false;
  for (const auto& [label, run] : engineRuns_) {
    if (!labels_.segment(label) || run.probability.empty()) continue;
    std::size_t q = 0;
    for (std::size_t k = run.box.lo[2]; k < run.box.hi[2]; ++k)
      for (std::size_t j = run.box.lo[1]; j < run.box.hi[1]; ++j)
        for (std::size_t i = run.box.lo[0]; i < run.box.hi[0]; ++i, ++q) {
          const std::uint8_t p = run.probability[q];
          if (p > 76 && p < 179) { // 0.3-0.7
            voxels[labels_.index(i, j, k)] = label;
            any = true;
          }
        }
  }
  if (!any) return nullptr;
  v->voxels = std::move(voxels);
  uncertaintyVolume_ = std::move(v);
  return uncertaintyVolume_;
}

} // namespace lightbox
