// SPDX-License-Identifier: Apache-2.0
#include "app/report/ReportPdf.h"

#include "app/i18n/Terms.h"

#include "app/i18n/CoreMessages.h"
#include "app/report/PdfPageFlow.h"

#include "app/render/SliceCompositor.h"
#include "core/annotation/ScoreText.h"
#include "core/display/WindowLevel.h"
#include "core/dicom/PersonName.h"
#include "core/report/ImpressionChinese.h"
#include "core/report/ReportDicom.h"
#include "core/segmentation/LabelMap.h"
#include "core/volume/SliceSampler.h"
#include "core/volume/Volume.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <unistd.h>
#include <utility>
#include <vector>

namespace lightbox {
namespace {

using namespace pdf;

constexpr double kMarginMm = 15.0, kFooterMm = 9.0;
constexpr int kZoomPixels = 320;      ///< display pixels across the zoomed key image
const Rgba kOutline{0, 230, 0, 255};  ///< the finding's mask outline in the key images
const Rgba kMarker{255, 220, 0, 255}; ///< the finding's centre when it has no mask
const QColor kLongAxis{255, 150, 0}, kShortAxis{0, 200, 255}, kZoomBox{255, 255, 255};

/// The PDF's words in the reader's language (issue 28): ReportPdfText::tr, context
/// "lightbox::ReportPdf"; the English source is what the PDF prints without a translator.
struct ReportPdfText {
  Q_DECLARE_TR_FUNCTIONS(lightbox::ReportPdf)
};


QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString orNone(const std::string& s) {
  return s.empty() ? ReportPdfText::tr("not recorded") : q(s);
}

/// "Doe^Jane^M" -> "Doe, Jane M", "张^伟" -> "张伟" (core/dicom/PersonName); free text is kept.
QString personName(const std::string& pn) { return pn.empty() ? orNone(pn) : q(displayPersonName(pn)); }

/// core's "image 44 frame 2, nearest acquired (z -117.5 mm)" or "slice 3 of 16 (at 5.0 mm)" in
/// the report's words; anything else as it is, first letter up.
QString sourceImageCaption(const std::string& text) {
  static const QRegularExpression image(
      R"(^(?:image (\d+)(?: frame (\d+))?|slice (\d+) of (\d+))(, nearest acquired)?(?: \((z|at) (\S+) mm\))?$)");
  const QRegularExpressionMatch m = image.match(q(text));
  if (!m.hasMatch()) {
    QString t = q(text);
    if (!t.isEmpty()) t[0] = t[0].toUpper();
    return t;
  }
  QString out = m.captured(1).isEmpty() ? ReportPdfText::tr("Slice %1 of %2").arg(m.captured(3), m.captured(4))
                                        : ReportPdfText::tr("Image %1").arg(m.captured(1));
  if (!m.captured(2).isEmpty()) out += ReportPdfText::tr(" frame %1").arg(m.captured(2));
  if (!m.captured(5).isEmpty()) out += ReportPdfText::tr(", nearest acquired");
  if (m.captured(6) == QLatin1String("z")) out += ReportPdfText::tr(" (z %1 mm)").arg(m.captured(7));
  if (m.captured(6) == QLatin1String("at")) out += ReportPdfText::tr(" (at %1 mm)").arg(m.captured(7));
  return out;
}

/// "20000101" -> "2000-01-01".
QString dateText(const std::string& da) {
  if (da.size() != 8)
    return orNone(da);
  return q(da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2));
}

QString sexText(const std::string& cs) {
  if (cs == "F")
    return ReportPdfText::tr("female");
  if (cs == "M")
    return ReportPdfText::tr("male");
  if (cs == "O")
    return ReportPdfText::tr("other");
  return orNone(cs);
}

QString diameterSourceText(const std::string& source) {
  if (source == "ruler")
    return ReportPdfText::tr("ruler");
  if (source == "mask")
    return ReportPdfText::tr("mask");
  if (source == "ai")
    return ReportPdfText::tr("AI");
  return ReportPdfText::tr("unmeasured");
}

QString diameterText(const ReportFinding& f) {
  if (f.diameterSource == "unmeasured")
    return ReportPdfText::tr("not measured");
  return q(formatNumber("%.1f mm", f.diameterMm));
}

QString axesText(const SegmentStats& s) {
  return q(formatNumber("%.1f", s.longAxisMm) + " x " + formatNumber("%.1f mm", s.shortAxisMm));
}

QString unitsSuffix(const Volume& image) {
  return image.units.empty() ? QString() : " " + q(image.units);
}

QString typeText(const ReportFinding& f) {
  const QString t = term(f.type.empty() ? "nodule" : f.type);
  if (!f.aiType.empty() && f.aiType != f.type)
    return ReportPdfText::tr("%1 (AI: %2)").arg(t, term(f.aiType));
  return t;
}

QString stateText(FindingState s) {
  switch (s) {
  case FindingState::Accepted:
    return ReportPdfText::tr("accepted");
  case FindingState::Edited:
    return ReportPdfText::tr("edited");
  case FindingState::Rejected:
    return ReportPdfText::tr("rejected");
  case FindingState::Proposed:
    return ReportPdfText::tr("undecided");
  }
  return {};
}

/// Between the items of a list of ids: ", " in English.
QString listSeparator() {
  return ReportPdfText::tr(", ", "between the items of a list");
}

QString joined(const std::vector<std::string>& items) {
  QStringList out;
  for (const std::string& s : items)
    out << q(s);
  return out.join(listSeparator());
}

QImage toQImage(const SliceImage& s) {
  return QImage(s.rgba.data(), int(s.width), int(s.height), int(4 * s.width),
                QImage::Format_RGBA8888)
      .convertToFormat(QImage::Format_RGB888);
}

/// `image` fitted into `cell`, aspect kept, centred.
QRectF fitted(const QImage& image, const QRectF& cell) {
  const double scale = std::min(cell.width() / image.width(), cell.height() / image.height());
  const QSizeF size(image.width() * scale, image.height() * scale);
  return QRectF(cell.center() - QPointF(size.width() / 2, size.height() / 2), size);
}

/// Page position of the LPS point `lps` on `plane` drawn into `target`.
QPointF onPage(const SlicePlane& plane, const QRectF& target, const Vec3& lps) {
  const auto [px, py] = plane.lpsToPixel(lps);
  return {target.left() + (px + 0.5) * target.width() / double(plane.width),
          target.top() + (py + 0.5) * target.height() / double(plane.height)};
}

/// A short label on a dark box, so it reads on any grey.
void boxedText(QPainter& p, const QPointF& at, const QString& text, const QColor& colour) {
  const QRectF r =
      p.fontMetrics().boundingRect(text).adjusted(-mm(0.5), -mm(0.2), mm(0.5), mm(0.2));
  const QRectF box(at, r.size());
  p.fillRect(box, QColor(0, 0, 0, 170));
  p.setPen(colour);
  p.drawText(box, Qt::AlignCenter, text);
}

/// The images of one key slice: the whole slice and a zoom on the finding, with the planes they
/// were sampled on.
struct KeyImage {
  SlicePlane full, zoom;
  QImage fullImage, zoomImage;
};

KeyImage renderKeyImage(const ReportFinding& f, const Volume& image,
                        const std::shared_ptr<const Volume>& labelVolume,
                        const WindowLevel& window) {
  const VolumeGeometry& g = image.geometry;
  const double k = double(std::min(f.keySlice, g.size[2] ? g.size[2] - 1 : 0));
  const Vec3 sliceMiddle =
      g.ijkToLps({0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), k});
  const ViewPlane view = nearestViewPlane(g.direction[2]);
  KeyImage out;
  out.full = planeThrough(g, view, sliceMiddle);

