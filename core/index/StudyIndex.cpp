// SPDX-License-Identifier: Apache-2.0
#include "core/index/StudyIndex.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
  status TEXT NOT NULL, reason TEXT, series_uid TEXT, sop_uid TEXT);
CREATE INDEX IF NOT EXISTS files_series ON files(series_uid);
CREATE TABLE IF NOT EXISTS series (
  series_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL, number INTEGER, description TEXT,
  modality TEXT);
CREATE TABLE IF NOT EXISTS studies (
  study_uid TEXT PRIMARY KEY, patient_id TEXT, patient_name TEXT, birth_date TEXT, sex TEXT,
  study_date TEXT, study_time TEXT, description TEXT, accession TEXT);
)sql";

/// " (No space left on device)" when SQLite's last failure was the operating system's, else "":
/// "disk I/O error" alone does not say that the disk is full or read-only.
std::string systemReason(sqlite3* db) {
  const int err = db ? sqlite3_system_errno(db) : 0;
  return err != 0 ? std::string(" (") + std::strerror(err) + ")" : std::string();
}

/// SQLite's message, prefixed with the database file and followed by the system's reason.
std::string sqliteReason(sqlite3* db) {
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  if (const char* file = db ? sqlite3_db_filename(db, "main") : nullptr; file && *file) msg = std::string(file) + ": " + msg;
  return msg + systemReason(db);
}

/// A prepared statement with RAII finalisation and typed binding.
class Statement {
public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("study index: ") + sqliteReason(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc != SQLITE_DONE) {
      throw std::runtime_error(std::string("study index: ") + sqliteReason(db_));
    }
    return false;
  }
  void run() {
    step();
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace

struct StudyIndex::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string readOnlyReason; ///< why the index could only be opened for reading, else empty

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error("study index " + path + ": " + msg + systemReason(db));
    }
  }
};

StudyIndex::StudyIndex(const std::string& databasePath) : impl_(std::make_unique<Impl>()) {
  impl_->path = databasePath;
  std::error_code ec;
  const fs::path parent = fs::path(databasePath).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
  }
  try {
    openWritable(databasePath);
  } catch (const std::runtime_error& e) {
    // A full disk, a read-only medium or a folder without write permission: an existing index
    // still opens for reading; import() then says why it cannot write (issue 25). Not when
    // another process holds it (busy).
    const int code = impl_->db ? (sqlite3_errcode(impl_->db) & 0xff) : SQLITE_CANTOPEN;
    sqlite3_close(impl_->db);
    impl_->db = nullptr;
    const bool cannotWrite = code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_FULL ||
                             code == SQLITE_CANTOPEN || code == SQLITE_PERM;
    if (!cannotWrite || !fs::exists(databasePath, ec)) throw;
    std::string uri = "file:";
    for (char c : fs::absolute(databasePath).string()) {
      if (c == '%' || c == '?' || c == '#') {
        static const char* kHex = "0123456789ABCDEF";
        uri += {'%', kHex[(unsigned char)c >> 4], kHex[c & 15]};
      } else {
        uri += c;
      }
    }
    const auto openReadable = [&](const std::string& parameters) {
      if (sqlite3_open_v2((uri + parameters).c_str(), &impl_->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK) {
        try {
          Statement q(impl_->db, "SELECT count(*) FROM files");
          q.step();
          return true;
        } catch (const std::runtime_error&) {
        }
      }
      sqlite3_close(impl_->db);
      impl_->db = nullptr;
      return false;
    };
    // Read-only with locks first (it sees a write-ahead log's committed rows; it needs the -shm
    // file). Immutable (no locks, no -shm) only when no write-ahead log holds data it would miss.
    std::error_code walError;
    const auto walBytes = fs::file_size(databasePath + "-wal", walError);
    const bool walEmpty = walError || walBytes == 0;
    if (!openReadable("?mode=ro") && !(walEmpty && openReadable("?immutable=1"))) throw;
    impl_->readOnlyReason = e.what();
  }
}

