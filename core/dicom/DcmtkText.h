// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

class DcmItem;

namespace lightbox {

/// Decodes every text element (PN, LO, SH, ST, LT, UT, UC) of a data set DCMTK has loaded into
/// UTF-8 in place, each by the Specific Character Set in force (a sequence item's own, else its
/// parent's; `inheritedCharset` for the top level when it has none), and marks every decoded level
/// ISO_IR 192; for the readers of SEG, SR and RTSTRUCT (issue 28). DCMTK's own convertToUTF8 is
/// not used: with glibc iconv it refuses ISO 2022 IR 87. Returns the elements (by keyword) that
/// had undecodable bytes, shown as U+FFFD.
std::vector<std::string> decodeTextToUtf8(DcmItem& dataset,
                                          const std::string& inheritedCharset = {});

/// The text elements of the DICOM file at `path` (read up to its pixel data) that hold bytes their
/// Specific Character Set cannot decode (by keyword); empty when all decode or the file cannot be read.
std::vector<std::string> undecodableText(const std::string& path);

/// For the objects Lightbox writes, whose text is UTF-8 (the source's decoded by decodeTextToUtf8,
/// the reader's own): Specific Character Set ISO_IR 192 at the top level when any text element,
/// nested ones included, holds a non-ASCII byte, else no Specific Character Set (the default
/// repertoire); nested items lose their own (they inherit the top level's). Returns true when set.
bool markUtf8CharacterSet(DcmItem& dataset);

/// `text` cut to at most `characters` Unicode characters (DICOM limits LO, SH, PN ... in
/// characters, not bytes), never inside a UTF-8 sequence.
std::string truncateUtf8(const std::string& text, std::size_t characters);

} // namespace lightbox
