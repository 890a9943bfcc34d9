// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registration/Transform.h"

#include <optional>
#include <string>

namespace lightbox {

class AnnotationStore;

/// A registration kept with a reading pair's review: which prior it aligns to which current
/// series, how it was made, and the transform (current LPS -> prior LPS).
struct PairRegistration {
  std::string currentSeries; ///< the current series' key (Series Instance UID or file path)
  std::string priorSeries;   ///< the prior's key
  std::string engine;        ///< "rigid", "affine", "deformable", "model"
  std::string createdAt;     ///< local time, ISO 8601
  double seconds = 0.0;      ///< how long the registration ran
  double foldingFraction = 0.0;
  RegistrationTransform transform;
};

/// Where the pair's registration lives, beside the current series' review in `store`:
/// `<review file without .json>.registration/<prior's review file name>` (keys named as the
/// store names them, so two priors never share a file). The transform goes beside it as
/// `<that name>.transform.json` (and its field's data beside that).
std::string pairRegistrationPath(const AnnotationStore& store, const std::string& currentKey,
                                 const std::string& priorKey);

/// Writes the transform, then the record that names it, each crash-safe (temporary file, fsync,
/// rename): a crash leaves the previous registration or the new one. Throws TransformFileError
/// naming the file.
void savePairRegistration(const std::string& path, const PairRegistration& registration);
/// Nothing when no registration was saved at `path`; throws TransformFileError naming the file
/// when one is there but unreadable.
std::optional<PairRegistration> loadPairRegistration(const std::string& path);

} // namespace lightbox
