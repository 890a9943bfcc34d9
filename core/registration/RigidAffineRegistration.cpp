// SPDX-License-Identifier: Apache-2.0
// The only file that includes ITK's registration headers. ITK's registration transform maps
// points of the fixed image's physical space to the moving image's (both LPS), which is exactly
// RegistrationTransform's currentLpsToPriorLps: the matrix and offset are copied unchanged.
#include "core/registration/RigidAffineRegistration.h"
#include "core/registration/ItkConversion.h"
#include "core/registration/StageGate.h"

#include <itkAffineTransform.h>
#include <itkCenteredTransformInitializer.h>
#include <itkCommand.h>
#include <itkImage.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>
#include <itkShrinkImageFilter.h>
#include <itkSmoothingRecursiveGaussianImageFilter.h>
#include <itkVersorRigid3DTransform.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace lightbox {
namespace {

using ImageType = detail::ItkFloatImage;
using MetricType = itk::MattesMutualInformationImageToImageMetricv4<ImageType, ImageType>;
using OptimizerType = itk::RegularStepGradientDescentOptimizerv4<double>;
using RigidType = itk::VersorRigid3DTransform<double>;
using AffineType = itk::AffineTransform<double, 3>;

constexpr int kLevels = 3;
constexpr double kFinestSpacingMm = 2.0;
constexpr unsigned kShrink[kLevels] = {4, 2, 1};

} // namespace

namespace detail {

ItkFloatImage::Pointer toItkFloat(const Volume& volume) {
  const VolumeGeometry& g = volume.geometry;
  auto image = ItkFloatImage::New();
  allocateOnGrid(image.GetPointer(), g);
  float* out = image->GetBufferPointer();
  for (std::size_t n = 0; n < g.voxelCount(); ++n) out[n] = float(volume.value(n));
  return image;
}

ItkFloatImage::Pointer blockAverage(const Volume& volume, double spacingMm, unsigned threads) {
  const VolumeGeometry& g = volume.geometry;
  std::array<std::size_t, 3> f{};
  VolumeGeometry out = g;
  for (int a = 0; a < 3; ++a) {
    f[a] = std::max<std::size_t>(1, std::size_t(std::lround(spacingMm / g.spacing[a])));
    out.size[a] = (g.size[a] + f[a] - 1) / f[a];
    out.spacing[a] = g.spacing[a] * double(f[a]);
  }
  out.origin = g.ijkToLps({(double(f[0]) - 1) / 2, (double(f[1]) - 1) / 2, (double(f[2]) - 1) / 2});
  auto image = ItkFloatImage::New();
  allocateOnGrid(image.GetPointer(), out);
  float* dst = image->GetBufferPointer();
  const auto work = [&](std::size_t z0, std::size_t z1) {
    std::vector<double> sum(out.size[0] * out.size[1]);
    std::vector<unsigned> count(sum.size());
    for (std::size_t oz = z0; oz < z1; ++oz) {
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(count.begin(), count.end(), 0u);
      for (std::size_t k = oz * f[2]; k < std::min(g.size[2], (oz + 1) * f[2]); ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
          const std::size_t row = (j / f[1]) * out.size[0];
          const std::size_t base = g.size[0] * (j + g.size[1] * k);
          for (std::size_t i = 0; i < g.size[0]; ++i) {
            sum[row + i / f[0]] += volume.value(base + i);
            ++count[row + i / f[0]];
          }
        }
      }
      float* slice = dst + oz * sum.size();
      for (std::size_t n = 0; n < sum.size(); ++n) slice[n] = count[n] ? float(sum[n] / count[n]) : 0.0f;
    }
  };
  const unsigned n = std::max(1u, std::min(threads ? threads : std::thread::hardware_concurrency(), 16u));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t) {
    const std::size_t a = out.size[2] * t / n, b = out.size[2] * (t + 1) / n;
    if (a < b) pool.emplace_back(work, a, b);
  }
  for (std::thread& t : pool) t.join();
  return image;
}

