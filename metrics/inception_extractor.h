// FID features: pytorch-fid's InceptionV3 taps (64, 192, 768 or 2048 dims) behind the extractor interface.
#pragma once

#include <filesystem>
#include <string>

#include "metrics/feature_extractor.h"
#include "metrics/fid_weights.h"
#include "metrics/inception.h"

namespace ganbench {

// Inception's default batch on `device`: on a GPU 256 (fills it; TF32 off, features as on the CPU); on the CPU
// the largest that keeps `ganbench fid`'s peak RSS under kInceptionRssBudgetMiB, from the measured cost
// (about 460 MiB for the process and weights, 29 MiB per image in flight at 299 px, float32), at most
// pytorch-fid's 50. A constant, not a function of the moment's memory, so runs stay reproducible.
int64_t inception_batch(const c10::Device& device);

class InceptionExtractor : public FeatureExtractor {
 public:
  // Loads the weights (see resolve_fid_weights); throws std::runtime_error for a malformed file.
  explicit InceptionExtractor(const ExtractorOptions& opts);
  std::string name() const override { return "inception"; }
  std::string description() const override;
  int64_t dims(int64_t) const override { return dims_; }
  std::string distance_id() const override { return "fid"; }
  std::string cache_key() const override { return cache_key_; }
  const FidWeightsChoice& weights() const { return weights_; }
  // Images [N, 1 or 3, H, W] in [0, 1] (grey is repeated to RGB) -> [N, dims] on the CPU, in batches.
  torch::Tensor extract(const torch::Tensor& images) override;
  int64_t batch_size() const override { return batch_; }

 private:
  FidInceptionV3 model_;
  int64_t dims_, batch_;
  int block_;
  c10::Device device_;
  std::string cache_key_;
  FidWeightsChoice weights_;
};

}  // namespace ganbench
