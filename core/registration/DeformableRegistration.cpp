// SPDX-License-Identifier: Apache-2.0
// The deformable (B-spline) stage. The only translation unit with ITK's B-spline transform.
//
// elastix's recipe (Klein et al., IEEE TMI 2007 and 2009), written here because ITK 5.2 has neither
// of its two parts in a usable form: Mattes mutual information on a few thousand fixed-image
// voxels drawn anew at every iteration, and adaptive stochastic gradient descent. ITK's v3 Mattes
// metric draws its samples once (then L-BFGS-B over a fixed sample set fits that set's noise: this
// engine ended at 0.79-0.81 mm mean TRE where elastix reached 0.21 on a 20 mm chest-CT deformation); its
// v4 metric fills a dense Jacobian of every control point for every sample (13 minutes, 3 GB on a
// 141-slice CT). The prior is sampled once per point, at affine(T(x)), in its own voxels (a prior
// resampled through the affine first and interpolated again was blurred by the double
// interpolation: 0.52 mm instead of 0.34 on a brain MR).
#include "core/registration/DeformableRegistration.h"

#include "core/io/ImageFileIO.h"
#include "core/registration/ItkConversion.h"
#include "core/util/ParallelFor.h"
#include "core/volume/Trilinear.h"

#include <itkBSplineTransform.h>
#include <itkBSplineTransformInitializer.h>
#include <itkBSplineTransformParametersAdaptor.h>
#include <itkImageFileWriter.h>
#include <itkVector.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lightbox {
namespace {

using ImageType = detail::ItkFloatImage;
using BSplineType = itk::BSplineTransform<double, 3, 3>;
constexpr int kLevels = kDeformableLevels;
/// Physical sample spacing of each level's images (mm); 0: the fixed image's own voxels. The last
/// level at the image's own resolution: on a 0.56 mm contrast CT a last level at 1.1 mm ended at
/// 0.22 mm mean TRE, at the voxels themselves 0.13.
constexpr double kLevelSpacingMm[kLevels] = {8.0, 4.0, 2.0, 0.0};

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

/// A float image's voxels with the physical <-> index maps, for the optimiser's inner loop.
struct SampledImage {
  const float* data = nullptr;
  long size[3] = {0, 0, 0};
  double origin[3] = {0, 0, 0};
  double toIndex[3][3] = {}; ///< continuous index = toIndex (p - origin)
  double toPhysical[3][3] = {}; ///< p = origin + toPhysical index
  float minimum = 0.0F, maximum = 0.0F;

  explicit SampledImage(const ImageType* image) {
    data = image->GetBufferPointer();
    const auto& s = image->GetLargestPossibleRegion().GetSize();
    for (unsigned a = 0; a < 3; ++a) {
      size[a] = long(s[a]);
      origin[a] = image->GetOrigin()[a];
    }
    const auto& d = image->GetDirection();
    const auto& sp = image->GetSpacing();
    // toPhysical = D S; toIndex = S^-1 D^T (D orthonormal)
    for (unsigned r = 0; r < 3; ++r) {
      for (unsigned c = 0; c < 3; ++c) {
        toPhysical[r][c] = d(r, c) * sp[c];
        toIndex[r][c] = d(c, r) / sp[r];
      }
    }
    const std::size_t n = std::size_t(size[0]) * std::size_t(size[1]) * std::size_t(size[2]);
    const auto range = std::minmax_element(data, data + n);
    minimum = *range.first;
    maximum = *range.second;
  }

  void physical(long i, long j, long k, double p[3]) const {
    for (unsigned r = 0; r < 3; ++r) {
      p[r] = origin[r] + toPhysical[r][0] * double(i) + toPhysical[r][1] * double(j) + toPhysical[r][2] * double(k);
    }
  }

