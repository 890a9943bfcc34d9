// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// A DICOM Person Name (PS3.5 6.2: up to three component groups, alphabetic=ideographic=phonetic,
/// each family^given^middle^prefix^suffix) as a reader expects to see it:
/// "Doe^Jane^M" -> "Doe, Jane M"; "张^伟" -> "张伟" (Chinese, Japanese and Korean names are
/// written family name first, without a separator); "Wang^XiaoDong=王^小东=" -> "Wang, XiaoDong
/// (王小东)"; "Yamada^Tarou=山田^太郎=やまだ^たろう" -> "Yamada, Tarou (山田太郎)" (the phonetic
/// group is not shown beside an ideographic one). A value without '^' or '=' is returned as it is.
std::string displayPersonName(const std::string& personName);

} // namespace lightbox
