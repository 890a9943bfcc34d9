// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lightbox {

/// The steps `lightbox batch` runs on each series, in this order.
inline const std::vector<std::string>& batchStepNames() {
  static const std::vector<std::string> names = {"detect", "segment", "register", "report"};
  return names;
}

/// One series of a batch run, as planned: where to load it from and what its inputs hash to.
struct BatchSeries {
  std::string seriesUid;
  std::string path;     ///< the folder (or file) the worker scans: the series' files are under it
  std::string selector; ///< what selects the series there (its UID)
  std::string studyUid, patientId, studyDate, modality, description;
  std::size_t files = 0;
  /// Of the input files (paths, sizes, modification times) and the run's settings (steps,
  /// operating point, models): a rerun redoes a series whose hash changed.
  std::string inputHash;
};

/// The plan of a batch run (OUTDIR/batch.json): the settings and every series, in order. A worker
/// (a local child process or a Slurm array task) runs series by their index in `series`.
struct BatchPlan {
  std::vector<std::string> steps;
  double fpPerScan = 1.0;
  std::string annotations; ///< the review store the findings go to (AnnotationStore folder)
  std::string createdAt;   ///< ISO 8601 UTC
  std::vector<BatchSeries> series;
};

/// What a series' state file says (OUTDIR/series/<uid>/state.json), written crash-safe.
struct BatchRecord {
  std::string seriesUid, path;
  std::string state; ///< "pending", "running", "done", "failed", "skipped"
  std::string reason;
  std::vector<std::string> steps; ///< the steps done (or decided: a skipped step is listed with its reason)
  std::vector<std::string> stepNotes; ///< one line per step: what it did, or why it was skipped
  int findings = -1;                  ///< at the default operating point; -1 when not detected
  std::string worstLungRads;          ///< of the findings at the operating point, AI sizes
  double seconds = 0;
  std::string inputHash;
  std::string startedAt, finishedAt; ///< ISO 8601 UTC
  std::string host;
  long pid = 0;
  std::string slurmJob; ///< "<array job id>_<task>" when submitted to Slurm
  int attempts = 0;
};

nlohmann::json toJson(const BatchPlan& plan);
BatchPlan batchPlanFromJson(const nlohmann::json& j);
nlohmann::json toJson(const BatchRecord& record);
BatchRecord batchRecordFromJson(const nlohmann::json& j);

/// OUTDIR/batch.json.
std::string batchPlanPath(const std::string& outFolder);
/// OUTDIR/series/<uid> (a UID is a safe file name; anything else is replaced).
std::string batchSeriesFolder(const std::string& outFolder, const std::string& seriesUid);

/// Throws naming the file when it cannot be written.
void saveBatchPlan(const std::string& outFolder, const BatchPlan& plan);
/// Throws naming the file when it is missing or not a batch plan.
BatchPlan loadBatchPlan(const std::string& outFolder);
void saveBatchRecord(const std::string& outFolder, const BatchRecord& record);
/// Empty when the series has no state file yet or it is unreadable (said in `problem`). With
/// `repair` an unreadable one is moved aside (the orchestrator, which runs the series again);
/// readers (status, the viewer) leave it where it is.
std::optional<BatchRecord> loadBatchRecord(const std::string& outFolder, const std::string& seriesUid,
                                           std::string* problem = nullptr, bool repair = false);

/// Hash of what a series' result depends on: the files (path, size, modification time) and a
/// settings string. Hex, 16 digits.
std::string hashBatchInputs(const std::vector<std::string>& files, const std::string& settings);

/// The worker's lock on a series (flock on OUTDIR/series/<uid>/lock): held while a worker runs it,
/// released by the kernel when the process ends however it ends, so "running" in a state file
/// whose lock nobody holds means the worker was killed.
class BatchSeriesLock {
public:
  BatchSeriesLock() = default;
  ~BatchSeriesLock();
  BatchSeriesLock(BatchSeriesLock&& o) noexcept;
  BatchSeriesLock& operator=(BatchSeriesLock&& o) noexcept;
  BatchSeriesLock(const BatchSeriesLock&) = delete;
  BatchSeriesLock& operator=(const BatchSeriesLock&) = delete;

  /// Takes the lock without waiting; false when another process holds it.
  bool tryLock(const std::string& outFolder, const std::string& seriesUid);
  bool locked() const { return fd_ >= 0; }
  /// Whether some process holds the series' lock now (a probe that takes and drops it).
  static bool heldByAnyone(const std::string& outFolder, const std::string& seriesUid);

private:
  int fd_ = -1;
};

/// One line of `lightbox batch status`: the plan's series with its state file, a "running" state
/// whose worker is gone reported as failed ("interrupted: ...").
struct BatchStatusEntry {
  BatchSeries series;
  BatchRecord record; ///< state "pending" with no other field when the series has no state file
  bool interrupted = false;
  bool queued = false; ///< its Slurm task is pending or running (squeue)
};

/// Every series of the plan in order. `runningSlurmTasks`: "<job>_<task>" ids Slurm reports as
/// pending or running (squeue), so a submitted series is pending or running, not interrupted.
/// `slurmUnknown`: squeue could not be asked, so a Slurm task's series is never called interrupted
/// (it may be running on another node). `repair`: as loadBatchRecord's.
std::vector<BatchStatusEntry> batchStatus(const std::string& outFolder, const BatchPlan& plan,
                                          const std::vector<std::string>& activeSlurmTasks = {},
                                          bool slurmUnknown = false, bool repair = false);

/// batchStatus in its two halves, for a caller that asks Slurm in between (from the records' task
/// ids) without reading the state files twice: every series' state file as it is ...
std::vector<BatchStatusEntry> loadBatchEntries(const std::string& outFolder, const BatchPlan& plan, bool repair = false);
/// ... then which series are queued on Slurm and which "running" ones lost their worker.
void settleBatchActivity(const std::string& outFolder, std::vector<BatchStatusEntry>& entries,
                         const std::vector<std::string>& activeSlurmTasks, bool slurmUnknown);

/// The newest earlier study of the same patient (Patient ID, same modality, another study) among
/// the plan's series; null when there is none.
const BatchSeries* newestPriorInPlan(const BatchPlan& plan, const BatchSeries& current);

/// Whether a series needs its worker to run: no state, pending, interrupted, failed with
/// `retryFailed`, or its inputs changed. Done and skipped series with the same inputs do not.
bool batchSeriesNeedsWork(const BatchStatusEntry& entry, bool retryFailed);

/// The list of batch output folders this user ran (batch-runs.json beside the study index): what
/// the viewer's Studies list reads for its "AI pre-read" column.
std::string batchRunsListPath();
/// Adds the folder to the list (once). Best effort: a list that cannot be written is said in the
/// return value (empty when done), the batch run itself is complete without it.
std::string rememberBatchRun(const std::string& outFolder);

/// One series' pre-read as the viewer shows it: the newest state among the remembered runs.
struct PreReadSummary {
  std::string state; ///< as in BatchRecord, "failed" for an interrupted one
  std::string reason;
  int findings = -1;
  std::string worstLungRads;
  std::string finishedAt, folder;
  std::vector<std::string> notes;
};
/// Every remembered run's series by Series Instance UID (runs that are gone are left out).
/// Reads state files only: no squeue, a Slurm task waiting in the queue shows as pending.
std::map<std::string, PreReadSummary> loadPreReads(const std::string& runsListPath = batchRunsListPath());

} // namespace lightbox
