// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ai/segmentation/LesionModelEngine.h"
#include "core/annotation/Finding.h"
#include "core/annotation/Measurement.h"
#include "core/display/WindowLevel.h"
#include "core/dicom/IngestIssue.h"
#include "core/report/ReportContent.h"
#include "core/review/ReadingSession.h"
#include "core/segmentation/DicomSegImport.h"
#include "core/segmentation/LabelMap.h"
#include "core/segmentation/SegmentTools.h"
#include "core/volume/SliceSampler.h"

#include <QObject>
#include <QString>

#include <map>
#include <functional>
#include <memory>
#include <vector>

class QUndoStack;

namespace lightbox {

/// What the left mouse button does in a slice view.
enum class Tool { Navigate, Length, Angle, Ellipse, Rectangle, Point, Arrow, Text, Segment, Brush, Eraser, ThresholdBrush, ThresholdBox };

/// How a segment is drawn on the slice views.
enum class SegmentFill { FillAndOutline, Fill, Outline };

/// Display state of one segment: the views' business, not the segment table's (not saved, not
/// undone).
struct SegmentDisplay {
  bool visible = true;
  double opacity = 0.3; ///< of the fill on the slice views
  SegmentFill fill = SegmentFill::FillAndOutline;
  bool operator==(const SegmentDisplay& o) const { return visible == o.visible && opacity == o.opacity && fill == o.fill; }
};

/// Per-plane reformat settings shared by every view of that plane.
struct PlaneSettings {
  double yawDeg = 0.0, pitchDeg = 0.0; ///< oblique rotation (obliqueAxes)
  SlabMode slab = SlabMode::None;
  double slabMm = 10.0;
};

/// The open series as the viewer sees it: the volume, the shared crosshair, display state and the
/// selection; the review itself (measurements, findings, undo, saving) is the series'
/// ReadingSession, which this forwards to and whose change notices become the signals below.
/// Views observe it and send commands to it; widgets hold no truth.
class ViewerDocument : public QObject {
  Q_OBJECT
public:
  explicit ViewerDocument(QObject* parent = nullptr);
  ~ViewerDocument() override;

  /// Replaces the open volume; the crosshair moves to its centre. `seriesKey` (the Series Instance
  /// UID, or a file name for research formats) names where measurements are saved; empty: not saved.
  void setVolume(std::shared_ptr<const Volume> volume, QString patientText, QString seriesText,
                 std::vector<IngestIssue> issues, WindowLevel initialWindow, QString seriesKey = {});
  std::shared_ptr<const Volume> volume() const { return volume_; }
  const QString& patientText() const { return patientText_; }
  const QString& seriesText() const { return seriesText_; }
  const QString& seriesKey() const { return seriesKey_; }
  const std::vector<IngestIssue>& issues() const { return issues_; }

  const Vec3& crosshair() const { return crosshair_; }
  void setCrosshair(const Vec3& lps); ///< clamped into the volume's bounds
  /// Moves the crosshair by `steps` slices along the normal of `plane` (oblique when turned).
  void scroll(ViewPlane plane, int steps);
  /// Screen axes of `plane` with its oblique settings.
  std::pair<Vec3, Vec3> axes(ViewPlane plane) const;

  const WindowLevel& window() const { return window_; }
  void setWindow(const WindowLevel& window);
  /// The window the series itself asks for (DICOM VOI), or the initial one.
  const WindowLevel& seriesWindow() const { return seriesWindow_; }
  bool inverted() const { return inverted_; }
  void setInverted(bool inverted);
  bool annotationsVisible() const { return annotations_; }
  void setAnnotationsVisible(bool visible);
  /// Corner text level of detail (T cycles full, minimal, off).
  bool minimalText() const { return minimalText_; }
  void cycleAnnotationDetail();
  bool crosshairLinesVisible() const { return crosshairLines_; }
  void setCrosshairLinesVisible(bool visible);
  PlaneSettings planeSettings(ViewPlane plane) const;
  void setPlaneSettings(ViewPlane plane, const PlaneSettings& settings);