  OverlayLayers overlays;
  if (f.segmentLabel && labelVolume) {
    LabelMapLayer layer;
    layer.labels = labelVolume;
    layer.colours[f.segmentLabel] = kOutline;
    // Only this finding's segment, as an outline; every other label hidden.
    for (int label = 1; label < 256; ++label) {
      layer.styles[label] = LabelStyle{label == f.segmentLabel, 0.0, false, true};
    }
    overlays.labelMaps.push_back(std::move(layer));
  } else {
    Marker m;
    m.lps = f.centerLps;
    m.colour = kMarker;
    m.radiusMm = std::max(f.diameterMm > 0 ? 0.5 * f.diameterMm + 2.0 : 5.0, 4.0);
    overlays.markers.push_back(m);
    overlays.markerSlabMm = std::max(sliceSpacingAlong(g, out.full.normal()), 1.0);
  }
  out.fullImage = toQImage(compositeSlice(image, out.full, window, false, overlays));

  // The zoom: centred on the finding on this slice, three times its size (30 to 120 mm across).
  const Vec3 n = out.full.normal();
  Vec3 centre = f.segmentLabel ? (f.mask.longA + f.mask.longB) * 0.5 : f.centerLps;
  centre = centre - n * dot(centre - out.full.origin, n);
  const double size = std::max({f.mask.longAxisMm, f.diameterMm, 10.0});
  const double fov = std::clamp(3.0 * size, 30.0, 120.0);
  out.zoom.right = out.full.right;
  out.zoom.down = out.full.down;
  out.zoom.pixelMm = fov / kZoomPixels;
  out.zoom.width = out.zoom.height = kZoomPixels;
  const double half = 0.5 * (fov - out.zoom.pixelMm);
  out.zoom.origin = centre - out.zoom.right * half - out.zoom.down * half;
  out.zoomImage = toQImage(compositeSlice(image, out.zoom, window, false, overlays));
  return out;
}

