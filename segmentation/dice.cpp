#include "segmentation/dice.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

namespace ganbench {

std::vector<double> dice_per_class(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                                   bool include_background) {
  TORCH_CHECK(pred.sizes() == target.sizes() && pred.dim() == 3,
              "Dice: pred and target must both be [N, H, W], got ", pred.sizes(), " and ", target.sizes());
  TORCH_CHECK(num_labels >= 2, "Dice: need at least 2 labels, got ", num_labels);
  for (const auto* t : {&pred, &target}) {
    TORCH_CHECK(!t->is_floating_point(), "Dice: label maps must be integer tensors");
    if (t->numel() > 0)
      TORCH_CHECK(t->min().item<int64_t>() >= 0 && t->max().item<int64_t>() < num_labels,
                  "Dice: label value out of [0, ", num_labels, ")");
  }
  std::vector<double> out(num_labels, NAN);
  const int64_t n = pred.size(0);
  auto p = pred.reshape({n, -1}), t = target.reshape({n, -1});
  for (int64_t c = include_background ? 0 : 1; c < num_labels; ++c) {
    auto pc = (p == c).to(torch::kFloat64), tc = (t == c).to(torch::kFloat64);
    auto inter = (pc * tc).sum(1), denom = pc.sum(1) + tc.sum(1);
    auto per_image = torch::where(denom > 0, 2.0 * inter / denom.clamp_min(1.0), torch::ones_like(denom));
    out[c] = per_image.mean().item<double>();
  }
  return out;
}

double mean_foreground_dice(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels) {
  const auto d = dice_per_class(pred, target, num_labels, false);
  double s = 0.0;
  for (int64_t c = 1; c < num_labels; ++c) s += d[c];
  return s / static_cast<double>(num_labels - 1);
}

}  // namespace ganbench
