// SPDX-License-Identifier: Apache-2.0
#include "app/viewer/RegistrationController.h"

#include "app/i18n/Terms.h"

#include "ai/registration/LearnedRegistration.h"
#include "app/viewer/ViewerDocument.h"
#include "core/annotation/AnnotationStore.h"
#include "core/registration/AsAcquired.h"
#include "core/registration/PairRegistrationStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lightbox {
namespace {

/// The Jacobian determinant's colour map spans 1 -+ the largest deviation (rounded up), at least
/// this much and at most 1 (0 .. 2: folding and beyond at the ends).
constexpr double kJacobianMinSpan = 0.1;

Rgba mix(const Rgba& a, const Rgba& b, double t) {
  Rgba c;
  for (int i = 0; i < 4; ++i)
    c[std::size_t(i)] =
        std::uint8_t(std::lround(a[std::size_t(i)] * (1 - t) + b[std::size_t(i)] * t));
  return c;
}

/// 256 colours through the given stops (evenly spaced).
std::vector<Rgba> ramp(const std::vector<Rgba>& stops) {
  std::vector<Rgba> out(256);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double f = double(i) / 255.0 * double(stops.size() - 1);
    const std::size_t s = std::min(stops.size() - 2, std::size_t(f));
    out[i] = mix(stops[s], stops[s + 1], f - double(s));
  }
  return out;
}

std::string number(double v, int decimals) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, v);
  return text;
}

/// A round upper bound for a colour map range (1, 2, 5 x 10^n).
double roundUp(double v) {
  if (v <= 0)
    return 1.0;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v)
      return m * p;
  }
  return 10 * p;
}

/// Hot iron for a PET over a grey image: clear in the window's lowest fifth (muscle and bone
/// stay grey, untinted), then dark red, orange, yellow, white at the top.
std::vector<Rgba> hotIron() {
  return ramp({{0, 0, 0, 0},
               {120, 0, 0, 0},
               {190, 20, 0, 170},
               {255, 100, 0, 215},
               {255, 210, 0, 240},
               {255, 255, 255, 255}});
}

} // namespace

const char* const kAsAcquired = QT_TRANSLATE_NOOP("Terms", "as acquired");

const char* toString(FusionMode mode) {
  switch (mode) {
  case FusionMode::Off:
    return "off";
  case FusionMode::Blend:
    return "blend";
  case FusionMode::Checkerboard:
    return "checkerboard";
  case FusionMode::Difference:
    return "difference";
  case FusionMode::Colour:
    return "colour"; // prior magenta, current green
  }
  return "?";
}

const char* toString(RegistrationMap map) {
  switch (map) {
  case RegistrationMap::Off:
    return "off";
  case RegistrationMap::Jacobian:
    return "Jacobian determinant";
  case RegistrationMap::Displacement:
    return "displacement (mm)";
  case RegistrationMap::Quality:
    return "local NCC (alignment quality)";
  }
  return "?";
}

RegistrationController::RegistrationController(ViewerDocument* current, ViewerDocument* prior,
                                               QObject* parent)
    : QObject(parent), current_(current), prior_(prior), poll_(new QTimer(this)) {
  // Progress is read from the registering thread's last report ten times a second; the timer
  // runs only while a registration does (nothing wakes the process at rest).
  poll_->setInterval(100);
  connect(poll_, &QTimer::timeout, this, [this] {
    double fraction;
    std::string stage;
    {
      std::lock_guard<std::mutex> lock(progressMutex_);
      fraction = progressFraction_;
      stage = progressStage_;
    }
    emit progressed(fraction, QString::fromStdString(stage));
  });
}

RegistrationController::~RegistrationController() {
  cancel_ = true;
  joinWorker();
  for (std::thread& t : derivedThreads_) {
    if (t.joinable())
      t.join();
  }
}

void RegistrationController::joinWorker() {
  if (worker_.joinable())
    worker_.join();
  workerDone_ = true;
  poll_->stop();
}

std::string RegistrationController::storagePath() const {
  if (current_->seriesKey().isEmpty() || prior_->seriesKey().isEmpty() || !current_->volume() ||
      !prior_->volume()) {
    return {};
  }
  return pairRegistrationPath(AnnotationStore(AnnotationStore::defaultFolder()),
                              current_->seriesKey().toStdString(),
                              prior_->seriesKey().toStdString());
}

