// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/SegmentPanel.h"

#include "app/viewer/ViewerDocument.h"

#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace lightbox {
namespace {

const char* kFillNames[] = {"fill + outline", "fill", "outline"};

/// Where the segment came from, as the reader needs it to judge it.
QString provenance(const Segment& s) {
  const QString engine = QString::fromStdString(s.algorithm.empty() ? std::string("unknown engine") : s.algorithm);
  switch (s.origin) {
  case SegmentOrigin::Automatic: return "automatic: " + engine;
  case SegmentOrigin::SemiAutomatic: {
    const double changed = s.automaticVoxels ? 100.0 * double(s.changedVoxels) / double(s.automaticVoxels) : 0.0;
    return QString("semi-automatic: %1 (%2% changed)").arg(engine).arg(std::lround(changed));
  }
  case SegmentOrigin::Manual: return "manual";
  case SegmentOrigin::Imported: return "imported";
  }
  return {};
}

QString provenanceTip(const Segment& s) {
  if (s.algorithm.empty()) return {};
  QString tip = QString("Engine %1 %2").arg(QString::fromStdString(s.algorithm), QString::fromStdString(s.algorithmVersion));
  if (!s.weightsSha256.empty()) tip += QString("\nweights sha256 %1").arg(QString::fromStdString(s.weightsSha256));
  tip += QString("\n%1 voxels from the engine, %2 changed by the reader").arg(s.automaticVoxels).arg(s.changedVoxels);
  return tip;
}

QPixmap swatch(const Segment& s) {
  QPixmap p(18, 18);
  p.fill(QColor(s.rgb[0], s.rgb[1], s.rgb[2]));
  return p;
}

} // namespace

