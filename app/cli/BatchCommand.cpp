// SPDX-License-Identifier: Apache-2.0
// `lightbox batch`: pre-reads many series unattended. Plans the series (folders or the local index),
// runs each in a worker process (`lightbox batch run`, locally up to --jobs at a time, or as a Slurm
// array task), keeps a crash-safe state file per series and does on a rerun only what is missing,
// changed or interrupted. `lightbox batch status` reads the state files.
#include "ai/nodule/DetectionFindings.h"
#include "ai/runtime/ModelManifest.h"
#include "app/cli/Arguments.h"
#include "app/cli/BatchWorker.h"
#include "app/cli/Commands.h"
#include "app/cli/OutputCheck.h"
#include "core/annotation/AnnotationStore.h"
#include "core/batch/BatchRecord.h"
#include "core/report/ReportContent.h"
#include "core/index/StudyIndex.h"
#include "core/study/StudyLoader.h"
#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace lightbox::cli {
namespace {

constexpr const char* kUsage =
    "usage: lightbox batch [PATH...] -o OUTDIR [--modality M] [--since YYYYMMDD] [--description TEXT]\n"
    "         [--steps detect,segment,register,report] [--jobs N] [--retry-failed] [--fp-per-scan F]\n"
    "         [--annotations DIR] [--index DB] [--slurm [--partition P] [--max-tasks K] [--time HH:MM:SS]\n"
    "         [--cpus-per-task C]]\n"
    "       lightbox batch status OUTDIR [--json]\n"
    "  PATH: folders (or files) whose series are pre-read; none: the local study index's series\n"
    "  matching the filters. Each series' state is in OUTDIR/series/<uid>/state.json; a rerun does\n"
    "  only what is missing, changed or interrupted (--retry-failed: failed ones too).\n"
    "  --slurm: submits a Slurm array job (one task per series) through sbatch instead of running here.";

std::string hostName() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct Filters {
  std::string modality, since, description;
  bool accepts(const std::string& modality_, const std::string& studyDate, const std::string& seriesDescription,
               const std::string& studyDescription) const {
    if (!modality.empty() && lower(modality_) != lower(modality)) return false;
    if (!since.empty() && (studyDate.empty() || studyDate < since)) return false;
    if (!description.empty() && lower(seriesDescription).find(lower(description)) == std::string::npos &&
        lower(studyDescription).find(lower(description)) == std::string::npos) {
      return false;
    }
    return true;
  }
};

/// Every frame's file of a series, and the deepest folder holding them all (what the worker scans).
std::vector<std::string> filesOf(const AssembledSeries& series) {
  std::set<std::string> files;
  for (const SliceStack& v : series.volumes) {
    for (const DicomFrame& f : v.slices) files.insert(f.file->path);
  }
  return {files.begin(), files.end()};
}

std::string commonFolder(const std::vector<std::string>& files) {
  if (files.empty()) return {};
  fs::path common = fs::path(files.front()).parent_path();
  for (const std::string& f : files) {
    const fs::path p = fs::path(f).parent_path();
    while (!common.empty() && std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first != common.end()) {
      common = common.parent_path();
    }
  }
  return common.string();
}

/// What a series' result depends on besides its files: the steps, the operating point, the models.
std::string settingsKey(const std::vector<std::string>& steps, double fpPerScan) {
  std::string key;
  for (const std::string& s : steps) key += s + ",";
  key += std::to_string(fpPerScan);
  for (const ModelEntry& m : listModels(defaultModelFolders())) {
    key += ";" + m.manifest.name + "=" + m.manifest.version + ":" + m.manifest.manifestPath;
  }
  return key;
}

struct PlannedSeries {
  BatchSeries series;
  bool singleImage = false;
};

void addScan(const StudyScan& scan, const Filters& filters, const std::string& settings,
             std::vector<PlannedSeries>& out, std::set<std::string>& seen, const std::string& onlyUid = {}) {
  for (const AssembledSeries& a : scan.series) {
    const DicomFileInfo& h = *a.header;
    if (!onlyUid.empty() && h.seriesInstanceUid != onlyUid) continue;
    if (h.seriesInstanceUid.empty() || !seen.insert(h.seriesInstanceUid).second) continue; // a split part: once
    if (!filters.accepts(h.modality, h.studyDate, h.seriesDescription, h.studyDescription)) continue;
    PlannedSeries p;
    const std::vector<std::string> files = filesOf(a);
    p.series.seriesUid = h.seriesInstanceUid;
    p.series.path = commonFolder(files);
    p.series.selector = h.seriesInstanceUid;
    p.series.studyUid = h.studyInstanceUid;
    p.series.patientId = h.patientId;
    p.series.studyDate = h.studyDate;
    p.series.modality = h.modality;
    p.series.description = h.seriesDescription;
    p.series.files = files.size();
    p.series.inputHash = hashBatchInputs(files, settings);
    p.singleImage = a.isSingleImage;
    out.push_back(std::move(p));
  }
}

/// The Slurm tasks (`<job>_<task>`) squeue lists as queued or running among the records' jobs;
/// empty with `unknown` set when squeue cannot be asked.
std::vector<std::string> activeSlurmTasks(const std::vector<BatchStatusEntry>& entries, bool& unknown) {
  unknown = false;
  std::set<std::string> jobs;
  for (const BatchStatusEntry& e : entries) {
    if (!e.record.slurmJob.empty()) jobs.insert(e.record.slurmJob.substr(0, e.record.slurmJob.find('_')));
  }
  if (jobs.empty()) return {};
  std::string list;
  for (const std::string& j : jobs) list += (list.empty() ? "" : ",") + j;
  // -r: one line per array task, pending ones included.
  const std::string command = "squeue -h -r -o %i -j " + list + " 2>/dev/null";
  std::vector<std::string> active;
  FILE* p = popen(command.c_str(), "r");
  if (!p) {
    unknown = true;
    return {};
  }
  char line[256];
  while (std::fgets(line, sizeof(line), p)) {
    std::string id = line;
    while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.pop_back();
    if (!id.empty()) active.push_back(id);
  }
  const int rc = pclose(p);
  // squeue exits non-zero for a job it no longer knows (all its tasks ended): that is an answer.
  // No squeue at all (127) or no controller is not.
  if (rc != 0 && active.empty()) {
    const int listed = std::system("squeue -h -o %i >/dev/null 2>&1");
    if (listed != 0) unknown = true;
  }
  return active;
}

/// `repair`: unreadable state files are moved aside (the orchestrator; status only reads).
std::vector<BatchStatusEntry> currentStatus(const std::string& outFolder, const BatchPlan& plan, bool repair) {
  std::vector<BatchStatusEntry> entries = loadBatchEntries(outFolder, plan, repair);
  bool unknown = false;
  const std::vector<std::string> active = activeSlurmTasks(entries, unknown);
  if (unknown) {
    std::fprintf(stderr, "warning: squeue cannot be asked: Slurm tasks are taken as still queued or running\n");
  }
  settleBatchActivity(outFolder, entries, active, unknown);
  return entries;
}

std::string formatSeconds(double s) {
  char buf[32];
  if (s < 90) {
    std::snprintf(buf, sizeof(buf), "%.0f s", s);
  } else if (s < 5400) {
    std::snprintf(buf, sizeof(buf), "%.1f min", s / 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f h", s / 3600);
  }
  return buf;
}

/// The status as JSON, what `lightbox batch status --json` prints for scripts: one entry per series.
nlohmann::json statusJson(const std::vector<BatchStatusEntry>& entries) {
  nlohmann::json series = nlohmann::json::array();
  for (const BatchStatusEntry& e : entries) {
    const BatchRecord& r = e.record;
    nlohmann::json j = {{"series_uid", e.series.seriesUid},
                        {"path", e.series.path},
                        {"state", e.queued && r.state != "running" ? std::string("pending") : r.state},
                        {"reason", r.reason},
                        {"steps", r.steps},
                        {"findings", r.findings < 0 ? nlohmann::json() : nlohmann::json(r.findings)},
                        {"seconds", r.seconds},
                        {"worst_lung_rads", r.worstLungRads},
                        {"notes", r.stepNotes},
                        {"study_date", e.series.studyDate},
                        {"patient_id", e.series.patientId},
                        {"modality", e.series.modality},
                        {"inputs_changed", !r.inputHash.empty() && r.inputHash != e.series.inputHash},
                        {"interrupted", e.interrupted},
                        {"started_at", r.startedAt},
                        {"finished_at", r.finishedAt},
                        {"attempts", r.attempts}};
    if (!r.slurmJob.empty()) j["slurm_job"] = r.slurmJob;
    series.push_back(j);
  }
  return series;
}

void printStatusTable(const std::vector<BatchStatusEntry>& entries) {
  std::map<std::string, int> counts;
  std::printf("%-8s %5s %8s %9s  %-10s %s\n", "state", "finds", "LungRADS", "seconds", "date", "series (reason)");
  for (const BatchStatusEntry& e : entries) {
    const BatchRecord& r = e.record;
    ++counts[r.state];
    std::printf("%-8s %5s %8s %9.1f  %-10s %s%s%s\n", r.state.c_str(),
                r.findings < 0 ? "-" : std::to_string(r.findings).c_str(),
                r.worstLungRads.empty() ? "-" : r.worstLungRads.c_str(), r.seconds, e.series.studyDate.c_str(),
                e.series.seriesUid.c_str(), r.reason.empty() ? "" : "  (", r.reason.empty() ? "" : (r.reason + ")").c_str());
  }
  std::printf("%zu series:", entries.size());
  for (const auto& [state, n] : counts) std::printf(" %d %s", n, state.c_str());
  std::printf("\n");
}

/// OUTDIR/findings.csv and OUTDIR/summary.csv from every series' files.
void gatherResults(const std::string& outFolder, const std::vector<BatchStatusEntry>& entries) {
  std::string findings = batchFindingsCsvHeader();
  std::string summary = "series_uid,state,reason,findings,worst_lung_rads,seconds,path\n";
  const auto field = batchCsvField;
  for (const BatchStatusEntry& e : entries) {
    const BatchRecord& r = e.record;
    const std::string seconds = formatNumber("%.1f", r.seconds);
    summary += field(e.series.seriesUid) + "," + r.state + "," + field(r.reason) + "," +
               (r.findings < 0 ? std::string() : std::to_string(r.findings)) + "," + r.worstLungRads + "," + seconds +
               "," + field(e.series.path) + "\n";
    if (r.state != "done") continue;
    std::ifstream in(fs::path(batchSeriesFolder(outFolder, e.series.seriesUid)) / "findings.csv");
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) findings += line + "\n";
  }
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"findings.csv", findings}, {"summary.csv", summary}}) {
    const std::string path = (fs::path(outFolder) / name).string();
    if (const std::string why = writeFileAtomically(path, text); !why.empty()) {
      throw std::runtime_error("cannot write " + path + ": " + why);
    }
  }
}

