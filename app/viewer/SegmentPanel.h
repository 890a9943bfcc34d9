// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

#include <cstdint>

class QComboBox;
class QDoubleSpinBox;
class QEvent;
class QLabel;
class QPushButton;
class QSlider;
class QTableWidget;

namespace lightbox {

class ViewerDocument;

/// The segment list: one row per segment of the open series with its colour, name (editable),
/// visibility, fill opacity and fill / outline, volume, RECIST axes and provenance. Clicking a row
/// selects the segment (the brush paints it) and moves every view to it. Name, colour and delete
/// are undoable edits of the segment table; visibility, opacity and fill are display state.
class SegmentPanel : public QWidget {
  Q_OBJECT
public:
  explicit SegmentPanel(ViewerDocument* document, QWidget* parent = nullptr);

  /// ColDraw: fill opacity and fill / outline ("30% + outline", "30%", "outline").
  enum Column { ColColour, ColName, ColVisible, ColDraw, ColVolume, ColAxes, ColProvenance, ColCount };

  QTableWidget* table() const { return table_; }
  QSlider* opacity() const { return opacity_; }
  QComboBox* fill() const { return fill_; }
  QLabel* details() const { return details_; }
  /// The threshold brush's and threshold-in-a-box's range (series units).
  QDoubleSpinBox* thresholdLow() const { return thresholdLow_; }
  QDoubleSpinBox* thresholdHigh() const { return thresholdHigh_; }
  /// The segment of the selected row, else the document's selected segment (0: none).
  std::uint8_t currentLabel() const;
  /// Asks for a new colour of the current segment (a colour dialog).
  void chooseColour();
  /// Deletes the current segment (one undo step).
  void deleteCurrent();

protected:
  void changeEvent(QEvent* event) override;

private:
  /// (Re)sets every static text in the current language and refreshes the rows (a language change
  /// applies at once).
  void retranslateUi();
  void refresh();
  /// The row of `label`, -1 when it has none.
  int rowOf(std::uint8_t label) const;
  std::uint8_t labelAt(int row) const;

  ViewerDocument* document_;
  QTableWidget* table_;
  QLabel* details_; ///< the selected segment in full (the table is narrow)
  QLabel* opacityLabel_;
  QSlider* opacity_;
  QComboBox* fill_; ///< by index: SegmentFill
  QPushButton* colour_;
  QPushButton* goTo_;
  QPushButton* delete_;
  QLabel* thresholdLabel_;
  QDoubleSpinBox* thresholdLow_;
  QLabel* thresholdTo_;
  QDoubleSpinBox* thresholdHigh_;
  bool refreshing_ = false;
};

} // namespace lightbox