SegmentPanel::SegmentPanel(ViewerDocument* document, QWidget* parent) : QWidget(parent), document_(document) {
  auto* layout = new QVBoxLayout(this);
  table_ = new QTableWidget(0, ColCount, this);
  table_->setHorizontalHeaderLabels(
      {"", "Name", "Show", "Draw", "Vol. mL", "Axes mm", "Provenance"});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  // Only the name is edited in place (double click or F2); a double click on the swatch asks for a colour.
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  table_->setMinimumHeight(100);
  layout->addWidget(table_, 1);
  details_ = new QLabel(this);
  // Not wrapped: a wrapped label in a dock is given one line's height; the text has its own breaks.
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(details_);

  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel("Opacity", this));
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setRange(0, 100);
  opacity_->setToolTip("Fill opacity of the selected segment on the slice views");
  row->addWidget(opacity_, 1);
  fill_ = new QComboBox(this);
  for (const char* name : kFillNames) fill_->addItem(name);
  fill_->setToolTip("Draw the selected segment filled and outlined, filled, or outlined");
  row->addWidget(fill_);
  layout->addLayout(row);
  auto* buttons = new QHBoxLayout;
  colour_ = new QPushButton("Colour...", this);
  goTo_ = new QPushButton("Go to", this);
  goTo_->setToolTip("Move every view to the segment (its RECIST slice)");
  delete_ = new QPushButton("Delete", this);
  delete_->setToolTip("Delete the selected segment (undoable)");
  buttons->addWidget(colour_);
  buttons->addWidget(goTo_);
  buttons->addStretch(1);
  buttons->addWidget(delete_);
  layout->addLayout(buttons);
  auto* range = new QHBoxLayout;
  range->addWidget(new QLabel("Threshold", this));
  thresholdLow_ = new QDoubleSpinBox(this);
  thresholdHigh_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* box : {thresholdLow_, thresholdHigh_}) {
    box->setRange(-100000, 100000);
    box->setDecimals(2); // MR, PET and ADC ranges are small numbers
    box->setSingleStep(10);
    box->setKeyboardTracking(false);
  }
  thresholdLow_->setToolTip("Lowest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take");
  thresholdHigh_->setToolTip("Highest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take");
  range->addWidget(thresholdLow_, 1);
  range->addWidget(new QLabel("to", this));
  range->addWidget(thresholdHigh_, 1);
  layout->addLayout(range);
  auto showRange = [this] {
    const QSignalBlocker a(thresholdLow_), b(thresholdHigh_);
    thresholdLow_->setValue(document_->thresholdRange().first);
    thresholdHigh_->setValue(document_->thresholdRange().second);
  };
  showRange();
  connect(document_, &ViewerDocument::thresholdRangeChanged, this, showRange);
  connect(document_, &ViewerDocument::volumeChanged, this, showRange);
  auto setRange = [this] { document_->setThresholdRange(thresholdLow_->value(), thresholdHigh_->value()); };
  connect(thresholdLow_, &QDoubleSpinBox::valueChanged, this, setRange);
  connect(thresholdHigh_, &QDoubleSpinBox::valueChanged, this, setRange);

  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    if (refreshing_) return;
    const auto rows = table_->selectionModel()->selectedRows();
    if (!rows.isEmpty()) document_->goToSegment(labelAt(rows.front().row()));
  });
  connect(table_, &QTableWidget::cellClicked, this, [this](int r, int column) {
    if (column != ColVisible) document_->goToSegment(labelAt(r)); // the selected row too: back to it
  });
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int, int column) {
    if (column == ColColour) chooseColour();
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (refreshing_) return;
    const std::uint8_t label = labelAt(item->row());
    if (item->column() == ColName) {
      if (!document_->renameSegment(label, item->text().trimmed().toStdString())) refresh(); // empty: the old name
    } else if (item->column() == ColVisible) {
      SegmentDisplay d = document_->segmentDisplay(label);
      d.visible = item->checkState() == Qt::Checked;
      document_->setSegmentDisplay(label, d);
    }
  });
  connect(opacity_, &QSlider::valueChanged, this, [this](int value) {
    if (refreshing_ || !currentLabel()) return;
    SegmentDisplay d = document_->segmentDisplay(currentLabel());
    d.opacity = value / 100.0;
    document_->setSegmentDisplay(currentLabel(), d);
  });
  connect(fill_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
    if (refreshing_ || !currentLabel()) return;
    SegmentDisplay d = document_->segmentDisplay(currentLabel());
    d.fill = SegmentFill(index);
    document_->setSegmentDisplay(currentLabel(), d);
  });
  connect(colour_, &QPushButton::clicked, this, &SegmentPanel::chooseColour);
  connect(goTo_, &QPushButton::clicked, this, [this] { document_->goToSegment(currentLabel()); });
  connect(delete_, &QPushButton::clicked, this, &SegmentPanel::deleteCurrent);
  // Brush dabs change the map but not the table's numbers until the stroke ends (measured then).
  connect(document_, &ViewerDocument::segmentsChanged, this, [this] {
    if (!document_->stroking()) refresh();
  });
  connect(document_, &ViewerDocument::segmentDisplayChanged, this, &SegmentPanel::refresh);
  connect(document_, &ViewerDocument::segmentSelected, this, &SegmentPanel::refresh);
  refresh();
}

std::uint8_t SegmentPanel::labelAt(int row) const {
  const QTableWidgetItem* name = row >= 0 ? table_->item(row, ColName) : nullptr;
  return name ? std::uint8_t(name->data(Qt::UserRole).toInt()) : 0;
}

int SegmentPanel::rowOf(std::uint8_t label) const {
  for (int r = 0; r < table_->rowCount(); ++r) {
    if (labelAt(r) == label) return r;
  }
  return -1;
}

std::uint8_t SegmentPanel::currentLabel() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (!rows.isEmpty()) return labelAt(rows.front().row());
  return document_->labels().segment(document_->selectedSegment()) ? document_->selectedSegment() : 0;
}

void SegmentPanel::chooseColour() {
  const std::uint8_t label = currentLabel();
  const Segment* s = document_->labels().segment(label);
  if (!s) return;
  const QColor c = QColorDialog::getColor(QColor(s->rgb[0], s->rgb[1], s->rgb[2]), this,
                                          QString("Colour of %1").arg(QString::fromStdString(s->name)));
  if (c.isValid()) document_->setSegmentColour(label, std::uint8_t(c.red()), std::uint8_t(c.green()), std::uint8_t(c.blue()));
}

