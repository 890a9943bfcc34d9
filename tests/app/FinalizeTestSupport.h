// SPDX-License-Identifier: Apache-2.0
// The reviewed LIDC slab and the modal finalize dialog, as the finalize and language tests drive
// them in the real window.
#pragma once

#include <functional>
#include <string>

namespace lightbox {
class FinalizeDialog;
class MainWindow;
} // namespace lightbox

namespace lightbox::test {

/// Opens the LIDC slab in `window` (shown, 1400 x 900) and gives it a detection run of two
/// findings: F1 at the readers' nodule, accepted and segmented; F2 elsewhere, rejected ("vessel").
void openReviewedLidc(MainWindow& window);
/// The same detection run and decisions on the LIDC slab already open in `window` (from any folder:
/// the archive's copy, for instance).
void reviewOpenLidc(MainWindow& window);

/// Triggers AI > Finalize report (Ctrl+Shift+F) and, once its modal dialog shows, calls `fill` on it
/// and clicks its OK button. A message box instead of the dialog (writing failed) is closed, its
/// text returned in `refused`. Returns whether the dialog was seen.
bool finalizeThroughDialog(MainWindow& window, const std::function<void(FinalizeDialog&)>& fill, std::string& refused);

} // namespace lightbox::test
