// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

namespace lightbox {

/// The language of what a report says in words (the drafted impression and the PDF). The SR's coded
/// concepts are standard whatever the language; the reader's free text is kept as typed.
enum class ReportLanguage { English, SimplifiedChinese };

/// "en" or "zh_CN" (also "zh", "zh-CN", "zh_Hans"...); nullopt for anything else.
std::optional<ReportLanguage> parseReportLanguage(const std::string& code);
/// "en" or "zh_CN".
const char* toCode(ReportLanguage language);

} // namespace lightbox
