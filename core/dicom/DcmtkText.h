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
std::vector<std::string> decodeTextToUtf8(DcmItem& dataset, const std::string& inheritedCharset = {});

} // namespace lightbox