QStringList keyImageCaption(const ReportFinding& f, int scoreDecimals, const ReportSource& source,
                            const Volume& image) {
  QStringList lines;
  lines << ReportPdfText::tr("%1: %2").arg(q(f.id), typeText(f));
  lines << stateText(f.state);
  lines << ReportPdfText::tr("Diameter %1 (%2)")
               .arg(diameterText(f), diameterSourceText(f.diameterSource));
  if (f.segmentLabel) {
    lines << ReportPdfText::tr("Mask %1").arg(axesText(f.mask));
    lines << ReportPdfText::tr("Volume %1").arg(q(formatNumber("%.2f mL", f.mask.volumeMl)));
    // %2: the image's units with a space before them, or nothing.
    lines << ReportPdfText::tr("Mean %1%2 (SD %3)")
                 .arg(q(formatNumber("%.0f", f.mask.mean)), unitsSuffix(image),
                      q(formatNumber("%.0f", f.mask.sd)));
  } else {
    lines << ReportPdfText::tr("No mask: the marker is the AI's centre");
  }
  lines << ReportPdfText::tr("AI score %1").arg(q(scoreText(f.score, scoreDecimals)));
  if (!f.lungRadsCategory.empty())
    lines << ReportPdfText::tr("Lung-RADS %1").arg(q(f.lungRadsCategory));
  lines << sourceImageCaption(sourceImageText(source, f.keySlice));
  return lines;
}

void keyImageRow(PageFlow& flow, const Fonts& fonts, const ReportFinding& f, int scoreDecimals, const KeyImage& key,
                 const ReportSource& source, const Volume& image) {
  const double panel = mm(64), gap = mm(3);
  const double h = panel + mm(3);
  const double top = flow.place(h);
  const QRectF fullCell(0, top, panel, panel), zoomCell(panel + gap, top, panel, panel);
  const double textX = 2 * (panel + gap), textW = flow.width() - textX;
  const QString caption = keyImageCaption(f, scoreDecimals, source, image).join("\n");
  const QString legend =
      f.segmentLabel
          ? ReportPdfText::tr("Green: mask outline. Orange: long axis. Cyan: short axis.")
          : ReportPdfText::tr("Yellow: the finding's centre.");
  flow.draw([=](QPainter& p) {
    p.fillRect(fullCell, Qt::black);
    p.fillRect(zoomCell, Qt::black);
    const QRectF fullRect = fitted(key.fullImage, fullCell),
                 zoomRect = fitted(key.zoomImage, zoomCell);
    p.drawImage(fullRect, key.fullImage);
    p.drawImage(zoomRect, key.zoomImage);
    p.setFont(fonts.small);
    // Orientation letters on the whole slice.
    p.setPen(Qt::white);
    p.drawText(fullRect.adjusted(mm(1), 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
               q(orientationLetters(key.full.right * -1.0)));
    p.drawText(fullRect.adjusted(0, 0, -mm(1), 0), Qt::AlignRight | Qt::AlignVCenter,
               q(orientationLetters(key.full.right)));
    p.drawText(fullRect.adjusted(0, mm(0.5), 0, 0), Qt::AlignHCenter | Qt::AlignTop,
               q(orientationLetters(key.full.down * -1.0)));
    // Where the zoom is.
    const QPointF z0 = onPage(key.full, fullRect, key.zoom.pixelToLps(-0.5, -0.5));
    const QPointF z1 = onPage(key.full, fullRect,
                              key.zoom.pixelToLps(key.zoom.width - 0.5, key.zoom.height - 0.5));
    p.setPen(QPen(kZoomBox, mm(0.25)));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(z0, z1).normalized());
    // The RECIST axes on the zoom, with their lengths.
    p.save();
    p.setClipRect(zoomRect);
    if (f.segmentLabel && f.mask.longAxisMm > 0) {
      const std::pair<QColor, std::pair<Vec3, Vec3>> axes[] = {
          {kLongAxis, {f.mask.longA, f.mask.longB}}, {kShortAxis, {f.mask.shortA, f.mask.shortB}}};
      const double lengths[] = {f.mask.longAxisMm, f.mask.shortAxisMm};
      for (int n = 0; n < 2; ++n) {
        const QPointF a = onPage(key.zoom, zoomRect, axes[n].second.first);
        const QPointF b = onPage(key.zoom, zoomRect, axes[n].second.second);
        p.setPen(QPen(axes[n].first, mm(0.35), Qt::SolidLine, Qt::RoundCap));
        p.drawLine(a, b);
        const QPointF end = a.x() > b.x() ? a : b;
        boxedText(p, end + QPointF(mm(1.2), n == 0 ? -mm(3.5) : mm(0.8)),
                  q(formatNumber("%.1f mm", lengths[n])), axes[n].first);
      }
    }
    // A 10 mm scale bar.
    const double bar = 10.0 / key.zoom.pixelMm * zoomRect.width() / key.zoom.width;
    const QPointF barStart = zoomRect.bottomLeft() + QPointF(mm(2), -mm(2.5));
    p.setPen(QPen(Qt::black, mm(0.8)));
    p.drawLine(barStart, barStart + QPointF(bar, 0));
    p.setPen(QPen(Qt::white, mm(0.35)));
    p.drawLine(barStart, barStart + QPointF(bar, 0));
    boxedText(p, barStart + QPointF(bar + mm(1), -mm(1.6)), QStringLiteral("10 mm"), Qt::white);
    p.restore();
    // The caption beside the images.
    p.setFont(fonts.label);
    p.setPen(kInk);
    const QRectF captionRect(textX, top, textW, panel);
    p.drawText(captionRect, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, caption);
    p.setFont(fonts.small);
    p.setPen(kMuted);
    p.drawText(captionRect, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignBottom, legend);
  });
}

