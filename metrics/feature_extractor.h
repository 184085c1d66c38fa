// Pluggable feature extractors for distribution metrics (as MONAI's FIDMetric: metrics take features,
// extractors are separate). Metric names carry the extractor: fd_<name>, kid_<name>.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
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
  // The catalogue id of the Fréchet distance in this space: "fd", or "fid" for pytorch-fid's Inception.
  virtual std::string distance_id() const { return "fd"; }
  // Metric names in this feature space (from the catalogue): the distance, its real floor, and KID.
  std::string distance_metric() const;
  std::string floor_metric() const;
  std::string kid_metric() const;
  // Identifies the feature space for caches: changes when weights or settings change.
  virtual std::string cache_key() const { return name(); }
  // images [N, C, H, W] float32 in [0, 1] -> features [N, D] float32.
  virtual torch::Tensor extract(const torch::Tensor& images) = 0;
  // Images per forward pass: how many a caller that streams from disk should read at a time.
  virtual int64_t batch_size() const { return 256; }
};

// A stand-in feature space that needs no weights: NOT FID and not comparable with published FIDs.
// Per image: an 8x8 area-downsampled grey image (layout), a 16-bin intensity histogram (contrast),
// an 8-bin gradient-magnitude histogram (edges and noise), and per-channel mean and std.
class HandcraftedExtractor : public FeatureExtractor {
 public:
  std::string name() const override { return "handcrafted"; }
  std::string description() const override;
  int64_t dims(int64_t channels) const override;
  torch::Tensor extract(const torch::Tensor& images) override;
};

// Settings an extractor may need; each extractor reads what concerns it.
struct ExtractorOptions {
  std::filesystem::path inception_weights;  // FID Inception safetensors; empty = $GANBENCH_FID_WEIGHTS
  int64_t inception_dims = 2048;            // 64, 192, 768 or 2048 (pytorch-fid's taps)
  int64_t batch_size = 0;  // images per forward pass; 0 = the extractor's default (Inception: inception_batch)
  c10::Device device = c10::kCPU;
};

// The extractor cannot run here (e.g. no weights file); the message is a one-line hint.
class ExtractorUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using ExtractorFactory = std::function<std::unique_ptr<FeatureExtractor>(const ExtractorOptions&)>;
struct ExtractorEntry {
  std::string description;         // one line for `ganbench list metrics`
  std::string distance_id = "fd";  // as FeatureExtractor::distance_id(), known without building it
  ExtractorFactory create;
};
void register_feature_extractor(const std::string& name, ExtractorEntry entry);
// Throws std::invalid_argument listing valid names.
const ExtractorEntry& find_feature_extractor(const std::string& name);
// Throws std::invalid_argument listing valid names; ExtractorUnavailable when it cannot run here. A name
// "<extractor>-<plane>" (plane: axial, coronal, sagittal) gives that extractor on volume slices.
std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& name,
                                                         const ExtractorOptions& opts = {});
std::vector<std::string> feature_extractor_names();
void register_builtin_feature_extractors();

// Streams `images` through `ex` in batches of `batch` into mean/covariance.
FeatureStats extract_stats(FeatureExtractor& ex, const torch::Tensor& images, int64_t batch = 256);
// [N, D] tensor -> double matrix, for KID.
Eigen::MatrixXd to_eigen(const torch::Tensor& feats);

}  // namespace ganbench
