// SPDX-License-Identifier: Apache-2.0
// MainWindow's menus and its shortcut table (Help > Shortcuts); the rest is in MainWindow.cpp.
#include "app/viewer/MainWindow.h"

#include "ai/runtime/ModelManifest.h"
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
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace lightbox {

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("&Open folder...", QKeySequence::Open, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, "Open study folder");
    if (!dir.isEmpty()) openPath(dir);
  });
  file->addAction("Open &file...", QKeySequence("Ctrl+Shift+O"), this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open image file", {},
                                                   "Images (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)");
    if (!f.isEmpty()) openPath(f);
  });
  file->addAction("Open &label map, DICOM SEG, RTSTRUCT or SR on this series...", this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open label map (NIfTI, NRRD, MetaImage), DICOM SEG, RTSTRUCT or SR", {},
                                                   "Label maps and DICOM objects (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.DCM);;All files (*)");
    if (!f.isEmpty()) document_->importLabels(f);
  });
  file->addAction("Open &comparison (prior) folder...", this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, "Open comparison study folder");
    if (!dir.isEmpty()) openComparison(dir);
  });
  file->addAction("Open comparison (prior) f&ile...", this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open comparison image file", {},
                                                   "Images (*.dcm *.DCM *.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)");
    if (!f.isEmpty()) openComparison(f);
  });
  recentMenu_ = file->addMenu("&Recent");
  rebuildRecentMenu();
  file->addAction("&Import folder into the study list...", this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, "Import folder");
    if (dir.isEmpty()) return;
    try {
      const ImportStats s = StudyIndex(StudyIndex::defaultPath()).import(dir.toStdString());
      statusBar()->showMessage(QString("Imported %1 files (%2 new or changed, %3 rejected)")
                                   .arg(s.filesSeen).arg(s.scanned).arg(s.rejected));
    } catch (const std::exception& e) {
      messages_->addItem(QString("error: ") + e.what());
    }
    browser_->refresh();
  });
  file->addSeparator();
  file->addAction("Save view as &PNG...", QKeySequence("Ctrl+Shift+S"), this, [this] {
    const QImage shot = currentView()->grabFramebuffer();
    const QString f = QFileDialog::getSaveFileName(this, "Save view as PNG", "lightbox-view.png", "PNG (*.png)");
    if (f.isEmpty()) return;
    if (shot.save(f, "PNG")) {
      statusBar()->showMessage("Saved " + f);
    } else {
      messages_->insertItem(0, "error: cannot write " + f);
      QMessageBox::warning(this, "Save view", "Cannot write " + f);
    }
  });
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, qApp, &QApplication::quit);

  QMenu* edit = menuBar()->addMenu("&Edit");
  QAction* undo = document_->undoStack()->createUndoAction(this, "&Undo");
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = document_->undoStack()->createRedoAction(this, "&Redo");
  redo->setShortcuts({QKeySequence::Redo, QKeySequence("Ctrl+Y")});
  edit->addAction(undo);
  edit->addAction(redo);
  // No undo or redo while a brush stroke is held down: the stroke's record would no longer
  // describe the map.
  connect(document_, &ViewerDocument::strokingChanged, this, [this, undo, redo](bool stroking) {
    undo->setEnabled(!stroking && document_->undoStack()->canUndo());
    redo->setEnabled(!stroking && document_->undoStack()->canRedo());
  });
  edit->addAction("&Copy view", QKeySequence("Ctrl+Shift+C"), this, [this] {
    QApplication::clipboard()->setImage(currentView()->grabFramebuffer());
    statusBar()->showMessage("View copied to the clipboard");
  });
  edit->addAction("&Delete measurement", this, [this] {
    if (document_->selectedMeasurement() != 0) document_->removeMeasurement(document_->selectedMeasurement());
  });

  QToolBar* bar = addToolBar("Tools");
  bar->setObjectName("tools");
  QMenu* toolsMenu = menuBar()->addMenu("&Tools");
  tools_ = new QActionGroup(this);
  const struct {
    const char* name;
    const char* key;
    Tool tool;
  } toolList[] = {{"Navigate", "Esc", Tool::Navigate},       {"Length", "Shift+L", Tool::Length},
                  {"Angle", "Shift+A", Tool::Angle},         {"Ellipse ROI", "Shift+E", Tool::Ellipse},
                  {"Rectangle ROI", "Shift+R", Tool::Rectangle}, {"Point", "Shift+P", Tool::Point},
                  {"Arrow note", "Shift+W", Tool::Arrow},    {"Text note", "Shift+T", Tool::Text},
                  {"Segment lesion", "Shift+G", Tool::Segment}, {"Brush", "Shift+B", Tool::Brush},
                  {"Eraser", "Shift+X", Tool::Eraser},       {"Threshold brush", "Shift+H", Tool::ThresholdBrush},
                  {"Threshold in a box", "Shift+Y", Tool::ThresholdBox}};
  for (const auto& t : toolList) {
    QAction* a = tools_->addAction(QString("%1 (%2)").arg(t.name, t.key));
    a->setCheckable(true);
    a->setChecked(t.tool == Tool::Navigate);
    if (t.tool != Tool::Navigate) a->setShortcut(QKeySequence(t.key));
    const Tool tool = t.tool;
    connect(a, &QAction::triggered, this, [this, tool] { document_->setTool(tool); });
    toolsMenu->addAction(a);
    bar->addAction(a);
  }
  toolsMenu->addSeparator();
  for (const auto& [name, op] : {std::make_pair("Fill segment between slices", ViewerDocument::SegmentOperation::FillBetweenSlices),
                                 std::make_pair("Remove segment islands", ViewerDocument::SegmentOperation::RemoveIslands),
                                 std::make_pair("Smooth segment", ViewerDocument::SegmentOperation::Smooth)}) {
    const auto operation = op;
    toolsMenu->addAction(name, this, [this, operation] {
      if (!document_->applyToSelectedSegment(operation)) statusBar()->showMessage("No segment to change, or nothing changed", 4000);
    });
  }
  QAction* useModel = toolsMenu->addAction("Segment with the AI model (off: classical engine)");
  useModel->setCheckable(true);
  useModel->setChecked(document_->segmentEngine() == ViewerDocument::SegmentEngine::Model);
  connect(useModel, &QAction::toggled, this, [this](bool on) {
    document_->setSegmentEngine(on ? ViewerDocument::SegmentEngine::Model : ViewerDocument::SegmentEngine::Classical);
  });
  connect(document_, &ViewerDocument::toolChanged, this, [this] {
    const int index = int(document_->tool());
    tools_->actions().at(index)->setChecked(true);
  });
  bar->addSeparator();
  bar->addAction(undo);
  bar->addAction(redo);

  QMenu* view = menuBar()->addMenu("&View");
  view->addAction("1 x 1", this, [this] { setLayoutMode(1, 1); });
  view->addAction("1 x 2 (current | comparison)", this, [this] { setLayoutMode(2, 1); });
  view->addAction("1 x 3", this, [this] { setLayoutMode(3, 1); });
  view->addAction("2 x 2 (MPR + 3D)", this, [this] { setLayoutMode(2, 2); });
  view->addAction("DICOM &header of this image...", QKeySequence("Ctrl+I"), this, &MainWindow::showDicomHeader);
  view->addSeparator();
  QAction* link = view->addAction("Link comparison scrolling", this, [this](bool on) {
    linkComparison_ = on;
    if (on) resetComparisonOffset(); // keep the alignment the reader made while unlinked
    updateRegistrationCaptions();
  });
  link->setCheckable(true);
  link->setChecked(true);
  view->addAction("Crosshair lines (X)", this,
                  [this] { document_->setCrosshairLinesVisible(!document_->crosshairLinesVisible()); });
  QMenu* vr = view->addMenu("3D preset");
  for (VolumePreset p : {VolumePreset::Bone, VolumePreset::SoftTissue, VolumePreset::Lung, VolumePreset::Mip}) {
    vr->addAction(toString(p), this, [this, p] { volumeView_->setPreset(p); });
  }

  QMenu* ai = menuBar()->addMenu("&AI");
  ai->addAction("Detect lung nodules", QKeySequence("Ctrl+D"), this, [this] { findings_->runDetection(); });
  ai->addAction("Cancel detection", this, [this] { findings_->cancelDetection(); });
  ai->addSeparator();
  ai->addAction("Next finding", QKeySequence("N"), findings_, &FindingsPanel::next);
  ai->addAction("Previous finding", QKeySequence("P"), findings_, &FindingsPanel::previous);
  ai->addAction("Accept finding", QKeySequence("A"), findings_, &FindingsPanel::accept);
  ai->addAction("Reject finding", QKeySequence("R"), findings_, &FindingsPanel::reject);
  ai->addAction("Edit finding", QKeySequence("E"), findings_, &FindingsPanel::edit);
  ai->addAction("Segment finding (its mask sizes it for Lung-RADS)", QKeySequence("M"), this, [this] {
    const std::string id = document_->selectedFinding();
    if (id.empty()) {
      statusBar()->showMessage("Select a finding first (N / P)", 4000);
      return;
    }
    if (document_->segmentFinding(id)) statusBar()->showMessage(QString("Finding %1 segmented").arg(QString::fromStdString(id)), 4000);
  });
  ai->addSeparator();
  ai->addAction("&Finalize report...", QKeySequence("Ctrl+Shift+F"), this, &MainWindow::finalizeReport);
  ai->addSeparator();
  ai->addAction("Models...", this, [this] {
    QString text;
    for (const ModelEntry& e : listModels(defaultModelFolders())) {
      text += QString("%1 %2 (%3): %4\n  %5\n  %6\n\n")
                  .arg(QString::fromStdString(e.manifest.name), QString::fromStdString(e.manifest.version),
                       QString::fromStdString(e.manifest.licence),
                       e.usable ? QString("ok") : "REFUSED: " + QString::fromStdString(e.problem),
                       QString::fromStdString(e.manifest.intendedUse),
                       QString::fromStdString(e.manifest.manifestPath));
    }
    QString folders;
    for (const std::string& f : defaultModelFolders()) folders += QString::fromStdString(f) + "\n";
    QMessageBox::information(this, "AI models",
                             (text.isEmpty() ? QString("No models found.\n\n") : text) +
                                 "Add a model by dropping a TorchScript file and its manifest (JSON) into:\n" + folders);
  });

  registrationPanel_->populateMenu(menuBar()->addMenu("&Registration"));

  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("&Shortcuts", QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
}

