// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

struct GrowthResult;
struct ReportContent;

/// The impression drafted in Simplified Chinese from the same templates as draftImpression, e.g.
/// "实性结节 F1，大小 12.3 mm（掩膜长短径均值）；掩膜 14.1 x 10.5 mm，1.02 mL。\nLung-RADS 4A 类
/// （辅助决策，基线规则）：3 个月后低剂量 CT 复查；……".
std::string draftImpressionChinese(const ReportContent& content);
/// growthSentence in Simplified Chinese.
std::string growthSentenceChinese(const GrowthResult& g);
/// The Lung-RADS v2022 management of a category ("1", "2", "3", "4A", "4B", "4X") in Simplified
/// Chinese; empty for an unknown category.
std::string lungRadsManagementChinese(const std::string& category);
/// A Lung-RADS rule text of core/clinical/LungRads.cpp (e.g. "Lung-RADS v2022 (baseline): solid nodule
/// 9.0 mm >= 8 and < 15 mm") in Simplified Chinese, fragment by fragment; the numbers stay.
std::string lungRadsRuleChinese(const std::string& rule);
/// A finding type ("solid", "part-solid", "ground-glass", "calcified") in Simplified Chinese; the
/// value itself when unknown.
std::string findingTypeChinese(const std::string& type);

} // namespace lightbox