void SegmentPanel::deleteCurrent() {
  if (const std::uint8_t label = currentLabel()) document_->removeSegment(label);
}

void SegmentPanel::refresh() {
  refreshing_ = true;
  const std::vector<Segment>& segments = document_->labels().segments;
  table_->setRowCount(int(segments.size()));
  // Items are updated in place: a rename arrives here from the table's own itemChanged.
  auto cell = [this](int r, int column, Qt::ItemFlags flags) {
    QTableWidgetItem* item = table_->item(r, column);
    if (!item) {
      item = new QTableWidgetItem;
      table_->setItem(r, column, item);
    }
    item->setFlags(flags);
    return item;
  };
  const Qt::ItemFlags plain = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  for (int r = 0; r < int(segments.size()); ++r) {
    const Segment& s = segments[std::size_t(r)];
    const SegmentDisplay display = document_->segmentDisplay(s.label);
    const SegmentStats st = document_->segmentStats(s.label); // cached per revision
    QTableWidgetItem* colour = cell(r, ColColour, plain);
    colour->setIcon(swatch(s));
    colour->setToolTip("Double click to change the colour");
    QTableWidgetItem* name = cell(r, ColName, plain | Qt::ItemIsEditable);
    name->setData(Qt::UserRole, int(s.label));
    name->setText(QString::fromStdString(s.name));
    QTableWidgetItem* visible = cell(r, ColVisible, plain | Qt::ItemIsUserCheckable);
    visible->setCheckState(display.visible ? Qt::Checked : Qt::Unchecked);
    const QString fillText = QString("%1%").arg(std::lround(100 * display.opacity));
    QTableWidgetItem* draw = cell(r, ColDraw, plain);
    draw->setText(display.fill == SegmentFill::FillAndOutline ? fillText + " + outline"
                  : display.fill == SegmentFill::Fill         ? fillText
                                                              : QString("outline"));
    draw->setToolTip("Fill opacity and outline on the slice views (set below for the selected segment)");
    cell(r, ColVolume, plain)->setText(QString::number(st.volumeMl, 'f', 2));
    cell(r, ColAxes, plain)->setToolTip("RECIST long x short axis on the slice they are measured on");
    cell(r, ColAxes, plain)->setText(st.voxels ? QString("%1 x %2").arg(st.longAxisMm, 0, 'f', 1).arg(st.shortAxisMm, 0, 'f', 1)
                                               : QString("-"));
    QTableWidgetItem* origin = cell(r, ColProvenance, plain);
    origin->setText(provenance(s));
    origin->setToolTip(provenanceTip(s));
  }
  const int selected = rowOf(document_->selectedSegment());
  if (selected >= 0) {
    table_->selectRow(selected);
  } else {
    table_->clearSelection();
  }
  const std::uint8_t label = currentLabel();
  const SegmentDisplay display = document_->segmentDisplay(label);
  opacity_->setValue(int(std::lround(100 * display.opacity)));
  fill_->setCurrentIndex(int(display.fill));
  for (QWidget* w : std::initializer_list<QWidget*>{opacity_, fill_, colour_, goTo_, delete_}) w->setEnabled(label != 0);
  if (const Segment* s = document_->labels().segment(label)) {
    const SegmentStats st = document_->segmentStats(label);
    details_->setText(QString("<b>%1</b>: %2<br>%3 mL, %4 x %5 mm on image %6")
                          .arg(QString::fromStdString(s->name).toHtmlEscaped(), provenance(*s).toHtmlEscaped())
                          .arg(st.volumeMl, 0, 'f', 2)
                          .arg(st.longAxisMm, 0, 'f', 1)
                          .arg(st.shortAxisMm, 0, 'f', 1)
                          .arg(st.axisSlice + 1));
    details_->setToolTip(provenanceTip(*s));
  } else {
    details_->setText(document_->labels().segments.empty() ? "No segments: Shift+G and click a lesion,<br>or paint with the brush"
                                                           : "");
    details_->setToolTip({});
  }
  refreshing_ = false;
}

} // namespace lightbox
