// SPDX-License-Identifier: Apache-2.0
// Issue 28: the drafted impression and the Lung-RADS rule in Simplified Chinese. Every rule text
// core can compose (baseline and follow-up, each type, size band, status and interval) comes out
// without an English word: a new English fragment in LungRads.cpp without its Chinese fails here.
#include "core/clinical/Growth.h"
#include "core/clinical/LungRads.h"
#include "core/dicom/PersonName.h"
#include "core/report/ImpressionChinese.h"
#include "core/report/ReportContent.h"
#include "core/report/ReportLanguage.h"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace lightbox;

namespace {

/// The English words (two or more letters) left in `text`, apart from names and units.
std::set<std::string> englishWords(const std::string& text) {
  static const std::set<std::string> allowed{"Lung", "RADS", "mm", "mL", "LDCT", "PET", "CT"};
  std::set<std::string> out;
  const std::regex word("[A-Za-z]{2,}");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator(); ++it) {
    if (!allowed.count(it->str())) out.insert(it->str());
  }
  return out;
}

std::string joined(const std::set<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += w + " ";
  return s;
}

} // namespace

TEST_CASE("report language codes", "[report][i18n]") {
  CHECK(parseReportLanguage("zh_CN") == ReportLanguage::SimplifiedChinese);
  CHECK(parseReportLanguage("zh-CN") == ReportLanguage::SimplifiedChinese);
  CHECK(parseReportLanguage("zh") == ReportLanguage::SimplifiedChinese);
  CHECK(parseReportLanguage("en") == ReportLanguage::English);
  CHECK(parseReportLanguage("en_US") == ReportLanguage::English);
  CHECK_FALSE(parseReportLanguage("zh_TW").has_value());
  CHECK_FALSE(parseReportLanguage("fr").has_value());
  CHECK(std::string(toCode(ReportLanguage::SimplifiedChinese)) == "zh_CN");
}

TEST_CASE("every Lung-RADS rule text has its Chinese, numbers kept", "[report][i18n]") {
  std::size_t rules = 0;
  std::set<std::string> distinct;
  auto check = [&](const LungRadsSuggestion& s) {
    const std::string zh = lungRadsRuleChinese(s.rule);
    INFO(s.rule << "\n -> " << zh);
    CHECK(englishWords(zh).empty());
    CHECK(zh.find("Lung-RADS v2022") == 0);
    CHECK_FALSE(lungRadsManagementChinese(s.category).empty());
    ++rules;
    distinct.insert(s.rule);
  };
  const char* types[] = {"solid", "part-solid", "ground-glass"};
  for (const char* type : types) {
    for (double d : {3.0, 5.0, 7.0, 10.0, 20.0, 35.0}) {
      for (double solid : {0.0, 3.0, 5.0, 7.0, 9.0}) {
        const AcceptedNodule n{"F1", type, d, std::min(solid, d)};
        check(suggestLungRads({n}));
        for (const char* status : {"new", "growing", "stable", "decreased"}) {
          for (double days : {-1.0, 30.0, 100.0, 200.0}) {
            for (const char* priorType : {"", "solid", "part-solid", "ground-glass"}) {
              for (double prior : {0.0, 4.0, 9.0}) {
                const NoduleChange c{"F1", status, days, priorType, prior, std::min(prior, 3.0)};
                check(suggestLungRads({n}, {c}));
                check(suggestLungRads({n, AcceptedNodule{"F2", "solid", 4.0, 4.0}}, {c})); // F2 not compared
              }
            }
          }
        }
      }
    }
  }
  check(suggestLungRads({}));
  CHECK(rules > 1000);
  CHECK(distinct.size() > 40); // the grid reaches the rules' branches, not one text over and over
  CHECK(lungRadsRuleChinese("Lung-RADS v2022 (baseline): solid nodule 9.0 mm >= 8 and < 15 mm") ==
        "Lung-RADS v2022（基线）：实性结节 9.0 mm >= 8 且 < 15 mm");
}