  /// Trilinear value and its physical gradient at p; false outside the voxel centres' box.
  bool valueAndGradient(const double p[3], double& value, double gradient[3]) const {
    double c[3];
    for (unsigned r = 0; r < 3; ++r) {
      const double q0 = p[0] - origin[0], q1 = p[1] - origin[1], q2 = p[2] - origin[2];
      c[r] = toIndex[r][0] * q0 + toIndex[r][1] * q1 + toIndex[r][2] * q2;
    }
    for (unsigned a = 0; a < 3; ++a) {
      if (!(c[a] >= 0.0) || c[a] > double(size[a] - 1) || size[a] < 2) return false;
    }
    double d[3];
    value = trilinearInside(data, std::size_t(size[0]), std::size_t(size[1]), std::size_t(size[2]), c, d);
    const double dx = d[0], dy = d[1], dz = d[2];
    // d value / d p = toIndex^T d value / d index
    for (unsigned r = 0; r < 3; ++r) gradient[r] = toIndex[0][r] * dx + toIndex[1][r] * dy + toIndex[2][r] * dz;
    return true;
  }
};

double cubicBSpline(double u) {
  const double a = std::abs(u);
  if (a < 1.0) return (4.0 - 6.0 * a * a + 3.0 * a * a * a) / 6.0;
  if (a < 2.0) return (2.0 - a) * (2.0 - a) * (2.0 - a) / 6.0;
  return 0.0;
}

double cubicBSplineDerivative(double u) {
  const double a = std::abs(u);
  if (a < 1.0) return -2.0 * u + 1.5 * u * a;
  if (a < 2.0) return u > 0 ? -0.5 * (2.0 - a) * (2.0 - a) : 0.5 * (2.0 - a) * (2.0 - a);
  return 0.0;
}

/// Mattes mutual information of the fixed image and the moving image through `bspline` on a
/// random set of fixed voxels, and its gradient with respect to the B-spline parameters (the
/// sparse form: 64 control points per sample). Parzen windows as ITK's Mattes metric: zero order
/// for the fixed image, cubic for the moving, 32 bins over each image's range with 2 bins padding.
class StochasticMattes {
public:
  static constexpr int kBins = 32;
  static constexpr int kPadding = 2;

  StochasticMattes(const SampledImage& fixed, const SampledImage& moving, const BSplineType* bspline,
                   const RegistrationTransform& affine, unsigned threads)
      : fixed_(fixed), moving_(moving), bspline_(bspline), affine_(affine), threads_(std::max(1u, threads)) {
    fixedBin_ = std::max(1e-6, double(fixed.maximum - fixed.minimum) / double(kBins - 2 * kPadding));
    movingBin_ = std::max(1e-6, double(moving.maximum - moving.minimum) / double(kBins - 2 * kPadding));
    fixedMin_ = double(fixed.minimum) / fixedBin_ - kPadding;
    movingMin_ = double(moving.minimum) / movingBin_ - kPadding;
    perDimension_ = bspline->GetNumberOfParametersPerDimension();
  }

