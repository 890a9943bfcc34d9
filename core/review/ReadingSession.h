// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/annotation/AnnotationStore.h"
#include "core/clinical/Brock.h"
#include "core/clinical/LungRads.h"
#include "core/review/EditHistory.h"
#include "core/review/ReviewChanges.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// Whether rejected findings are listed (the reader's "hide rejected" option).
enum class RejectedFindings { Shown, Hidden };

/// What Lung-RADS and Brock are computed from: the findings the reader accepted or edited.
struct DecisionSupportInputs {
  /// Accepted or edited findings with a size: the reader's diameter and type.
  std::vector<AcceptedNodule> nodules;
  /// Accepted or edited findings whose AI size is a measurement cap and that the reader has not
  /// measured: no size, so counted in neither score.
  std::vector<std::string> unmeasured;
  struct Brock {
    std::string findingId;
    BrockFactors factors;
  };
  /// One per entry of `nodules`, with the patient factors (62 years when the age is unknown).
  std::vector<Brock> brock;
  LungRadsSuggestion lungRads; ///< suggestLungRads(nodules)
};

/// One series' review: measurements, AI findings and the reader's decisions on them, the run that
/// produced them and the patient factors. Plain C++ that the viewer and the command line both
/// drive: commands change the review, each undoable one as one step of an EditHistory of deltas;
/// every change is saved at once (crash-safe, AnnotationStore's JSON) and observers hear what
/// changed. View state (selection, crosshair, the "hide rejected" option) stays with the caller.
class ReadingSession {
public:
  using Observer = std::function<void(const ReviewChanges&)>;
  using ProblemObserver = std::function<void(const std::string& message)>;

  /// A review saved nowhere (no series key).
  explicit ReadingSession(SeriesAnnotations review = {}, EditHistory::Limits limits = {});
  /// Opens `seriesKey`'s saved review from `store`. An unreadable file is moved aside (never
  /// overwritten); when it cannot be, the session is read-only. Problems found on the way (that,
  /// or a folder that cannot be written to) are in openProblems().
  static ReadingSession open(const AnnotationStore& store, const std::string& seriesKey,
                             EditHistory::Limits limits = {});
  ReadingSession(ReadingSession&&) = default;
  ReadingSession& operator=(ReadingSession&&) = default;

  /// Called after every change with what changed.
  void setObserver(Observer observer) { observer_ = std::move(observer); }
  /// Called with a sentence naming the file when a change cannot be saved.
  void setProblemObserver(ProblemObserver observer) { problems_ = std::move(observer); }
  const std::vector<std::string>& openProblems() const { return openProblems_; }
  const std::string& seriesKey() const { return seriesKey_; }
  /// The saved file could not be read nor moved aside: nothing is saved over it.
  bool readOnly() const { return readOnly_; }

  // The review.
  const SeriesAnnotations& review() const { return review_; }
  const std::vector<Measurement>& measurements() const { return review_.measurements; }
  const Measurement* measurement(int id) const;
  const std::vector<Finding>& findings() const { return review_.findings; }
  const Finding* finding(const std::string& id) const;
  const FindingsRun& findingsRun() const { return review_.findingsRun; }
  bool hasFindingsRun() const { return review_.hasFindingsRun; }
  const PatientFactors& patientFactors() const { return review_.patient; }

  // Measurements (each one undo step).
  /// Assigns a new id (never one used before in this session) and returns it.
  int addMeasurement(Measurement m);
  /// False when there is no measurement with m.id or nothing differs.
  bool replaceMeasurement(const Measurement& m, const std::string& label);
  bool removeMeasurement(int id);