ItkFloatImage::Pointer downsample(ItkFloatImage* image, double spacingMm, unsigned threads) {
  using ImageType = ItkFloatImage;
  itk::FixedArray<unsigned, 3> factors;
  bool any = false;
  for (unsigned a = 0; a < 3; ++a) {
    factors[a] = std::max(1u, unsigned(std::lround(spacingMm / image->GetSpacing()[a])));
    any = any || factors[a] > 1;
  }
  if (!any) return image;
  using SmoothType = itk::SmoothingRecursiveGaussianImageFilter<ImageType, ImageType>;
  auto smooth = SmoothType::New();
  smooth->SetInput(image);
  SmoothType::SigmaArrayType sigma;
  for (unsigned a = 0; a < 3; ++a) sigma[a] = factors[a] > 1 ? 0.5 * factors[a] * image->GetSpacing()[a] : 0.01;
  smooth->SetSigmaArray(sigma);
  if (threads > 0) smooth->SetNumberOfWorkUnits(threads);
  auto shrink = itk::ShrinkImageFilter<ImageType, ImageType>::New();
  shrink->SetInput(smooth->GetOutput());
  shrink->SetShrinkFactors(factors);
  if (threads > 0) shrink->SetNumberOfWorkUnits(threads);
  shrink->Update();
  return shrink->GetOutput();
}

} // namespace detail

namespace {

/// Records, per level, the last iteration's count and metric value.
class LevelObserver : public itk::Command {
public:
  ITK_DISALLOW_COPY_AND_MOVE(LevelObserver);
  using Self = LevelObserver;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

  std::function<unsigned()> currentLevel;
  std::vector<RegistrationLevel>* levels = nullptr;
  std::string stage;
  const std::function<void(const std::string&, int, unsigned)>* onIteration = nullptr;

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    Execute(static_cast<const itk::Object*>(caller), event);
  }
  void Execute(const itk::Object* caller, const itk::EventObject& event) override {
    if (!itk::IterationEvent().CheckEvent(&event)) return;
    const auto* optimizer = static_cast<const OptimizerType*>(caller);
    const unsigned level = std::min<unsigned>(currentLevel(), kLevels - 1);
    RegistrationLevel& l = (*levels)[level];
    l.iterations = unsigned(optimizer->GetCurrentIteration()) + 1;
    l.metric = optimizer->GetCurrentMetricValue();
    if (onIteration && *onIteration) (*onIteration)(stage, int(level), l.iterations);
  }

protected:
  LevelObserver() = default;
};

/// The images of every level, coarsest first: built once, shared by the rigid and affine stages
/// (ImageRegistrationMethodv4 would smooth and shrink both images again per level and stage).
struct Pyramid {
  std::array<ImageType::Pointer, kLevels> fixed, moving;
};

Pyramid buildPyramid(const Volume& fixed, const Volume& moving, unsigned threads) {
  Pyramid p;
  p.fixed[kLevels - 1] = detail::blockAverage(fixed, kFinestSpacingMm, threads);
  p.moving[kLevels - 1] = detail::blockAverage(moving, kFinestSpacingMm, threads);
  // Each coarser level from the next finer one (smoothing the 2 mm image twice cost 1.7 s of a
  // 10 s rigid run on the 141-slice CT).
  for (int l = kLevels - 2; l >= 0; --l) {
    const double spacing = kFinestSpacingMm * double(kShrink[l]);
    p.fixed[l] = detail::downsample(p.fixed[l + 1], spacing, threads);
    p.moving[l] = detail::downsample(p.moving[l + 1], spacing, threads);
  }
  return p;
}

