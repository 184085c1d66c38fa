#include "metrics/slice_extractor.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

namespace ganbench {

const std::vector<std::string>& slice_planes() {
  static const std::vector<std::string> planes = {"axial", "coronal", "sagittal"};
  return planes;
}

torch::Tensor volume_slices(const torch::Tensor& v, const std::string& plane) {
  if (!v.defined() || v.dim() != 5)
    throw std::invalid_argument(fmt::format("volume slices: need volumes [N, C, D, H, W], got {} dims",
                                            v.defined() ? v.dim() : 0));
  const auto& planes = slice_planes();
  const auto it = std::find(planes.begin(), planes.end(), plane);
  if (it == planes.end())
    throw std::invalid_argument(fmt::format("unknown slice plane '{}'; valid: axial, coronal, sagittal", plane));
  const int64_t axis = 2 + (it - planes.begin());  // the axis held fixed: D, H or W
  std::vector<int64_t> order{0, axis, 1};
  for (int64_t a = 2; a < 5; ++a)
    if (a != axis) order.push_back(a);
  const auto p = v.permute(order);  // [N, S, C, a, b]
  return p.reshape({v.size(0) * v.size(axis), v.size(1), p.size(3), p.size(4)});
}

SliceExtractor::SliceExtractor(std::unique_ptr<FeatureExtractor> inner, std::string plane)
    : inner_(std::move(inner)), plane_(std::move(plane)) {
  const auto& planes = slice_planes();
  if (std::find(planes.begin(), planes.end(), plane_) == planes.end())
    throw std::invalid_argument(fmt::format("unknown slice plane '{}'; valid: axial, coronal, sagittal", plane_));
}

std::string SliceExtractor::description() const {
  return fmt::format("{} on every {} slice of each volume", inner_->name(), plane_);
}

torch::Tensor SliceExtractor::extract(const torch::Tensor& volumes) {
  const auto slices = volume_slices(volumes, plane_);
  const int64_t batch = std::max<int64_t>(1, inner_->batch_size());
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < slices.size(0); i += batch)
    out.push_back(inner_->extract(slices.slice(0, i, std::min(i + batch, slices.size(0))).contiguous()));
  return torch::cat(out);
}

std::optional<std::pair<std::string, std::string>> split_slice_space(const std::string& space) {
  const size_t dash = space.rfind('-');
  if (dash == std::string::npos) return std::nullopt;
  return std::make_pair(space.substr(0, dash), space.substr(dash + 1));
}

std::vector<std::string> scoring_spaces(const std::vector<std::string>& extractors, int64_t dims) {
  if (dims != 3) return extractors;
  std::vector<std::string> out;
  for (const auto& e : extractors)
    for (const auto& p : slice_planes()) out.push_back(e + "-" + p);
  return out;
}

}  // namespace ganbench