void StudyIndex::openWritable(const std::string& databasePath) {
  if (sqlite3_open(databasePath.c_str(), &impl_->db) != SQLITE_OK) {
    const std::string msg = impl_->db ? sqlite3_errmsg(impl_->db) : "out of memory";
    sqlite3_close(impl_->db);
    impl_->db = nullptr;
    throw std::runtime_error("cannot open study index " + databasePath + ": " + msg);
  }
  sqlite3_busy_timeout(impl_->db, 5000);
  impl_->exec(kSchema);
  // Version 1 (issue 28): names and descriptions are stored decoded to UTF-8. An index written
  // before held the raw bytes: every file is read again at its next import (as if changed).
  std::int64_t version = 0;
  {
    Statement q(impl_->db, "PRAGMA user_version");
    if (q.step()) version = q.integer(0);
  }
  if (version < 1) {
    // Best effort: an index that cannot be written now (read-only, another process importing)
    // still opens for reading; the upgrade is tried again the next time it is opened.
    char* err = nullptr;
    if (sqlite3_exec(impl_->db, "BEGIN IMMEDIATE; UPDATE files SET mtime = -1; PRAGMA user_version = 1; COMMIT;",
                     nullptr, nullptr, &err) != SQLITE_OK) {
      sqlite3_free(err);
      sqlite3_exec(impl_->db, "ROLLBACK;", nullptr, nullptr, nullptr);
    }
  }
}

StudyIndex::~StudyIndex() { sqlite3_close(impl_->db); }

std::string StudyIndex::defaultPath() {
  if (const char* p = std::getenv("LIGHTBOX_INDEX"); p && *p) {
    return p;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return (fs::path(xdg) / "lightbox" / "index.sqlite").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".local" / "share" / "lightbox" / "index.sqlite").string();
}

