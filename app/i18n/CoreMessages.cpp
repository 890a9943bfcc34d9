// SPDX-License-Identifier: Apache-2.0
#include "app/i18n/CoreMessages.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <vector>

namespace lightbox {

namespace {

struct Pattern {
  const char*
      english;        ///< a regular expression over the whole sentence; its groups become %1, %2...
  const char* source; ///< the English template (what is translated), with %1, %2...
};

// The sentences of ai/runtime/VolumeInference.cpp (preflightWarnings),
// ai/nodule/NoduleDetector.cpp, core/report/ReportContent.cpp (buildReportContent) and
// core/dicom/SeriesAssembler.cpp. A sentence changed there without its pattern here shows in
// English (tests/app/LanguageTest.cpp composes each through the real code where it can).
const Pattern kPatterns[] = {
    {R"(modality unknown; the model '(.+)' is for (\S+))",
     QT_TRANSLATE_NOOP("CoreMessages", "modality unknown; the model '%1' is for %2")},
    {R"(modality (\S+) is outside the model's intended use \((\S+)\))",
     QT_TRANSLATE_NOOP("CoreMessages", "modality %1 is outside the model's intended use (%2)")},
    {R"(slice thickness (\S+) mm exceeds the model's limit of (\S+) mm)",
     QT_TRANSLATE_NOOP("CoreMessages", "slice thickness %1 mm exceeds the model's limit of %2 mm")},
    {R"(slice spacing (\S+) mm exceeds the model's limit of (\S+) mm)",
     QT_TRANSLATE_NOOP("CoreMessages", "slice spacing %1 mm exceeds the model's limit of %2 mm")},
    {R"(in-plane spacing (\S+) mm is coarser than twice the model's (\S+) mm)",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "in-plane spacing %1 mm is coarser than twice the model's %2 mm")},
    {R"(the scan covers (\S+) mm along z, less than the (\S+) mm the model needs: findings near its ends may be missed)",
     QT_TRANSLATE_NOOP("CoreMessages", "the scan covers %1 mm along z, less than the %2 mm the "
                                       "model needs: findings near its ends may be missed")},
    {R"(values are not Hounsfield units; the lung mask and candidates assume CT)",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "values are not Hounsfield units; the lung mask and candidates assume CT")},
    {R"(no lung found in this scan \(no air region inside the body\))",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "no lung found in this scan (no air region inside the body)")},
    {R"(the series has no Patient ID: the objects carry it empty)",
     QT_TRANSLATE_NOOP("CoreMessages", "the series has no Patient ID: the objects carry it empty")},
    {R"(the series has no Patient's Name: the objects carry it empty)",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "the series has no Patient's Name: the objects carry it empty")},
    {R"(the source's (.+) hold bytes its Specific Character Set cannot decode: the objects carry them as U\+FFFD \((.+)\))",
     QT_TRANSLATE_NOOP("CoreMessages", "the source's %1 hold bytes its Specific Character Set "
                                       "cannot decode: the objects carry them as "
                                       "U+FFFD (%2)")},
    {R"(the series was resampled onto an even grid \(gaps, uneven spacing or gantry tilt\): SEG frames on interpolated slices are placed by position only, key images are the nearest acquired slices)",
     QT_TRANSLATE_NOOP("CoreMessages", "the series was resampled onto an even grid (gaps, uneven "
                                       "spacing or gantry tilt): SEG frames on "
                                       "interpolated slices are placed by position only, key "
                                       "images are the nearest acquired slices")},
    {R"(the series has no Frame of Reference UID: the SEG places its frames by the source images only)",
     QT_TRANSLATE_NOOP(
         "CoreMessages",
         "the series has no Frame of Reference UID: the SEG places its frames by the source "
         "images only")},
    {R"(no pixel spacing: distances are in pixels, not mm)",
     QT_TRANSLATE_NOOP("CoreMessages", "no pixel spacing: distances are in pixels, not mm")},
    {R"(area (\S+) mm², mean (\S+) ?(\S*), SD (\S+), min (\S+), max (\S+))",
     QT_TRANSLATE_NOOP("CoreMessages", "area %1 mm², mean %2 %3, SD %4, min %5, max %6")},
    {R"(area (\S+) mm²)", QT_TRANSLATE_NOOP("CoreMessages", "area %1 mm²")},
    {R"(uneven slice spacing: gaps from (\S+) to (\S+) mm \(median (\S+) mm\); resampled to a uniform grid)",
     QT_TRANSLATE_NOOP("CoreMessages", "uneven slice spacing: gaps from %1 to %2 mm (median %3 "
                                       "mm); resampled to a uniform grid")},
};

struct Compiled {
  QRegularExpression english;
  const char* source;
};

const std::vector<Compiled>& compiled() {
  static const std::vector<Compiled> all = [] {
    std::vector<Compiled> out;
    for (const Pattern& p : kPatterns)
      out.push_back({QRegularExpression(QStringLiteral("^") + QString::fromUtf8(p.english) +
                                        QStringLiteral("$")),
                     p.source});
    return out;
  }();
  return all;
}

} // namespace

QString translateCoreMessage(const std::string& message) {
  const QString text = QString::fromStdString(message);
  for (const Compiled& c : compiled()) {
    const QRegularExpressionMatch m = c.english.match(text);
    if (!m.hasMatch())
      continue;
    QString out = QCoreApplication::translate("CoreMessages", c.source);
    for (int g = 1; g <= m.lastCapturedIndex(); ++g)
      out = out.arg(m.captured(g));
    return out;
  }
  // "LABEL: sentence" (a labelled measurement's value): the sentence translated, the label kept.
  const auto colon = message.find(": ");
  if (colon != std::string::npos) {
    const std::string rest = message.substr(colon + 2);
    const QString translated = translateCoreMessage(rest);
    if (translated != QString::fromStdString(rest))
      return QString::fromStdString(message.substr(0, colon + 2)) + translated;
  }
  return text;
}

} // namespace lightbox
