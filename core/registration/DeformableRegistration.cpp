// SPDX-License-Identifier: Apache-2.0
// The deformable (B-spline) stage. The only translation unit with ITK's B-spline registration.
#include "core/registration/DeformableRegistration.h"
#include "core/registration/ItkConversion.h"

#include <itkAffineTransform.h>
#include <itkBSplineTransform.h>
#include <itkBSplineTransformInitializer.h>
#include <itkBSplineTransformParametersAdaptor.h>
#include <itkCommand.h>
#include <itkImageFileWriter.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkLBFGSBOptimizerv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
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
using MetricType = itk::MattesMutualInformationImageToImageMetricv4<ImageType, ImageType>;
using OptimizerType = itk::LBFGSBOptimizerv4;
using RegistrationType = itk::ImageRegistrationMethodv4<ImageType, ImageType, BSplineType>;

constexpr int kLevels = 3;
constexpr unsigned kShrink[kLevels] = {4, 2, 1};
constexpr double kSmoothingVoxels[kLevels] = {2, 1, 0};

class IterationObserver : public itk::Command {
public:
  ITK_DISALLOW_COPY_AND_MOVE(IterationObserver);
  using Self = IterationObserver;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

  const RegistrationType* registration = nullptr;
  RegistrationStage* stage = nullptr;
  const std::function<void(const std::string&, int, unsigned)>* onIteration = nullptr;

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    Execute(static_cast<const itk::Object*>(caller), event);
  }
  void Execute(const itk::Object* caller, const itk::EventObject& event) override {
    if (!itk::IterationEvent().CheckEvent(&event)) return;
    const auto* optimizer = static_cast<const OptimizerType*>(caller);
    const int level = std::min<int>(int(registration->GetCurrentLevel()), kLevels - 1);
    RegistrationLevel& l = stage->levels[std::size_t(level)];
    l.iterations = unsigned(optimizer->GetCurrentIteration()) + 1;
    l.metric = optimizer->GetCurrentMetricValue();
    if (onIteration && *onIteration) (*onIteration)("deformable", level, l.iterations);
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
  const ImageType::Pointer fixed = detail::toItkFloat(fixedVolume);
  const ImageType::Pointer moving = detail::toItkFloat(movingVolume);

  // The coarsest control grid over the fixed image; each level doubles it (4x, 2x, 1x the final
  // spacing), as elastix's and ANTs' multi-level B-splines do.
  BSplineType::MeshSizeType finalMesh;
  for (unsigned a = 0; a < 3; ++a) {
    const double extent = double(fixedVolume.geometry.size[a]) * fixedVolume.geometry.spacing[a];
    finalMesh[a] = std::max<unsigned>(1, unsigned(std::lround(extent / options.finalGridSpacingMm)));
  }
  BSplineType::MeshSizeType coarseMesh;
  for (unsigned a = 0; a < 3; ++a) coarseMesh[a] = std::max<unsigned>(1, (finalMesh[a] + 2) / 4);

  auto bspline = BSplineType::New();
  using InitializerType = itk::BSplineTransformInitializer<BSplineType, ImageType>;
  auto initializer = InitializerType::New();
  initializer->SetTransform(bspline);
  initializer->SetImage(fixed);
  initializer->SetTransformDomainMeshSize(coarseMesh);
  initializer->InitializeTransform();
  bspline->SetIdentity();

  auto metric = MetricType::New();
  metric->SetNumberOfHistogramBins(32);
  if (options.threads > 0) metric->SetMaximumNumberOfWorkUnits(options.threads);

  auto optimizer = OptimizerType::New();
  optimizer->SetGradientConvergenceTolerance(1e-6);
  optimizer->SetCostFunctionConvergenceFactor(1e7);
  optimizer->SetNumberOfIterations(options.iterations);
  optimizer->SetMaximumNumberOfFunctionEvaluations(options.iterations * 2);
  optimizer->SetMaximumNumberOfCorrections(7);
  optimizer->SetTrace(false);

  auto registration = RegistrationType::New();
  registration->SetFixedImage(fixed);
  registration->SetMovingImage(moving);
  registration->SetMetric(metric);
  registration->SetOptimizer(optimizer);
  registration->SetInitialTransform(bspline);
  registration->SetMovingInitialTransform(toItkAffine(affine));
  registration->InPlaceOn();
  if (options.threads > 0) registration->SetNumberOfWorkUnits(options.threads);

  RegistrationType::ShrinkFactorsArrayType shrink(kLevels);
  RegistrationType::SmoothingSigmasArrayType sigmas(kLevels);
  RegistrationType::MetricSamplingPercentageArrayType percentages(kLevels);
  RegistrationType::TransformParametersAdaptorsContainerType adaptors;
  const double voxels = double(fixedVolume.geometry.voxelCount());
  for (int l = 0; l < kLevels; ++l) {
    shrink[l] = kShrink[l];
    sigmas[l] = kSmoothingVoxels[l];
    const double levelVoxels = voxels / std::pow(double(kShrink[l]), 3.0);
    percentages[l] = std::clamp(double(options.samplesPerLevel) / std::max(levelVoxels, 1.0), 0.001, 1.0);
    BSplineType::MeshSizeType mesh;
    for (unsigned a = 0; a < 3; ++a) mesh[a] = coarseMesh[a] << unsigned(l);
    using AdaptorType = itk::BSplineTransformParametersAdaptor<BSplineType>;
    auto adaptor = AdaptorType::New();
    adaptor->SetTransform(bspline);
    adaptor->SetRequiredTransformDomainOrigin(bspline->GetTransformDomainOrigin());
    adaptor->SetRequiredTransformDomainPhysicalDimensions(bspline->GetTransformDomainPhysicalDimensions());
    adaptor->SetRequiredTransformDomainDirection(bspline->GetTransformDomainDirection());
    adaptor->SetRequiredTransformDomainMeshSize(mesh);
    adaptors.push_back(adaptor);
  }
  registration->SetNumberOfLevels(kLevels);
  registration->SetShrinkFactorsPerLevel(shrink);
  registration->SetSmoothingSigmasPerLevel(sigmas);
  registration->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(false);
  registration->SetMetricSamplingStrategy(RegistrationType::MetricSamplingStrategyType::RANDOM);
  registration->SetMetricSamplingPercentagePerLevel(percentages);
  registration->MetricSamplingReinitializeSeed(int(options.seed));
  registration->SetTransformParametersAdaptorsPerLevel(adaptors);

  RegistrationStage stage;
  stage.name = "deformable";
  stage.levels.resize(kLevels);
  for (int l = 0; l < kLevels; ++l) {
    stage.levels[std::size_t(l)].level = l;
    stage.levels[std::size_t(l)].shrink = int(kShrink[l]);
  }
  auto observer = IterationObserver::New();
  observer->registration = registration.GetPointer();
  observer->stage = &stage;
  observer->onIteration = &options.onIteration;
  optimizer->AddObserver(itk::IterationEvent(), observer);
  // L-BFGS-B needs its bound arrays sized to each level's parameters: set them as each level starts.
  auto sizeBounds = itk::CStyleCommand::New();
  // The event comes before the level's adaptor resizes the transform: size from the level's mesh.
  struct BoundsContext {
    RegistrationType* registration;
    OptimizerType* optimizer;
    unsigned parameters[kLevels];
  } context{registration.GetPointer(), optimizer.GetPointer(), {}};
  for (int l = 0; l < kLevels; ++l) {
    unsigned n = 3;
    for (unsigned a = 0; a < 3; ++a) n *= (coarseMesh[a] << unsigned(l)) + BSplineType::SplineOrder;
    context.parameters[l] = n;
  }
  sizeBounds->SetClientData(&context);
  sizeBounds->SetCallback([](itk::Object*, const itk::EventObject& event, void* data) {
    if (!itk::MultiResolutionIterationEvent().CheckEvent(&event)) return;
    auto* c = static_cast<BoundsContext*>(data);
    const unsigned n = c->parameters[std::min<unsigned>(unsigned(c->registration->GetCurrentLevel()), kLevels - 1)];
    OptimizerType::BoundSelectionType select(n);
    select.Fill(0);
    OptimizerType::BoundValueType value(n);
    value.Fill(0.0);
    c->optimizer->SetBoundSelection(select);
    c->optimizer->SetLowerBound(value);
    c->optimizer->SetUpperBound(value);
  });
  registration->AddObserver(itk::MultiResolutionIterationEvent(), sizeBounds);
  try {
    registration->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error("deformable registration failed: " + std::string(e.GetDescription()));
  }

  // Sample u(p) = bspline(p) - p on the field grid.
  const BSplineType* result = registration->GetTransform();
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
        const auto q = result->TransformPoint(point);
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
  using VectorImage = itk::Image<itk::Vector<float, 3>, 3>;
  auto image = VectorImage::New();
  VectorImage::RegionType region;
  VectorImage::SpacingType spacing;
  VectorImage::PointType origin;
  VectorImage::DirectionType direction;
  const VolumeGeometry& g = field.grid;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, g.size[a]);
    spacing[a] = g.spacing[a];
    origin[a] = g.origin[a];
    for (unsigned r = 0; r < 3; ++r) direction(r, a) = g.direction[a][r];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
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
