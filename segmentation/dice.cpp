#include "segmentation/dice.h"

#include <cmath>

#include <torch/torch.h>

namespace ganbench {

torch::Tensor dice_matrix(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                          const DiceOptions& opts) {
  TORCH_CHECK(pred.sizes() == target.sizes() && (pred.dim() == 3 || pred.dim() == 4),
              "Dice: pred and target must both be [N, H, W] (volumes [N, D, H, W]), got ", pred.sizes(), " and ",
              target.sizes());
  TORCH_CHECK(num_labels >= 2, "Dice: need at least 2 labels, got ", num_labels);
  for (const auto* t : {&pred, &target}) {
    TORCH_CHECK(!t->is_floating_point(), "Dice: label maps must be integer tensors");
    if (t->numel() > 0)
      TORCH_CHECK(t->min().item<int64_t>() >= 0 && t->max().item<int64_t>() < num_labels,
                  "Dice: label value out of [0, ", num_labels, ")");
  }
  const int64_t n = pred.size(0);
  auto out = torch::full({n, num_labels}, NAN, torch::kFloat64);
  auto p = pred.reshape({n, -1}), t = target.reshape({n, -1});
  for (int64_t c = opts.include_background ? 0 : 1; c < num_labels; ++c) {
    auto pc = (p == c).to(torch::kFloat64), tc = (t == c).to(torch::kFloat64);
    auto inter = (pc * tc).sum(1), gt = tc.sum(1), denom = pc.sum(1) + gt;
    auto dice = 2.0 * inter / denom.clamp_min(1.0);
    // Empty ground truth: NaN (ignored), or with ignore_empty off 1 when the prediction is empty too.
    auto empty = opts.ignore_empty ? torch::full_like(dice, NAN)
                                   : torch::where(denom > 0, dice, torch::ones_like(dice));
    out.select(1, c).copy_(torch::where(gt > 0, dice, empty));
  }
  return out;
}

namespace {
// Mean of the non-NaN entries of `v` along `dim`, and their count.
std::pair<torch::Tensor, torch::Tensor> nanmean(const torch::Tensor& v, int64_t dim) {
  auto valid = ~torch::isnan(v);
  auto count = valid.sum(dim).to(torch::kFloat64);
  auto sum = torch::where(valid, v, torch::zeros_like(v)).sum(dim);
  return {torch::where(count > 0, sum / count.clamp_min(1.0), torch::full_like(sum, NAN)), count};
}
}  // namespace

std::vector<double> dice_per_class(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                                   const DiceOptions& opts) {
  const auto per_class = nanmean(dice_matrix(pred, target, num_labels, opts), 0).first.contiguous();
  return {per_class.data_ptr<double>(), per_class.data_ptr<double>() + num_labels};
}

double mean_foreground_dice(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                            const DiceOptions& opts) {
  DiceOptions fg = opts;
  fg.include_background = false;
  const auto per_image = nanmean(dice_matrix(pred, target, num_labels, fg), 1).first;
  return nanmean(per_image, 0).first.item<double>();
}

}  // namespace ganbench
