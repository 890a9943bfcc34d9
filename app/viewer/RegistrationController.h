// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/render/SliceCompositor.h"
#include "core/registration/Registration.h"
#include "core/registration/RegistrationMaps.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

class QTimer;

namespace lightbox {

class ViewerDocument;

/// How the registered prior is drawn over the current series' slices.
enum class FusionMode { Off, Blend, Checkerboard, Difference, Colour };
/// A map of the registration drawn as a colour map with a legend over the current slices.
enum class RegistrationMap { Off, Jacobian, Displacement, Quality };

const char* toString(FusionMode mode);
const char* toString(RegistrationMap map);

/// The engine name of a pair linked in scanner coordinates (identity), not registered.
extern const char* const kAsAcquired;

/// The registration of the open prior (comparison) to the open current series: runs
/// registerImages off the GUI thread with progress and cancel, keeps the transform for the pair
/// (saved with the current series' review, restored when the pair is opened again), and derives
/// what the views draw from it once per transform, off the GUI thread: the prior resampled onto
/// the current grid (fusion) and the maps (Jacobian determinant, displacement, local NCC).
class RegistrationController : public QObject {
  Q_OBJECT
public:
  RegistrationController(ViewerDocument* current, ViewerDocument* prior, QObject* parent = nullptr);
  ~RegistrationController() override; ///< cancels a running registration and waits for its thread

  /// Either series changed: drops the transform (cancelling a run) and restores the one saved for
  /// this pair, if any. True when one was restored. Else the two series of a PET/CT (core
  /// asAcquiredReason) are linked as acquired (identity, not saved; asAcquired() says so), and a
  /// PET/CT is fused at once (blend, hot iron) until the pair changes or the reader chooses a
  /// fusion mode.
  bool pairChanged();
  bool asAcquired() const { return asAcquired_; }
  /// The comparison is a PET and the current series is not: fused in hot iron, F toggles off /
  /// blend, its SUV read under the pointer.
  bool petOverCurrent() const;
  /// The current series is a PET and the comparison is not (a CT or MR): fused the other way up,
  /// the comparison in grey under the current PET in hot iron; F toggles off / blend.
  bool petUnderCurrent() const;
  /// Starts registering the prior to the current series; false (with `finished(false, why)`)
  /// when a series is missing or a registration is running.
  bool start(RegistrationEngine engine, unsigned threads = 0);
  void cancel();
  bool running() const { return worker_.joinable() && !workerDone_; }

  /// Uses `transform` for the pair (a restored one, or one given by a test): derived images are
  /// computed again; with `save` it is written with the pair's review.
  void setTransform(const RegistrationTransform& transform, const QString& engine, double seconds, bool save);
  bool registered() const { return transform_.has_value(); }
  const RegistrationTransform& transform() const { return *transform_; }
  const QString& engine() const { return engine_; }
  /// How the comparison is linked: "linked through affine registration" or "linked by offset (not
  /// registered)".
  QString linkText() const;
  /// Where the pair's registration is saved (empty without a pair).
  std::string storagePath() const;

  FusionMode fusionMode() const { return fusion_; }
  void setFusionMode(FusionMode mode);
  void cycleFusionMode();
  double opacity() const { return opacity_; }
  void setOpacity(double opacity); ///< 0.05 .. 1
  double squareMm() const { return squareMm_; }
  void setSquareMm(double mm); ///< 2 .. 200
  /// - / =: the blend's or the map's opacity, or the checkerboard's squares, one step.
  void stepStrength(int direction);
  RegistrationMap map() const { return map_; }
  void setMap(RegistrationMap map);
  void cycleMap();

  /// The prior on the current grid (NaN outside the prior), null until computed.
  std::shared_ptr<const Volume> warpedPrior() const { return warped_; }
  /// The map's values on its grid (null for a constant map or until computed).
  std::shared_ptr<const Volume> mapVolume(RegistrationMap map) const;
  /// True once the warped prior and maps of the current transform are ready.
  bool derivedReady() const { return derivedReady_; }
  /// The layers and legend a view of the current series draws.
  void addOverlays(OverlayLayers& overlays) const;
  /// One line about the overlay for the views' top text ("fusion: blend 50 %"); empty when off.
  QString overlayCaption() const;

signals:
  void started();
  void progressed(double fraction, const QString& stage);
  /// A run ended: ok with the message the status bar shows, or why not.
  void finished(bool ok, const QString& message);
  /// The transform was set, restored or dropped.
  void transformChanged();
  /// Fusion or map settings changed, or derived images arrived: the current views repaint.
  void overlaysChanged();

private:
  void startDerived();
  void dropTransform();
  void joinWorker();

  ViewerDocument* current_;
  ViewerDocument* prior_;
  std::optional<RegistrationTransform> transform_;
  QString engine_;
  double seconds_ = 0.0;

  std::thread worker_;
  std::atomic<bool> workerDone_{true};
  std::atomic<bool> cancel_{false};
  std::mutex progressMutex_;
  double progressFraction_ = 0.0;
  std::string progressStage_;
  QTimer* poll_;
  std::chrono::steady_clock::time_point runStart_;

  std::vector<std::thread> derivedThreads_;
  std::uint64_t generation_ = 0; ///< a derived result of an older transform is dropped
  bool derivedReady_ = false;
  std::shared_ptr<const Volume> warped_, jacobian_, displacement_, quality_;
  RegistrationQuality qualitySummary_; ///< of the maps above (boxes 0 until they are computed)
  double displacementMax_ = 0.0;
  double jacobianDeviation_ = 0.0;

  bool asAcquired_ = false; ///< the identity link of a PET/CT pair (not a registration)
  QString asAcquiredWhy_;   ///< core asAcquiredReason's words
  bool autoFusion_ = false; ///< the fusion was turned on by the pair, not by the reader
  FusionMode fusion_ = FusionMode::Off;
  RegistrationMap map_ = RegistrationMap::Off;
  double opacity_ = 0.5;
  double squareMm_ = 20.0;
};

} // namespace lightbox
