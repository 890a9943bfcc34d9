// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMainWindow>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <QSet>
#include <QStringList>

#include "core/geometry/Vec3.h"

#include <array>
#include <string>
#include <vector>

class QAction;
class QActionGroup;
class QGridLayout;
class QLabel;
class QListWidget;
class QMenu;
class QTableWidget;
class QToolBar;

namespace lightbox {

struct AnonymiseOptions;
class FindingsPanel;
class RegistrationController;
class RegistrationPanel;
class SegmentPanel;

class PacsPanel;
class SliceViewport;
class StudyBrowser;
class ViewerDocument;
class VolumeViewport;
class VtkViewport;

/// The reading room: linked axial / coronal / sagittal views and a 3D view over one document, an
/// optional comparison (prior) series side by side, the study browser, the measurement table and
/// an ingest panel that shows warnings and rejected files. File > Open or drag-and-drop of a
/// folder, with progress and cancel.
class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Scans and loads a series under `path` (the largest, or the one with Series Instance UID
  /// `seriesUid`), with a progress dialog and cancel, and adds the folder to the study index and
  /// the recent list. Errors and ingest warnings are listed in the panel; returns false when
  /// nothing could be shown.
  bool openPath(const QString& path, const QString& seriesUid = {});
  /// Loads a second series (a prior) shown beside the current one in the 1 x 2 layout, scrolled
  /// in step with it.
  bool openComparison(const QString& path, const QString& seriesUid = {});

  ViewerDocument* document() const { return document_; }
  ViewerDocument* comparison() const { return comparison_; }
  SliceViewport* view(int i) const { return views_.at(std::size_t(i)); }
  VolumeViewport* volumeView() const { return volumeView_; }
  SliceViewport* comparisonView() const { return comparisonView_; }
  StudyBrowser* browser() const { return browser_; }
  PacsPanel* pacsPanel() const { return pacs_; }
  /// Sends report objects to a node of the PACS node list on a worker thread; one line per object
  /// in the Messages dock, then a summary ("sent to NODE: N of M objects stored").
  void sendReportObjects(const QString& node, const std::vector<std::string>& paths);
  bool sendingReport() const { return sending_; }
  /// File > Export anonymised: the open series' DICOM files through `lightbox anonymise`'s rules
  /// into `outDir` with the dialog's options (AnonymiseDialog; the one-argument form: the basic
  /// profile, no mapping kept), off the GUI thread; the result in Messages. False when nothing
  /// could be written (said) or an export is already running.
  bool exportAnonymised(const QString& outDir);
  bool exportAnonymised(const QString& outDir, const AnonymiseOptions& options);
  /// File > Receive from the archive: a storage receiver (our AE title and port from the node list)
  /// filing what arrives into the index; the Local tab is refreshed as studies complete.
  bool setReceiving(bool on);
  bool receiving() const { return receiver_ != nullptr; }
  QTableWidget* measurementTable() const { return table_; }
  QListWidget* messages() const { return messages_; }
  FindingsPanel* findingsPanel() const { return findings_; }
  SegmentPanel* segmentPanel() const { return segments_; }
  /// The prior's registration to the current series (Registration menu, fusion, linked reading).
  RegistrationController* registration() const { return registration_; }
  RegistrationPanel* registrationPanel() const { return registrationPanel_; }
  /// Layout: columns x rows (1x1, 2x1, 3x1, 2x2).
  void setLayoutMode(int columns, int rows);
  QStringList recentPaths() const;
  /// Where the open dialogs start: the folder that holds the last series opened (its siblings,
  /// a PET beside its CT, are one click away), else the dialog's default.
  QString dialogFolder() const;

protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  /// The language changed (View > Language): every text is set again, the menus rebuilt.
  void changeEvent(QEvent* event) override;

private:
  /// Sets every static text in the current language: window title, dock titles, table headers,
  /// menus and tool bar (rebuilt).
  void retranslateUi();
  void updateWindowTitle();
  /// (Re)creates the menus and the tool bar; the previous ones are deleted.
  void buildMenus();
  void toggleMaximized(QWidget* view);
  /// Gives the keyboard to `hadFocus` when it is among the shown views, else to the first one.
  void focusImageArea(const std::vector<QWidget*>& shown, QWidget* hadFocus);
  void showShortcuts();
  /// The view the reader works in: the one with the keyboard, else the axial one.
  VtkViewport* currentView() const;
  /// Opens the tag viewer on the file of the slice under the crosshair.
  void showDicomHeader();
  /// AI > Finalize report...: the summary dialog, then SEG + SR + KOS + PDF for the open series.
  void finalizeReport();
  void resetComparisonOffset();
  /// A linked comparison shows the same anatomy as the current view of its plane at the same place
  /// and scale: the comparison follows that view, or (`fromComparison`) leads it.
  void frameComparison(bool fromComparison);
  /// Says on the comparison view how it follows the current series, and on the current views
  /// what is fused over them.
  void updateRegistrationCaptions();
  /// The pair changed (a current or prior series opened): the saved registration comes back.
  void registrationPairChanged();
  /// One of the two series is a PET and the other is not: the comparison is the other half of a
  /// PET/CT (or PET/MR), not a prior.
  bool petCtPair() const;
  /// A PET/CT fused in the current series' views: the comparison's value at `lps` for the pointer
  /// readout (the PET's SUV, or the CT's HU under a current PET), else "".
  QString fusedReadout(const Vec3& lps) const;
  /// Starts editing the text of a just-placed arrow or text note in the measurement table.
  void editNoteText(int measurementId);
  void refreshTable();
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  bool loadInto(ViewerDocument* doc, const QString& path, const QString& seriesUid, bool comparison);

  ViewerDocument* document_;
  ViewerDocument* comparison_;
  std::array<SliceViewport*, 3> views_{}; // axial, coronal, sagittal
  VolumeViewport* volumeView_;
  SliceViewport* comparisonView_;
  QListWidget* messages_;
  QTableWidget* table_;
  FindingsPanel* findings_;
  SegmentPanel* segments_;
  RegistrationController* registration_;
  RegistrationPanel* registrationPanel_;
  StudyBrowser* browser_;
  PacsPanel* pacs_;
  std::thread sendWorker_;
  std::unique_ptr<class StorageReceiver> receiver_;
  std::atomic<int> receivedPending_{0};
  class QTimer* receiveTimer_ = nullptr;
  QSet<QString> receivedFolders_;  ///< study folders with objects not yet indexed
  /// Imports receivedFolders_ into the index and lists them under Local.
  void indexReceivedFolders();
  std::atomic<bool> sending_{false};
  bool exporting_ = false;   ///< an anonymised export runs (its event loop serves the menu meanwhile)
  QString priorForPatient_; ///< the patient whose archive prior is being retrieved (opened only for them)
  class QTabWidget* browserTabs_ = nullptr;  ///< Local (the index) and PACS (issue 27)
  QGridLayout* grid_;
  QLabel* probe_;
  QMenu* recentMenu_ = nullptr;
  QActionGroup* tools_ = nullptr;
  /// Owns what buildMenus makes outside the menus (tool bar, action groups, undo and redo
  /// actions, their connections): deleted when the menus are rebuilt in another language.
  QObject* menuContext_ = nullptr;
  QToolBar* toolBar_ = nullptr;
  QWidget* maximized_ = nullptr;
  int columns_ = 2, rows_ = 2;
  bool linkComparison_ = true;
  /// Comparison crosshair minus current crosshair while linked (set on open and when the reader
  /// moves the comparison itself).
  Vec3 comparisonOffset_{0, 0, 0};
  bool syncingComparison_ = false;
  bool loading_ = false;                 ///< loadInto is running (its event loop serves requests)
  std::function<void()> deferredOpen_;       ///< the last open asked for meanwhile, run when it ends
  std::function<void()> deferredComparison_; ///< the same for the comparison view
  /// The file and position (LPS) of each acquired slice of the open series, for the DICOM header
  /// viewer (by position: a resampled volume's slice index is not the file's).
  std::vector<std::pair<std::string, Vec3>> sliceFiles_;
};

} // namespace lightbox