  Tool tool() const { return tool_; }
  void setTool(Tool tool);

  /// Measurements: every change is one undo step and is saved at once.
  const std::vector<Measurement>& measurements() const { return session_.measurements(); }
  const Measurement* measurement(int id) const { return session_.measurement(id); }
  int addMeasurement(Measurement m); ///< assigns and returns the id
  void replaceMeasurement(const Measurement& m, const QString& what);
  void removeMeasurement(int id);
  int selectedMeasurement() const { return selected_; }
  void selectMeasurement(int id);
  /// The menus' face of the session's history: one command per session step, whose undo and
  /// redo call the session's.
  QUndoStack* undoStack() const { return undo_; }
  /// The series' review (read-only: commands go through the document so the undo menu follows).
  const ReadingSession& session() const { return session_; }

  /// Value at an LPS point (nearest voxel), or NaN outside the volume.
  double valueAt(const Vec3& lps) const;

  /// AI findings under review. Every decision is one undo step and is saved at once.
  const std::vector<Finding>& findings() const { return session_.findings(); }
  const Finding* finding(const std::string& id) const { return session_.finding(id); }
  const FindingsRun& findingsRun() const { return session_.findingsRun(); }
  bool hasFindingsRun() const { return session_.hasFindingsRun(); }
  /// Replaces the findings with a new detection run (undoable: undo restores the previous review).
  void setDetectionResult(const FindingsRun& run, std::vector<Finding> findings);
  /// Operating point (expected false positives per scan); saved, not an undo step.
  void setFpPerScan(double fpPerScan);
  /// Findings at or above the operating point, rejected ones left out when they are hidden.
  std::vector<const Finding*> visibleFindings() const;
  bool rejectedHidden() const { return hideRejected_; }
  void setRejectedHidden(bool hidden);
  /// False when nothing changed (no such finding, or already so).
  bool setFindingState(const std::string& id, FindingState state, const std::string& reason = {});
  /// Starts editing a finding: adds a length measurement across it (axial, through its centre)
  /// that the reader drags to the true diameter; the finding becomes "edited". One undo step.
  int editFinding(const std::string& id);
  void setFindingType(const std::string& id, const std::string& type);
  void setFindingFactors(const std::string& id, bool upperLobe, bool spiculated);
  /// The diameter the reader stands behind: the edit measurement's length when there is one.
  double effectiveDiameter(const Finding& f) const { return session_.effectiveDiameter(f); }
  const std::string& selectedFinding() const { return selectedFinding_; }
  /// Selects a finding and moves the crosshair (every view) to its centre.
  void selectFinding(const std::string& id);
  /// Next (+1) or previous (-1) visible finding, wrapping; returns its id (empty when none).
  std::string stepFinding(int direction);
  const PatientFactors& patientFactors() const { return session_.patientFactors(); }
  void setPatientFactors(const PatientFactors& f);
  /// Fills age and sex from DICOM when the reader has not entered them.
  void setPatientDefaults(int ageYears, const std::string& sex);