void headerSection(PageFlow& flow, const Fonts& fonts, const ReportContent& c) {
  const QString titleText =
      c.aiDraft ? ReportPdfText::tr("Lightbox report: AI draft, not reviewed") : ReportPdfText::tr("Lightbox report");
  const double titleH = flow.textHeight(fonts.title, titleText, flow.width());
  const double top = flow.place(titleH + mm(2));
  const double w = flow.width();
  const QFont title = fonts.title;
  flow.draw([=](QPainter& p) {
    p.setFont(title);
    p.setPen(kAccent);
    p.drawText(QRectF(0, top, w, titleH), Qt::AlignLeft | Qt::AlignTop, titleText);
  });
  const ReportSource& s = c.source;
  flow.keyValueColumns(fonts.label, fonts.body,
                       {{{ReportPdfText::tr("Patient"), personName(s.patientName)},
                         {ReportPdfText::tr("Patient ID"), orNone(s.patientId)},
                         {ReportPdfText::tr("Birth date"), dateText(s.patientBirthDate)},
                         {ReportPdfText::tr("Sex"), sexText(s.patientSex)},
                         {ReportPdfText::tr("Study date"), dateText(s.studyDate)},
                         {ReportPdfText::tr("Study"), orNone(s.studyDescription)},
                         {ReportPdfText::tr("Accession"), orNone(s.accessionNumber)}},
                        {{ReportPdfText::tr("Series"), orNone(s.seriesDescription)},
                         {ReportPdfText::tr("Series number"), QString::number(s.seriesNumber)},
                         {ReportPdfText::tr("Modality"), orNone(s.modality)},
                         {ReportPdfText::tr("Report version"), QString::number(c.version)},
                         {ReportPdfText::tr("Finalized at"),
                          orNone(c.finalizedAt.size() >= 19 ? c.finalizedAt.substr(0, 10) + " " +
                                                                  c.finalizedAt.substr(11, 8)
                                                            : c.finalizedAt)},
                         {ReportPdfText::tr("Reader"), personName(c.reader)}}},
                       mm(26));
}