TEST_CASE("the drafted impression in Chinese: findings, mask, growth, Lung-RADS and its management", "[report][i18n]") {
  ReportContent c;
  c.source.modality = "CT";
  c.hasRun = true;
  ReportFinding f;
  f.id = "F1";
  f.type = "part-solid";
  f.diameterMm = 9.04;
  f.diameterSource = "mask";
  f.segmentNumber = 1;
  f.mask.longAxisMm = 10.2;
  f.mask.shortAxisMm = 7.9;
  f.mask.volumeMl = 0.41;
  c.findings.push_back(f);
  ReportFinding g = f;
  g.id = "F2";
  g.type = "";
  g.diameterSource = "unmeasured";
  g.segmentNumber = 0;
  c.findings.push_back(g);
  GrowthResult growth;
  growth.currentId = "F1";
  growth.priorId = "P1";
  growth.status = GrowthStatus::Growing;
  growth.intervalDays = 92;
  growth.priorDiameterMm = 7.0;
  growth.diameterMm = 9.0;
  growth.diameterChangeMm = 2.0;
  growth.volumeChangePercent = 113;
  growth.volumeSource = "ellipsoid";
  growth.doublingTimeDays = 85;
  c.growth.push_back(growth);
  c.lungRads = suggestLungRads({{"F1", "part-solid", 9.0, 6.5}});
  c.unmeasured = {"F2"};

  const std::string zh = draftImpression(c, ReportLanguage::SimplifiedChinese);
  INFO(zh);
  CHECK(zh.find("部分实性结节 F1，大小 9.0 mm（掩膜长短径均值）；掩膜 10.2 x 7.9 mm，0.41 mL") != std::string::npos);
  CHECK(zh.find("较先前检查（P1，92 天前）增大：平均直径 7.0 -> 9.0 mm（+2.0 mm），体积 +113 %（椭球估算），倍增时间 85 天") !=
        std::string::npos);
  CHECK(zh.find("结节 F2，未测量大小。") != std::string::npos);
  CHECK(zh.find("Lung-RADS 4A 类（辅助决策，与先前检查对比的随访规则）：3 个月后低剂量 CT 复查") != std::string::npos);
  CHECK(zh.find("未测量：F2。") != std::string::npos);
  CHECK(englishWords(zh).empty());
  // English is what it was.
  const std::string en = draftImpression(c, ReportLanguage::English);
  CHECK(en == draftImpression(c));
  CHECK(en.find("Part-solid nodule F1 of 9.0 mm") != std::string::npos);

  ReportContent none;
  none.source.modality = "CT";
  none.hasRun = true;
  CHECK(draftImpression(none, ReportLanguage::SimplifiedChinese) == "AI 提示中未接受肺结节。");
  none.source.modality = "MR";
  none.hasRun = false;
  CHECK(draftImpression(none, ReportLanguage::SimplifiedChinese) == "未接受任何发现。");
}

TEST_CASE("person names as a reader reads them, in every script", "[report][i18n][charset]") {
  CHECK(displayPersonName("Doe^Jane^M") == "Doe, Jane M");
  CHECK(displayPersonName("Doe^Jane") == "Doe, Jane");
  CHECK(displayPersonName("Doe") == "Doe");
  CHECK(displayPersonName("LIDC-IDRI-0001") == "LIDC-IDRI-0001");
  CHECK(displayPersonName("张^伟") == "张伟");
  CHECK(displayPersonName("Wang^XiaoDong=王^小东=") == "Wang, XiaoDong (王小东)");
  CHECK(displayPersonName("Yamada^Tarou=山田^太郎=やまだ^たろう") == "Yamada, Tarou (山田太郎)");
  CHECK(displayPersonName("Hong^Gildong=洪^吉洞=홍^길동") == "Hong, Gildong (洪吉洞)");
  CHECK(displayPersonName("=王^小东") == "王小东");
  CHECK(displayPersonName("Buc^Jérôme") == "Buc, Jérôme");
  CHECK(displayPersonName("Διονυσιος") == "Διονυσιος");
  CHECK(displayPersonName("Smith^John^^Dr^Jr") == "Dr Smith, John, Jr");
}
