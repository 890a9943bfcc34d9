// SPDX-License-Identifier: Apache-2.0
#include "app/i18n/Terms.h"

#include <QCoreApplication>

namespace lightbox {

namespace {

/// Every closed set of words core hands to the window and the report, in one place so that lupdate
/// sees them (context "Terms"); each is translated where it is shown, never in the data. The
/// reject reasons the findings panel offers are listed there (its combo box's items).
[[maybe_unused]] constexpr const char* kTerms[] = {
    // Finding types (Finding::type, the reader's type) and the default word
    QT_TRANSLATE_NOOP("Terms", "solid"),
    QT_TRANSLATE_NOOP("Terms", "part-solid"),
    QT_TRANSLATE_NOOP("Terms", "ground-glass"),
    QT_TRANSLATE_NOOP("Terms", "calcified"),
    QT_TRANSLATE_NOOP("Terms", "nodule"),
    // Review states (toString(FindingState))
    QT_TRANSLATE_NOOP("Terms", "proposed"),
    QT_TRANSLATE_NOOP("Terms", "accepted"),
    QT_TRANSLATE_NOOP("Terms", "rejected"),
    QT_TRANSLATE_NOOP("Terms", "edited"),
    // Growth against the prior (toString(GrowthStatus)), its rules without a match, volume sources
    QT_TRANSLATE_NOOP("Terms", "new"),
    QT_TRANSLATE_NOOP("Terms", "growing"),
    QT_TRANSLATE_NOOP("Terms", "stable"),
    QT_TRANSLATE_NOOP("Terms", "decreased"),
    QT_TRANSLATE_NOOP("Terms", "no nodule in the prior"),
    QT_TRANSLATE_NOOP("Terms", "no prior nodule within the match tolerance"),
    QT_TRANSLATE_NOOP("Terms", "mask"),
    QT_TRANSLATE_NOOP("Terms", "ellipsoid"),
    // Volume-doubling notes (GrowthResult::doublingNote)
    QT_TRANSLATE_NOOP("Terms", "interval unknown (a study date is missing): no doubling time"),
    QT_TRANSLATE_NOOP("Terms", "the prior is dated after the current study: no doubling time"),
    QT_TRANSLATE_NOOP("Terms", "the studies are from the same day: no doubling time"),
    QT_TRANSLATE_NOOP("Terms", "no volume to compare: no doubling time"),
    QT_TRANSLATE_NOOP("Terms", "volume unchanged: no doubling (stable)"),
    QT_TRANSLATE_NOOP("Terms", "volume decreased: no doubling time (shrinking)"),
    QT_TRANSLATE_NOOP("Terms", "new: no prior volume"),
    // Lung-RADS v2022 management (LungRadsSuggestion::management)
    QT_TRANSLATE_NOOP("Terms", "continue annual screening with LDCT in 12 months"),
    QT_TRANSLATE_NOOP("Terms", "LDCT in 6 months"),
    QT_TRANSLATE_NOOP("Terms",
                      "LDCT in 3 months; PET/CT may be used if there is a >= 8 mm solid component"),
    QT_TRANSLATE_NOOP("Terms", "diagnostic chest CT with or without contrast, PET/CT and/or "
                               "tissue sampling, depending on the probability of malignancy"),
    // Size sources of a reported finding (ReportFinding::diameterSource)
    QT_TRANSLATE_NOOP("Terms", "ruler"),
    QT_TRANSLATE_NOOP("Terms", "ai"),
    QT_TRANSLATE_NOOP("Terms", "unmeasured"),
    // Measurement kinds (toString(MeasurementKind))
    QT_TRANSLATE_NOOP("Terms", "length"),
    QT_TRANSLATE_NOOP("Terms", "angle"),
    QT_TRANSLATE_NOOP("Terms", "ellipse"),
    QT_TRANSLATE_NOOP("Terms", "rectangle"),
    QT_TRANSLATE_NOOP("Terms", "point"),
    QT_TRANSLATE_NOOP("Terms", "arrow"),
    QT_TRANSLATE_NOOP("Terms", "text"),
    // Ingest severities (toString(IssueSeverity))
    QT_TRANSLATE_NOOP("Terms", "info"),
    QT_TRANSLATE_NOOP("Terms", "warning"),
    QT_TRANSLATE_NOOP("Terms", "error"),
    // 3D presets (toString(VolumePreset))
    QT_TRANSLATE_NOOP("Terms", "bone"),
    QT_TRANSLATE_NOOP("Terms", "soft"),
    QT_TRANSLATE_NOOP("Terms", "lung"),
    QT_TRANSLATE_NOOP("Terms", "mip"),
    // Registration: engines, fusion modes, maps, stages
    QT_TRANSLATE_NOOP("Terms", "rigid"),
    QT_TRANSLATE_NOOP("Terms", "affine"),
    QT_TRANSLATE_NOOP("Terms", "deformable"),
    QT_TRANSLATE_NOOP("Terms", "model"),
    QT_TRANSLATE_NOOP("Terms", "as acquired"),
    // Why a PET/CT pair is linked as acquired (core asAcquiredReason)
    QT_TRANSLATE_NOOP("Terms", "one Frame of Reference"),
    QT_TRANSLATE_NOOP("Terms", "a research file over the same place: a guess, check it"),
    QT_TRANSLATE_NOOP("Terms", "off"),
    QT_TRANSLATE_NOOP("Terms", "blend"),
    QT_TRANSLATE_NOOP("Terms", "checkerboard"),
    QT_TRANSLATE_NOOP("Terms", "difference"),
    QT_TRANSLATE_NOOP("Terms", "colour"),
    QT_TRANSLATE_NOOP("Terms", "Jacobian determinant"),
    QT_TRANSLATE_NOOP("Terms", "displacement (mm)"),
    QT_TRANSLATE_NOOP("Terms", "local NCC (alignment quality)"),
    QT_TRANSLATE_NOOP("Terms", "starting"),
    QT_TRANSLATE_NOOP("Terms", "done"),
    // How a segment became a finding's mask (toString(MaskMatch))
    QT_TRANSLATE_NOOP("Terms", "linked"),
    QT_TRANSLATE_NOOP("Terms", "contains its centre"),
    QT_TRANSLATE_NOOP("Terms", "near its centre"),
    QT_TRANSLATE_NOOP("Terms", "none"),
};

} // namespace

QString term(const char* value) {
  return value && *value ? QCoreApplication::translate("Terms", value) : QString();
}

QString term(const std::string& value) {
  return term(value.c_str());
}

QString term(const QString& value) {
  return term(value.toUtf8().constData());
}

} // namespace lightbox
