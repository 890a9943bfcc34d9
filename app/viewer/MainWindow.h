// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMainWindow>

#include <array>

class QGridLayout;
class QLabel;
class QListWidget;

namespace lightbox {

class SliceViewport;
class ViewerDocument;

/// The reading room: linked axial / coronal / sagittal views over one document, an ingest panel
/// that shows warnings and rejected files, File > Open with progress and cancel.
class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);

  /// Scans and loads the largest series under `path` (progress dialog, cancellable). Errors and
  /// ingest warnings are listed in the panel; returns false when nothing could be shown.
  bool openPath(const QString& path);
  ViewerDocument* document() const { return document_; }

private:
  void buildMenus();
  void setLayoutMode(int columns, int rows);
  void toggleMaximized(SliceViewport* view);
  void showShortcuts();

  ViewerDocument* document_;
  std::array<SliceViewport*, 3> views_{};
  QListWidget* messages_;
  QGridLayout* grid_;
  QLabel* probe_;
  SliceViewport* maximized_ = nullptr;
};

} // namespace lightbox