/// The findings' change since the registered prior: match, mean diameter and volume change,
/// volume-doubling time and the v2022 growth status.
void growthTable(PageFlow& flow, const Fonts& fonts, const ReportContent& c) {
  flow.skip(mm(2));
  flow.paragraph(
      fonts.bold,
      c.priorStudyDate.empty()
          ? ReportPdfText::tr("Change since the prior")
          : ReportPdfText::tr("Change since the prior of %1").arg(dateText(c.priorStudyDate)));
  std::vector<QStringList> rows;
  auto sign = [](double v) { return v >= 0 ? QStringLiteral("+") : QString(); };
  for (const ReportFinding& f : c.findings) {
    const GrowthResult* g = growthOf(c, f.id);
    if (!g) {
      rows.push_back({q(f.id), ReportPdfText::tr("not compared"), "-", "-", "-", "-"});
      continue;
    }
    if (g->priorId.empty()) {
      rows.push_back(
          {q(f.id), ReportPdfText::tr("none (new)"), "-", "-", "-", term(toString(g->status))});
      continue;
    }
    const QString vdt =
        g->doublingTimeDays
            ? ReportPdfText::tr("%1 days").arg(q(formatNumber("%.0f", *g->doublingTimeDays)))
            : term(g->doublingNote);
    rows.push_back(
        {q(f.id),
         ReportPdfText::tr("%1\n(%2 mm away)")
                 .arg(q(g->priorId), q(formatNumber("%.1f", g->matchDistanceMm))) +
             (g->priorConfirmed ? QString() : "\n" + ReportPdfText::tr("AI proposal")),
         q(formatNumber("%.1f", g->priorDiameterMm)) + " -> " +
             q(formatNumber("%.1f mm", g->diameterMm)) + "\n" +
             ReportPdfText::tr("(%1 mm)").arg(sign(g->diameterChangeMm) +
                                              q(formatNumber("%.1f", g->diameterChangeMm))),
         sign(g->volumeChangePercent) + q(formatNumber("%.0f %%", g->volumeChangePercent)) + "\n" +
             ReportPdfText::tr("(%1 mm3, %2)")
                 .arg(sign(g->volumeChangeMm3) + q(formatNumber("%.0f", g->volumeChangeMm3)),
                      term(g->volumeSource)),
         vdt, term(toString(g->status))});
  }
  flow.table(fonts.tableHead, fonts.small, {9, 26, 34, 36, 50, 25},
             {ReportPdfText::tr("ID"), ReportPdfText::tr("Prior nodule"),
              ReportPdfText::tr("Mean diameter\n(change)"), ReportPdfText::tr("Volume change"),
              ReportPdfText::tr("Volume-doubling time"), ReportPdfText::tr("Growth\n(v2022)")},
             rows);
  if (std::optional<double> days = c.growth.front().intervalDays) {
    flow.paragraph(
        fonts.small,
        ReportPdfText::tr("Interval %1 days. Growth: mean diameter up by more than 1.5 mm "
                          "(Lung-RADS v2022); matched through the registration of the "
                          "prior to this series.")
            .arg(q(formatNumber("%.0f", *days))),
        kMuted);
  } else {
    flow.paragraph(
        fonts.small,
        ReportPdfText::tr("Interval unknown (a study date is missing): no doubling time. Growth: "
                          "mean diameter up by more than 1.5 mm (Lung-RADS v2022)."),
        kMuted);
  }
}

void findingsSection(PageFlow& flow, const Fonts& fonts, const ReportContent& c,
                     const Volume& image) {
  flow.heading(fonts.heading, ReportPdfText::tr("Findings"));
  if (c.findings.empty()) {
    flow.paragraph(fonts.body, ReportPdfText::tr("No nodule was accepted."));
  } else {
    std::vector<QStringList> rows;
    for (const ReportFinding& f : c.findings) {
      const bool mask = f.segmentLabel != 0;
      rows.push_back(
          {q(f.id), typeText(f), stateText(f.state),
           ReportPdfText::tr("%1\n(%2)").arg(diameterText(f), diameterSourceText(f.diameterSource)),
           mask ? axesText(f.mask) : ReportPdfText::tr("no mask"),
           mask ? q(formatNumber("%.2f mL", f.mask.volumeMl)) : QStringLiteral("-"),
           mask ? q(formatNumber("%.0f", f.mask.mean)) + unitsSuffix(image) + "\n" +
                      ReportPdfText::tr("(SD %1)").arg(q(formatNumber("%.0f", f.mask.sd)))
                : QStringLiteral("-"),
           q(scoreText(f.score, scoreDecimalsOf(c))),
           f.lungRadsCategory.empty() ? QStringLiteral("-") : q(f.lungRadsCategory)});
    }
    flow.table(fonts.tableHead, fonts.small, {9, 30, 15, 22, 28, 17, 21, 14, 24},
               {ReportPdfText::tr("ID"), ReportPdfText::tr("Type"), ReportPdfText::tr("State"),
                ReportPdfText::tr("Diameter\n(source)"),
                ReportPdfText::tr("Mask long x short axis"), ReportPdfText::tr("Volume"),
                ReportPdfText::tr("Mean"), ReportPdfText::tr("AI score"),
                ReportPdfText::tr("Lung-RADS\n(this nodule)")},
               rows);
  }
  if (!c.growth.empty())
    growthTable(flow, fonts, c);
  flow.skip(mm(2));
  flow.paragraph(fonts.body, c.rejectedIds.empty()
                                 ? ReportPdfText::tr("Rejected AI proposals: %1.").arg(c.rejected)
                                 : ReportPdfText::tr("Rejected AI proposals: %1 (%2).")
                                       .arg(QString::number(c.rejected), joined(c.rejectedIds)));
  flow.paragraph(fonts.body,
                 ReportPdfText::tr("Undecided AI proposals (not reported): %1.").arg(c.undecided));
  if (!c.unmeasured.empty())
    flow.paragraph(fonts.body,
                   ReportPdfText::tr("Accepted but not measured: %1.").arg(joined(c.unmeasured)));
  if (!c.measurements.empty()) {
    flow.heading(fonts.heading, ReportPdfText::tr("Reader's measurements"));
    for (const Measurement& m : c.measurements) {
      // %1 the number, %2 the kind ("length", "angle"...), %3 what it measured, %4 the reader's
      // label.
      const QString id = QString::number(m.id), kind = term(toString(m.kind)),
                    what = q(describe(m, &image));
      flow.paragraph(fonts.body,
                     m.label.empty()
                         ? ReportPdfText::tr("M%1 %2: %3").arg(id, kind, what)
                         : ReportPdfText::tr("M%1 %2: %3 (%4)").arg(id, kind, what, q(m.label)));
    }
  }
}