void MainWindow::showShortcuts() {
  const std::vector<std::pair<QString, std::vector<std::pair<const char*, const char*>>>> groups = {
      {"Slice views",
       {{"Wheel, Up / Down, Ctrl+drag", "next / previous slice"},
        {"PageUp / PageDown", "10 slices"},
        {"C", "cine on / off"},
        {"Ctrl+wheel", "zoom about the cursor"},
        {"Middle drag", "pan"},
        {"Home", "reset zoom and pan"},
        {"Left click / drag", "move the crosshair (all views follow)"},
        {"Right drag", "window (horizontal) / level (vertical)"},
        {"1 2 3 4 5 6 / 0", "lung, mediastinum, bone, brain, abdomen, liver / series window"},
        {"I / T / X", "invert / corner text, letters, scale bar / crosshair lines"},
        {"Shift+drag / O", "turn the plane (oblique) / back to the standard plane"},
        {"S / [ ]", "slab MIP, MinIP, mean, off / thickness -/+ 2 mm"},
        {"Double click", "maximise / restore a view"}}},
      {"Measurements",
       {{"Shift+L / A / E / R / P", "length / angle / ellipse / rectangle / point"},
        {"Shift+W / Shift+T", "arrow / text note (type the note in the measurement table)"},
        {"Shift+G", "segment a lesion: click it (label map, RECIST axes and volume; undoable, saved)"},
        {"Alt+click / Alt+right click", "segment tool: add / remove a region of the selected model segment"},
        {"Shift+B / Shift+X, [ / ]", "brush / eraser on the selected segment, smaller / larger brush"},
        {"Shift+H", "threshold brush: paints only voxels in the range set in the Segments dock"},
        {"Shift+Y", "threshold in a box: drag a box around a lesion; the in-range part through its centre becomes a segment"},
        {"Segments dock", "click a segment: the brush paints it, every view goes to it; double click: rename / colour"},
        {"Drag a handle", "edit"},
        {"Delete", "remove the selected measurement"},
        {"Esc", "back to navigation"},
        {"Ctrl+Z / Ctrl+Shift+Z", "undo / redo"}}},
      {"3D view",
       {{"Drag / wheel", "rotate / zoom"}, {"1 2 3 4", "bone, soft tissue, lung, MIP"}, {"Home", "anterior view"}}},
      {"AI findings",
       {{"Ctrl+D", "detect lung nodules"},
        {"N / P", "next / previous finding"},
        {"A / R", "accept / reject (reason from the panel), then the next finding (a setting in the panel)"},
        {"E", "edit: drag the diameter's handles"},
        {"M", "link the finding to its mask (the segment at its centre, else a new one): its mean axis is its "
              "Lung-RADS size"},
        {"Ctrl+Shift+F", "finalize the report: DICOM SEG + SR + key images + PDF (summary first)"}}},
      {"Registration (prior to current)",
       {{"Ctrl+R", "register the comparison (prior) to the current series (engine in the Registration dock)"},
        {"F", "fusion of the registered prior: off, blend, checkerboard, difference, colour"},
        {"Shift+F", "map: Jacobian determinant, displacement, local NCC (alignment quality), off"},
        {"- / =", "fusion opacity or checkerboard squares"}}},
      {"Files",
       {{"Ctrl+O / Ctrl+Shift+O", "open a folder / a file (or drop it on the window)"},
        {"Ctrl+Shift+C / Ctrl+Shift+S", "copy the view / save it as PNG"},
        {"Ctrl+I", "DICOM header of the image under the crosshair"},
        {"F1", "this list"}}}};
  QString html = "<table cellspacing='0' cellpadding='3'>";
  for (const auto& [title, keys] : groups) {
    html += QString("<tr><td colspan='2'><br><b>%1</b></td></tr>").arg(title);
    for (const auto& [key, what] : keys) {
      html += QString("<tr><td style='padding-right:16px'><tt>%1</tt></td><td>%2</td></tr>")
                  .arg(QString(key).toHtmlEscaped(), QString(what).toHtmlEscaped());
    }
  }
  html += "</table>";
  QMessageBox box(QMessageBox::NoIcon, "Shortcuts", html, QMessageBox::Close, this);
  box.setTextFormat(Qt::RichText);
  box.exec();
}

} // namespace lightbox
