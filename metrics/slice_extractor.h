// Slice-wise ("2.5-D") features of volumes: a 2-D feature extractor applied to every axial, coronal or
// sagittal slice, so that FID and the other distances compare the slice populations of real and generated
// volumes per plane, and their mean over the planes: the slice FID that 3-D synthesis papers report. There is
// no reference implementation to match; ganbench's choices (every slice, volumes pooled) are in docs/metrics.md.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/feature_extractor.h"

namespace ganbench {

// axial (fixed z, the depth axis), coronal (fixed y), sagittal (fixed x).
const std::vector<std::string>& slice_planes();
// Volumes [N, C, D, H, W] -> every slice of `plane` as images [N * S, C, S, S], volume by volume.
// Throws std::invalid_argument for an unknown plane or a tensor that is not 5-D.
torch::Tensor volume_slices(const torch::Tensor& volumes, const std::string& plane);

// Wraps a 2-D extractor: extract() takes volumes and returns one feature row per slice of its plane.
class SliceExtractor : public FeatureExtractor {
 public:
  SliceExtractor(std::unique_ptr<FeatureExtractor> inner, std::string plane);
  std::string name() const override { return inner_->name() + "-" + plane_; }  // e.g. handcrafted-axial
  std::string description() const override;
  int64_t dims(int64_t channels) const override { return inner_->dims(channels); }
  std::string distance_id() const override { return inner_->distance_id(); }
  std::string cache_key() const override { return inner_->cache_key() + "-" + plane_; }
  torch::Tensor extract(const torch::Tensor& volumes) override;
  int64_t batch_size() const override { return 1; }  // volumes per call: each brings S slices

 private:
  std::unique_ptr<FeatureExtractor> inner_;
  std::string plane_;
};

// "handcrafted-axial" -> {"handcrafted", "axial"}; nullopt for a name without a plane suffix.
std::optional<std::pair<std::string, std::string>> split_slice_space(const std::string& space);
// The feature spaces a sweep scores: its extractors as they are for images (dims 2); for volumes (dims 3) each
// extractor once per plane.
std::vector<std::string> scoring_spaces(const std::vector<std::string>& extractors, int64_t dims);

}  // namespace ganbench
