// SPDX-License-Identifier: Apache-2.0
#include "core/batch/BatchRecord.h"

#include "core/index/StudyIndex.h"
#include "core/util/AtomicFile.h"
#include "core/util/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

constexpr const char* kPlanFormat = "lightbox-batch-plan/1";
constexpr const char* kRecordFormat = "lightbox-batch-state/1";

std::string safeName(const std::string& uid) {
  std::string out = uid.empty() ? std::string("no-uid") : uid;
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  }
  if (out.size() > 200) out.resize(200);
  return out;
}

void writeJson(const std::string& path, const nlohmann::json& j) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string why =
      writeFileAtomically(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!why.empty()) throw std::runtime_error("cannot write " + path + ": " + why);
}

std::string lockPath(const std::string& outFolder, const std::string& seriesUid) {
  return (fs::path(batchSeriesFolder(outFolder, seriesUid)) / "lock").string();
}

} // namespace

nlohmann::json toJson(const BatchPlan& plan) {
  nlohmann::json series = nlohmann::json::array();
  for (const BatchSeries& s : plan.series) {
    series.push_back({{"series_uid", s.seriesUid}, {"path", s.path}, {"selector", s.selector},
                      {"study_uid", s.studyUid}, {"patient_id", s.patientId}, {"study_date", s.studyDate},
                      {"modality", s.modality}, {"description", s.description}, {"files", s.files},
                      {"input_hash", s.inputHash}});
  }
  return {{"format", kPlanFormat}, {"steps", plan.steps},         {"fp_per_scan", plan.fpPerScan},
          {"annotations", plan.annotations}, {"created_at", plan.createdAt}, {"series", series}};
}

BatchPlan batchPlanFromJson(const nlohmann::json& j) {
  if (j.value("format", "") != kPlanFormat) throw std::runtime_error("not a Lightbox batch plan");
  BatchPlan plan;
  plan.steps = j.at("steps").get<std::vector<std::string>>();
  plan.fpPerScan = j.value("fp_per_scan", 1.0);
  plan.annotations = j.value("annotations", "");
  plan.createdAt = j.value("created_at", "");
  for (const auto& s : j.at("series")) {
    BatchSeries b;
    b.seriesUid = s.at("series_uid").get<std::string>();
    b.path = s.at("path").get<std::string>();
    b.selector = s.value("selector", "");
    b.studyUid = s.value("study_uid", "");
    b.patientId = s.value("patient_id", "");
    b.studyDate = s.value("study_date", "");
    b.modality = s.value("modality", "");
    b.description = s.value("description", "");
    b.files = jsonInteger(s, "files", std::size_t(0));
    b.inputHash = s.value("input_hash", "");
    plan.series.push_back(std::move(b));
  }
  return plan;
}

nlohmann::json toJson(const BatchRecord& r) {
  return {{"format", kRecordFormat},  {"series_uid", r.seriesUid}, {"path", r.path},
          {"state", r.state},         {"reason", r.reason},        {"steps", r.steps},
          {"step_notes", r.stepNotes}, {"findings", r.findings < 0 ? nlohmann::json() : nlohmann::json(r.findings)},
          {"worst_lung_rads", r.worstLungRads}, {"seconds", r.seconds}, {"input_hash", r.inputHash},
          {"started_at", r.startedAt}, {"finished_at", r.finishedAt}, {"host", r.host},
          {"pid", r.pid},             {"slurm_job", r.slurmJob},   {"attempts", r.attempts}};
}

BatchRecord batchRecordFromJson(const nlohmann::json& j) {
  if (j.value("format", "") != kRecordFormat) throw std::runtime_error("not a Lightbox batch state file");
  BatchRecord r;
  r.seriesUid = j.at("series_uid").get<std::string>();
  r.path = j.value("path", "");
  r.state = j.at("state").get<std::string>();
  r.reason = j.value("reason", "");
  r.steps = j.value("steps", std::vector<std::string>{});
  r.stepNotes = j.value("step_notes", std::vector<std::string>{});
  r.findings = j.contains("findings") && j["findings"].is_number() ? jsonInteger<int>(j["findings"]) : -1;
  r.worstLungRads = j.value("worst_lung_rads", "");
  r.seconds = j.value("seconds", 0.0);
  r.inputHash = j.value("input_hash", "");
  r.startedAt = j.value("started_at", "");
  r.finishedAt = j.value("finished_at", "");
  r.host = j.value("host", "");
  r.pid = jsonInteger(j, "pid", 0L);
  r.slurmJob = j.value("slurm_job", "");
  r.attempts = jsonInteger(j, "attempts", 0);
  return r;
}

