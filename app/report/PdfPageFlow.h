// SPDX-License-Identifier: Apache-2.0
#pragma once
// The PDF report's page layout (ReportPdf.cpp): blocks laid out top to bottom into pages of drawing
// steps, so the footer can say "page n of m"; the report's fonts and colours.

#include <QColor>
#include <QFont>
#include <QPainter>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

namespace lightbox::pdf {

constexpr int kDpi = 300;
inline const QColor kInk{20, 20, 20}, kMuted{90, 90, 90}, kAccent{20, 60, 110},
    kRule{170, 170, 170};

/// Millimetres to device pixels at kDpi.
inline double mm(double millimetres) {
  return millimetres / 25.4 * kDpi;
}

using Draw = std::function<void(QPainter&)>;

/// Lays the report out top to bottom into pages of drawing steps, so the footer can say "of m".
class PageFlow {
public:
  PageFlow(const QPaintDevice* device, double width, double height)
      : device_(device), width_(width), height_(height) {
    newPage();
  }

  double width() const { return width_; }
  std::size_t pageCount() const { return pages_.size(); }
  const std::vector<Draw>& page(std::size_t n) const { return pages_[n]; }

  void newPage() {
    pages_.emplace_back();
    y_ = 0;
  }
  bool fits(double height) const { return y_ + height <= height_; }
  /// Top of a block of `height`, on a new page when it does not fit on this one; `keepWith` more
  /// must fit below it (a heading keeps its first lines).
  double place(double height, double keepWith = 0) {
    if (y_ > 0 && !fits(height + keepWith))
      newPage();
    const double top = y_;
    y_ += height;
    return top;
  }
  void skip(double height) { y_ = std::min(y_ + height, height_); }
  void draw(Draw d) { pages_.back().push_back(std::move(d)); }

  double textHeight(const QFont& font, const QString& text, double width) const;
  /// A word-wrapped paragraph.
  void paragraph(const QFont& font, const QString& text, const QColor& colour = kInk,
                 double indent = 0);
  void heading(const QFont& font, const QString& text);
  /// Label: value lines in columns side by side (each column a list of pairs). The labels take
  /// `labelWidth`, more where one is wider (a translation), up to half a column, then wrap.
  void keyValueColumns(const QFont& label, const QFont& value,
                       const std::vector<std::vector<std::pair<QString, QString>>>& columns,
                       double labelWidth);
  /// A table with a shaded header row, repeated on each page it runs onto.
  void table(const QFont& headFont, const QFont& cellFont, const std::vector<double>& widthsMm,
             const QStringList& header, const std::vector<QStringList>& rows);

private:
  const QPaintDevice* device_;
  double width_, height_, y_ = 0;
  std::vector<std::vector<Draw>> pages_;
};

struct Fonts {
  QFont title, heading, body, bold, label, small, tableHead;
};

Fonts makeFonts();

} // namespace lightbox::pdf
