// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/SegmentPanel.h"

#include "app/viewer/ViewerDocument.h"
#include "core/display/WindowLevel.h"

#include <QColorDialog>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QEvent>
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

/// The fill combo's items, by SegmentFill (translated where shown: SegmentPanel::tr).
const char* const kFillNames[] = {QT_TRANSLATE_NOOP("lightbox::SegmentPanel", "fill + outline"),
                                  QT_TRANSLATE_NOOP("lightbox::SegmentPanel", "fill"),
                                  QT_TRANSLATE_NOOP("lightbox::SegmentPanel", "outline")};

/// Where the segment came from, as the reader needs it to judge it (the engine's name as it is).
QString provenance(const Segment& s) {
  const QString engine = s.algorithm.empty() ? QCoreApplication::translate("lightbox::SegmentPanel", "unknown engine")
                                             : QString::fromStdString(s.algorithm);
  switch (s.origin) {
  case SegmentOrigin::Automatic: return QCoreApplication::translate("lightbox::SegmentPanel", "automatic: %1").arg(engine);
  case SegmentOrigin::SemiAutomatic: {
    const double changed = s.automaticVoxels ? 100.0 * double(s.changedVoxels) / double(s.automaticVoxels) : 0.0;
    return QCoreApplication::translate("lightbox::SegmentPanel", "semi-automatic: %1 (%2% changed)")
        .arg(engine)
        .arg(std::lround(changed));
  }
  case SegmentOrigin::Manual: return QCoreApplication::translate("lightbox::SegmentPanel", "manual");
  case SegmentOrigin::Imported: return QCoreApplication::translate("lightbox::SegmentPanel", "imported");
  }
  return {};
}

QString provenanceTip(const Segment& s) {
  if (s.algorithm.empty()) return {};
  QString tip = QCoreApplication::translate("lightbox::SegmentPanel", "Engine %1 %2")
                    .arg(QString::fromStdString(s.algorithm), QString::fromStdString(s.algorithmVersion));
  if (!s.weightsSha256.empty()) {
    tip += '\n' + QCoreApplication::translate("lightbox::SegmentPanel", "weights sha256 %1").arg(QString::fromStdString(s.weightsSha256));
  }
  tip += '\n' + QCoreApplication::translate("lightbox::SegmentPanel", "%1 voxels from the engine, %2 changed by the reader")
                    .arg(s.automaticVoxels)
                    .arg(s.changedVoxels);
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
  opacityLabel_ = new QLabel(this);
  row->addWidget(opacityLabel_);
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setRange(0, 100);
  row->addWidget(opacity_, 1);
  fill_ = new QComboBox(this);
  fill_->setSizeAdjustPolicy(QComboBox::AdjustToContents); // follows the language's item texts
  for (std::size_t i = 0; i < std::size(kFillNames); ++i) fill_->addItem(QString());
  row->addWidget(fill_);
  layout->addLayout(row);
  auto* buttons = new QHBoxLayout;
  colour_ = new QPushButton(this);
  goTo_ = new QPushButton(this);
  delete_ = new QPushButton(this);
  buttons->addWidget(colour_);
  buttons->addWidget(goTo_);
  buttons->addStretch(1);
  buttons->addWidget(delete_);
  layout->addLayout(buttons);
  auto* range = new QHBoxLayout;
  thresholdLabel_ = new QLabel(this);
  range->addWidget(thresholdLabel_);
  thresholdLow_ = new QDoubleSpinBox(this);
  thresholdHigh_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* box : {thresholdLow_, thresholdHigh_}) {
    box->setRange(-100000, 100000);
    box->setDecimals(2); // MR, PET and ADC ranges are small numbers
    box->setSingleStep(10);
    box->setKeyboardTracking(false);
  }
  range->addWidget(thresholdLow_, 1);
  thresholdTo_ = new QLabel(this);
  range->addWidget(thresholdTo_);
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
  retranslateUi(); // the texts, then the rows (refresh)
}

