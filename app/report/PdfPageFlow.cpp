// SPDX-License-Identifier: Apache-2.0
#include "app/report/PdfPageFlow.h"

#include <QFontMetricsF>
#include <QPen>

#include <algorithm>

namespace lightbox::pdf {

double PageFlow::textHeight(const QFont& font, const QString& text, double width) const {
  return QFontMetricsF(font, const_cast<QPaintDevice*>(device_))
      .boundingRect(QRectF(0, 0, width, 1e7), Qt::TextWordWrap, text)
      .height();
}

void PageFlow::paragraph(const QFont& font, const QString& text, const QColor& colour,
                         double indent) {
  const double w = width_ - indent, h = textHeight(font, text, w);
  const double top = place(h);
  draw([=](QPainter& p) {
    p.setFont(font);
    p.setPen(colour);
    p.drawText(QRectF(indent, top, w, h), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, text);
  });
}

void PageFlow::heading(const QFont& font, const QString& text) {
  skip(mm(4));
  const double h = textHeight(font, text, width_) + mm(1.5);
  const double top = place(h, mm(20));
  const double w = width_;
  draw([=](QPainter& p) {
    p.setFont(font);
    p.setPen(kAccent);
    p.drawText(QRectF(0, top, w, h), Qt::AlignLeft | Qt::AlignTop, text);
    p.setPen(QPen(kRule, mm(0.2)));
    p.drawLine(QPointF(0, top + h - mm(0.5)), QPointF(w, top + h - mm(0.5)));
  });
  skip(mm(1.5));
}

void PageFlow::keyValueColumns(const QFont& label, const QFont& value,
                               const std::vector<std::vector<std::pair<QString, QString>>>& columns,
                               double labelWidth) {
  const double columnWidth = width_ / double(columns.size());
  // The labels' column is `labelWidth` wide, wider where a label (a translation) needs more, up to
  // half a column; a label longer than that wraps rather than run into its value.
  const QFontMetricsF labelMetrics(label, const_cast<QPaintDevice*>(device_));
  double widest = 0;
  for (const auto& c : columns) {
    for (const auto& pair : c)
      widest = std::max(widest, labelMetrics.horizontalAdvance(pair.first) + mm(2));
  }
  if (widest > labelWidth)
    labelWidth = std::max(labelWidth, std::min(widest, columnWidth / 2));
  const double valueWidth = columnWidth - labelWidth - mm(2);
  std::size_t rows = 0;
  for (const auto& c : columns)
    rows = std::max(rows, c.size());
  for (std::size_t r = 0; r < rows; ++r) {
    double h = 0;
    for (const auto& c : columns) {
      if (r < c.size()) {
        h = std::max(h, textHeight(value, c[r].second, valueWidth));
        h = std::max(h, textHeight(label, c[r].first, labelWidth - mm(1)));
      }
    }
    const double top = place(h + mm(0.8));
    for (std::size_t n = 0; n < columns.size(); ++n) {
      if (r >= columns[n].size())
        continue;
      const auto [l, v] = columns[n][r];
      const double x = n * columnWidth;
      draw([=](QPainter& p) {
        p.setFont(label);
        p.setPen(kMuted);
        p.drawText(QRectF(x, top, labelWidth - mm(1), h),
                   Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, l);
        p.setFont(value);
        p.setPen(kInk);
        p.drawText(QRectF(x + labelWidth, top, valueWidth, h),
                   Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, v);
      });
    }
  }
}

void PageFlow::table(const QFont& headFont, const QFont& cellFont,
                     const std::vector<double>& widthsMm, const QStringList& header,
                     const std::vector<QStringList>& rows) {
  const double pad = mm(1.0);
  std::vector<double> x{0};
  for (double w : widthsMm)
    x.push_back(x.back() + mm(w) * width_ / mm(180.0));
  auto rowHeight = [&](const QFont& font, const QStringList& cells) {
    double h = 0;
    for (int c = 0; c < cells.size(); ++c)
      h = std::max(h, textHeight(font, cells[c], x[c + 1] - x[c] - 2 * pad));
    return h + 2 * pad;
  };
  auto drawRow = [&](const QFont& font, const QStringList& cells, double h, bool shaded) {
    const double top = place(h);
    const double w = width_;
    draw([=](QPainter& p) {
      if (shaded)
        p.fillRect(QRectF(0, top, w, h), QColor(228, 233, 240));
      p.setFont(font);
      p.setPen(kInk);
      for (int c = 0; c < cells.size(); ++c) {
        p.drawText(QRectF(x[c] + pad, top + pad, x[c + 1] - x[c] - 2 * pad, h - 2 * pad),
                   Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, cells[c]);
      }
      p.setPen(QPen(kRule, mm(0.15)));
      p.drawLine(QPointF(0, top + h), QPointF(w, top + h));
    });
  };
  const double headH = rowHeight(headFont, header);
  if (!fits(headH + (rows.empty() ? 0 : rowHeight(cellFont, rows.front()))))
    newPage();
  drawRow(headFont, header, headH, true);
  for (const QStringList& row : rows) {
    const double h = rowHeight(cellFont, row);
    if (!fits(h)) {
      newPage();
      drawRow(headFont, header, headH, true);
    }
    drawRow(cellFont, row, h, false);
  }
}

Fonts makeFonts() {
  auto font = [](double pt, bool bold) {
    QFont f(QStringLiteral("DejaVu Sans"));
    // Chinese text (issue 28) in WenQuanYi Micro Hei (fonts-wqy-microhei, in scripts/setup.sh) for
    // what DejaVu lacks: Qt's PDF writer maps each glyph back to the first code point that uses it,
    // and Noto Sans CJK gives its ideographs' glyphs to the Kangxi radicals too (U+2F00-2FD5), so 日,
    // 大, 月, 片, 页 were extracted (copied, searched, indexed) as look-alike radicals. Micro Hei has no
    // radicals. Noto Sans CJK SC (simplified forms, not the Japanese face fontconfig lists first) is
    // the fallback for what Micro Hei lacks.
    f.setFamilies({QStringLiteral("DejaVu Sans"), QStringLiteral("WenQuanYi Micro Hei"), QStringLiteral("Noto Sans CJK SC")});
    f.setPointSizeF(pt);
    f.setBold(bold);
    return f;
  };
  return {font(18, true),   font(12, true),   font(9.5, false), font(9.5, true),
          font(8.5, false), font(7.5, false), font(7.5, true)};
}

} // namespace lightbox::pdf