  /// Lesion segments on the open series (label map + table). segmentAt() runs click-to-segment
  /// at an LPS point with the chosen engine (the shipped model, or the classical engine when the
  /// model is off or cannot be used, said once) and adds a segment; one undo step, saved at once
  /// beside the review (`<review>.labels`). Returns the label, 0 when nothing was found (the
  /// reason goes to annotationError).
  const LabelMap& labels() const { return labels_; }
  /// With `forFinding`, a mask that cannot be that finding's lesion (implausibleFindingMask) is
  /// taken back and said, and 0 returned.
  int segmentAt(const Vec3& lps, const VoxelBox* clip = nullptr, const Finding* forFinding = nullptr);
  /// The segment tool's box: click-to-segment at the box's centre, the result kept inside the box
  /// (the rectangle on the acquired slice, as deep as its shorter side). One undo step.
  int segmentInBox(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down);
  /// Refines an automatic segment the model made: a positive click adds the region there, a
  /// negative one removes it; the model runs again on the same cube with every click so far.
  /// Voxels the reader changed with the brush or eraser keep the reader's value. One undo step.
  bool refineSegment(std::uint8_t label, const Vec3& lps, bool positive);
  /// Links the finding to its lesion mask (its RECIST axes and volume; the Lung-RADS diameter
  /// becomes their mean): the segment findingMaskOf chooses (the reader's segment at its centre,
  /// say), else a new one from click-to-segment at its centre when that one is plausible. Returns
  /// the label, 0 when there is none (said through annotationError).
  int segmentFinding(const std::string& findingId);
  enum class SegmentEngine { Model, Classical };
  void setSegmentEngine(SegmentEngine engine) { engine_ = engine; }
  SegmentEngine segmentEngine() const { return engine_; }
  /// The model's uncertainty: per segment the voxels where its probability is 0.3-0.7 (the
  /// label value), drawn as a dashed outline; null when no segment has one.
  std::shared_ptr<const Volume> uncertaintyVolume() const;
  /// The label map as a volume for drawing, rebuilt only when the map's revision changed.
  std::shared_ptr<const Volume> labelVolume() const;
  /// Measurements of a segment (cached per revision).
  SegmentStats segmentStats(std::uint8_t label) const;
  /// SUVpeak of a segment on a PET in SUV (core suvPeak: the best 1 mL sphere centred in it);
  /// 0 for another series or an empty segment. Cached per revision.
  double segmentSuvPeak(std::uint8_t label) const;
  /// Brush and eraser strokes: begin, one dab per mouse position (a disc in the slice, radius
  /// brushRadiusMm), end; one stroke is one undo step. The brush paints the selected segment (a new
  /// manual one when there is none), the eraser clears it; an engine's segment that the reader
  /// changes becomes semi-automatic, with the changed voxels counted.
  /// Strokes paint in the grid's slices: refused (false, said) in a view whose plane is another.
  bool beginStroke(bool erase, const Vec3& viewNormal);
  void strokeDab(const Vec3& lps);
  void endStroke();
  /// Adds the segments of a label map file (NIfTI / NRRD / MetaImage) to the series: on its grid,
  /// or resampled by nearest neighbour through LPS (said in annotationError with any warning);
  /// values that clash with existing segments get free labels; voxels of existing segments are
  /// kept. One undo step. Returns the number of segments added (0: none, reason reported).
  /// Any other file is read as a DICOM SEG on the series' instances (setSegSource), with names,
  /// colours and codes; where its segments overlap the later one is kept (importDicomSeg,
  /// segToLabelMap), said in annotationError.
  int importLabels(const QString& path);
  /// Places a TID 1500 SR's measurement groups on the series as text notes (one undo step):
  /// at their segment's centroid (the SEG beside the SR) or their source image. Returns how many.
  int importMeasurementReport(const QString& path);
  /// The open series' frame of reference and instances, which a DICOM SEG is matched against
  /// (cleared by setVolume; without it a SEG is placed by position alone).
  void setSegSource(SegSourceSeries source);
  /// Patient, study and source images for report export (empty for research formats).
  /// The series' source images (set after setVolume): reports, and the views' image numbers.
  void setReportSource(ReportSource source) {
    reportSource_ = std::move(source);
    emit reportSourceChanged();
  }
  const ReportSource& reportSource() const { return reportSource_; }
  /// Whole-segment edits on the selected segment, one undo step each; false when there is none or
  /// nothing changed.
  enum class SegmentOperation { FillBetweenSlices, RemoveIslands, Smooth };
  bool applyToSelectedSegment(SegmentOperation op);
  double brushRadiusMm() const { return brushRadiusMm_; }
  /// The intensity range of the threshold brush and of threshold-in-a-box (series units);
  /// set per series (CT: -500..300 HU, nodules and soft tissue without the aerated lung; else the
  /// brighter half of the series' window), changed in the segments dock.
  std::pair<double, double> thresholdRange() const { return thresholdRange_; }
  void setThresholdRange(double lo, double hi);
  /// Threshold in a box: the rectangle from `cornerA` to `cornerB` on the acquired slice (in the
  /// view's `right`/`down` axes), as deep along the slice normal as the rectangle's shorter side,
  /// becomes a new segment of the in-range part through its centre (core thresholdBox). One undo
  /// step. Returns the new label, 0 when nothing was in range.
  int thresholdInBox(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down);
  void setBrushRadiusMm(double mm); ///< clamped to 0.5..50 mm
  std::uint8_t selectedSegment() const { return selectedSegment_; }
  /// Chooses the segment the brush paints (0: none, the next stroke starts a new one).
  void selectSegment(std::uint8_t label);
  /// Moves the crosshair (every view follows) to a segment: its centroid on the slice its RECIST
  /// axes are measured on.
  void goToSegment(std::uint8_t label);
  /// Segment table edits: one undo step each, saved at once; false when there is no such segment,
  /// nothing changed, or a stroke is under way.
  bool renameSegment(std::uint8_t label, const std::string& name);
  bool setSegmentColour(std::uint8_t label, std::uint8_t r, std::uint8_t g, std::uint8_t b);
  bool removeSegment(std::uint8_t label);
  /// Visibility, fill opacity and fill / outline of a segment in the views.
  SegmentDisplay segmentDisplay(std::uint8_t label) const;
  void setSegmentDisplay(std::uint8_t label, const SegmentDisplay& display);
  bool stroking() const { return stroking_; }
  /// Where the label map is saved (empty: not saved).
  const std::string& labelsPath() const { return labelsPath_; }

