// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/dicom/DicomScanner.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lightbox {

struct IndexedSeries {
  std::string seriesInstanceUid;
  int seriesNumber = 0;
  std::string description;
  std::string modality;
  std::size_t files = 0;
  std::string folder; ///< a folder holding the series' files, to open it again
  bool operator==(const IndexedSeries& o) const {
    return seriesInstanceUid == o.seriesInstanceUid && seriesNumber == o.seriesNumber &&
           description == o.description && modality == o.modality && files == o.files && folder == o.folder;
  }
};

struct IndexedStudy {
  std::string studyInstanceUid;
  std::string patientId, patientName, patientBirthDate, patientSex;
  std::string studyDate, studyTime, description, accessionNumber;
  std::vector<IndexedSeries> series;
};

struct ImportStats {
  std::size_t filesSeen = 0;
  std::size_t scanned = 0;   ///< new or changed files whose headers were read
  std::size_t unchanged = 0; ///< skipped: same size and modification time as indexed
  std::size_t removed = 0;   ///< indexed files under the path that no longer exist
  std::size_t rejected = 0;  ///< DICOM files that could not be indexed (reason stored)
  std::size_t notDicom = 0;
};

/// Local study index in SQLite: imported studies are listed without rescanning; re-import reads
/// only new or changed files. Not thread-safe; one instance per thread.
class StudyIndex {
public:
  /// Opens (creating folders and schema as needed) the index at `databasePath`.
  /// Throws std::runtime_error naming the path when it cannot be opened.
  explicit StudyIndex(const std::string& databasePath);
  ~StudyIndex();
  StudyIndex(const StudyIndex&) = delete;
  StudyIndex& operator=(const StudyIndex&) = delete;

  /// $LIGHTBOX_INDEX, else $XDG_DATA_HOME/lightbox/index.sqlite, else ~/.local/share/lightbox/index.sqlite.
  static std::string defaultPath();

  ImportStats import(const std::string& path, unsigned threads = 0, const ScanProgress& progress = {});
  std::vector<IndexedStudy> studies() const;
  /// Indexed files of a series (sorted by path), to open or thumbnail it without rescanning its folder.
  std::vector<std::string> seriesFiles(const std::string& seriesInstanceUid) const;
  /// Rejected files and their reasons, as stored at import.
  std::vector<std::pair<std::string, std::string>> rejectedFiles() const;

private:
  void openWritable(const std::string& databasePath);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The Study and Series Instance UIDs in the index at `databasePath`: what is local already (the
/// archive's search results mark them). Empty when there is no index yet or it cannot be read.
struct IndexedUids {
  std::set<std::string> studies, series;
};
IndexedUids indexedUids(const std::string& databasePath);

} // namespace lightbox