void SegmentPanel::retranslateUi() {
  table_->setHorizontalHeaderLabels({QString(), tr("Name"), tr("Show"), tr("Draw"), tr("Vol. mL"), tr("Axes mm"), tr("Provenance")});
  opacityLabel_->setText(tr("Opacity"));
  opacity_->setToolTip(tr("Fill opacity of the selected segment on the slice views"));
  for (int i = 0; i < fill_->count(); ++i) fill_->setItemText(i, tr(kFillNames[i]));
  fill_->setToolTip(tr("Draw the selected segment filled and outlined, filled, or outlined"));
  colour_->setText(tr("Colour..."));
  goTo_->setText(tr("Go to"));
  goTo_->setToolTip(tr("Move every view to the segment (its RECIST slice)"));
  delete_->setText(tr("Delete"));
  delete_->setToolTip(tr("Delete the selected segment (undoable)"));
  thresholdLabel_->setText(tr("Threshold"));
  thresholdLow_->setToolTip(tr("Lowest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take"));
  thresholdTo_->setText(tr("to"));
  thresholdHigh_->setToolTip(tr("Highest value the threshold brush (Shift+H) and threshold in a box (Shift+Y) take"));
  refresh(); // the rows and the details
}

void SegmentPanel::changeEvent(QEvent* event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
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
                                          tr("Colour of %1").arg(QString::fromStdString(s->name)));
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
    colour->setToolTip(tr("Double click to change the colour"));
    QTableWidgetItem* name = cell(r, ColName, plain | Qt::ItemIsEditable);
    name->setData(Qt::UserRole, int(s.label));
    name->setText(QString::fromStdString(s.name));
    QTableWidgetItem* visible = cell(r, ColVisible, plain | Qt::ItemIsUserCheckable);
    visible->setCheckState(display.visible ? Qt::Checked : Qt::Unchecked);
    const QString fillText = QString("%1%").arg(std::lround(100 * display.opacity));
    QTableWidgetItem* draw = cell(r, ColDraw, plain);
    draw->setText(display.fill == SegmentFill::FillAndOutline ? tr("%1 + outline").arg(fillText)
                  : display.fill == SegmentFill::Fill         ? fillText
                                                              : tr("outline"));
    draw->setToolTip(tr("Fill opacity and outline on the slice views (set below for the selected segment)"));
    cell(r, ColVolume, plain)->setText(QString::number(st.volumeMl, 'f', 2));
    cell(r, ColAxes, plain)->setToolTip(tr("RECIST long x short axis on the slice they are measured on"));
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
    details_->setText(tr("<b>%1</b>: %2<br>%3 mL, %4 x %5 mm on image %6")
                          .arg(QString::fromStdString(s->name).toHtmlEscaped(), provenance(*s).toHtmlEscaped())
                          .arg(st.volumeMl, 0, 'f', 2)
                          .arg(st.longAxisMm, 0, 'f', 1)
                          .arg(st.shortAxisMm, 0, 'f', 1)
                          .arg(st.axisSlice + 1));
    const std::string& units = document_->volume() ? document_->volume()->units : std::string();
    if (st.voxels > 0 && isSuvUnits(units)) {
      // PET: the reader's numbers (SUVpeak: the best 1 mL sphere centred in the segment, PERCIST).
      details_->setText(details_->text() +
                        tr("<br>SUVmax %1, SUVmean %2, SUVpeak %3 (%4); TLG %5 (SUVmean x mL)")
                            .arg(st.max, 0, 'f', 2)
                            .arg(st.mean, 0, 'f', 2)
                            .arg(document_->segmentSuvPeak(label), 0, 'f', 2)
                            .arg(QString::fromStdString(units))
                            .arg(st.mean * st.volumeMl, 0, 'f', 1));
    } else if (st.voxels > 0 && !units.empty()) {
      details_->setText(details_->text() + tr("<br>mean %1 %2 (SD %3)")
                                               .arg(st.mean, 0, 'f', valueDecimals(units, 1000))
                                               .arg(QString::fromStdString(units))
                                               .arg(st.sd, 0, 'f', valueDecimals(units, 1000)));
    }
    details_->setToolTip(provenanceTip(*s));
  } else {
    details_->setText(document_->labels().segments.empty() ? tr("No segments: Shift+G and click a lesion,<br>or paint with the brush")
                                                           : QString());
    details_->setToolTip({});
  }
  refreshing_ = false;
}

} // namespace lightbox