ImportStats StudyIndex::import(const std::string& path, unsigned threads, const ScanProgress& progress) {
  if (!impl_->readOnlyReason.empty()) {
    throw std::runtime_error(impl_->readOnlyReason + ": the index is open for reading only, nothing was added");
  }
  ImportStats stats;
  std::vector<std::string> files = listCandidateFiles(path);
  for (std::string& f : files) {
    f = fs::absolute(f).lexically_normal().string();
  }
  stats.filesSeen = files.size();

  // What is indexed already under this path.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> known;
  std::string root = fs::absolute(path).lexically_normal().string();
  {
    Statement q(impl_->db, "SELECT path, size, mtime FROM files WHERE path = ?1 OR path LIKE ?2");
    q.bind(1, root).bind(2, (root.back() == '/' ? root : root + "/") + "%");
    while (q.step()) {
      known[q.text(0)] = {q.integer(1), q.integer(2)};
    }
  }
  std::vector<std::string> toScan;
  const std::set<std::string> present(files.begin(), files.end());
  for (const std::string& f : files) {
    std::error_code ec;
    const auto size = std::int64_t(fs::file_size(f, ec));
    const auto mtime = std::chrono::duration_cast<std::chrono::seconds>(
                           fs::last_write_time(f, ec).time_since_epoch()).count();
    const auto it = known.find(f);
    if (it != known.end() && it->second == std::make_pair(size, std::int64_t(mtime))) {
      ++stats.unchanged;
    } else {
      toScan.push_back(f);
    }
  }
  const ScanResult scan = scanFiles(toScan, threads, progress);
  stats.scanned = toScan.size();

  impl_->exec("BEGIN IMMEDIATE");
  try {
    Statement delFile(impl_->db, "DELETE FROM files WHERE path = ?1");
    for (const auto& [p, meta] : known) {
      if (!present.count(p)) {
        delFile.bind(1, p).run();
        ++stats.removed;
      }
    }
    Statement putFile(impl_->db,
                      "INSERT OR REPLACE INTO files(path, size, mtime, status, reason, series_uid, sop_uid) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    Statement putSeries(impl_->db,
                        "INSERT OR REPLACE INTO series(series_uid, study_uid, number, description, modality) "
                        "VALUES(?1, ?2, ?3, ?4, ?5)");
    Statement putStudy(impl_->db,
                       "INSERT OR REPLACE INTO studies(study_uid, patient_id, patient_name, birth_date, sex, "
                       "study_date, study_time, description, accession) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    std::set<std::string> filesDone;
    for (const DicomFrame& f : scan.frames) {
      const DicomFileInfo& h = *f.file;
      if (!filesDone.insert(h.path).second) {
        continue;
      }
      putFile.bind(1, h.path).bind(2, std::int64_t(h.fileSize)).bind(3, h.modifiedTime).bind(4, std::string("image"))
          .bind(5, std::string()).bind(6, h.seriesInstanceUid).bind(7, h.sopInstanceUid).run();
      putSeries.bind(1, h.seriesInstanceUid).bind(2, h.studyInstanceUid).bind(3, std::int64_t(h.seriesNumber))
          .bind(4, h.seriesDescription).bind(5, h.modality).run();
      putStudy.bind(1, h.studyInstanceUid).bind(2, h.patientId).bind(3, h.patientName).bind(4, h.patientBirthDate)
          .bind(5, h.patientSex).bind(6, h.studyDate).bind(7, h.studyTime).bind(8, h.studyDescription)
          .bind(9, h.accessionNumber).run();
    }
    for (const IngestIssue& issue : scan.issues) {
      std::error_code ec;
      const auto size = std::int64_t(fs::file_size(issue.path, ec));
      const auto mtime = std::chrono::duration_cast<std::chrono::seconds>(
                             fs::last_write_time(issue.path, ec).time_since_epoch()).count();
      const bool notDicom = issue.kind == IssueKind::NotDicom;
      (notDicom ? stats.notDicom : stats.rejected)++;
      putFile.bind(1, issue.path).bind(2, size).bind(3, std::int64_t(mtime))
          .bind(4, std::string(notDicom ? "not-dicom" : "rejected")).bind(5, issue.message)
          .bind(6, std::string()).bind(7, std::string()).run();
    }
    // Series and studies left without files disappear.
    impl_->exec("DELETE FROM series WHERE series_uid NOT IN (SELECT DISTINCT series_uid FROM files "
                "WHERE series_uid IS NOT NULL)");
    impl_->exec("DELETE FROM studies WHERE study_uid NOT IN (SELECT study_uid FROM series)");
    impl_->exec("COMMIT");
  } catch (...) {
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return stats;
}

std::vector<IndexedStudy> StudyIndex::studies() const {
  std::vector<IndexedStudy> out;
  Statement q(impl_->db,
              "SELECT study_uid, patient_id, patient_name, birth_date, sex, study_date, study_time, "
              "description, accession FROM studies ORDER BY study_date DESC, patient_name, study_uid");
  while (q.step()) {
    IndexedStudy s;
    s.studyInstanceUid = q.text(0);
    s.patientId = q.text(1);
    s.patientName = q.text(2);
    s.patientBirthDate = q.text(3);
    s.patientSex = q.text(4);
    s.studyDate = q.text(5);
    s.studyTime = q.text(6);
    s.description = q.text(7);
    s.accessionNumber = q.text(8);
    out.push_back(std::move(s));
  }
  Statement sq(impl_->db,
               "SELECT s.series_uid, s.number, s.description, s.modality, COUNT(f.path), MIN(f.path) "
               "FROM series s JOIN files f ON f.series_uid = s.series_uid WHERE s.study_uid = ?1 "
               "GROUP BY s.series_uid ORDER BY s.number, s.series_uid");
  for (IndexedStudy& s : out) {
    sq.bind(1, s.studyInstanceUid);
    while (sq.step()) {
      s.series.push_back({sq.text(0), int(sq.integer(1)), sq.text(2), sq.text(3), std::size_t(sq.integer(4)),
                          fs::path(sq.text(5)).parent_path().string()});
    }
    sq.reset();
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> StudyIndex::rejectedFiles() const {
  std::vector<std::pair<std::string, std::string>> out;
  Statement q(impl_->db, "SELECT path, reason FROM files WHERE status = 'rejected' ORDER BY path");
  while (q.step()) {
    out.emplace_back(q.text(0), q.text(1));
  }
  return out;
}

std::vector<std::string> StudyIndex::seriesFiles(const std::string& seriesInstanceUid) const {
  std::vector<std::string> out;
  Statement q(impl_->db, "SELECT path FROM files WHERE status = 'image' AND series_uid = ?1 ORDER BY path");
  q.bind(1, seriesInstanceUid);
  while (q.step()) {
    out.push_back(q.text(0));
  }
  return out;
}

IndexedUids indexedUids(const std::string& databasePath) {
  IndexedUids uids;
  try {
    StudyIndex index(databasePath);
    for (const IndexedStudy& st : index.studies()) {
      uids.studies.insert(st.studyInstanceUid);
      for (const IndexedSeries& se : st.series) uids.series.insert(se.seriesInstanceUid);
    }
  } catch (const std::exception&) {
    // No index yet, or one that cannot be read: nothing is local.
  }
  return uids;
}

} // namespace lightbox