int runStatus(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"json"}, {});
  if (args.positional().size() != 1) throw UsageError("usage: lightbox batch status OUTDIR [--json]");
  const std::string out = args.positional()[0];
  const BatchPlan plan = loadBatchPlan(out);
  const std::vector<BatchStatusEntry> entries = currentStatus(out, plan, false);
  try {
    gatherResults(out, entries); // OUTDIR/findings.csv and summary.csv as they stand (Slurm runs end here)
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what()); // a read-only share: the status itself still prints
  }
  if (args.flag("json")) {
    std::printf("%s\n", statusJson(entries).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    printStatusTable(entries);
  }
  return kExitOk;
}

/// `lightbox batch run OUTDIR (--uid UID | --list FILE [--task N])`: the worker. Takes the series'
/// lock (another worker on it: nothing to do), marks it running, runs the steps, saves the record.
int runWorker(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {}, {"uid", "list", "task", "threads"});
  if (args.positional().size() != 1 || (args.has("uid") == args.has("list"))) {
    throw UsageError("usage: lightbox batch run OUTDIR (--uid SERIES_UID | --list FILE [--task N]) [--threads N]");
  }
  const std::string out = args.positional()[0];
  const int threads = int(args.integer("threads", 0, 0, 1024));
  std::string uid = args.option("uid");
  if (args.has("list")) {
    long task = args.has("task") ? args.integer("task", 0, 0, 100000000) : -1;
    if (task < 0) {
      const char* env = std::getenv("SLURM_ARRAY_TASK_ID");
      if (!env) throw UsageError("--list needs --task N or $SLURM_ARRAY_TASK_ID");
      task = std::atol(env);
    }
    std::ifstream in(args.option("list"));
    if (!in) throw std::runtime_error("cannot read " + args.option("list"));
    std::string line;
    for (long i = 0; std::getline(in, line); ++i) {
      if (i == task) uid = line;
    }
    if (uid.empty()) throw std::runtime_error(args.option("list") + " has no task " + std::to_string(task));
  }
  const BatchPlan plan = loadBatchPlan(out);
  const auto it = std::find_if(plan.series.begin(), plan.series.end(), [&](const BatchSeries& s) { return s.seriesUid == uid; });
  if (it == plan.series.end()) throw std::runtime_error(uid + " is not in the plan of " + out);
  BatchSeriesLock lock;
  if (!lock.tryLock(out, uid)) {
    std::fprintf(stderr, "%s: another worker is running it\n", uid.c_str());
    return kExitOk;
  }
  BatchRecord rec = loadBatchRecord(out, uid).value_or(BatchRecord{});
  rec.seriesUid = uid;
  rec.path = it->path;
  rec.state = "running";
  rec.reason.clear();
  // Nothing of an earlier attempt shows as this one's.
  rec.steps.clear();
  rec.stepNotes.clear();
  rec.findings = -1;
  rec.worstLungRads.clear();
  rec.seconds = 0;
  rec.inputHash = it->inputHash;
  rec.startedAt = utcNowIso8601();
  rec.finishedAt.clear();
  rec.host = hostName();
  rec.pid = long(getpid());
  if (const char* job = std::getenv("SLURM_ARRAY_JOB_ID"); job && std::getenv("SLURM_ARRAY_TASK_ID")) {
    rec.slurmJob = std::string(job) + "_" + std::getenv("SLURM_ARRAY_TASK_ID");
  } else {
    rec.slurmJob.clear();
  }
  const int attempts = rec.attempts + 1;
  rec.attempts = attempts;
  saveBatchRecord(out, rec);
  BatchRecord result;
  try {
    result = runBatchSeries(out, plan, *it, threads);
  } catch (const BatchPriorNotReady& e) {
    result = rec;
    result.state = "pending";
    result.reason = e.what();
  } catch (const std::exception& e) {
    result = rec;
    result.state = "failed";
    result.reason = e.what();
  }
  result.seriesUid = uid;
  result.path = it->path;
  result.inputHash = it->inputHash;
  result.startedAt = rec.startedAt;
  result.finishedAt = utcNowIso8601();
  result.host = rec.host;
  result.pid = rec.pid;
  result.slurmJob = rec.slurmJob;
  result.attempts = attempts;
  saveBatchRecord(out, result);
  std::printf("%s: %s%s%s (%.1f s)\n", uid.c_str(), result.state.c_str(), result.reason.empty() ? "" : ": ",
              result.reason.c_str(), result.seconds);
  return result.state == "failed" ? kExitFailure : kExitOk;
}

