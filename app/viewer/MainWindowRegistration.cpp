// SPDX-License-Identifier: Apache-2.0
// MainWindow: the comparison series' link to the current one (offset or registration, the
// PET/CT pair), its captions and messages.
#include "app/viewer/MainWindow.h"

#include "app/viewer/RegistrationController.h"
#include "app/viewer/SliceViewport.h"
#include "app/viewer/ViewerDocument.h"
#include "core/registration/AsAcquired.h"

#include <QListWidget>
#include <QStatusBar>

#include <cmath>

namespace lightbox {

void MainWindow::resetComparisonOffset() {
  if (comparison_->volume() && document_->volume()) {
    comparisonOffset_ = comparison_->crosshair() - document_->crosshair();
  }
}

void MainWindow::frameComparison(bool fromComparison) {
  if (!linkComparison_ || !comparison_->volume() || !document_->volume() ||
      !comparisonView_->isVisible())
    return;
  SliceViewport* current = nullptr;
  for (SliceViewport* v : views_)
    if (v->plane() == comparisonView_->plane() && v->isVisible())
      current = v;
  if (!current)
    return;
  const bool registered = registration_->registered();
  if (fromComparison) {
    const Vec3 centre = comparisonView_->centreLps();
    current->frameAt(registered ? registration_->transform().applyInverse(centre)
                                : centre - comparisonOffset_,
                     comparisonView_->mmPerWidgetPixel());
  } else {
    const Vec3 centre = current->centreLps();
    comparisonView_->frameAt(registered ? registration_->transform().apply(centre)
                                        : centre + comparisonOffset_,
                             current->mmPerWidgetPixel());
  }
}

bool MainWindow::petCtPair() const {
  return document_->volume() && comparison_->volume() &&
         isPetUnits(document_->volume()->units) != isPetUnits(comparison_->volume()->units);
}

void MainWindow::registrationPairChanged() {
  if (registration_->pairChanged()) {
    const QString message = tr("registration restored (%1, prior %2)")
                                .arg(registration_->engine(), comparison_->seriesText());
    messages_->insertItem(0, message);
    statusBar()->showMessage(message, 10000);
  }
  // The comparison of a PET/CT is its other half, not a prior.
  comparisonView_->setProbePrefix(petCtPair() ? tr("comparison: ") : tr("prior: "));
  if (registration_->asAcquired()) {
    const QString message =
        registration_->fusionMode() != FusionMode::Off
            ? tr("%1: fused in hot iron; F changes the fusion, Ctrl+R registers the pair")
                  .arg(registration_->linkText())
            : tr("%1: F fuses the pair, Ctrl+R registers it").arg(registration_->linkText());
    messages_->insertItem(0, message);
    statusBar()->showMessage(message, 10000);
  }
  updateRegistrationCaptions();
  frameComparison(false);
}

QString MainWindow::fusedReadout(const Vec3& lps) const {
  const bool petOver = registration_->petOverCurrent();
  if ((!petOver && !registration_->petUnderCurrent()) ||
      registration_->fusionMode() == FusionMode::Off || !registration_->registered())
    return QString();
  const double value = comparison_->valueAt(registration_->transform().apply(lps));
  if (std::isnan(value))
    return QString();
  const QString units = QString::fromStdString(comparison_->volume()->units);
  if (petOver)
    return tr("; fused PET %1 %2").arg(value, 0, 'f', 2).arg(units);
  if (units == QLatin1String("HU"))
    return tr("; fused CT %1 HU").arg(std::lround(value));
  const QString modality = QString::fromStdString(comparison_->reportSource().modality);
  return tr("; fused %1 %2 %3")
      .arg(modality.isEmpty() ? tr("comparison") : modality)
      .arg(value, 0, 'f', 1)
      .arg(units)
      .trimmed();
}

void MainWindow::updateRegistrationCaptions() {
  const QString link = registration_->linkText();
  comparisonView_->setCaption(link.isEmpty() ? QString()
                              : linkComparison_
                                  ? link
                                  : tr("not linked (View > Link comparison scrolling)"));
  const QString fused = registration_->overlayCaption();
  for (SliceViewport* v : views_)
    v->setCaption(fused);
}

} // namespace lightbox