  /// One line of AI status drawn on every slice view: pre-flight warnings of the current run, or
  /// progress while detection runs (set by the window). Empty: nothing to say.
  QString aiBanner() const;
  /// One line drawn on every slice view when images of the series could not be decoded (they are
  /// blank), so a grey area is never left unexplained. Empty: all decoded. In the current language.
  QString imageWarning() const;
  /// Every pre-flight warning of the current run, in full (empty: none).
  QString aiWarnings() const;
  void setAiProgress(const QString& text);

signals:
  void thresholdRangeChanged();
  void volumeChanged();
  void reportSourceChanged();
  void crosshairChanged();
  void displayChanged();
  void toolChanged();
  void measurementsChanged();
  void findingsChanged();
  void findingSelected(const QString& id);
  void segmentsChanged();
  /// A segment's display state changed (segmentDisplay()).
  void segmentDisplayChanged();
  /// The segment the brush paints changed (selectedSegment()).
  void segmentSelected();
  /// A brush or eraser stroke started (true) or ended (false).
  void strokingChanged(bool stroking);
  /// Saving or loading annotations failed, an unreadable file was moved aside, or the folder
  /// cannot be written to; the message names the file or folder.
  void annotationError(const QString& message);

private:
  /// Opens the session for the series key (none: saved nowhere) and connects its notices.
  void openSession();
  /// Mirrors the step the session just recorded on the undo stack.
  void pushStep();
  /// Undoes or redoes one session step for the undo stack; false when the session has none.
  bool replay(bool undo);