  /// Draws `count` fixed voxels with `random`, returns -MI (lower is better) and fills `gradient`
  /// (its size the transform's parameter count) with d(-MI)/d parameters. NaN when fewer than 16
  /// samples map inside the moving image.
  double valueAndGradient(std::mt19937_64& random, unsigned count, std::vector<double>& gradient) {
    samples_.resize(count);
    std::uniform_int_distribution<long> pick[3] = {std::uniform_int_distribution<long>(0, fixed_.size[0] - 1),
                                                   std::uniform_int_distribution<long>(0, fixed_.size[1] - 1),
                                                   std::uniform_int_distribution<long>(0, fixed_.size[2] - 1)};
    for (Sample& s : samples_) {
      for (unsigned a = 0; a < 3; ++a) s.index[a] = pick[a](random);
    }
    // Pass 1 (threads): map each sample, its moving value and gradient, B-spline weights.
    const auto ranges = split(count);
    parallelFor(ranges.size(), threads_, [this, &ranges](std::size_t r) {
      const std::size_t begin = ranges[r].first, end = ranges[r].second;
      BSplineType::WeightsType weights(64);
      BSplineType::ParameterIndexArrayType indices(64);
      for (std::size_t n = begin; n < end; ++n) {
        Sample& s = samples_[n];
        s.valid = false;
        BSplineType::InputPointType x;
        double p[3];
        fixed_.physical(s.index[0], s.index[1], s.index[2], p);
        for (unsigned a = 0; a < 3; ++a) x[a] = p[a];
        BSplineType::OutputPointType y;
        bool inside = false;
        bspline_->TransformPoint(x, y, weights, indices, inside);
        if (!inside) continue;
        // The prior is sampled once, at affine(T(x)); its gradient is taken back through the affine.
        double q[3];
        for (unsigned r = 0; r < 3; ++r) {
          q[r] = affine_.translation[r] + affine_.matrix[r][0] * y[0] + affine_.matrix[r][1] * y[1] +
                 affine_.matrix[r][2] * y[2];
        }
        double value = 0.0, g[3];
        if (!moving_.valueAndGradient(q, value, g)) continue;
        for (unsigned c = 0; c < 3; ++c) {
          s.gradient[c] = affine_.matrix[0][c] * g[0] + affine_.matrix[1][c] * g[1] + affine_.matrix[2][c] * g[2];
        }
        const float f = fixed_.data[std::size_t(s.index[0]) +
                                    std::size_t(fixed_.size[0]) *
                                        (std::size_t(s.index[1]) + std::size_t(fixed_.size[1]) * std::size_t(s.index[2]))];
        s.fixedBin = std::clamp(int(std::floor(double(f) / fixedBin_ - fixedMin_)), kPadding, kBins - kPadding - 1);
        s.movingTerm = std::clamp(value / movingBin_ - movingMin_, double(kPadding), double(kBins - kPadding) - 1e-9);
        for (unsigned w = 0; w < 64; ++w) {
          s.weights[w] = weights[w];
          s.nodes[w] = unsigned(indices[w]);
        }
        s.valid = true;
      }
    });
    // The joint histogram (Parzen windowed).
    std::vector<double> joint(kBins * kBins, 0.0);
    std::size_t valid = 0;
    for (const Sample& s : samples_) {
      if (!s.valid) continue;
      ++valid;
      const int k0 = int(s.movingTerm) - 1;
      for (int k = k0; k < k0 + 4; ++k) joint[std::size_t(s.fixedBin * kBins + k)] += cubicBSpline(double(k) - s.movingTerm);
    }
    if (valid < 16) return std::numeric_limits<double>::quiet_NaN();
    const double alpha = 1.0 / double(valid);
    std::vector<double> fixedMarginal(kBins, 0.0), movingMarginal(kBins, 0.0);
    for (int i = 0; i < kBins; ++i) {
      for (int k = 0; k < kBins; ++k) {
        double& p = joint[std::size_t(i * kBins + k)];
        p *= alpha;
        fixedMarginal[std::size_t(i)] += p;
        movingMarginal[std::size_t(k)] += p;
      }
    }
    double mi = 0.0;
    std::vector<double> logRatio(kBins * kBins, 0.0); // log p(i, k) / p_M(k)
    for (int i = 0; i < kBins; ++i) {
      for (int k = 0; k < kBins; ++k) {
        const double p = joint[std::size_t(i * kBins + k)];
        if (p <= 1e-16) continue;
        logRatio[std::size_t(i * kBins + k)] = std::log(p / movingMarginal[std::size_t(k)]);
        mi += p * std::log(p / (fixedMarginal[std::size_t(i)] * movingMarginal[std::size_t(k)]));
      }
    }
    // Pass 2 (threads): d(-MI)/d mu = alpha / movingBin * sum_x sum_k B3'(k - m') L(i_x, k) grad M . dT/d mu
    const std::size_t parameters = 3 * perDimension_;
    partial_.resize(ranges.size());
    parallelFor(ranges.size(), threads_, [&](std::size_t t) {
      std::vector<double>& g = partial_[t];
      g.assign(parameters, 0.0);
      for (std::size_t n = ranges[t].first; n < ranges[t].second; ++n) {
        const Sample& s = samples_[n];
        if (!s.valid) continue;
        const int k0 = int(s.movingTerm) - 1;
        double c = 0.0;
        for (int k = k0; k < k0 + 4; ++k) {
          c += cubicBSplineDerivative(double(k) - s.movingTerm) * logRatio[std::size_t(s.fixedBin * kBins + k)];
        }
        c *= alpha / movingBin_;
        if (c == 0.0) continue;
        for (unsigned w = 0; w < 64; ++w) {
          const double cw = c * s.weights[w];
          const std::size_t node = s.nodes[w];
          g[node] += cw * s.gradient[0];
          g[node + perDimension_] += cw * s.gradient[1];
          g[node + 2 * perDimension_] += cw * s.gradient[2];
        }
      }
    });
    gradient.assign(parameters, 0.0);
    for (std::size_t t = 0; t < ranges.size(); ++t) {
      for (std::size_t j = 0; j < parameters; ++j) gradient[j] += partial_[t][j];
    }
    return -mi;
  }

private:
  struct Sample {
    long index[3];
    bool valid;
    int fixedBin;
    double movingTerm;
    double gradient[3];
    double weights[64];
    unsigned nodes[64];
  };