template <typename TransformType>
RegistrationStage runStage(const std::string& name, const Pyramid& pyramid, typename TransformType::Pointer transform,
                           const RigidAffineOptions& options, double learningRate) {
  using RegistrationType = itk::ImageRegistrationMethodv4<ImageType, ImageType, TransformType>;
  const auto t0 = std::chrono::steady_clock::now();
  RegistrationStage stage;
  stage.name = name;
  stage.levels.resize(kLevels);
  for (int l = 0; l < kLevels; ++l) {
    stage.levels[l].level = l;
    stage.levels[l].shrink = int(kShrink[l]);
    auto metric = MetricType::New();
    metric->SetNumberOfHistogramBins(50);
    // Gradients at the sample points only (central differences), not a gradient image of every
    // voxel: 24 bytes a voxel for a few thousand samples.
    metric->SetUseMovingImageGradientFilter(false);
    metric->SetUseFixedImageGradientFilter(false);
    if (options.threads > 0) metric->SetMaximumNumberOfWorkUnits(options.threads);
    auto optimizer = OptimizerType::New();
    auto registration = RegistrationType::New();
    registration->SetFixedImage(pyramid.fixed[l]);
    registration->SetMovingImage(pyramid.moving[l]);
    registration->SetMetric(metric);
    registration->SetOptimizer(optimizer);
    registration->SetInitialTransform(transform);
    registration->InPlaceOn(); // the transform carries over to the next level and stage
    if (options.threads > 0) registration->SetNumberOfWorkUnits(options.threads);

    // Scales: rotations (versor) or matrix entries (affine) are unitless, translations are mm; a
    // radian moves a point ~100 mm near the image edge.
    const unsigned n = transform->GetNumberOfParameters();
    OptimizerType::ScalesType scales(n);
    scales.Fill(1.0);
    for (unsigned p = n - 3; p < n; ++p) scales[p] = 1.0 / 100.0 / 100.0;
    optimizer->SetScales(scales);
    optimizer->SetLearningRate(learningRate);
    optimizer->SetMinimumStepLength(1e-3);
    optimizer->SetRelaxationFactor(0.5);
    optimizer->SetNumberOfIterations(options.iterations);
    optimizer->SetGradientMagnitudeTolerance(1e-8);
    optimizer->SetReturnBestParametersAndValue(true);
    if (options.threads > 0) optimizer->SetNumberOfWorkUnits(options.threads);

    registration->SetNumberOfLevels(1);
    typename RegistrationType::ShrinkFactorsArrayType shrink(1);
    shrink.Fill(1);
    typename RegistrationType::SmoothingSigmasArrayType sigmas(1);
    sigmas.Fill(0.0);
    registration->SetShrinkFactorsPerLevel(shrink);
    registration->SetSmoothingSigmasPerLevel(sigmas);
    registration->SetMetricSamplingStrategy(RegistrationType::MetricSamplingStrategyType::RANDOM);
    typename RegistrationType::MetricSamplingPercentageArrayType percentages(1);
    const double voxels = double(pyramid.fixed[l]->GetLargestPossibleRegion().GetNumberOfPixels());
    percentages[0] = std::clamp(std::min(options.samplingFraction, double(options.maxSamplesPerLevel) / voxels), 1e-4, 1.0);
    registration->SetMetricSamplingPercentagePerLevel(percentages);
    registration->MetricSamplingReinitializeSeed(int(options.seed) + l);

    auto observer = LevelObserver::New();
    observer->levels = &stage.levels;
    observer->stage = name;
    observer->onIteration = &options.onIteration;
    observer->currentLevel = [l] { return unsigned(l); };
    optimizer->AddObserver(itk::IterationEvent(), observer);
    try {
      registration->Update();
    } catch (const itk::ExceptionObject& e) {
      throw std::runtime_error(name + " registration failed: " + std::string(e.GetDescription()));
    }
  }
  stage.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stage;
}

template <typename T>
RegistrationTransform fromItk(const T& transform) {
  RegistrationTransform out;
  const auto matrix = transform.GetMatrix();
  const auto offset = transform.GetOffset();
  for (unsigned r = 0; r < 3; ++r) {
    for (unsigned c = 0; c < 3; ++c) out.matrix[r][c] = matrix(r, c);
    out.translation[r] = offset[r];
  }
  return out;
}

} // namespace