  std::shared_ptr<const Volume> volume_;
  QString patientText_, seriesText_, seriesKey_;
  std::vector<IngestIssue> issues_;
  std::size_t undecodedImages_ = 0; ///< images of the series that could not be decoded (blank)
  Vec3 crosshair_{0, 0, 0};
  WindowLevel window_, seriesWindow_;
  bool inverted_ = false;
  bool annotations_ = true;
  bool minimalText_ = false;
  bool crosshairLines_ = true;
  std::map<ViewPlane, PlaneSettings> planes_;
  Tool tool_ = Tool::Navigate;
  ReadingSession session_;
  /// The undo stack is calling the session's undo or redo: no new step may start meanwhile.
  bool replaying_ = false;
  bool segmenting_ = false; ///< an engine runs off the GUI thread (segmentAt / refineSegment)
  /// Runs `work` on the open volume off the GUI thread (one run at a time: `busy` is said when one
  /// runs already; `failed`, with %1 the reason, when it throws). Returns the volume it ran on, or
  /// nullptr when refused or failed (said).
  std::shared_ptr<const Volume> runEngine(const QString& busy, const QString& failed,
                                          const std::function<void(const Volume&)>& work);
  int selected_ = 0;
  bool hideRejected_ = false;
  std::string selectedFinding_;
  QString aiProgress_;
  QUndoStack* undo_;
  LabelMap labels_;
  std::string labelsPath_;
  bool labelsWritable_ = true;
  SegSourceSeries segSource_;
  ReportSource reportSource_;
  double brushRadiusMm_ = 3.0;
  std::pair<double, double> thresholdRange_{-500.0, 300.0};
  bool replayingLabels_ = false; ///< labelsChanged() is refreshing the linked findings
  std::uint8_t selectedSegment_ = 0;
  std::map<std::uint8_t, SegmentDisplay> segmentDisplay_;
  bool stroking_ = false, strokeErase_ = false;
  std::vector<LabelDelta> stroke_;
  std::vector<Segment> strokeTableBefore_;
  mutable std::shared_ptr<Volume> labelVolume_;
  mutable std::vector<VoxelBox> strokeBoxes_; ///< dabs since labelVolume_ was last brought up to date
  mutable std::uint64_t labelVolumeRevision_ = ~std::uint64_t(0);
  mutable std::map<std::uint8_t, std::pair<std::uint64_t, SegmentStats>> statsCache_;
  mutable std::map<std::uint8_t, std::pair<std::uint64_t, double>> suvPeakCache_;
  /// The model runs behind the automatic segments (for refinement and the uncertainty band).
  struct EngineRun {
    Vec3 seed{0, 0, 0};
    std::vector<LesionClick> clicks;
    VoxelBox box;                       ///< of the last result
    std::vector<std::uint8_t> mask;     ///< the last result as written (box layout)
    std::vector<std::uint8_t> probability;
  };
  std::map<std::uint8_t, EngineRun> engineRuns_;
  SegmentEngine engine_ = SegmentEngine::Model;
  mutable std::unique_ptr<LesionModelEngine> model_;
  mutable bool modelTried_ = false;
  mutable std::shared_ptr<Volume> uncertaintyVolume_;
  mutable bool uncertaintyDirty_ = true;
  /// The model engine, loaded on first use; null (reason said once) when it cannot be used.
  const LesionModelEngine* lesionModel() const;
  /// Writes an engine result as `label` (new segment when `segment` is given), one undo step.
  friend class LabelStepCommand;
  void labelsChanged(); ///< saves the map and tells the views
  /// Findings linked to a segment take its axes and volume as they are now.
  void refreshLinkedFindings();
  /// The voxel box of a rectangle drawn on an acquired slice, as deep as its shorter side; empty
  /// off the acquisition plane (`offPlane` said) or for a click.
  VoxelBox boxOfRectangle(const Vec3& cornerA, const Vec3& cornerB, const Vec3& right, const Vec3& down,
                          const QString& offPlane);
  /// What DICOM SEG / RTSTRUCT / SR objects are matched against: the series' instances on the open grid.
  SegSourceSeries segSourceOnVolume() const;
  /// Replaces the segment table as one undo step (`what`), saved at once.
  void pushTableEdit(std::vector<Segment> before, const QString& what);
};

} // namespace lightbox