void impressionSection(PageFlow& flow, const Fonts& fonts, const ReportContent& c) {
  flow.heading(fonts.heading, ReportPdfText::tr("Impression"));
  const QStringList paragraphs = q(c.impression).split('\n');
  if (c.impression.empty())
    flow.paragraph(fonts.body, ReportPdfText::tr("No impression entered."));
  for (const QString& text : paragraphs) {
    if (!text.trimmed().isEmpty())
      flow.paragraph(fonts.body, text);
    flow.skip(mm(1));
  }
  const LungRadsSuggestion& lr = c.lungRads;
  if (c.source.modality != "CT") { // Lung-RADS is a chest CT scheme
    if (!c.warnings.empty()) {
      flow.heading(fonts.heading, ReportPdfText::tr("Notes"));
      for (const std::string& w : c.warnings)
        flow.paragraph(fonts.body, "- " + translateCoreMessage(w));
    }
    return;
  }
  flow.heading(fonts.heading, ReportPdfText::tr("Lung-RADS v2022 (decision support)"));
  if (lr.category.empty()) {
    flow.paragraph(fonts.body, ReportPdfText::tr("No category suggested."));
  } else {
    flow.paragraph(
        fonts.bold,
        lr.nodule.empty()
            ? ReportPdfText::tr("Category %1").arg(q(lr.category))
            : ReportPdfText::tr("Category %1, set by %2").arg(q(lr.category), q(lr.nodule)));
    flow.keyValueColumns(fonts.label, fonts.body,
                         {{{ReportPdfText::tr("Rule"), c.language == ReportLanguage::SimplifiedChinese ? q(lungRadsRuleChinese(lr.rule)) : orNone(lr.rule)},
                           {ReportPdfText::tr("Management"), lr.management.empty() ? orNone(lr.management) : term(lr.management.c_str())}}},
                         mm(26));
  }
  flow.skip(mm(1));
  flow.paragraph(
      fonts.small,
      c.growth.empty()
          ? ReportPdfText::tr(
                "Suggested from the accepted nodules alone, as for a baseline screening CT: no "
                "prior exam, no benign calcification or fat, no category 4X features, no other "
                "findings. The reader owns the final category.")
          : ReportPdfText::tr(
                "Suggested from the accepted nodules and their change since the registered prior "
                "(v2022 new, growing and stable rules, stepped management one step per "
                "comparison); no benign calcification or fat, no category 4X features, no other "
                "findings. The reader owns the final category."),
      kMuted);
  if (!c.warnings.empty()) {
    flow.heading(fonts.heading, ReportPdfText::tr("Notes"));
    for (const std::string& w : c.warnings)
      flow.paragraph(fonts.body, "- " + translateCoreMessage(w));
  }
}

void keyImagesSection(PageFlow& flow, const Fonts& fonts, const ReportContent& c,
                      const Volume& image, const LabelMap& labels) {
  if (c.findings.empty())
    return;
  flow.newPage();
  flow.heading(fonts.heading, ReportPdfText::tr("Key images"));
  std::shared_ptr<Volume> labelVolume;
  if (labels.geometry == image.geometry && labels.labels.size() == image.geometry.voxelCount()) {
    labelVolume = std::make_shared<Volume>();
    labelVolume->geometry = labels.geometry;
    labelVolume->voxels = std::vector<std::int16_t>(labels.labels.begin(), labels.labels.end());
  }
  const bool ct = image.units == "HU" || c.source.modality == "CT";
  const WindowLevel window = ct ? windowPreset("lung") : percentileWindow(image);
  flow.paragraph(fonts.small,
                 ct ? ReportPdfText::tr("Axial slices in the lung window (W %1, L %2); left: the "
                                        "whole slice, right: the boxed region enlarged.")
                          .arg(window.width)
                          .arg(window.center)
                    : ReportPdfText::tr("Slices in a window from the image's value range; left: "
                                        "the whole slice, right: the boxed region enlarged."),
                 kMuted);
  flow.skip(mm(2));
  for (const ReportFinding& f : c.findings) {
    keyImageRow(flow, fonts, f, scoreDecimalsOf(c), renderKeyImage(f, image, labelVolume, window), c.source, image);
    flow.skip(mm(4));
  }
}

