// SPDX-License-Identifier: Apache-2.0
// `lightbox batch`'s bookkeeping (issue 29): what a rerun redoes, how a killed worker is told apart
// from a running one, the state files' round trip and the pre-read the viewer lists.
#include "core/batch/BatchRecord.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace lightbox;

namespace {

struct TempFolder {
  fs::path path;
  TempFolder() {
    char pattern[] = "/tmp/lightbox-batch-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

BatchStatusEntry entry(const std::string& planHash, const std::string& state, const std::string& recordHash) {
  BatchStatusEntry e;
  e.series.seriesUid = "1.2.3";
  e.series.inputHash = planHash;
  e.record.seriesUid = "1.2.3";
  e.record.state = state;
  e.record.inputHash = recordHash;
  return e;
}

} // namespace

TEST_CASE("batch input hash follows the files and the settings", "[batch]") {
  TempFolder tmp;
  const std::string a = (tmp.path / "a.dcm").string(), b = (tmp.path / "b.dcm").string();
  std::ofstream(a) << "one";
  std::ofstream(b) << "two";
  const std::string h = hashBatchInputs({a, b}, "detect,report");
  CHECK(h.size() == 16);
  CHECK(hashBatchInputs({b, a}, "detect,report") == h); // order of discovery does not matter
  CHECK(hashBatchInputs({a, b}, "detect") != h);        // other steps: redone
  CHECK(hashBatchInputs({a}, "detect,report") != h);    // a file fewer
  std::ofstream(b) << "two, longer"; // a changed file (size and time)
  CHECK(hashBatchInputs({a, b}, "detect,report") != h);
}

TEST_CASE("batch rerun: what needs its worker", "[batch]") {
  CHECK(batchSeriesNeedsWork(entry("h", "pending", ""), false));
  CHECK_FALSE(batchSeriesNeedsWork(entry("h", "done", "h"), false));
  CHECK_FALSE(batchSeriesNeedsWork(entry("h", "skipped", "h"), true));
  CHECK(batchSeriesNeedsWork(entry("h2", "done", "h"), false)); // inputs or settings changed
  CHECK_FALSE(batchSeriesNeedsWork(entry("h", "failed", "h"), false));
  CHECK(batchSeriesNeedsWork(entry("h", "failed", "h"), true)); // --retry-failed
  BatchStatusEntry interrupted = entry("h", "failed", "h");
  interrupted.interrupted = true; // killed, not a failure of the series: always redone
  CHECK(batchSeriesNeedsWork(interrupted, false));
  CHECK_FALSE(batchSeriesNeedsWork(entry("h", "running", "h"), false));
  BatchStatusEntry queued = entry("h", "pending", "h");
  queued.queued = true; // its Slurm task waits in the queue: not submitted twice
  CHECK_FALSE(batchSeriesNeedsWork(queued, false));
}

TEST_CASE("batch state files round trip and a damaged one is moved aside", "[batch]") {
  TempFolder tmp;
  const std::string out = tmp.path.string();
  BatchPlan plan;
  plan.steps = {"detect", "report"};
  plan.fpPerScan = 2.0;
  plan.series.push_back({"1.2.840.1", "/data/a", "1.2.840.1", "1.2.840", "P1", "20250101", "CT", "chest", 120, "abc"});
  saveBatchPlan(out, plan);
  const BatchPlan back = loadBatchPlan(out);
  REQUIRE(back.series.size() == 1);
  CHECK(back.series[0].studyDate == "20250101");
  CHECK(back.series[0].files == 120);
  CHECK(back.fpPerScan == 2.0);

  BatchRecord r;
  r.seriesUid = "1.2.840.1";
  r.state = "done";
  r.steps = {"detect", "report"};
  r.findings = 3;
  r.worstLungRads = "4A";
  r.inputHash = "abc";
  saveBatchRecord(out, r);
  const std::optional<BatchRecord> read = loadBatchRecord(out, "1.2.840.1");
  REQUIRE(read);
  CHECK(read->findings == 3);
  CHECK(read->worstLungRads == "4A");
  CHECK(read->steps == r.steps);

  const fs::path state = fs::path(batchSeriesFolder(out, "1.2.840.1")) / "state.json";
  std::ofstream(state) << "{\"format\": \"lightbox-batch-state/1\", \"series_uid\": ";
  std::string problem;
  CHECK_FALSE(loadBatchRecord(out, "1.2.840.1", &problem)); // a reader (status, the viewer) leaves it
  CHECK(problem.find("unreadable") != std::string::npos);
  CHECK(fs::exists(state));
  CHECK_FALSE(loadBatchRecord(out, "1.2.840.1", &problem, true)); // the orchestrator moves it aside
  CHECK(problem.find("moved to") != std::string::npos);
  CHECK_FALSE(fs::exists(state));
  CHECK(batchStatus(out, back).at(0).record.state == "pending");
  CHECK_THROWS_WITH(loadBatchPlan((tmp.path / "none").string()), Catch::Contains("no batch plan"));
}

TEST_CASE("batch lock: held while a worker lives, free once it is killed", "[batch]") {
  TempFolder tmp;
  const std::string out = tmp.path.string(), uid = "1.2.3.4";
  BatchPlan plan;
  plan.series.push_back({uid, "/data", uid, "", "", "", "CT", "", 1, "h"});
  CHECK_FALSE(BatchSeriesLock::heldByAnyone(out, uid)); // never locked
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  struct Reap { // a failed REQUIRE never leaves the child waiting
    pid_t pid;
    ~Reap() {
      if (kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
  } reap{child};
  if (child == 0) {
    BatchSeriesLock lock;
    const char ok = lock.tryLock(out, uid) ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    pause(); // a worker busy with its series
    _exit(0);
  }
  char ok = 0;
  REQUIRE(read(ready[0], &ok, 1) == 1);
  REQUIRE(ok == 'y');
  BatchRecord running;
  running.seriesUid = uid;
  running.state = "running";
  running.inputHash = "h";
  running.pid = child;
  running.host = "here";
  saveBatchRecord(out, running);

  CHECK(BatchSeriesLock::heldByAnyone(out, uid));
  BatchSeriesLock mine;
  CHECK_FALSE(mine.tryLock(out, uid)); // a second worker on the same series does nothing
  std::vector<BatchStatusEntry> status = batchStatus(out, plan);
  CHECK(status.at(0).record.state == "running");
  CHECK_FALSE(batchSeriesNeedsWork(status.at(0), false));

  kill(child, SIGKILL); // kill -9 mid-series: the kernel drops the lock
  waitpid(child, nullptr, 0);
  CHECK_FALSE(BatchSeriesLock::heldByAnyone(out, uid));
  status = batchStatus(out, plan);
  CHECK(status.at(0).record.state == "failed");
  CHECK(status.at(0).interrupted);
  CHECK(status.at(0).record.reason.find("interrupted") == 0);
  CHECK(batchSeriesNeedsWork(status.at(0), false));

  // A Slurm task still listed by squeue is not interrupted, whatever the lock says (another node).
  running.slurmJob = "41_3";
  saveBatchRecord(out, running);
  status = batchStatus(out, plan, {"41_3"});
  CHECK(status.at(0).record.state == "running");
  CHECK(status.at(0).queued);
  CHECK(mine.tryLock(out, uid));
  close(ready[0]);
  close(ready[1]);
}

TEST_CASE("pre-reads for the Studies list: the newest finished run of each series", "[batch]") {
  TempFolder tmp;
  const std::string older = (tmp.path / "older").string(), newer = (tmp.path / "newer").string();
  for (const auto& [folder, when, findings] :
       {std::tuple<std::string, std::string, int>{older, "2026-12-01T10:00:00Z", 5}, {newer, "2026-12-02T10:00:00Z", 2}}) {
    BatchPlan plan;
    plan.series.push_back({"9.9", "/data", "9.9", "", "", "", "CT", "", 1, "h"});
    saveBatchPlan(folder, plan);
    BatchRecord r;
    r.seriesUid = "9.9";
    r.state = "done";
    r.findings = findings;
    r.inputHash = "h";
    r.finishedAt = when;
    saveBatchRecord(folder, r);
  }
  const fs::path list = tmp.path / "batch-runs.json";
  std::ofstream(list) << "[\"" << newer << "\", \"" << older << "\", \"" << (tmp.path / "gone").string() << "\"]";
  const std::map<std::string, PreReadSummary> pre = loadPreReads(list.string());
  REQUIRE(pre.count("9.9"));
  CHECK(pre.at("9.9").findings == 2);
  CHECK(pre.at("9.9").folder == newer);
}
