// SPDX-License-Identifier: Apache-2.0
// The deformable (B-spline) stage. The only translation unit with ITK's B-spline registration.
//
// ITK's v3 registration framework on purpose: its Mattes metric has the sparse B-spline path
// (64 weights per sample, cached, no explicit joint-PDF derivatives), while the v4 metric fills a
// dense Jacobian of every control point for every sample and a bins x bins x parameters PDF
// derivative array: on the 141-slice chest CT that ran for over 13 minutes in 3 GB. The affine
// part is applied by resampling the prior onto the working grid once (prior = affine(p + u(p))).
#include "core/registration/DeformableRegistration.h"

#include "core/io/ImageFileIO.h"
#include "core/registration/ItkConversion.h"

#include <itkAffineTransform.h>
#include <itkBSplineTransform.h>
#include <itkBSplineTransformInitializer.h>
#include <itkBSplineTransformParametersAdaptor.h>
#include <itkCommand.h>
#include <itkImageFileWriter.h>
#include <itkImageRegistrationMethod.h>
#include <itkLBFGSBOptimizer.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkMattesMutualInformationImageToImageMetric.h>
#include <itkResampleImageFilter.h>
#include <itkVector.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace lightbox {
namespace {

using ImageType = detail::ItkFloatImage;
using BSplineType = itk::BSplineTransform<double, 3, 3>;
using AffineType = itk::AffineTransform<double, 3>;
using MetricType = itk::MattesMutualInformationImageToImageMetric<ImageType, ImageType>;
using OptimizerType = itk::LBFGSBOptimizer;
using RegistrationType = itk::ImageRegistrationMethod<ImageType, ImageType>;
using InterpolatorType = itk::LinearInterpolateImageFunction<ImageType, double>;

constexpr int kLevels = 3;
/// Physical sample spacing of each level's images (mm): the field is smooth (control points 16 mm
/// apart at the finest level), so 2 mm images carry all it needs.
constexpr double kLevelSpacingMm[kLevels] = {8.0, 4.0, 2.0};

class IterationObserver : public itk::Command {
public:
  ITK_DISALLOW_COPY_AND_MOVE(IterationObserver);
  using Self = IterationObserver;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

  RegistrationLevel* level = nullptr;
  const std::function<void(const std::string&, int, unsigned)>* onIteration = nullptr;

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    Execute(static_cast<const itk::Object*>(caller), event);
  }
  void Execute(const itk::Object* caller, const itk::EventObject& event) override {
    if (!itk::IterationEvent().CheckEvent(&event)) return;
    const auto* optimizer = static_cast<const OptimizerType*>(caller);
    level->iterations = unsigned(optimizer->GetCurrentIteration());
    level->metric = optimizer->GetValue();
    if (onIteration && *onIteration) (*onIteration)("deformable", level->level, level->iterations);
  }

protected:
  IterationObserver() = default;
};

AffineType::Pointer toItkAffine(const RegistrationTransform& t) {
  auto affine = AffineType::New();
  AffineType::MatrixType m;
  AffineType::OutputVectorType translation;
  for (unsigned r = 0; r < 3; ++r) {
    for (unsigned c = 0; c < 3; ++c) m(r, c) = t.matrix[r][c];
    translation[r] = t.translation[r];
  }
  affine->SetMatrix(m); // centre (0, 0, 0): the translation is the offset
  affine->SetTranslation(translation);
  return affine;
}

/// The prior through the affine part, on `grid`'s geometry (linear; 0 outside).
/// Outside the prior the value is the prior's minimum (air in CT, background in MR), not 0: a 0 HU
/// frame would be an edge the metric tries to match.
ImageType::Pointer warpPrior(ImageType* moving, const AffineType* affine, const ImageType* grid, float outside,
                             unsigned threads) {
  auto resample = itk::ResampleImageFilter<ImageType, ImageType>::New();
  resample->SetInput(moving);
  resample->SetTransform(affine);
  resample->SetOutputParametersFromImage(grid);
  resample->SetDefaultPixelValue(outside);
  if (threads > 0) resample->SetNumberOfWorkUnits(threads);
  resample->Update();
  return resample->GetOutput();
}

