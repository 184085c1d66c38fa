#include "metrics/feature_extractor.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "common/registry.h"
#include "metrics/inception_extractor.h"
#include "metrics/metric_catalogue.h"
#include "metrics/slice_extractor.h"

namespace ganbench {
namespace {
constexpr int64_t kLayoutSide = 8;      // downsampled grey image side, px
constexpr int64_t kIntensityBins = 16;  // histogram bins over [0, 1]
constexpr int64_t kGradientBins = 8;    // histogram bins over gradient magnitude [0, kGradientMax]
constexpr double kGradientMax = 0.5;    // upper edge of the last gradient bin (larger values land in it)

// Per-row histogram of values in [0, hi], as fractions; [N, P] -> [N, bins].
torch::Tensor row_histogram(const torch::Tensor& v, int64_t bins, double hi) {
  auto idx = (v / hi * bins).floor().clamp(0, bins - 1).to(torch::kInt64);
  auto h = torch::zeros({v.size(0), bins}, v.options());
  h.scatter_add_(1, idx, torch::ones_like(v));
  return h / static_cast<double>(v.size(1));
}

Registry<ExtractorEntry>& extractor_registry() {
  static Registry<ExtractorEntry> reg("feature extractor");
  return reg;
}
}  // namespace

std::string HandcraftedExtractor::description() const {
  return "stand-in (not FID): 8x8 layout + intensity and gradient histograms + channel moments";
}

int64_t HandcraftedExtractor::dims(int64_t channels) const {
  return kLayoutSide * kLayoutSide + kIntensityBins + kGradientBins + 2 * channels;
}

torch::Tensor HandcraftedExtractor::extract(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(2) >= kLayoutSide && images.size(3) >= kLayoutSide,
              "handcrafted features: images must be [N, C, H, W] with H, W >= ", kLayoutSide, ", got ",
              images.sizes());
  torch::NoGradGuard no_grad;
  auto x = images.to(torch::kFloat32);
  const int64_t n = x.size(0);
  auto grey = x.mean(1, true);
  auto layout = torch::adaptive_avg_pool2d(grey, {kLayoutSide, kLayoutSide}).reshape({n, -1});
  auto flat = grey.reshape({n, -1});
  auto gx = grey.slice(3, 1) - grey.slice(3, 0, -1);
  auto gy = grey.slice(2, 1) - grey.slice(2, 0, -1);
  auto grad = torch::sqrt(gx.slice(2, 0, -1).pow(2) + gy.slice(3, 0, -1).pow(2)).reshape({n, -1});
  auto moments = torch::cat({x.mean({2, 3}), x.std({2, 3})}, 1);
  return torch::cat({layout, row_histogram(flat, kIntensityBins, 1.0),
                     row_histogram(grad, kGradientBins, kGradientMax), moments},
                    1)
      .contiguous();
}

std::string FeatureExtractor::distance_metric() const {
  register_builtin_metrics();
  return metric_name(distance_id(), {{"space", name()}});
}
std::string FeatureExtractor::floor_metric() const {
  register_builtin_metrics();
  return metric_name(distance_id() + "_real_floor", {{"space", name()}});
}
std::string FeatureExtractor::kid_metric() const {
  register_builtin_metrics();
  return metric_name("kid", {{"space", name()}});
}

void register_feature_extractor(const std::string& name, ExtractorEntry entry) {
  if (!entry.create) throw std::logic_error(fmt::format("feature extractor '{}' has no factory", name));
  extractor_registry().add(name, std::move(entry));
}

const ExtractorEntry& find_feature_extractor(const std::string& name) {
  return extractor_registry().find(name);
}

std::vector<std::string> feature_extractor_names() { return extractor_registry().names(); }

std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& name,
                                                         const ExtractorOptions& opts) {
  // "<extractor>-<plane>": the extractor on every slice of that plane of volumes.
  if (const auto sp = split_slice_space(name))
    return std::make_unique<SliceExtractor>(find_feature_extractor(sp->first).create(opts), sp->second);
  return find_feature_extractor(name).create(opts);
}

void register_builtin_feature_extractors() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_feature_extractor(
        "handcrafted", {HandcraftedExtractor().description(), "fd",
                        [](const ExtractorOptions&) { return std::make_unique<HandcraftedExtractor>(); }});
    register_feature_extractor("inception",
                               {"pytorch-fid's Inception-v3 (FID weights file needed)", "fid",
                                [](const ExtractorOptions& o) -> std::unique_ptr<FeatureExtractor> {
                                  return std::make_unique<InceptionExtractor>(o);
                                }});
  });
}

FeatureStats extract_stats(FeatureExtractor& ex, const torch::Tensor& images, int64_t batch) {
  TORCH_CHECK(images.dim() == 4 || images.dim() == 5,
              "extract_stats: images must be [N, C, H, W] (volumes [N, C, D, H, W]), got ", images.sizes());
  FeatureAccumulator acc(ex.dims(images.size(1)));
  for (int64_t i = 0; i < images.size(0); i += batch) {
    auto f = ex.extract(images.slice(0, i, std::min(i + batch, images.size(0))))
                 .to(torch::kCPU, torch::kFloat64)
                 .contiguous();
    acc.add(f.data_ptr<double>(), f.size(0));
  }
  return acc.finish();
}

Eigen::MatrixXd to_eigen(const torch::Tensor& feats) {
  TORCH_CHECK(feats.dim() == 2, "to_eigen: features must be [N, D], got ", feats.sizes());
  auto f = feats.to(torch::kCPU, torch::kFloat64).contiguous();
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      f.data_ptr<double>(), f.size(0), f.size(1));
}

}  // namespace ganbench