RegistrationResult registerRigidAffine(const Volume& fixedVolume, const Volume& movingVolume,
                                       const RigidAffineOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  // The finest level works on images of about 2 mm: a rigid or affine fit needs no more (the
  // interpolation is sub-voxel), and a 512 x 512 CT at full resolution costs 4x the time per level.
  const Pyramid pyramid = buildPyramid(fixedVolume, movingVolume, options.threads);
  ImageType* fixed = pyramid.fixed[kLevels - 1];
  ImageType* moving = pyramid.moving[kLevels - 1];

  auto rigid = RigidType::New();
  if (options.init == RegistrationInit::Identity) {
    // Rotate about the fixed image's centre; no translation: the patient coordinates are trusted.
    const VolumeGeometry& g = fixedVolume.geometry;
    const Vec3 centre = g.ijkToLps({(g.size[0] - 1) / 2.0, (g.size[1] - 1) / 2.0, (g.size[2] - 1) / 2.0});
    RigidType::CenterType c;
    for (unsigned a = 0; a < 3; ++a) c[a] = centre[a];
    rigid->SetCenter(c);
  } else {
    using InitializerType = itk::CenteredTransformInitializer<RigidType, ImageType, ImageType>;
    auto initializer = InitializerType::New();
    initializer->SetTransform(rigid);
    initializer->SetFixedImage(fixed);
    initializer->SetMovingImage(moving);
    if (options.init == RegistrationInit::Moments) {
      initializer->MomentsOn();
    } else {
      initializer->GeometryOn();
    }
    initializer->InitializeTransform();
  }

  RegistrationResult result;
  // First step 0.1: with the scales above (1 per versor component, 1e-4 per mm) that is about 10 mm
  // of motion - one voxel of the coarsest level (shrink 4) of a typical series. Larger first steps
  // let the optimizer wander along the flat rotation valley of a symmetric object.
  result.stages.push_back(runStage<RigidType>("rigid", pyramid, rigid, options, 0.1));
  result.transform = fromItk(*rigid);
  if (options.affine) {
    auto affine = AffineType::New();
    affine->SetCenter(rigid->GetCenter());
    affine->SetMatrix(rigid->GetMatrix());
    affine->SetTranslation(rigid->GetTranslation());
    // A smaller first step than the rigid stage's: a matrix entry of 0.1 already moves a point
    // 100 mm from the centre by 10 mm.
    result.stages.push_back(runStage<AffineType>("affine", pyramid, affine, options, 0.1));
    const double rigidMetric = result.stages[0].levels.back().metric;
    const double affineMetric = result.stages[1].levels.back().metric;
    if (affineMetric <= rigidMetric) {
      // Better by the optimiser's own metric; kept only if held-back points agree (issue 26).
      result.transform = options.checkStages ? gateStage(fixedVolume, movingVolume, result.transform,
                                                         fromItk(*affine), result.stages[1])
                                             : fromItk(*affine);
    } else {
      // Mattes MI is minimised: an affine that ends worse than the rigid fit is not used (said in
      // the stage, and in registration.json).
      result.stages[1].kept = false;
      result.stages[1].droppedReason = "its metric ended worse than the rigid stage's";
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

Volume resampleMoving(const Volume& moving, const VolumeGeometry& fixedGrid, const RegistrationTransform& transform) {
  Volume out;
  out.geometry = fixedGrid;
  out.units = moving.units;
  std::vector<float> voxels(fixedGrid.voxelCount(), 0.0f);
  const auto& ms = moving.geometry.size;
  const auto at = [&](long i, long j, long k) {
    return moving.value(std::size_t(i), std::size_t(j), std::size_t(k));
  };
  std::size_t n = 0;
  for (std::size_t k = 0; k < fixedGrid.size[2]; ++k) {
    for (std::size_t j = 0; j < fixedGrid.size[1]; ++j) {
      for (std::size_t i = 0; i < fixedGrid.size[0]; ++i, ++n) {
        const Vec3 ijk = moving.geometry.lpsToIjk(transform.apply(fixedGrid.ijkToLps({double(i), double(j), double(k)})));
        long base[3];
        double frac[3];
        bool inside = true;
        for (int a = 0; a < 3; ++a) {
          // Points within half a voxel of the edge clamp to it; beyond that the value is 0.
          if (ijk[a] < -0.5 || ijk[a] > double(ms[a]) - 0.5) inside = false;
          const double c = std::clamp(ijk[a], 0.0, double(ms[a] - 1));
          base[a] = std::min(long(std::floor(c)), long(ms[a]) - 2 < 0 ? 0 : long(ms[a]) - 2);
          frac[a] = ms[a] > 1 ? c - double(base[a]) : 0.0;
        }
        if (!inside) continue;
        double v = 0.0;
        for (int dz = 0; dz < 2; ++dz) {
          for (int dy = 0; dy < 2; ++dy) {
            for (int dx = 0; dx < 2; ++dx) {
              const double w = (dx ? frac[0] : 1 - frac[0]) * (dy ? frac[1] : 1 - frac[1]) * (dz ? frac[2] : 1 - frac[2]);
              if (w == 0.0) continue;
              v += w * at(base[0] + dx, base[1] + dy, base[2] + dz);
            }
          }
        }
        voxels[n] = float(v);
      }
    }
  }
  out.voxels = std::move(voxels);
  return out;
}

} // namespace lightbox
