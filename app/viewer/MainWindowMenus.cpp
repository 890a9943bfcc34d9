// SPDX-License-Identifier: Apache-2.0
// MainWindow's menus and its shortcut table (Help > Shortcuts); the rest is in MainWindow.cpp.
#include "app/viewer/MainWindow.h"

#include "app/viewer/AnonymiseDialog.h"

#include "app/i18n/Terms.h"

#include "ai/runtime/ModelManifest.h"
#include "app/i18n/Translations.h"
#include "app/viewer/FindingsPanel.h"
#include "app/viewer/RegistrationPanel.h"
#include "app/viewer/SegmentPanel.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/StudyBrowser.h"
#include "app/viewer/ViewerDocument.h"
#include "app/viewer/VolumeViewport.h"
#include "core/index/StudyIndex.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace lightbox {

void MainWindow::buildMenus() {
  // Rebuilt on a language change: the old menus, tool bar and what they own go (later: this may
  // run while one of their signals is being delivered).
  for (QMenu* m : menuBar()->findChildren<QMenu*>(QString(), Qt::FindDirectChildrenOnly)) m->deleteLater();
  menuBar()->clear();
  if (menuContext_) menuContext_->deleteLater();
  menuContext_ = new QObject(this);
  if (toolBar_) {
    removeToolBar(toolBar_);
    toolBar_->deleteLater();
  }
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open folder..."), QKeySequence::Open, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open study folder"), dialogFolder());
    if (!dir.isEmpty())
      openPath(dir);
  });
  file->addAction(tr("Open &file..."), QKeySequence("Ctrl+Shift+O"), this, [this] {
    const QString f = QFileDialog::getOpenFileName(
        this, tr("Open image file"), dialogFolder(),
        tr("Images (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)"));
    if (!f.isEmpty())
      openPath(f);
  });
  file->addAction(tr("Open &label map, DICOM SEG, RTSTRUCT or SR on this series..."), this, [this] {
    const QString f = QFileDialog::getOpenFileName(
        this, tr("Open label map (NIfTI, NRRD, MetaImage), DICOM SEG, RTSTRUCT or SR"),
        dialogFolder(),
        tr("Label maps and DICOM objects (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm "
           "*.DCM);;All files (*)"));
    if (!f.isEmpty())
      document_->importLabels(f);
  });
  file->addAction(tr("Open &comparison (prior) folder..."), this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open comparison study folder"), dialogFolder());
    if (!dir.isEmpty())
      openComparison(dir);
  });
  file->addAction(tr("Open comparison (prior) f&ile..."), this, [this] {
    const QString f = QFileDialog::getOpenFileName(
        this, tr("Open comparison image file"), dialogFolder(),
        tr("Images (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)"));
    if (!f.isEmpty())
      openComparison(f);
  });
  recentMenu_ = file->addMenu(tr("&Recent"));
  rebuildRecentMenu();
  file->addAction(tr("&Import folder into the study list..."), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Import folder"));
    if (dir.isEmpty()) return;
    try {
      const ImportStats s = StudyIndex(StudyIndex::defaultPath()).import(dir.toStdString());
      statusBar()->showMessage(tr("Imported %1 files (%2 new or changed, %3 rejected)")
                                   .arg(s.filesSeen).arg(s.scanned).arg(s.rejected));
    } catch (const std::exception& e) {
      messages_->addItem(tr("error: ") + e.what());
    }
    browser_->refresh();
  });
  file->addAction(tr("Export &anonymised..."), this, [this] {
    AnonymiseDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) exportAnonymised(dialog.outputFolder(), dialog.options());
  });
  QAction* receive = file->addAction(tr("&Receive from the archive"));
  receive->setCheckable(true);
  receive->setChecked(receiving());
  receive->setToolTip(tr("A storage receiver (C-STORE) with the AE title and port of the PACS node list"));
  connect(receive, &QAction::toggled, this, [this, receive](bool on) {
    if (!setReceiving(on)) {
      const QSignalBlocker block(receive);
      receive->setChecked(false);
    }
  });
  file->addSeparator();
  file->addAction(tr("Save view as &PNG..."), QKeySequence("Ctrl+Shift+S"), this, [this] {
    const QImage shot = currentView()->grabFramebuffer();
    const QString f = QFileDialog::getSaveFileName(this, tr("Save view as PNG"), "lightbox-view.png", tr("PNG (*.png)"));
    if (f.isEmpty()) return;
    if (shot.save(f, "PNG")) {
      statusBar()->showMessage(tr("Saved %1").arg(f));
    } else {
      messages_->insertItem(0, tr("error: cannot write %1").arg(f));
      QMessageBox::warning(this, tr("Save view"), tr("Cannot write %1").arg(f));
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = document_->undoStack()->createUndoAction(menuContext_, tr("&Undo"));
  undo->setIconText(tr("Undo")); // the tool bar's text, without the menu's mnemonic
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = document_->undoStack()->createRedoAction(menuContext_, tr("&Redo"));
  redo->setIconText(tr("Redo"));
  redo->setShortcuts({QKeySequence::Redo, QKeySequence("Ctrl+Y")});
  edit->addAction(undo);
  edit->addAction(redo);
  // No undo or redo while a brush stroke is held down: the stroke's record would no longer
  // describe the map.
  connect(document_, &ViewerDocument::strokingChanged, menuContext_, [this, undo, redo](bool stroking) {
    undo->setEnabled(!stroking && document_->undoStack()->canUndo());
    redo->setEnabled(!stroking && document_->undoStack()->canRedo());
  });
  edit->addAction(tr("&Copy view"), QKeySequence("Ctrl+Shift+C"), this, [this] {
    QApplication::clipboard()->setImage(currentView()->grabFramebuffer());
    statusBar()->showMessage(tr("View copied to the clipboard"));
  });
  edit->addAction(tr("&Delete measurement"), this, [this] {
    if (document_->selectedMeasurement() != 0) document_->removeMeasurement(document_->selectedMeasurement());
  });

  QToolBar* bar = toolBar_ = addToolBar(tr("Tools"));
  bar->setObjectName("tools");
  QMenu* toolsMenu = menuBar()->addMenu(tr("&Tools"));
  tools_ = new QActionGroup(menuContext_);
  const struct {
    const char* name;
    const char* key;
    Tool tool;
  } toolList[] = {{QT_TR_NOOP("Navigate"), "Esc", Tool::Navigate},
                  {QT_TR_NOOP("Length"), "Shift+L", Tool::Length},
                  {QT_TR_NOOP("Angle"), "Shift+A", Tool::Angle},
                  {QT_TR_NOOP("Ellipse ROI"), "Shift+E", Tool::Ellipse},
                  {QT_TR_NOOP("Rectangle ROI"), "Shift+R", Tool::Rectangle},
                  {QT_TR_NOOP("Point"), "Shift+P", Tool::Point},
                  {QT_TR_NOOP("Arrow note"), "Shift+W", Tool::Arrow},
                  {QT_TR_NOOP("Text note"), "Shift+T", Tool::Text},
                  {QT_TR_NOOP("Segment lesion"), "Shift+G", Tool::Segment},
                  {QT_TR_NOOP("Brush"), "Shift+B", Tool::Brush},
                  {QT_TR_NOOP("Eraser"), "Shift+X", Tool::Eraser},
                  {QT_TR_NOOP("Threshold brush"), "Shift+H", Tool::ThresholdBrush},
                  {QT_TR_NOOP("Threshold in a box"), "Shift+Y", Tool::ThresholdBox}};
  for (const auto& t : toolList) {
    QAction* a = tools_->addAction(QString("%1 (%2)").arg(tr(t.name), QLatin1String(t.key)));
    a->setCheckable(true);
    a->setChecked(t.tool == document_->tool());
    if (t.tool != Tool::Navigate) a->setShortcut(QKeySequence(t.key));
    const Tool tool = t.tool;
    connect(a, &QAction::triggered, this, [this, tool] { document_->setTool(tool); });
    toolsMenu->addAction(a);
    bar->addAction(a);
  }
  toolsMenu->addSeparator();
  for (const auto& [name, op] : {std::make_pair(tr("Fill segment between slices"), ViewerDocument::SegmentOperation::FillBetweenSlices),
                                 std::make_pair(tr("Remove segment islands"), ViewerDocument::SegmentOperation::RemoveIslands),
                                 std::make_pair(tr("Smooth segment"), ViewerDocument::SegmentOperation::Smooth)}) {
    const auto operation = op;
    toolsMenu->addAction(name, this, [this, operation] {
      if (!document_->applyToSelectedSegment(operation)) statusBar()->showMessage(tr("No segment to change, or nothing changed"), 4000);
    });
  }
  QAction* useModel = toolsMenu->addAction(tr("Segment with the AI model (off: classical engine)"));
  useModel->setCheckable(true);
  useModel->setChecked(document_->segmentEngine() == ViewerDocument::SegmentEngine::Model);
  connect(useModel, &QAction::toggled, this, [this](bool on) {
    document_->setSegmentEngine(on ? ViewerDocument::SegmentEngine::Model : ViewerDocument::SegmentEngine::Classical);
  });
  connect(document_, &ViewerDocument::toolChanged, menuContext_, [this] {
    const int index = int(document_->tool());
    tools_->actions().at(index)->setChecked(true);
  });
  bar->addSeparator();
  bar->addAction(undo);
  bar->addAction(redo);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction("1 x 1", this, [this] { setLayoutMode(1, 1); });
  view->addAction(tr("1 x 2 (current | comparison)"), this, [this] { setLayoutMode(2, 1); });
  view->addAction("1 x 3", this, [this] { setLayoutMode(3, 1); });
  view->addAction(tr("2 x 2 (MPR + 3D)"), this, [this] { setLayoutMode(2, 2); });
  view->addAction(tr("DICOM &header of this image..."), QKeySequence("Ctrl+I"), this, &MainWindow::showDicomHeader);
  view->addSeparator();
  QAction* link = view->addAction(tr("Link comparison scrolling"), this, [this](bool on) {
    linkComparison_ = on;
    if (on) resetComparisonOffset(); // keep the alignment the reader made while unlinked
    updateRegistrationCaptions();
    frameComparison(false);
  });
  link->setCheckable(true);
  link->setChecked(linkComparison_);
  view->addAction(tr("Crosshair lines (X)"), this,
                  [this] { document_->setCrosshairLinesVisible(!document_->crosshairLinesVisible()); });
  QMenu* vr = view->addMenu(tr("3D preset"));
  for (VolumePreset p : {VolumePreset::Bone, VolumePreset::SoftTissue, VolumePreset::Lung, VolumePreset::Mip}) {
    vr->addAction(term(toString(p)), this, [this, p] { volumeView_->setPreset(p); });
  }
  // Each language named in itself; the choice applies at once (every widget gets LanguageChange)
  // and is remembered. Queued: the menus are rebuilt, not from inside one of their actions.
  QMenu* language = view->addMenu(tr("&Language"));
  auto* languages = new QActionGroup(menuContext_);
  // Checked: the saved choice; without one, the language in use when it is not the system's
  // (`lightbox view --language` for this session), else System.
  QString checked = savedLanguage();
  if (checked.isEmpty() && currentLanguage() != systemLanguage()) checked = currentLanguage();
  QStringList choices{QString()};
  choices += availableLanguages();
  for (const QString& code : choices) {
    QAction* a = languages->addAction(code.isEmpty() ? tr("System (%1)").arg(languageName(systemLanguage())) : languageName(code));
    a->setCheckable(true);
    a->setChecked(code == checked);
    connect(a, &QAction::triggered, this, [this, code] {
      QTimer::singleShot(0, this, [code] {
        saveLanguage(code);
        applyLanguage(code.isEmpty() ? systemLanguage() : code);
      });
    });
    language->addAction(a);
  }

  QMenu* ai = menuBar()->addMenu(tr("&AI"));
  ai->addAction(tr("Detect lung nodules"), QKeySequence("Ctrl+D"), this, [this] { findings_->runDetection(); });
  ai->addAction(tr("Cancel detection"), this, [this] { findings_->cancelDetection(); });
  ai->addSeparator();
  ai->addAction(tr("Next finding"), QKeySequence("N"), findings_, &FindingsPanel::next);
  ai->addAction(tr("Previous finding"), QKeySequence("P"), findings_, &FindingsPanel::previous);
  ai->addAction(tr("Accept finding"), QKeySequence("A"), findings_, &FindingsPanel::accept);
  ai->addAction(tr("Reject finding"), QKeySequence("R"), findings_, &FindingsPanel::reject);
  ai->addAction(tr("Edit finding"), QKeySequence("E"), findings_, &FindingsPanel::edit);
  ai->addAction(tr("Segment finding (its mask sizes it for Lung-RADS)"), QKeySequence("M"), this, [this] {
    const std::string id = document_->selectedFinding();
    if (id.empty()) {
      statusBar()->showMessage(tr("Select a finding first (N / P)"), 4000);
      return;
    }
    if (document_->segmentFinding(id)) statusBar()->showMessage(tr("Finding %1 segmented").arg(QString::fromStdString(id)), 4000);
  });
  ai->addSeparator();
  ai->addAction(tr("&Finalize report..."), QKeySequence("Ctrl+Shift+F"), this, &MainWindow::finalizeReport);
  ai->addSeparator();
  ai->addAction(tr("Models..."), this, [this] {
    QString text;
    for (const ModelEntry& e : listModels(defaultModelFolders())) {
      text += QString("%1 %2 (%3): %4\n  %5\n  %6\n\n")
                  .arg(QString::fromStdString(e.manifest.name), QString::fromStdString(e.manifest.version),
                       QString::fromStdString(e.manifest.licence),
                       e.usable ? tr("ok") : tr("REFUSED: %1").arg(QString::fromStdString(e.problem)),
                       QString::fromStdString(e.manifest.intendedUse),
                       QString::fromStdString(e.manifest.manifestPath));
    }
    QString folders;
    for (const std::string& f : defaultModelFolders()) folders += QString::fromStdString(f) + "\n";
    QMessageBox::information(this, tr("AI models"),
                             (text.isEmpty() ? tr("No models found.\n\n") : text) +
                                 tr("Add a model by dropping a TorchScript file and its manifest (JSON) into:\n%1").arg(folders));
  });

  registrationPanel_->populateMenu(menuBar()->addMenu(tr("&Registration")));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
}

void MainWindow::showShortcuts() {
  const std::vector<std::pair<QString, std::vector<std::pair<const char*, const char*>>>> groups = {
      {tr("Slice views"),
       {{QT_TR_NOOP("Wheel, Up / Down, Ctrl+drag"), QT_TR_NOOP("next / previous slice")},
        {QT_TR_NOOP("PageUp / PageDown"), QT_TR_NOOP("10 slices")},
        {QT_TR_NOOP("C"), QT_TR_NOOP("cine on / off")},
        {QT_TR_NOOP("Ctrl+wheel"), QT_TR_NOOP("zoom about the cursor")},
        {QT_TR_NOOP("Middle drag"), QT_TR_NOOP("pan")},
        {QT_TR_NOOP("Home"), QT_TR_NOOP("reset zoom and pan")},
        {QT_TR_NOOP("Left click / drag"), QT_TR_NOOP("move the crosshair (all views follow)")},
        {QT_TR_NOOP("Right drag"), QT_TR_NOOP("window (horizontal) / level (vertical)")},
        {QT_TR_NOOP("1 2 3 4 5 6 / 0"), QT_TR_NOOP("lung, mediastinum, bone, brain, abdomen, liver / series window")},
        {QT_TR_NOOP("1 2 3 4 (PET)"), QT_TR_NOOP("SUV 0-3, 0-5, 0-10, 0-20 on a PET in SUV")},
        {QT_TR_NOOP("I / T / X"), QT_TR_NOOP("invert / corner text, letters, scale bar / crosshair lines")},
        {QT_TR_NOOP("Shift+drag / O"), QT_TR_NOOP("turn the plane (oblique) / back to the standard plane")},
        {QT_TR_NOOP("S / [ ]"), QT_TR_NOOP("slab MIP, MinIP, mean, off / thickness -/+ 2 mm")},
        {QT_TR_NOOP("Double click"), QT_TR_NOOP("maximise / restore a view")}}},
      {tr("Measurements"),
       {{QT_TR_NOOP("Shift+L / A / E / R / P"), QT_TR_NOOP("length / angle / ellipse / rectangle / point")},
        {QT_TR_NOOP("Shift+W / Shift+T"), QT_TR_NOOP("arrow / text note (type the note in the measurement table)")},
        {QT_TR_NOOP("Shift+G"), QT_TR_NOOP("segment a lesion: click it (label map, RECIST axes and volume; undoable, saved)")},
        {QT_TR_NOOP("Alt+click / Alt+right click"), QT_TR_NOOP("segment tool: add / remove a region of the selected model segment")},
        {QT_TR_NOOP("Shift+B / Shift+X, [ / ]"), QT_TR_NOOP("brush / eraser on the selected segment, smaller / larger brush")},
        {QT_TR_NOOP("Shift+H"), QT_TR_NOOP("threshold brush: paints only voxels in the range set in the Segments dock")},
        {QT_TR_NOOP("Shift+Y"), QT_TR_NOOP("threshold in a box: drag a box around a lesion; the in-range part through its centre becomes a segment")},
        {QT_TR_NOOP("Segments dock"), QT_TR_NOOP("click a segment: the brush paints it, every view goes to it; double click: rename / colour")},
        {QT_TR_NOOP("Drag a handle"), QT_TR_NOOP("edit")},
        {QT_TR_NOOP("Delete"), QT_TR_NOOP("remove the selected measurement")},
        {QT_TR_NOOP("Esc"), QT_TR_NOOP("back to navigation")},
        {QT_TR_NOOP("Ctrl+Z / Ctrl+Shift+Z"), QT_TR_NOOP("undo / redo")}}},
      {tr("3D view"),
       {{QT_TR_NOOP("Drag / wheel"), QT_TR_NOOP("rotate / zoom")}, {QT_TR_NOOP("1 2 3 4"), QT_TR_NOOP("bone, soft tissue, lung, MIP")}, {QT_TR_NOOP("Home"), QT_TR_NOOP("anterior view")}}},
      {tr("AI findings"),
       {{QT_TR_NOOP("Ctrl+D"), QT_TR_NOOP("detect lung nodules")},
        {QT_TR_NOOP("N / P"), QT_TR_NOOP("next / previous finding")},
        {QT_TR_NOOP("A / R"), QT_TR_NOOP("accept / reject (reason from the panel), then the next finding (a setting in the panel)")},
        {QT_TR_NOOP("E"), QT_TR_NOOP("edit: drag the diameter's handles")},
        {QT_TR_NOOP("M"), QT_TR_NOOP("link the finding to its mask (the segment at its centre, else a new one): its mean axis is its "
              "Lung-RADS size")},
        {QT_TR_NOOP("Ctrl+Shift+F"), QT_TR_NOOP("finalize the report: DICOM SEG + SR + key images + PDF (summary first)")}}},
      {tr("Registration (prior to current)"),
       {{QT_TR_NOOP("Ctrl+R"), QT_TR_NOOP("register the comparison (prior) to the current series (engine in the Registration dock)")},
        {QT_TR_NOOP("F"), QT_TR_NOOP("fusion of the registered prior: off, blend, checkerboard, difference, colour")},
        {QT_TR_NOOP("Shift+F"), QT_TR_NOOP("map: Jacobian determinant, displacement, local NCC (alignment quality), off")},
        {QT_TR_NOOP("- / ="), QT_TR_NOOP("fusion opacity or checkerboard squares")}}},
      {tr("Files"),
       {{QT_TR_NOOP("Ctrl+O / Ctrl+Shift+O"), QT_TR_NOOP("open a folder / a file (or drop it on the window)")},
        {QT_TR_NOOP("Ctrl+Shift+C / Ctrl+Shift+S"), QT_TR_NOOP("copy the view / save it as PNG")},
        {QT_TR_NOOP("Ctrl+I"), QT_TR_NOOP("DICOM header of the image under the crosshair")},
        {QT_TR_NOOP("F1"), QT_TR_NOOP("this list")}}}};
  QString html = "<table cellspacing='0' cellpadding='3'>";
  for (const auto& [title, keys] : groups) {
    html += QString("<tr><td colspan='2'><br><b>%1</b></td></tr>").arg(title);
    for (const auto& [key, what] : keys) {
      html += QString("<tr><td style='padding-right:16px'><tt>%1</tt></td><td>%2</td></tr>")
                  .arg(tr(key).toHtmlEscaped(), tr(what).toHtmlEscaped());
    }
  }
  html += "</table>";
  // Scrollable and sized to the screen: the list is taller than a 1080-line screen in Chinese.
  QDialog box(this);
  box.setWindowTitle(tr("Shortcuts"));
  auto* layout = new QVBoxLayout(&box);
  auto* text = new QTextBrowser(&box);
  text->setHtml(html);
  layout->addWidget(text);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &box);
  connect(buttons, &QDialogButtonBox::rejected, &box, &QDialog::reject);
  layout->addWidget(buttons);
  const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1280, 800);
  box.resize(std::min(760, int(0.9 * screen.width())), std::min(900, int(0.8 * screen.height())));
  box.exec();
}

// The recent list and where the open dialogs start.

constexpr int kMaxRecent = 10;

QStringList MainWindow::recentPaths() const {
  return QSettings().value("recent").toStringList();
}

QString MainWindow::dialogFolder() const {
  const QStringList recent = recentPaths();
  return recent.isEmpty() ? QString() : QFileInfo(recent.first()).absolutePath();
}

void MainWindow::rememberRecent(const QString& path) {
  QStringList recent = recentPaths();
  const QString abs = QFileInfo(path).absoluteFilePath();
  recent.removeAll(abs);
  recent.prepend(abs);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  QSettings().setValue("recent", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  for (const QString& p : recentPaths()) {
    recentMenu_->addAction(p, this, [this, p] { openPath(p); });
  }
  recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

} // namespace lightbox