/// The worker's share of the machine's cores and of its memory: --jobs N workers at once, fewer
/// when the memory a worker needs for the largest series would not fit.
struct Parallelism {
  int jobs = 1;
  int threadsPerJob = 1;
  std::string note;
};

double availableMemoryGiB() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb / (1024.0 * 1024.0);
  }
  return 0;
}

Parallelism parallelism(int requested, std::size_t largestSeriesFiles) {
  Parallelism p;
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  // Measured (bench/batch_throughput.sh): a worker on the 141-slice POPI CT, all steps, peaks at
  // 640 MiB (the runtime and models about 400, the images scale with the slices); 1.5x margin.
  const double perWorkerGiB = 0.6 + 0.0035 * double(largestSeriesFiles);
  const double available = availableMemoryGiB();
  int byMemory = available > 0 ? std::max(1, int(available * 0.8 / perWorkerGiB)) : requested;
  p.jobs = std::max(1, std::min(requested, byMemory));
  if (p.jobs < requested) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "--jobs %d lowered to %d: %.1f GiB free, about %.1f GiB per worker", requested,
                  p.jobs, available, perWorkerGiB);
    p.note = buf;
  }
  p.threadsPerJob = std::max(1, cores / p.jobs);
  return p;
}

/// One word for bash, whatever the path holds.
std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string selfExecutable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program's own path (/proc/self/exe)");
  return self.string();
}