void disclosureSection(PageFlow& flow, const Fonts& fonts, const ReportContent& c) {
  flow.newPage();
  flow.heading(fonts.heading, ReportPdfText::tr("AI disclosure"));
  const FindingsRun& r = c.run;
  if (c.hasRun) {
    flow.keyValueColumns(
        fonts.label, fonts.body,
        {{{ReportPdfText::tr("Detection model"), q(r.model) + " " + q(r.modelVersion)},
          {ReportPdfText::tr("Weights SHA-256"), orNone(r.modelSha256)},
          {ReportPdfText::tr("Backend"), orNone(r.backend)},
          {ReportPdfText::tr("Licence"), orNone(r.licence)},
          {ReportPdfText::tr("Intended use"), orNone(r.intendedUse)},
          {ReportPdfText::tr("Operating point"),
           ReportPdfText::tr("%1 false positives per scan (score threshold %2)")
               .arg(q(formatNumber("%.2g", r.fpPerScan)), q(formatNumber("%.2f", r.threshold())))},
          {ReportPdfText::tr("Ran at"), orNone(r.ranAt)}}},
        mm(32));
    if (!r.warnings.empty()) {
      flow.skip(mm(1));
      flow.paragraph(fonts.bold, ReportPdfText::tr("Run warnings"));
      for (const std::string& w : r.warnings)
        flow.paragraph(fonts.body, "- " + translateCoreMessage(w), kInk, mm(2));
    }
  } else {
    flow.paragraph(fonts.body,
                   ReportPdfText::tr("No AI detection run is recorded for this series."));
  }

  flow.skip(mm(2));
  flow.paragraph(fonts.bold, ReportPdfText::tr("Segmentation of the masks"));
  bool anyMask = false;
  for (const ReportFinding& f : c.findings) {
    if (!f.segmentLabel)
      continue;
    anyMask = true;
    // The algorithm, its version and its DICOM Segment Algorithm Type (MANUAL, SEMIAUTOMATIC...).
    QString algorithm =
        f.maskAlgorithm.empty() ? ReportPdfText::tr("drawn by hand") : q(f.maskAlgorithm);
    if (!f.maskAlgorithmVersion.empty())
      algorithm += " " + q(f.maskAlgorithmVersion);
    algorithm = ReportPdfText::tr("%1 (%2)").arg(
        algorithm, f.maskAlgorithmType.empty() ? QStringLiteral("MANUAL") : q(f.maskAlgorithmType));
    QString line;
    if (f.maskWeightsSha256.empty()) {
      line = (f.maskMadeAtFinalize ? ReportPdfText::tr("%1: %2, made when the report was finalized")
                                   : ReportPdfText::tr("%1: %2, made during the review"))
                 .arg(q(f.id), algorithm);
    } else {
      line = (f.maskMadeAtFinalize
                  ? ReportPdfText::tr("%1: %2, weights SHA-256 %3, made when the report was "
                                      "finalized")
                  : ReportPdfText::tr("%1: %2, weights SHA-256 %3, made during the review"))
                 .arg(q(f.id), algorithm, q(f.maskWeightsSha256));
    }
    flow.paragraph(fonts.body, line, kInk, mm(2));
  }
  if (!anyMask)
    flow.paragraph(fonts.body, ReportPdfText::tr("No finding has a mask."), kInk, mm(2));

  flow.skip(mm(2));
  flow.paragraph(fonts.bold, ReportPdfText::tr("What the reader did with the AI proposals"));
  std::vector<std::string> accepted;
  QStringList edited;
  for (const ReportFinding& f : c.findings) {
    if (f.state == FindingState::Accepted) {
      accepted.push_back(f.id);
      continue;
    }
    QStringList changes;
    if (!f.aiType.empty() && f.aiType != f.type)
      changes << ReportPdfText::tr("type changed from %1 to %2").arg(term(f.aiType), term(f.type));
    if (f.diameterSource == "ruler")
      changes << ReportPdfText::tr("measured %1 mm with the ruler")
                     .arg(q(formatNumber("%.1f", f.diameterMm)));
    edited << (changes.empty()
                   ? q(f.id)
                   : ReportPdfText::tr("%1 (%2)").arg(
                         q(f.id), changes.join(ReportPdfText::tr("; ", "between the changes"))));
  }
  flow.paragraph(fonts.body,
                 ReportPdfText::tr("Accepted as proposed: %1")
                     .arg(accepted.empty() ? ReportPdfText::tr("none") : joined(accepted)),
                 kInk, mm(2));
  flow.paragraph(
      fonts.body,
      ReportPdfText::tr("Edited: %1")
          .arg(edited.empty() ? ReportPdfText::tr("none") : edited.join(listSeparator())),
      kInk, mm(2));
  flow.paragraph(fonts.body,
                 c.rejectedIds.empty()
                     ? ReportPdfText::tr("Rejected: %1").arg(c.rejected)
                     : ReportPdfText::tr("Rejected: %1 (%2)")
                           .arg(QString::number(c.rejected), joined(c.rejectedIds)),
                 kInk, mm(2));
  flow.paragraph(fonts.body,
                 ReportPdfText::tr("Left undecided (not in the report): %1").arg(c.undecided), kInk,
                 mm(2));

  flow.skip(mm(4));
  QString unreviewed;
  for (const ReportFinding& f : c.findings) {
    if (f.maskMadeAtFinalize)
      unreviewed += (unreviewed.isEmpty() ? QString() : listSeparator()) + q(f.id);
  }
  // One string each, with and without the masks made at finalizing (the sentences' order and
  // spacing are the translation's).
  const QString statement =
      unreviewed.isEmpty()
          ? ReportPdfText::tr("The AI is decision support. Every AI finding in this report was "
                              "reviewed by the reader, who accepted, edited or rejected it; the "
                              "reader owns the report, its findings, measurements and Lung-RADS "
                              "category.")
          : ReportPdfText::tr("The AI is decision support. Every AI finding in this report was "
                              "reviewed by the reader, who accepted, edited or rejected it; the "
                              "reader owns the report, its findings, measurements and Lung-RADS "
                              "category. The masks of %1 were made automatically when the report "
                              "was finalized and were not reviewed by the reader; their sizes do "
                              "not set the reported diameters.")
                .arg(unreviewed);
  flow.paragraph(fonts.bold, statement);
}