  // Findings (each one undo step).
  /// Replaces the findings and run with a new detection run; undo restores the previous review.
  void applyDetection(const FindingsRun& run, std::vector<Finding> findings);
  /// The reason is kept only for a rejection. False when the finding is missing or already so.
  bool setFindingState(const std::string& id, FindingState state, const std::string& reason = {});
  /// Starts editing a finding: adds a length measurement across it through its centre along
  /// `right` (in the plane `right`, `down`: the axial view's axes), as long as the AI diameter (at
  /// least 2 mm), and marks it edited; one step. When it already has its measurement, returns that
  /// and changes nothing. 0 when there is no such finding.
  int editFinding(const std::string& id, const Vec3& right, const Vec3& down);
  /// A type equal to the model's clears the reader's type. A proposed or accepted finding becomes edited.
  bool setFindingType(const std::string& id, const std::string& type);
  bool setFindingFactors(const std::string& id, bool upperLobe, bool spiculated);
  /// Links the finding to its lesion mask (segment label, 0 to unlink) with the mask's RECIST axes
  /// and volume; one undo step. The diameter used for Lung-RADS and Brock becomes the mean of the
  /// axes unless the reader measured the finding with a ruler.
  bool setFindingMask(const std::string& id, int segmentLabel, double longAxisMm, double shortAxisMm, double volumeMm3);

  /// The linked mask was edited (or an edit undone): its axes and volume, measured again, replace
  /// the finding's. Derived data, so saved at once but not an undo step. `segmentLabel` 0: the
  /// segment is gone, the finding is unlinked (a later segment that reuses the label value is never
  /// adopted) and its diameter falls back to the ruler or the AI. False when nothing changed.
  bool refreshFindingMask(const std::string& id, int segmentLabel, double longAxisMm, double shortAxisMm,
                          double volumeMm3);

  // Saved at once but not undo steps (as in the viewer: a spin box would add a step per click).
  /// Operating point in expected false positives per scan.
  void setFpPerScan(double fpPerScan);
  void setPatientFactors(const PatientFactors& factors);
  /// Fills age and sex the reader has not entered (from DICOM); not saved until something else is.
  void setPatientDefaults(int ageYears, const std::string& sex);

  // History.
  const EditHistory& history() const { return history_; }
  bool undo();
  bool redo();
  /// Edits between these form one undo step (one mouse drag); they nest.
  void beginEdit(const std::string& label) { history_.beginGroup(label); }
  void endEdit() { history_.endGroup(); }

  // Queries.
  /// Findings at or above the run's operating point, plus every finding the reader decided on
  /// (whatever the operating point); rejected ones left out when hidden. In the run's order.
  std::vector<const Finding*> visibleFindings(RejectedFindings rejected = RejectedFindings::Shown) const;
  /// The diameter the reader stands behind: the edit measurement's length when there is one, else
  /// the mean of the mask's long and short axes (to 0.1 mm) when the finding has a mask, else the AI's.
  double effectiveDiameter(const Finding& f) const;
  /// The AI's size is its measurement cap and neither a ruler nor a mask measured it.
  static bool unmeasured(const Finding& f) {
    return f.sizeCapped && !f.measurementId && !(f.segmentLabel && f.maskLongAxisMm > 0);
  }
  /// The visible finding after (+1) or before (-1) `current`, wrapping; from the first (or last)
  /// when `current` is not visible. Empty when none is visible.
  std::string stepFinding(const std::string& current, int direction,
                          RejectedFindings rejected = RejectedFindings::Shown) const;
  DecisionSupportInputs decisionSupport() const;

private:
  std::size_t findingIndex(const std::string& id) const; ///< findings().size() when missing
  /// Applies an edit, records it, saves and notifies.
  void apply(std::unique_ptr<Edit> edit, const std::string& label);
  void changed(const ReviewChanges& what);
  void save();
  void problem(const std::string& message) const;

  SeriesAnnotations review_;
  EditHistory history_;
  std::optional<AnnotationStore> store_;
  std::string seriesKey_;
  bool readOnly_ = false;
  std::vector<std::string> openProblems_;
  int nextMeasurementId_ = 1;
  Observer observer_;
  ProblemObserver problems_;
};

} // namespace lightbox
