// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lightbox {

/// De-identification by the DICOM Basic Application Level Confidentiality Profile (PS3.15 Annex E,
/// table E.1-1) with its options as choices (issue 27). DCMTK's headers stay in Anonymiser.cpp.
struct AnonymiseOptions {
  enum class Dates { Dummy, Keep, Shift } dates = Dates::Dummy;  ///< Basic / Retain Full Dates / Modified Dates
  int shiftDays = 0;                                               ///< with Dates::Shift
  bool keepDescriptions = false;  ///< Clean Descriptors Option: descriptions kept (free text not cleaned: said)
  std::string mappingPath;        ///< CSV of the replacements, read first when it exists, written after; empty: none kept
};

/// One source file's outcome.
struct AnonymisedFile {
  std::string source, output;  ///< output empty when skipped
  std::string note;            ///< why skipped, or a warning (burned-in annotation)
  bool burnedInAnnotation = false;  ///< Burned In Annotation YES, or not said on a modality that often has it
};

struct AnonymiseResult {
  std::vector<AnonymisedFile> files;
  std::size_t written = 0, skipped = 0, flagged = 0;
  std::size_t uidsReplaced = 0;  ///< distinct UIDs given a new value
};

/// Anonymises every DICOM file under `sources` (files or folders) into `outDir` as
/// `<new Study UID>/<new Series UID>/<new SOP UID>.dcm` (no source file or folder name is kept: they
/// may hold names). UIDs are replaced by `2.25.` UIDs from a keyed hash (a random key per run, or
/// the mapping file's), the same everywhere in one run (and across runs sharing a mapping file), so a
/// study's SEG, SR and KOS still reference its images. Pixel data is never changed. Throws
/// std::runtime_error naming the file and the reason when the output or the mapping cannot be
/// written.
AnonymiseResult anonymiseDicom(const std::vector<std::string>& sources, const std::string& outDir,
                               const AnonymiseOptions& options);

} // namespace lightbox