void footer(QPainter& p, const QRectF& area, std::size_t page, std::size_t pages, const QFont& font,
            const std::string& patientId) {
  p.setPen(QPen(kRule, mm(0.2)));
  p.drawLine(area.topLeft(), area.topRight());
  p.setFont(font);
  p.setPen(kMuted);
  const QRectF text = area.adjusted(0, mm(1.5), 0, 0);
  p.drawText(text, Qt::AlignLeft | Qt::AlignTop,
             ReportPdfText::tr("Patient ID %1").arg(orNone(patientId)));
  p.drawText(text, Qt::AlignHCenter | Qt::AlignTop,
             QStringLiteral("Lightbox ") + kReportSoftwareVersion);
  p.drawText(text, Qt::AlignRight | Qt::AlignTop,
             ReportPdfText::tr("Page %1 of %2").arg(page).arg(pages));
}

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot write the PDF report " + path + ": " + why);
}

} // namespace

void writeReportPdf(const ReportContent& content, const Volume& image, const LabelMap& labels,
                    const std::string& path) {
  if (!QGuiApplication::instance())
    fail(path, "no QGuiApplication (the PDF needs Qt's fonts)");
  namespace fs = std::filesystem;
  const fs::path folder =
      fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    fail(path, "the folder " + folder.string() + " does not exist");
  if (::access(folder.c_str(), W_OK) != 0)
    fail(path, "the folder " + folder.string() + " is not writable");

  QPdfWriter writer(q(path));
  writer.setResolution(kDpi);
  writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                   QMarginsF(kMarginMm, kMarginMm, kMarginMm, kMarginMm),
                                   QPageLayout::Millimeter));
  writer.setTitle(ReportPdfText::tr("Lightbox report, version %1").arg(content.version));
  writer.setCreator(QStringLiteral("Lightbox ") + kReportSoftwareVersion);

  const Fonts fonts = makeFonts();
  const double width = writer.width(), height = writer.height();
  const double bodyHeight = height - mm(kFooterMm);
  PageFlow flow(&writer, width, bodyHeight);
  headerSection(flow, fonts, content);
  findingsSection(flow, fonts, content, image);
  impressionSection(flow, fonts, content);
  keyImagesSection(flow, fonts, content, image, labels);
  disclosureSection(flow, fonts, content);

  QPainter painter;
  if (!painter.begin(&writer))
    fail(path, "the file cannot be opened for writing");
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  const QRectF footerArea(0, bodyHeight + mm(2), width, mm(kFooterMm) - mm(2));
  for (std::size_t n = 0; n < flow.pageCount(); ++n) {
    if (n > 0 && !writer.newPage())
      fail(path, "a new page could not be started");
    for (const Draw& d : flow.page(n)) {
      painter.save();
      d(painter);
      painter.restore();
    }
    footer(painter, footerArea, n + 1, flow.pageCount(), fonts.small, content.source.patientId);
  }
  if (!painter.end())
    fail(path, "the PDF could not be completed");
  if (QFileInfo(q(path)).size() <= 0)
    fail(path, "nothing was written");
}

} // namespace lightbox