/// Starts `lightbox batch run OUTDIR --uid UID` with its output appended to the series' worker.log.
pid_t spawnWorker(const std::string& exe, const std::string& out, const std::string& uid, int threads) {
  const fs::path folder = batchSeriesFolder(out, uid);
  fs::create_directories(folder);
  const std::string log = (folder / "worker.log").string();
  const std::string threadText = std::to_string(threads);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a worker: ") + std::strerror(errno));
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execl(exe.c_str(), exe.c_str(), "batch", "run", out.c_str(), "--uid", uid.c_str(), "--threads", threadText.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

std::string describeExit(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("the worker was ended by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "the worker exited with status " + std::to_string(WEXITSTATUS(status)) + " without saving its state";
}

int runLocal(const std::string& out, const std::vector<std::string>& todo, const BatchPlan& plan, int jobsRequested) {
  std::size_t largest = 0;
  for (const BatchSeries& s : plan.series) {
    if (std::find(todo.begin(), todo.end(), s.seriesUid) != todo.end()) largest = std::max(largest, s.files);
  }
  const Parallelism par = parallelism(jobsRequested, largest);
  if (!par.note.empty()) std::fprintf(stderr, "%s\n", par.note.c_str());
  const std::string exe = selfExecutable();
  // The workers' threads, set here: a forked child only execs (no allocation after fork).
  setenv("OMP_NUM_THREADS", std::to_string(par.threadsPerJob).c_str(), 1);
  std::map<pid_t, std::string> running;
  std::size_t next = 0, finished = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double workSeconds = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && int(running.size()) < par.jobs) {
      const pid_t pid = spawnWorker(exe, out, todo[next], par.threadsPerJob);
      running[pid] = todo[next++];
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::string uid = it->second;
    running.erase(it);
    ++finished;
    std::optional<BatchRecord> r = loadBatchRecord(out, uid);
    const bool own = r && r->pid == long(pid) && r->host == hostName();
    const std::string log = (fs::path(batchSeriesFolder(out, uid)) / "worker.log").string();
    if (own && r->state == "running") {
      // Crashed (a signal, not a kill of this batch): recorded as failed, retried with --retry-failed.
      r->state = "failed";
      r->reason = describeExit(status) + "; its log: " + log;
      r->finishedAt = utcNowIso8601();
      saveBatchRecord(out, *r);
    } else if (!own && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) && !BatchSeriesLock::heldByAnyone(out, uid)) {
      // It ended before it could say anything (could not start, no plan): said here.
      BatchRecord failed = r.value_or(BatchRecord{});
      failed.seriesUid = uid;
      failed.state = "failed";
      failed.reason = describeExit(status) + " before it started the series; its log: " + log;
      failed.finishedAt = utcNowIso8601();
      const auto s = std::find_if(plan.series.begin(), plan.series.end(), [&](const BatchSeries& x) { return x.seriesUid == uid; });
      if (s != plan.series.end()) {
        failed.path = s->path;
        failed.inputHash = s->inputHash;
      }
      saveBatchRecord(out, failed);
      r = failed;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    workSeconds += r ? r->seconds : 0;
    const double perSeries = elapsed / double(finished);
    const double eta = perSeries * double(todo.size() - finished);
    std::fprintf(stderr, "[%zu/%zu] %-8s %s%s%s  (%.1f s; elapsed %s, ETA %s)\n", finished, todo.size(),
                 r ? r->state.c_str() : "?", uid.c_str(), r && !r->reason.empty() ? ": " : "",
                 r ? r->reason.substr(0, 120).c_str() : "", r ? r->seconds : 0.0, formatSeconds(elapsed).c_str(),
                 formatSeconds(eta).c_str());
  }
  return kExitOk;
}

int submitSlurm(const std::string& out, const std::vector<std::string>& todo, const Arguments& args) {
  const fs::path slurmFolder = fs::path(out) / "slurm";
  fs::create_directories(slurmFolder);
  const std::string stamp = std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
  const fs::path list = slurmFolder / ("tasks-" + stamp + ".txt");
  std::string listText;
  for (const std::string& uid : todo) listText += uid + "\n";
  if (const std::string why = writeFileAtomically(list.string(), listText); !why.empty()) {
    throw std::runtime_error("cannot write " + list.string() + ": " + why);
  }
  const int maxTasks = int(args.integer("max-tasks", 0, 0, 1000000));
  const std::string exe = selfExecutable();
  const std::string absOut = fs::absolute(out).lexically_normal().string();
  std::ostringstream script;
  script << "#!/bin/bash\n"
         << "#SBATCH --job-name=lightbox-batch\n"
         << "#SBATCH --array=0-" << todo.size() - 1 << (maxTasks > 0 ? "%" + std::to_string(maxTasks) : "") << "\n"
         << "#SBATCH --output=" << (fs::absolute(slurmFolder) / "%A_%a.log").string() << "\n"
         << "#SBATCH --cpus-per-task=" << args.integer("cpus-per-task", 1, 1, 1024) << "\n";
  auto plain = [](const std::string& option, const std::string& value, const char* allowed) {
    if (value.empty() || value.find_first_not_of(allowed) != std::string::npos) {
      throw UsageError("option --" + option + ": '" + value + "' is not a Slurm " + option);
    }
    return value;
  };
  if (args.has("partition")) {
    script << "#SBATCH --partition="
           << plain("partition", args.option("partition"),
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,")
           << "\n";
  }
  if (args.has("time")) script << "#SBATCH --time=" << plain("time", args.option("time"), "0123456789:-") << "\n";
  script << "# One task per series of " << list.filename().string() << " (line = task id). Written by lightbox batch.\n"
         << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n"
         << "exec " << shellQuote(exe) << " batch run " << shellQuote(absOut) << " --list "
         << shellQuote(fs::absolute(list).string()) << " --threads ${SLURM_CPUS_PER_TASK:-1}\n";
  const fs::path scriptPath = slurmFolder / ("batch-" + stamp + ".sh");
  if (const std::string why = writeFileAtomically(scriptPath.string(), script.str()); !why.empty()) {
    throw std::runtime_error("cannot write " + scriptPath.string() + ": " + why);
  }
  // Held until every series' state says "pending" with its task: a task that starts at once can
  // never have its own state overwritten by this loop.
  const std::string command = "sbatch --parsable --hold " + shellQuote(scriptPath.string()) + " 2>&1";
  std::string answer;
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run sbatch");
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p)) answer += buf;
  const int rc = pclose(p);
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
  if (rc != 0 || answer.empty() || !std::isdigit(static_cast<unsigned char>(answer[0]))) {
    throw std::runtime_error("sbatch refused " + scriptPath.string() + ": " + answer);
  }
  const std::string job = answer.substr(0, answer.find(';'));
  const BatchPlan plan = loadBatchPlan(out);
  for (std::size_t i = 0; i < todo.size(); ++i) {
    BatchRecord rec = loadBatchRecord(out, todo[i]).value_or(BatchRecord{});
    const auto s = std::find_if(plan.series.begin(), plan.series.end(), [&](const BatchSeries& x) { return x.seriesUid == todo[i]; });
    rec.seriesUid = todo[i];
    rec.path = s->path;
    rec.state = "pending";
    rec.reason = "submitted to Slurm";
    rec.inputHash = s->inputHash;
    rec.slurmJob = job + "_" + std::to_string(i);
    saveBatchRecord(out, rec);
  }
  if (std::system(("scontrol release " + job + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("Slurm job " + job + " was submitted held and scontrol cannot release it: release it "
                             "with `scontrol release " + job + "`");
  }
  std::printf("submitted Slurm array job %s: %zu tasks (%s); follow it with: lightbox batch status %s\n", job.c_str(),
              todo.size(), scriptPath.string().c_str(), out.c_str());
  return kExitOk;
}

int runBatchRun(const std::vector<std::string>& rawArgs) {
  const Arguments args(rawArgs, {"retry-failed", "slurm"},
                       {"o", "modality", "since", "description", "steps", "jobs", "fp-per-scan", "annotations",
                        "partition", "max-tasks", "time", "cpus-per-task", "index"});
  if (!args.has("o")) throw UsageError(kUsage);
  const std::string out = args.option("o");
  requireWritableFolder(out);
  BatchPlan plan;
  plan.steps = args.has("steps") ? splitList(args.option("steps")) : batchStepNames();
  for (const std::string& s : plan.steps) {
    if (std::find(batchStepNames().begin(), batchStepNames().end(), s) == batchStepNames().end()) {
      throw UsageError("unknown step '" + s + "' (detect, segment, register, report)");
    }
  }
  std::vector<std::string> ordered; // always in the pipeline's order
  for (const std::string& s : batchStepNames()) {
    if (std::find(plan.steps.begin(), plan.steps.end(), s) != plan.steps.end()) ordered.push_back(s);
  }
  plan.steps = ordered;
  plan.fpPerScan = args.number("fp-per-scan", 1.0, 1e-3, 1e3);
  plan.annotations = fs::absolute(args.option("annotations", AnnotationStore::defaultFolder())).lexically_normal().string();
  plan.createdAt = utcNowIso8601();
  const int jobs = int(args.integer("jobs", 1, 1, 256));
  if (args.has("since")) {
    const std::string since = args.option("since");
    if (since.size() != 8 || !std::all_of(since.begin(), since.end(), ::isdigit)) {
      throw UsageError("option --since must be a date YYYYMMDD, not '" + since + "'");
    }
  }
  const Filters filters{args.option("modality"), args.option("since"), args.option("description")};
  const std::string settings = settingsKey(plan.steps, plan.fpPerScan);

  // Plan: every series under the paths, or the index's; oldest study first (priors before follow-ups).
  std::vector<PlannedSeries> planned;
  std::set<std::string> seen;
  if (!args.positional().empty()) {
    for (const std::string& path : args.positional()) {
      if (!fs::exists(path)) throw std::runtime_error(path + ": no such file or folder");
      addScan(scanStudy(path), filters, settings, planned, seen);
    }
  } else {
    const StudyIndex index(args.option("index", StudyIndex::defaultPath()));
    for (const IndexedStudy& st : index.studies()) {
      for (const IndexedSeries& se : st.series) {
        if (!filters.accepts(se.modality, st.studyDate, se.description, st.description)) continue;
        addScan(scanStudy(se.folder), filters, settings, planned, seen, se.seriesInstanceUid);
      }
    }
  }
  std::stable_sort(planned.begin(), planned.end(), [](const PlannedSeries& a, const PlannedSeries& b) {
    return a.series.studyDate < b.series.studyDate;
  });
  for (const PlannedSeries& p : planned) plan.series.push_back(p.series);
  // A follow-up's growth depends on its prior's pre-read: a changed prior reruns it too.
  for (BatchSeries& s : plan.series) {
    if (const BatchSeries* prior = newestPriorInPlan(plan, s)) s.inputHash = hashBatchInputs({}, s.inputHash + "|prior:" + prior->inputHash);
  }
  // Series of an earlier plan whose worker is still queued or running stay in the plan: their
  // Slurm tasks look them up there.
  try {
    const BatchPlan old = loadBatchPlan(out);
    for (const BatchStatusEntry& e : currentStatus(out, old, false)) {
      const bool kept = std::any_of(plan.series.begin(), plan.series.end(), [&](const BatchSeries& s) { return s.seriesUid == e.series.seriesUid; });
      if (!kept && (e.queued || e.record.state == "running")) {
        plan.series.push_back(e.series);
        planned.push_back({e.series, false});
      }
    }
  } catch (const std::exception&) {
    // No earlier plan.
  }
  if (plan.series.empty()) {
    std::string paths;
    for (const std::string& p : args.positional()) paths += (paths.empty() ? "" : ", ") + p;
    throw NoImageSeriesError(paths.empty() ? std::string("no series of the local study index matches the filters")
                                           : "no image series under " + paths + " matches the filters");
  }
  saveBatchPlan(out, plan);
  if (const std::string why = rememberBatchRun(out); !why.empty()) std::fprintf(stderr, "warning: %s\n", why.c_str());

  // What needs doing: series without a state, changed, interrupted, (failed with --retry-failed).
  const std::vector<BatchStatusEntry> before = currentStatus(out, plan, true);
  std::vector<std::string> todo;
  std::size_t upToDate = 0, running = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    const BatchStatusEntry& e = before[i];
    if (!batchSeriesNeedsWork(e, args.flag("retry-failed"))) {
      if (e.record.state == "running" || e.queued) {
        ++running;
      } else {
        ++upToDate;
      }
      continue;
    }
    if (planned[i].singleImage) {
      // Nothing to run a worker for: said at once.
      BatchRecord r;
      r.seriesUid = e.series.seriesUid;
      r.path = e.series.path;
      r.state = "skipped";
      r.reason = "a single image: the steps need a volume";
      r.inputHash = e.series.inputHash;
      r.finishedAt = utcNowIso8601();
      saveBatchRecord(out, r);
      continue;
    }
    todo.push_back(e.series.seriesUid);
  }
  std::fprintf(stderr, "%zu series planned (%s), %zu to run, %zu up to date, %zu running elsewhere\n", plan.series.size(),
               [&] {
                 std::string s;
                 for (const std::string& st : plan.steps) s += (s.empty() ? "" : ",") + st;
                 return s;
               }()
                   .c_str(),
               todo.size(), upToDate, running);
  if (args.flag("slurm")) {
    if (todo.empty()) {
      std::printf("nothing to submit\n");
      return kExitOk;
    }
    return submitSlurm(out, todo, args);
  }
  if (!todo.empty()) runLocal(out, todo, plan, jobs);
  const std::vector<BatchStatusEntry> after = currentStatus(out, plan, false);
  gatherResults(out, after);
  printStatusTable(after);
  // Exit 1 when a series failed or is left to do (e.g. waiting for its prior): a script reruns.
  const bool unfinished = std::any_of(after.begin(), after.end(), [](const BatchStatusEntry& e) {
    return e.record.state == "failed" || e.record.state == "pending";
  });
  return unfinished ? kExitFailure : kExitOk;
}

} // namespace

int runBatch(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "status") return runStatus({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "run") return runWorker({args.begin() + 1, args.end()});
  return runBatchRun(args);
}

} // namespace lightbox::cli