  std::vector<std::pair<std::size_t, std::size_t>> split(std::size_t count) const {
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    const std::size_t n = std::min<std::size_t>(threads_, std::max<std::size_t>(1, count / 256));
    for (std::size_t t = 0; t < n; ++t) ranges.emplace_back(count * t / n, count * (t + 1) / n);
    return ranges;
  }

  const SampledImage& fixed_;
  const SampledImage& moving_;
  const BSplineType* bspline_;
  const RegistrationTransform& affine_;
  unsigned threads_;
  double fixedBin_ = 1.0, movingBin_ = 1.0, fixedMin_ = 0.0, movingMin_ = 0.0;
  std::size_t perDimension_ = 0;
  std::vector<Sample> samples_;
  std::vector<std::vector<double>> partial_;
};

/// Adaptive stochastic gradient descent (Klein et al. 2009, elastix's ASGD): step
/// a / (t + A), where the time t grows when successive gradients point against each other
/// and shrinks when they agree (elastix's sigmoid of their inner product, here of their cosine with
/// omega 0.1 instead of a noise-estimated omega); a chosen so that the first step moves no control
/// point more than `maxStepMm` (the mean of the largest gradient component over a few sample sets).
struct AsgdResult {
  unsigned iterations = 0;
  double metric = 0.0; ///< mean -MI over the last iterations
};

AsgdResult optimiseAsgd(StochasticMattes& metric, BSplineType* bspline, unsigned iterations, unsigned samples,
                        double maxStepMm, std::uint64_t seed,
                        const std::function<void(unsigned)>& onIteration) {
  // alpha 1 (Klein 2009's ASGD; 0.602 is plain SPSA's): the gain falls fast enough that the last
  // iterations stop wandering with the sample noise (0.19 -> 0.11 mm mean TRE on a contrast CT).
  constexpr double kA = 20.0, kAlpha = 1.0, kFmax = 1.0, kFmin = -0.8, kOmega = 0.1;
  std::mt19937_64 random(seed);
  BSplineType::ParametersType mu = bspline->GetParameters();
  const std::size_t n = mu.GetSize();
  std::vector<double> g, previous;
  double largest = 0.0;
  int estimates = 0;
  for (int e = 0; e < 5; ++e) {
    const double value = metric.valueAndGradient(random, samples, g);
    if (!std::isfinite(value)) continue;
    double m = 0.0;
    for (double v : g) m = std::max(m, std::abs(v));
    largest += m;
    ++estimates;
  }
  AsgdResult result;
  if (estimates == 0 || largest <= 0.0) return result;
  largest /= estimates;
  const double a = maxStepMm * std::pow(kA, kAlpha) / largest;
  double time = 0.0, metricSum = 0.0;
  unsigned metricCount = 0;
  for (unsigned k = 0; k < iterations; ++k) {
    const double value = metric.valueAndGradient(random, samples, g);
    if (!std::isfinite(value)) break;
    if (k + 50 >= iterations) {
      metricSum += value;
      ++metricCount;
    }
    if (!previous.empty()) {
      double dot = 0.0, na = 0.0, nb = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        dot += g[j] * previous[j];
        na += g[j] * g[j];
        nb += previous[j] * previous[j];
      }
      const double x = na > 0 && nb > 0 ? -dot / std::sqrt(na * nb) : 0.0;
      const double f = kFmin + (kFmax - kFmin) / (1.0 - (kFmax / kFmin) * std::exp(-x / kOmega));
      time = std::max(0.0, time + f);
    }
    const double gain = a / std::pow(time + kA, kAlpha);
    for (std::size_t j = 0; j < n; ++j) mu[j] -= gain * g[j];
    bspline->SetParameters(mu);
    previous.swap(g);
    result.iterations = k + 1;
    if (onIteration) onIteration(k + 1);
  }
  result.metric = metricCount > 0 ? metricSum / metricCount : 0.0;
  return result;
}

} // namespace