void RegistrationController::dropTransform() {
  ++generation_;
  asAcquired_ = false;
  transform_.reset();
  engine_.clear();
  warped_ = jacobian_ = displacement_ = quality_ = nullptr;
  derivedReady_ = false;
}

bool RegistrationController::pairChanged() {
  if (autoFusion_) { // the fusion a PET/CT pair turned on goes with the pair
    autoFusion_ = false;
    fusion_ = FusionMode::Off;
  }
  if (running()) {
    cancel_ = true;
    joinWorker(); // its result is dropped: the generation moves on below
    emit finished(false, tr("Registration cancelled: another series was opened"));
  }
  dropTransform();
  bool restored = false;
  const std::string path = storagePath();
  if (!path.empty()) {
    try {
      if (const std::optional<PairRegistration> saved = loadPairRegistration(path)) {
        setTransform(saved->transform, QString::fromStdString(saved->engine), saved->seconds,
                     false);
        restored = true;
      }
    } catch (const std::exception& e) {
      emit finished(false, tr("Saved registration not used: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  // The two series of one PET/CT: linked as acquired, in scanner coordinates (the reader can
  // still register them); they are fused at once, the PET in hot iron over the other.
  if (!restored && current_->volume() && prior_->volume()) {
    const ReportSource &c = current_->reportSource(), &p = prior_->reportSource();
    const std::string why =
        asAcquiredReason(*current_->volume(), {c.frameOfReferenceUid, c.patientId},
                         *prior_->volume(), {p.frameOfReferenceUid, p.patientId});
    if (!why.empty()) {
      setTransform(RegistrationTransform{}, kAsAcquired, 0.0, false);
      asAcquired_ = true;
      asAcquiredWhy_ = QString::fromStdString(why);
      if (fusion_ == FusionMode::Off && (petOverCurrent() || petUnderCurrent())) {
        fusion_ = FusionMode::Blend;
        autoFusion_ = true;
        emit overlaysChanged();
      }
      return false;
    }
  }
  if (!restored) {
    emit transformChanged();
    emit overlaysChanged();
  }
  return restored;
}

bool RegistrationController::start(RegistrationEngine engine, unsigned threads) {
  if (running()) {
    emit finished(false, tr("A registration is already running"));
    return false;
  }
  const std::shared_ptr<const Volume> fixed = current_->volume(), moving = prior_->volume();
  if (!fixed || !moving) {
    emit finished(false, tr("Open a current series and a prior (File > Open comparison) first"));
    return false;
  }
  joinWorker();
  cancel_ = false;
  workerDone_ = false;
  {
    std::lock_guard<std::mutex> lock(progressMutex_);
    progressFraction_ = 0.0;
    progressStage_ = "starting";
  }
  const std::uint64_t generation = generation_;
  const QString engineName = registrationEngineName(engine);
  runStart_ = std::chrono::steady_clock::now();
  RegistrationOptions options;
  options.engine = engine;
  options.threads = threads;
  options.progress = [this](double fraction, const std::string& stage) {
    std::lock_guard<std::mutex> lock(progressMutex_);
    progressFraction_ = fraction;
    progressStage_ = stage;
    return !cancel_.load();
  };
  worker_ = std::thread([this, fixed, moving, options, generation, engineName] {
    std::optional<RegistrationResult> result;
    QString error;
    bool cancelled = false;
    try {
      result = registerImagesWithAnyEngine(*fixed, *moving, options);
    } catch (const RegistrationCancelled&) {
      cancelled = true;
    } catch (const std::exception& e) {
      error = e.what();
    }
    workerDone_ = true;
    QMetaObject::invokeMethod(
        this,
        [this, result, error, cancelled, generation, engineName] {
          joinWorker();
          if (generation != generation_)
            return; // the pair changed meanwhile
          if (cancelled) {
            emit finished(false, tr("Registration cancelled"));
            return;
          }
          if (!result) {
            emit finished(false, tr("Registration failed: %1").arg(error));
            return;
          }
          const QString saveError = [&] {
            try {
              setTransform(result->transform, engineName, result->seconds, true);
              return QString();
            } catch (const std::exception& e) {
              return QString::fromUtf8(e.what());
            }
          }();
          QString message = tr("Registered prior to current: %1, %2 s, folding %3 %")
                                .arg(term(engineName))
                                .arg(result->seconds, 0, 'f', 1)
                                .arg(100.0 * result->transform.foldingFraction(), 0, 'f', 2);
          // A stage dropped by the held-back check (issue 26) is said: the reader asked for it.
          for (const RegistrationStage& stage : result->stages) {
            if (!stage.kept) {
              message = tr("%1; %2 stage dropped (%3), the previous stage's result is used")
                            .arg(message, term(QString::fromStdString(stage.name)),
                                 QString::fromStdString(stage.droppedReason));
            }
          }
          if (!saveError.isEmpty()) message = tr("%1 (not saved: %2)").arg(message, saveError);
          emit finished(true, message);
        },
        Qt::QueuedConnection);
  });
  poll_->start();
  emit started();
  emit progressed(0.0, "starting");
  return true;
}

void RegistrationController::cancel() {
  cancel_ = true;
}

void RegistrationController::setTransform(const RegistrationTransform& transform,
                                          const QString& engine, double seconds, bool save) {
  dropTransform();
  transform_ = transform;
  engine_ = engine;
  seconds_ = seconds;
  startDerived();
  emit transformChanged();
  emit overlaysChanged();
  if (save) {
    const std::string path = storagePath();
    if (path.empty())
      return; // a pair without keys (tests' bare documents): nothing to save with
    PairRegistration record;
    record.currentSeries = current_->seriesKey().toStdString();
    record.priorSeries = prior_->seriesKey().toStdString();
    record.engine = engine.toStdString();
    record.createdAt = QDateTime::currentDateTime().toString(Qt::ISODate).toStdString();
    record.seconds = seconds;
    record.foldingFraction = transform.foldingFraction();
    record.transform = transform;
    savePairRegistration(path, record);
  }
}

void RegistrationController::startDerived() {
  const std::shared_ptr<const Volume> fixed = current_->volume(), moving = prior_->volume();
  if (!fixed || !moving || !transform_)
    return;
  const std::uint64_t generation = generation_;
  const RegistrationTransform transform = *transform_;
  derivedThreads_.emplace_back([this, fixed, moving, transform, generation] {
    std::optional<RegistrationMaps> derived;
    QString error;
    try {
      derived = computeRegistrationMaps(*fixed, *moving, transform);
    } catch (const std::exception& e) {
      error = e.what();
    }
    QMetaObject::invokeMethod(
        this,
        [this, derived, error, generation] {
          if (generation != generation_)
            return;
          if (!derived) {
            emit finished(false, tr("Fusion not computed: %1").arg(error));
            return;
          }
          warped_ = derived->warped;
          jacobian_ = derived->jacobian;
          displacement_ = derived->displacement;
          quality_ = derived->quality;
          qualitySummary_ = derived->summary;
          displacementMax_ = derived->displacementMax;
          jacobianDeviation_ = derived->jacobianDeviation;
          derivedReady_ = true;
          emit overlaysChanged();
          if (qualitySummary_.checkAlignment)
            emit finished(true, linkText()); // the warning, in the status bar
        },
        Qt::QueuedConnection);
  });
}

QString RegistrationController::linkText() const {
  if (!prior_->volume())
    return {};
  if (transform_ && engine_ == kAsAcquired) {
    // Two modalities: a local NCC between them says nothing about the alignment.
    return tr("linked as acquired (scanner coordinates, not registered: %1)")
        .arg(term(asAcquiredWhy_));
  }
  if (transform_) {
    const QString engine = term(engine_);
    if (!derivedReady_ || qualitySummary_.boxes == 0)
      return tr("linked through %1 registration").arg(engine);
    // The one number (issue 26): median local NCC of the current and the warped prior.
    if (qualitySummary_.checkAlignment) {
      return tr("linked through %1 registration - check the alignment: quality %2 (below %3)")
          .arg(engine)
          .arg(qualitySummary_.medianLocalNcc, 0, 'f', 2)
          .arg(qualitySummary_.threshold, 0, 'f', 2);
    }
    return tr("linked through %1 registration, quality %2")
        .arg(engine)
        .arg(qualitySummary_.medianLocalNcc, 0, 'f', 2);
  }
  return tr("linked by offset (not registered)");
}

void RegistrationController::setFusionMode(FusionMode mode) {
  autoFusion_ = false; // the reader's choice stays
  if (fusion_ == mode)
    return;
  fusion_ = mode;
  emit overlaysChanged();
}

bool RegistrationController::petOverCurrent() const {
  return prior_->volume() && current_->volume() && isPetUnits(prior_->volume()->units) &&
         !isPetUnits(current_->volume()->units);
}

bool RegistrationController::petUnderCurrent() const {
  return prior_->volume() && current_->volume() && isPetUnits(current_->volume()->units) &&
         !isPetUnits(prior_->volume()->units);
}

void RegistrationController::cycleFusionMode() {
  // A PET with another modality: off and blend (hot iron) are what reads; a difference, a
  // checkerboard or the magenta/green colour of two modalities show nothing more.
  if (petOverCurrent() || petUnderCurrent()) {
    setFusionMode(fusion_ == FusionMode::Off ? FusionMode::Blend : FusionMode::Off);
    return;
  }
  setFusionMode(FusionMode((int(fusion_) + 1) % (int(FusionMode::Colour) + 1)));
}

void RegistrationController::setOpacity(double opacity) {
  opacity = std::clamp(opacity, 0.05, 1.0);
  if (opacity_ == opacity)
    return;
  opacity_ = opacity;
  emit overlaysChanged();
}

void RegistrationController::setSquareMm(double mm) {
  mm = std::clamp(mm, 2.0, 200.0);
  if (squareMm_ == mm)
    return;
  squareMm_ = mm;
  emit overlaysChanged();
}

void RegistrationController::stepStrength(int direction) {
  if (fusion_ == FusionMode::Checkerboard) {
    setSquareMm(std::round(squareMm_ * (direction > 0 ? 1.5 : 1.0 / 1.5)));
  } else {
    setOpacity(std::round((opacity_ + 0.1 * direction) * 100.0) / 100.0);
  }
}

void RegistrationController::setMap(RegistrationMap map) {
  if (map_ == map)
    return;
  map_ = map;
  emit overlaysChanged();
}

void RegistrationController::cycleMap() {
  setMap(RegistrationMap((int(map_) + 1) % (int(RegistrationMap::Quality) + 1)));
}

std::shared_ptr<const Volume> RegistrationController::mapVolume(RegistrationMap map) const {
  switch (map) {
  case RegistrationMap::Jacobian:
    return jacobian_;
  case RegistrationMap::Displacement:
    return displacement_;
  case RegistrationMap::Quality:
    return quality_;
  case RegistrationMap::Off:
    break;
  }
  return nullptr;
}

void RegistrationController::addOverlays(OverlayLayers& overlays) const {
  if (!transform_ || !derivedReady_)
    return;
  if (fusion_ != FusionMode::Off && warped_) {
    FusionLayer layer;
    layer.image = warped_;
    layer.mode = fusion_ == FusionMode::Blend          ? FusionLayer::Mode::Blend
                 : fusion_ == FusionMode::Checkerboard ? FusionLayer::Mode::Checkerboard
                 : fusion_ == FusionMode::Difference   ? FusionLayer::Mode::Difference
                                                       : FusionLayer::Mode::Colour;
    // One grey scale for both when they measure the same (CT in HU, MR of one kind): differences
    // are then the anatomy's, not the windows'. Else the prior's own window.
    const bool sameUnits = prior_->volume() && current_->volume() &&
                           prior_->volume()->units == current_->volume()->units;
    layer.window = sameUnits ? current_->window() : prior_->window();
    layer.opacity = opacity_;
    layer.squareMm = squareMm_;
    // A PET with a CT or MR (blend or colour): hot iron over the PET's own window, with its
    // legend; a PET comparison over the current series, or the current PET over its comparison
    // drawn in grey under it.
    const bool under = petUnderCurrent();
    if ((petOverCurrent() || under) &&
        (fusion_ == FusionMode::Blend || fusion_ == FusionMode::Colour)) {
      layer.mode = under ? FusionLayer::Mode::ColourMapOverImage : FusionLayer::Mode::ColourMap;
      // Under a current PET the CT resampled onto the PET's grid (4-5 mm voxels) would be blurred:
      // linked by the identity (as acquired) the layer samples the CT itself on the shown plane.
      if (under && *transform_ == RegistrationTransform{})
        layer.image = prior_->volume();
      layer.colourMap = hotIron();
      const ViewerDocument* pet = under ? current_ : prior_;
      const WindowLevel petWindow = pet->window();
      ColourLegend legend;
      legend.title = pet->volume()->units;
      legend.colours = layer.colourMap;
      for (Rgba& c : legend.colours)
        c[3] = 255;
      const double lo = petWindow.center - petWindow.width / 2,
                   hi = petWindow.center + petWindow.width / 2;
      const int decimals = petWindow.width <= 10 ? 2 : 1; // 0-3 SUV: 0.75, 1.50, ...
      for (int i = 0; i <= 4; ++i)
        legend.ticks.emplace_back(i / 4.0, number(lo + (hi - lo) * i / 4.0, decimals));
      overlays.fusions.push_back(std::move(layer));
      overlays.legends.push_back(std::move(legend));
    } else {
      overlays.fusions.push_back(std::move(layer));
    }
  }
  const std::shared_ptr<const Volume> values = mapVolume(map_);
  if (!values)
    return;
  FusionLayer layer;
  layer.image = values;
  layer.mode = FusionLayer::Mode::ColourMap;
  layer.opacity = std::max(opacity_, 0.3);
  ColourLegend legend;
  double lo = 0, hi = 1;
  int decimals = 1;
  if (map_ == RegistrationMap::Jacobian) {
    const double span = std::clamp(roundUp(jacobianDeviation_), kJacobianMinSpan, 1.0);
    lo = 1.0 - span;
    hi = 1.0 + span;
    decimals = span < 0.5 ? 2 : 1;
    // Contraction blue, expansion red, no change clear (the anatomy shows through).
    layer.colourMap = ramp({{40, 40, 200, 255},
                            {120, 170, 255, 190},
                            {255, 255, 255, 0},
                            {255, 160, 90, 190},
                            {210, 30, 30, 255}});
    legend.title = tr("Jacobian det.").toStdString();
  } else if (map_ == RegistrationMap::Displacement) {
    hi = roundUp(std::max(displacementMax_, 0.1));
    decimals = hi >= 10 ? 0 : 1;
    layer.colourMap =
        ramp({{0, 0, 0, 255}, {190, 30, 30, 255}, {255, 200, 0, 255}, {255, 255, 255, 255}});
    legend.title = tr("displacement mm").toStdString();
  } else {
    // Local NCC: red where the two disagree (do not trust), fading out where they agree.
    layer.colourMap = ramp({{230, 30, 30, 255}, {255, 200, 0, 200}, {60, 220, 90, 0}});
    legend.title = tr("local NCC").toStdString();
  }
  layer.window = WindowLevel{0.5 * (lo + hi), hi - lo};
  legend.colours = layer.colourMap;
  for (Rgba& c : legend.colours)
    c[3] = 255; // the bar shows every colour, the clear ones too
  for (int i = 0; i <= 4; ++i) {
    legend.ticks.emplace_back(i / 4.0, number(lo + (hi - lo) * i / 4.0, decimals));
  }
  overlays.fusions.push_back(std::move(layer));
  overlays.legends.push_back(std::move(legend));
}

QString RegistrationController::overlayCaption() const {
  if (!transform_ || (fusion_ == FusionMode::Off && map_ == RegistrationMap::Off))
    return {};
  if (!derivedReady_)
    return tr("registration: computing the fusion...");
  QStringList parts;
  if (fusion_ != FusionMode::Off) {
    const QString mode = term(toString(fusion_));
    if (fusion_ == FusionMode::Blend)
      parts << tr("fusion: %1 %2 %").arg(mode).arg(std::lround(opacity_ * 100));
    else if (fusion_ == FusionMode::Checkerboard)
      parts << tr("fusion: %1 %2 mm").arg(mode).arg(squareMm_, 0, 'f', 0);
    else
      parts << tr("fusion: %1").arg(mode);
  }
  if (map_ == RegistrationMap::Jacobian && !jacobian_) {
    parts << tr("Jacobian determinant constant = %1 (%2: no deformation field)")
                 .arg(transform_->determinant(), 0, 'f', 4)
                 .arg(term(engine_));
  } else if (map_ != RegistrationMap::Off) {
    parts << tr("map: %1").arg(term(toString(map_)));
  }
  return parts.join(tr("; "));
}

} // namespace lightbox