/// The grid of the stored field: the fixed image's box and axes, spacing at least spacingMm.
VolumeGeometry fieldGrid(const VolumeGeometry& fixed, double spacingMm) {
  VolumeGeometry g = fixed;
  for (int a = 0; a < 3; ++a) {
    const double extent = double(fixed.size[a] - 1) * fixed.spacing[a];
    const double spacing = std::max(fixed.spacing[a], spacingMm);
    const std::size_t n = std::size_t(std::ceil(extent / spacing)) + 1;
    g.size[a] = std::max<std::size_t>(n, 2);
    g.spacing[a] = n > 1 ? extent / double(n - 1) : spacing;
    if (g.spacing[a] <= 0) g.spacing[a] = spacing;
  }
  return g;
}

} // namespace

RegistrationTransform registerBSpline(const Volume& fixedVolume, const Volume& movingVolume,
                                      const RegistrationTransform& affine, const DeformableOptions& options,
                                      RegistrationStage* stageOut) {
  const auto t0 = std::chrono::steady_clock::now();
  const ImageType::Pointer fixedFull = detail::toItkFloat(fixedVolume);
  const ImageType::Pointer movingFull = detail::toItkFloat(movingVolume);
  const AffineType::Pointer affineItk = toItkAffine(affine);
  const float outside = float(movingVolume.range().first);

  // Control grids over the fixed image: the finest has finalGridSpacingMm, each coarser level
  // half as many intervals per axis (as elastix's and ANTs' multi-level B-splines).
  BSplineType::MeshSizeType finalMesh;
  for (unsigned a = 0; a < 3; ++a) {
    const double extent = double(fixedVolume.geometry.size[a]) * fixedVolume.geometry.spacing[a];
    finalMesh[a] = std::max<unsigned>(1, unsigned(std::lround(extent / options.finalGridSpacingMm)));
  }
  auto bspline = BSplineType::New();
  RegistrationStage stage;
  stage.name = "deformable";
  for (int l = 0; l < kLevels; ++l) {
    RegistrationLevel level;
    level.level = l;
    level.shrink = int(std::lround(kLevelSpacingMm[l] / kLevelSpacingMm[kLevels - 1]));
    stage.levels.push_back(level);
  }

  for (int l = 0; l < kLevels; ++l) {
    const ImageType::Pointer fixed = detail::downsample(fixedFull, kLevelSpacingMm[l], options.threads);
    const ImageType::Pointer moving = warpPrior(detail::downsample(movingFull, kLevelSpacingMm[l], options.threads),
                                                affineItk, fixed, outside, options.threads);
    BSplineType::MeshSizeType mesh;
    for (unsigned a = 0; a < 3; ++a) mesh[a] = std::max<unsigned>(1, finalMesh[a] >> unsigned(kLevels - 1 - l));
    if (l == 0) {
      using InitializerType = itk::BSplineTransformInitializer<BSplineType, ImageType>;
      auto initializer = InitializerType::New();
      initializer->SetTransform(bspline);
      initializer->SetImage(fixedFull);
      initializer->SetTransformDomainMeshSize(mesh);
      initializer->InitializeTransform();
      bspline->SetIdentity();
    } else {
      // The previous level's field on the finer control grid (exact: B-spline refinement).
      using AdaptorType = itk::BSplineTransformParametersAdaptor<BSplineType>;
      auto adaptor = AdaptorType::New();
      adaptor->SetTransform(bspline);
      adaptor->SetRequiredTransformDomainOrigin(bspline->GetTransformDomainOrigin());
      adaptor->SetRequiredTransformDomainPhysicalDimensions(bspline->GetTransformDomainPhysicalDimensions());
      adaptor->SetRequiredTransformDomainDirection(bspline->GetTransformDomainDirection());
      adaptor->SetRequiredTransformDomainMeshSize(mesh);
      adaptor->AdaptTransformParameters();
    }
    const unsigned parameters = bspline->GetNumberOfParameters();

    auto metric = MetricType::New();
    metric->SetNumberOfHistogramBins(32);
    const std::size_t voxels = fixed->GetLargestPossibleRegion().GetNumberOfPixels();
    const std::size_t wanted = std::clamp<std::size_t>(5 * std::size_t(parameters), options.samplesPerLevel,
                                                       std::max(options.samplesPerLevel, options.maxSamplesPerLevel));
    metric->SetNumberOfSpatialSamples(std::min(wanted, voxels));
    metric->SetUseCachingOfBSplineWeights(true);
    metric->SetUseExplicitPDFDerivatives(false); // the sparse path for many parameters
    metric->ReinitializeSeed(int(options.seed) + l);
    if (options.threads > 0) metric->SetNumberOfWorkUnits(options.threads);

    auto optimizer = OptimizerType::New();
    OptimizerType::BoundSelectionType select(parameters);
    select.Fill(0); // unbounded
    OptimizerType::BoundValueType bound(parameters);
    bound.Fill(0.0);
    optimizer->SetBoundSelection(select);
    optimizer->SetLowerBound(bound);
    optimizer->SetUpperBound(bound);
    optimizer->SetCostFunctionConvergenceFactor(1e7);
    optimizer->SetProjectedGradientTolerance(1e-6);
    optimizer->SetMaximumNumberOfIterations(options.iterations);
    optimizer->SetMaximumNumberOfEvaluations(options.iterations * 2);
    optimizer->SetMaximumNumberOfCorrections(7);
    optimizer->SetTrace(false);
    auto observer = IterationObserver::New();
    observer->level = &stage.levels[std::size_t(l)];
    observer->onIteration = &options.onIteration;
    optimizer->AddObserver(itk::IterationEvent(), observer);

    auto registration = RegistrationType::New();
    registration->SetFixedImage(fixed);
    registration->SetMovingImage(moving);
    registration->SetFixedImageRegion(fixed->GetBufferedRegion());
    registration->SetMetric(metric);
    registration->SetOptimizer(optimizer);
    registration->SetInterpolator(InterpolatorType::New());
    registration->SetTransform(bspline);
    registration->SetInitialTransformParameters(bspline->GetParameters());
    if (options.threads > 0) registration->SetNumberOfWorkUnits(options.threads);
    try {
      registration->Update();
    } catch (const itk::ExceptionObject& e) {
      throw std::runtime_error("deformable registration failed at level " + std::to_string(l) + ": " +
                               std::string(e.GetDescription()));
    }
    bspline->SetParameters(registration->GetLastTransformParameters());
    stage.levels[std::size_t(l)].metric = optimizer->GetValue();
  }

  // Sample u(p) = bspline(p) - p on the field grid.
  auto field = std::make_shared<DisplacementField>();
  field->grid = fieldGrid(fixedVolume.geometry, options.fieldSpacingMm);
  field->vectors.resize(3 * field->grid.voxelCount());
  std::size_t n = 0;
  for (std::size_t k = 0; k < field->grid.size[2]; ++k) {
    for (std::size_t j = 0; j < field->grid.size[1]; ++j) {
      for (std::size_t i = 0; i < field->grid.size[0]; ++i, n += 3) {
        const Vec3 p = field->grid.ijkToLps({double(i), double(j), double(k)});
        BSplineType::InputPointType point;
        for (unsigned a = 0; a < 3; ++a) point[a] = p[a];
        const auto q = bspline->TransformPoint(point);
        for (unsigned a = 0; a < 3; ++a) field->vectors[n + a] = float(q[a] - p[a]);
      }
    }
  }
  RegistrationTransform out = affine;
  out.field = std::move(field);
  stage.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (stageOut) *stageOut = stage;
  return out;
}

void writeDisplacementFieldImage(const DisplacementField& field, const std::string& path) {
  registerImageIoFactories(); // the inputs may have been DICOM: no reader registered them yet
  using VectorImage = itk::Image<itk::Vector<float, 3>, 3>;
  auto image = VectorImage::New();
  const VolumeGeometry& g = field.grid;
  detail::allocateOnGrid(image.GetPointer(), g);
  auto* out = image->GetBufferPointer();
  for (std::size_t n = 0; n < g.voxelCount(); ++n) {
    for (unsigned a = 0; a < 3; ++a) out[n][a] = field.vectors[3 * n + a];
  }
  auto writer = itk::ImageFileWriter<VectorImage>::New();
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->UseCompressionOn();
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw TransformFileError("cannot write " + path + ": " + std::string(e.GetDescription()));
  }
}

} // namespace lightbox