RegistrationTransform registerBSpline(const Volume& fixedVolume, const Volume& movingVolume,
                                      const RegistrationTransform& affine, const DeformableOptions& options,
                                      RegistrationStage* stageOut) {
  const auto t0 = std::chrono::steady_clock::now();
  const ImageType::Pointer fixedFull = detail::toItkFloat(fixedVolume);
  const ImageType::Pointer movingFull = detail::toItkFloat(movingVolume);
  const unsigned threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // The first steps move a control point by about a voxel at most (elastix's default maximum step
  // length; the gain is set from the first gradients, later ones may be larger).
  double meanSpacing = 0.0;
  for (unsigned a = 0; a < 3; ++a) meanSpacing += fixedVolume.geometry.spacing[a] / 3.0;
  const double maxStepMm = std::clamp(meanSpacing, 0.5, 2.0);

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
  stage.levels.resize(kLevels);

  for (int l = 0; l < kLevels; ++l) {
    RegistrationLevel& level = stage.levels[std::size_t(l)];
    level.level = l;
    const ImageType::Pointer fixed = detail::downsample(fixedFull, kLevelSpacingMm[l], options.threads);
    const ImageType::Pointer moving = detail::downsample(movingFull, kLevelSpacingMm[l], options.threads);
    for (unsigned a = 0; a < 3; ++a) {
      level.shrink = std::max(level.shrink, int(std::lround(fixed->GetSpacing()[a] / fixedFull->GetSpacing()[a])));
    }
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
      // The previous level's field on the finer control grid (ITK's B-spline refinement: exact when
      // the mesh doubles, a least-squares fit when halving rounded an odd mesh down).
      using AdaptorType = itk::BSplineTransformParametersAdaptor<BSplineType>;
      auto adaptor = AdaptorType::New();
      adaptor->SetTransform(bspline);
      adaptor->SetRequiredTransformDomainOrigin(bspline->GetTransformDomainOrigin());
      adaptor->SetRequiredTransformDomainPhysicalDimensions(bspline->GetTransformDomainPhysicalDimensions());
      adaptor->SetRequiredTransformDomainDirection(bspline->GetTransformDomainDirection());
      adaptor->SetRequiredTransformDomainMeshSize(mesh);
      adaptor->AdaptTransformParameters();
    }
    const SampledImage fixedSampled(fixed.GetPointer()), movingSampled(moving.GetPointer());
    StochasticMattes mattes(fixedSampled, movingSampled, bspline.GetPointer(), affine, threads);
    const AsgdResult r = optimiseAsgd(mattes, bspline.GetPointer(), options.iterations, options.samples, maxStepMm,
                                      std::uint64_t(options.seed) * 31 + std::uint64_t(l), [&](unsigned k) {
                                        level.iterations = k;
                                        if (options.onIteration) options.onIteration("deformable", l, k);
                                      });
    level.iterations = r.iterations;
    level.metric = r.metric;
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
