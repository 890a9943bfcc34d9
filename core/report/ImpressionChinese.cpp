// SPDX-License-Identifier: Apache-2.0
#include "core/report/ImpressionChinese.h"

#include "core/clinical/Growth.h"
#include "core/report/ReportContent.h"
#include "core/report/ReportLanguage.h"

#include <algorithm>
#include <cctype>

namespace lightbox {

namespace {

std::string signedNumber(const char* format, double value) {
  return (value >= 0 ? "+" : "") + formatNumber(format, value);
}

/// Core's doubling notes are a closed set of English sentences (core/clinical/Growth.cpp).
std::string doublingNoteChinese(const std::string& note) {
  if (note.rfind("interval unknown", 0) == 0)
    return "间隔未知（缺少检查日期）：无倍增时间";
  if (note.rfind("the prior is dated after", 0) == 0)
    return "先前检查日期晚于当前检查：无倍增时间";
  if (note.rfind("the studies are from the same day", 0) == 0)
    return "两次检查为同一天：无倍增时间";
  if (note.rfind("no volume to compare", 0) == 0)
    return "无可比较的体积：无倍增时间";
  if (note.rfind("volume unchanged", 0) == 0)
    return "体积未变：无倍增（稳定）";
  if (note.rfind("volume decreased", 0) == 0)
    return "体积缩小：无倍增时间（缩小）";
  if (note.rfind("new: no prior volume", 0) == 0)
    return "新发：无先前体积";
  return note;
}

std::string growthStatusChinese(GrowthStatus status) {
  switch (status) {
  case GrowthStatus::New:
    return "新发";
  case GrowthStatus::Growing:
    return "增大";
  case GrowthStatus::Stable:
    return "稳定";
  case GrowthStatus::Decreased:
    return "缩小";
  }
  return "新发";
}

} // namespace

std::optional<ReportLanguage> parseReportLanguage(const std::string& code) {
  std::string c;
  for (char ch : code)
    c += ch == '-' ? '_' : char(std::tolower(static_cast<unsigned char>(ch)));
  if (c == "en" || c.rfind("en_", 0) == 0)
    return ReportLanguage::English;
  if (c == "zh" || c == "zh_cn" || c == "zh_hans" || c == "zh_hans_cn" || c == "zh_sg")
    return ReportLanguage::SimplifiedChinese;
  return std::nullopt;
}

const char* toCode(ReportLanguage language) {
  return language == ReportLanguage::SimplifiedChinese ? "zh_CN" : "en";
}

std::string findingTypeChinese(const std::string& type) {
  if (type == "solid")
    return "实性";
  if (type == "part-solid")
    return "部分实性";
  if (type == "ground-glass")
    return "磨玻璃";
  if (type == "calcified")
    return "钙化";
  return type;
}

std::string lungRadsManagementChinese(const std::string& category) {
  if (category == "1" || category == "2")
    return "继续年度低剂量 CT 筛查，12 个月后复查";
  if (category == "3")
    return "6 个月后低剂量 CT 复查";
  if (category == "4A")
    return "3 个月后低剂量 CT 复查；实性成分 >= 8 mm 时可行 PET/CT";
  if (category == "4B" || category == "4X")
    return "根据恶性概率，行胸部诊断性 CT（平扫或增强）、PET/CT 和/或组织取样";
  return {};
}

std::string lungRadsRuleChinese(const std::string& rule) {
  // The rule texts of core/clinical/LungRads.cpp are fragments around numbers: each fragment in
  // Chinese, longest first (a fragment inside a longer one is replaced after it).
  static const std::pair<const char*, const char*> kPhrases[] = {
      {"Lung-RADS v2022 (follow-up, compared with the prior): ",
       "Lung-RADS v2022（随访，与先前检查对比）："},
      {"Lung-RADS v2022 (baseline): ", "Lung-RADS v2022（基线）："},
      {", growing since the prior but not its solid component (as far as measured): categorised by "
       "size",
       "，较先前检查增大但其实性成分未增大（就已测量者）：按大小分类"},
      {" (no comparison with the prior: baseline rule)", "（未与先前检查对比：按基线规则）"},
      {" (2 if the reader judges the growth slow)", "（阅片医师判断生长缓慢时为 2）"},
      {" (interval unknown: no stepped management)", "（间隔未知：不按逐级管理）"},
      {" but crossed a size threshold: categorised by size", "，但跨越了大小阈值：按大小分类"},
      {": 4A stable at 3-month follow-up -> 3", "：4A 类 3 个月随访稳定 -> 3"},
      {": 3 stable at 6-month follow-up -> 2", "：3 类 6 个月随访稳定 -> 2"},
      {": 4B stays 4B until proven benign", "：证实为良性前维持 4B"},
      {"no accepted lung nodules", "无已接受的肺结节"},
      {" with a growing solid component (from ", "，伴增大的实性成分（原 "},
      {" with a new solid component ", "，伴新出现的实性成分 "},
      {"new part-solid nodule ", "新发部分实性结节 "},
      {"new ground-glass nodule ", "新发磨玻璃结节 "},
      {"growing ground-glass nodule ", "增大的磨玻璃结节 "},
      {"new solid nodule ", "新发实性结节 "},
      {"growing solid nodule ", "增大的实性结节 "},
      {"part-solid nodule", "部分实性结节"},
      {"ground-glass nodule ", "磨玻璃结节 "},
      {"solid nodule ", "实性结节 "},
      {"growing since the prior", "较先前检查增大"},
      {"stable since the prior", "较先前检查稳定"},
      {"decreased since the prior", "较先前检查缩小"},
      {"new since the prior", "较先前检查新发"},
      {", solid component ", "，实性成分 "},
      {" total", "（总径）"},
      {" and < ", " 且 < "},
      {" (from ", "（原 "},
      {") ", "） "},
      {" over ", "，历时 "},
      {" days", " 天"},
      {", ", "，"},
  };
  std::string out = rule;
  for (const auto& [english, chinese] : kPhrases) {
    const std::string from = english, to = chinese;
    for (std::size_t at = out.find(from); at != std::string::npos;
         at = out.find(from, at + to.size()))
      out.replace(at, from.size(), to);
  }
  return out;
}

std::string growthSentenceChinese(const GrowthResult& g) {
  if (g.status == GrowthStatus::New)
    return "先前检查中未见，为新发";
  const std::string when =
      g.intervalDays ? "，" + formatNumber("%.0f", *g.intervalDays) + " 天前" : "";
  std::string s = "较先前检查（" + g.priorId + when + "）" + growthStatusChinese(g.status) +
                  "：平均直径 " + formatNumber("%.1f", g.priorDiameterMm) + " -> " +
                  formatNumber("%.1f", g.diameterMm) + " mm（" +
                  signedNumber("%.1f", g.diameterChangeMm) + " mm），体积 " +
                  signedNumber("%.0f", g.volumeChangePercent) + " %（" +
                  (g.volumeSource == "mask"        ? "掩膜"
                   : g.volumeSource == "ellipsoid" ? "椭球估算"
                                                   : g.volumeSource) +
                  "）";
  if (g.doublingTimeDays)
    s += "，倍增时间 " + formatNumber("%.0f", *g.doublingTimeDays) + " 天";
  else
    s += "，" + doublingNoteChinese(g.doublingNote);
  return s;
}

std::string draftImpressionChinese(const ReportContent& content) {
  std::string out;
  if (content.findings.empty()) {
    out = content.hasRun ? "AI 提示中" : "";
    out += content.source.modality == "CT" ? "未接受肺结节。" : "未接受任何发现。";
  }
  for (const ReportFinding& f : content.findings) {
    const std::string type = f.type.empty() ? "" : findingTypeChinese(f.type);
    out += (out.empty() ? "" : "\n") + type + "结节 " + f.id;
    if (f.diameterSource == "unmeasured") {
      out += "，未测量大小";
    } else {
      out += "，大小 " + formatNumber("%.1f", f.diameterMm) + " mm";
      if (f.diameterSource == "mask")
        out += "（掩膜长短径均值）";
      if (f.diameterSource == "ruler")
        out += "（手工测量）";
    }
    if (f.segmentNumber) {
      out += "；掩膜 " + formatNumber("%.1f", f.mask.longAxisMm) + " x " +
             formatNumber("%.1f", f.mask.shortAxisMm) + " mm，" +
             formatNumber("%.2f", f.mask.volumeMl) + " mL";
    }
    if (const GrowthResult* g = growthOf(content, f.id))
      out += "；" + growthSentenceChinese(*g);
    out += "。";
  }
  if (!content.lungRads.category.empty() && content.hasRun) {
    const std::string management = lungRadsManagementChinese(content.lungRads.category);
    out += "\nLung-RADS " + content.lungRads.category + " 类（辅助决策，" +
           (content.growth.empty() ? std::string("基线规则") : "与先前检查对比的随访规则") +
           "）：" + (management.empty() ? content.lungRads.management : management);
  }
  if (!content.unmeasured.empty()) {
    std::string ids;
    for (const std::string& id : content.unmeasured)
      ids += (ids.empty() ? "" : "、") + id;
    out += "\n未测量：" + ids + "。";
  }
  return out;
}

std::string draftImpression(const ReportContent& content, ReportLanguage language) {
  return language == ReportLanguage::SimplifiedChinese ? draftImpressionChinese(content)
                                                       : draftImpression(content);
}

} // namespace lightbox