std::string batchPlanPath(const std::string& outFolder) { return (fs::path(outFolder) / "batch.json").string(); }

std::string batchSeriesFolder(const std::string& outFolder, const std::string& seriesUid) {
  return (fs::path(outFolder) / "series" / safeName(seriesUid)).string();
}

void saveBatchPlan(const std::string& outFolder, const BatchPlan& plan) { writeJson(batchPlanPath(outFolder), toJson(plan)); }

BatchPlan loadBatchPlan(const std::string& outFolder) {
  const std::string path = batchPlanPath(outFolder);
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": no batch plan here (is " + outFolder + " a lightbox batch output folder?)");
  try {
    return batchPlanFromJson(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void saveBatchRecord(const std::string& outFolder, const BatchRecord& record) {
  writeJson((fs::path(batchSeriesFolder(outFolder, record.seriesUid)) / "state.json").string(), toJson(record));
}

std::optional<BatchRecord> loadBatchRecord(const std::string& outFolder, const std::string& seriesUid,
                                           std::string* problem, bool repair) {
  const std::string path = (fs::path(batchSeriesFolder(outFolder, seriesUid)) / "state.json").string();
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    BatchRecord r = batchRecordFromJson(nlohmann::json::parse(in));
    if (r.seriesUid != seriesUid) throw std::runtime_error("it is the state of series " + r.seriesUid);
    return r;
  } catch (const std::exception& e) {
    // Written atomically, so this is damage from outside: keep it for a look, start the series again.
    in.close();
    if (!repair) {
      if (problem) *problem = path + " is unreadable (" + e.what() + ")";
      return std::nullopt;
    }
    std::string why;
    const std::string aside = moveAside(path, why);
    if (problem) {
      *problem = path + " is unreadable (" + e.what() + "): " +
                 (aside.empty() ? "could not be moved aside: " + why : "moved to " + aside) + "; the series runs again";
    }
    return std::nullopt;
  }
}

std::string hashBatchInputs(const std::vector<std::string>& files, const std::string& settings) {
  // FNV-1a 64: a change detector, not a signature.
  std::uint64_t h = 1469598103934665603ull;
  auto add = [&h](const std::string& s) {
    for (const unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  std::vector<std::string> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  for (const std::string& f : sorted) {
    add(f);
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    add(ec ? std::string("?") : std::to_string(size));
    const auto time = fs::last_write_time(f, ec);
    add(ec ? std::string("?") : std::to_string(time.time_since_epoch().count()));
  }
  add(settings);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

BatchSeriesLock::~BatchSeriesLock() {
  if (fd_ >= 0) ::close(fd_);
}

BatchSeriesLock::BatchSeriesLock(BatchSeriesLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

BatchSeriesLock& BatchSeriesLock::operator=(BatchSeriesLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

bool BatchSeriesLock::tryLock(const std::string& outFolder, const std::string& seriesUid) {
  if (fd_ >= 0) return true;
  const std::string path = lockPath(outFolder, seriesUid);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the lock " + path + ": " + std::strerror(errno));
  // A status probe (heldByAnyone) holds it for a moment: try for 2 s before calling it taken.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fd_ = fd;
      return true;
    }
    if (errno != EWOULDBLOCK) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("cannot lock " + path + " (" + why + "): the batch folder must be on a file system with locks");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::close(fd);
  return false;
}

bool BatchSeriesLock::heldByAnyone(const std::string& outFolder, const std::string& seriesUid) {
  const std::string path = lockPath(outFolder, seriesUid);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false; // never locked
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::close(fd);
    return false;
  }
  const int error = errno;
  ::close(fd);
  if (error != EWOULDBLOCK) {
    throw std::runtime_error("cannot probe the lock " + path + " (" + std::strerror(error) +
                             "): the batch folder must be on a file system with locks");
  }
  return true;
}

const BatchSeries* newestPriorInPlan(const BatchPlan& plan, const BatchSeries& current) {
  const BatchSeries* best = nullptr;
  if (current.patientId.empty() || current.studyDate.empty()) return best;
  for (const BatchSeries& s : plan.series) {
    if (s.patientId != current.patientId || s.studyUid == current.studyUid || s.modality != current.modality) continue;
    if (s.studyDate.empty() || s.studyDate >= current.studyDate) continue;
    if (!best || s.studyDate > best->studyDate) best = &s;
  }
  return best;
}

std::vector<BatchStatusEntry> batchStatus(const std::string& outFolder, const BatchPlan& plan,
                                          const std::vector<std::string>& activeSlurmTasks, bool slurmUnknown,
                                          bool repair) {
  std::vector<BatchStatusEntry> out = loadBatchEntries(outFolder, plan, repair);
  settleBatchActivity(outFolder, out, activeSlurmTasks, slurmUnknown);
  return out;
}

std::vector<BatchStatusEntry> loadBatchEntries(const std::string& outFolder, const BatchPlan& plan, bool repair) {
  std::vector<BatchStatusEntry> out;
  for (const BatchSeries& s : plan.series) {
    BatchStatusEntry e;
    e.series = s;
    std::string problem;
    if (std::optional<BatchRecord> r = loadBatchRecord(outFolder, s.seriesUid, &problem, repair)) {
      e.record = std::move(*r);
    } else {
      e.record.seriesUid = s.seriesUid;
      e.record.path = s.path;
      e.record.state = "pending";
      e.record.reason = problem;
    }
    out.push_back(std::move(e));
  }
  return out;
}

void settleBatchActivity(const std::string& outFolder, std::vector<BatchStatusEntry>& entries,
                         const std::vector<std::string>& activeSlurmTasks, bool slurmUnknown) {
  for (BatchStatusEntry& e : entries) {
    const bool slurmActive = !e.record.slurmJob.empty() &&
                             (slurmUnknown || std::find(activeSlurmTasks.begin(), activeSlurmTasks.end(),
                                                        e.record.slurmJob) != activeSlurmTasks.end());
    e.queued = slurmActive;
    if (e.record.state == "running" && !slurmActive && !BatchSeriesLock::heldByAnyone(outFolder, e.series.seriesUid)) {
      e.interrupted = true;
      e.record.state = "failed";
      e.record.reason = "interrupted: its worker " +
                        (e.record.slurmJob.empty() ? "(pid " + std::to_string(e.record.pid) + " on " + e.record.host + ")"
                                                   : "(Slurm task " + e.record.slurmJob + ")") +
                        " stopped while running; a rerun starts it again";
    }
  }
}

std::string batchRunsListPath() {
  return (fs::path(StudyIndex::defaultPath()).parent_path() / "batch-runs.json").string();
}

namespace {
std::vector<std::string> readRunsList(const std::string& path) {
  std::vector<std::string> runs;
  std::ifstream in(path);
  if (!in) return runs;
  try {
    for (const auto& r : nlohmann::json::parse(in)) {
      if (r.is_string()) runs.push_back(r.get<std::string>());
    }
  } catch (const std::exception&) {
    // A damaged list: the runs are still on disk; the next batch run writes it again.
  }
  return runs;
}
} // namespace

std::string rememberBatchRun(const std::string& outFolder) {
  const std::string path = batchRunsListPath();
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  // Two runs starting at once both add theirs: read, add and write under a lock.
  const int lockFd = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lockFd >= 0) ::flock(lockFd, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lockFd};
  std::vector<std::string> runs = readRunsList(path);
  const std::string folder = fs::absolute(outFolder).lexically_normal().string();
  if (std::find(runs.begin(), runs.end(), folder) != runs.end()) return {};
  runs.push_back(folder);
  const std::string why = writeFileAtomically(path, nlohmann::json(runs).dump(2) + "\n");
  return why.empty() ? std::string() : "cannot write " + path + ": " + why;
}

std::map<std::string, PreReadSummary> loadPreReads(const std::string& runsListPath) {
  std::map<std::string, PreReadSummary> out;
  for (const std::string& folder : readRunsList(runsListPath)) {
    BatchPlan plan;
    try {
      plan = loadBatchPlan(folder);
    } catch (const std::exception&) {
      continue; // removed or moved
    }
    for (const BatchStatusEntry& e : batchStatus(folder, plan)) {
      PreReadSummary s;
      s.state = e.queued ? "pending" : e.record.state;
      s.reason = e.record.reason;
      s.findings = e.record.findings;
      s.worstLungRads = e.record.worstLungRads;
      s.finishedAt = e.record.finishedAt;
      s.folder = folder;
      s.notes = e.record.stepNotes;
      auto it = out.find(e.series.seriesUid);
      // The newest finished run wins; a run still to finish does not hide a finished one.
      const bool finished = !s.finishedAt.empty();
      if (it == out.end() || (finished && s.finishedAt >= it->second.finishedAt) ||
          (!finished && it->second.finishedAt.empty())) {
        out[e.series.seriesUid] = std::move(s);
      }
    }
  }
  return out;
}

bool batchSeriesNeedsWork(const BatchStatusEntry& e, bool retryFailed) {
  const std::string& state = e.record.state;
  if (state == "running" || e.queued) return false;
  if (e.record.inputHash != e.series.inputHash) return true; // new or changed inputs or settings
  if (state == "done" || state == "skipped") return false;
  if (state == "failed") return retryFailed || e.interrupted;
  return true; // pending
}

} // namespace lightbox
