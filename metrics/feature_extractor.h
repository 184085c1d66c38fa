// Pluggable feature extractors for distribution metrics (as MONAI's FIDMetric: metrics take features,
// extractors are separate). Metric names carry the extractor: fd_<name>, kid_<name>.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "metrics/feature_stats.h"

namespace ganbench {

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  virtual std::string name() const = 0;         // e.g. "handcrafted"; metric names are fd_<name>
  virtual std::string description() const = 0;  // one line for `ganbench list metrics`
  virtual int64_t dims(int64_t channels) const = 0;
  // images [N, C, H, W] float32 in [0, 1] -> features [N, D] float32.
  virtual torch::Tensor extract(const torch::Tensor& images) = 0;
};

// A stand-in until the Inception extractor exists: NOT FID and not comparable with published FIDs.
// Per image: an 8x8 area-downsampled grey image (layout), a 16-bin intensity histogram (contrast),
// an 8-bin gradient-magnitude histogram (edges and noise), and per-channel mean and std.
class HandcraftedExtractor : public FeatureExtractor {
 public:
  std::string name() const override { return "handcrafted"; }
  std::string description() const override;
  int64_t dims(int64_t channels) const override;
  torch::Tensor extract(const torch::Tensor& images) override;
};

using ExtractorFactory = std::function<std::unique_ptr<FeatureExtractor>()>;
void register_feature_extractor(const std::string& name, ExtractorFactory factory);
std::unique_ptr<FeatureExtractor> make_feature_extractor(
    const std::string& name);  // throws listing valid names
std::vector<std::string> feature_extractor_names();
void register_builtin_feature_extractors();

// Streams `images` through `ex` in batches of `batch` into mean/covariance.
FeatureStats extract_stats(FeatureExtractor& ex, const torch::Tensor& images, int64_t batch = 256);
// [N, D] tensor -> double matrix, for KID.
Eigen::MatrixXd to_eigen(const torch::Tensor& feats);

}  // namespace ganbench
