#include "architectures/augment.h"

#include <algorithm>
#include <cmath>

#include "common/device_copy.h"

namespace ganbench {

const std::vector<std::string>& augment_ops() {
  static const std::vector<std::string> ops{"translation", "cutout", "brightness", "contrast"};
  return ops;
}

DInputAugment::DInputAugment(AugmentConfig cfg, int64_t image_channels, int64_t joint_channels)
    : cfg_(std::move(cfg)),
      image_channels_(image_channels),
      joint_channels_(joint_channels),
      p_(cfg_.adaptive ? 0.0 : cfg_.p) {
  for (const auto& op : cfg_.policy)
    TORCH_CHECK(std::find(augment_ops().begin(), augment_ops().end(), op) != augment_ops().end(),
                "unknown augmentation '", op, "'");
}

namespace {

bool has(const AugmentConfig& c, const char* op) {
  return std::find(c.policy.begin(), c.policy.end(), op) != c.policy.end();
}

// [B] 0/1 float: which samples get an op, each with probability p.
torch::Tensor chosen(int64_t b, double p, at::Generator& gen) {
  return (torch::rand({b}, gen) < p).to(torch::kFloat32);
}

// Shifts sample i by (dy_i, dx_i) px, repeating border pixels, via gather (differentiable in x).
torch::Tensor translate(const torch::Tensor& x, const torch::Tensor& dy, const torch::Tensor& dx) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  auto iy = (torch::arange(h, torch::kLong).unsqueeze(0) - dy.unsqueeze(1)).clamp(0, h - 1);  // [B, H]
  auto ix = (torch::arange(w, torch::kLong).unsqueeze(0) - dx.unsqueeze(1)).clamp(0, w - 1);  // [B, W]
  iy = to_device_async(iy, x.device()).view({b, 1, h, 1}).expand({b, c, h, w});
  ix = to_device_async(ix, x.device()).view({b, 1, 1, w}).expand({b, c, h, w});
  return x.gather(2, iy).gather(3, ix);
}

}  // namespace

torch::Tensor DInputAugment::apply(const torch::Tensor& x, at::Generator& gen) const {
  torch::Tensor y = x;
  if (cfg_.diffaugment() && p_ > 0) {
    TORCH_CHECK(x.dim() == 4, "augment: D input must be [B, C, H, W], got ", x.sizes());
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const auto dev = x.device();
    const int64_t block = joint_channels_ > 0 ? joint_channels_ : c;
    auto image_mask = to_device_async(
        (torch::arange(c, torch::kLong).remainder(block) < image_channels_).to(torch::kFloat32).view({1, c, 1, 1}),
        dev);
    // Fixed op order, as in DiffAugment: colour, then translation, then cutout.
    if (has(cfg_, "brightness")) {
      auto shift = (torch::rand({b}, gen) - 0.5) * chosen(b, p_, gen);  // +-0.5 of the [-1, 1] range
      y = y + to_device_async(shift, dev).view({b, 1, 1, 1}) * image_mask;
    }
    if (has(cfg_, "contrast")) {
      auto mean = (y * image_mask).mean({1, 2, 3}, true) * (static_cast<double>(c) / image_mask.sum());
      auto scale = 1 + (torch::rand({b}, gen) - 0.5) * chosen(b, p_, gen);  // x0.5 .. x1.5
      auto factor = to_device_async(scale, dev).view({b, 1, 1, 1}) * image_mask + (1 - image_mask);
      y = (y - mean * image_mask) * factor + mean * image_mask;
    }
    if (has(cfg_, "translation")) {
      const auto sy = static_cast<int64_t>(std::lround(h * cfg_.translation));
      const auto sx = static_cast<int64_t>(std::lround(w * cfg_.translation));
      const auto on = chosen(b, p_, gen).to(torch::kLong);
      auto dy = torch::randint(-sy, sy + 1, {b}, gen, torch::kLong) * on;
      auto dx = torch::randint(-sx, sx + 1, {b}, gen, torch::kLong) * on;
      y = translate(y, dy, dx);
    }
    if (has(cfg_, "cutout")) {
      const auto ch = static_cast<int64_t>(std::lround(h * cfg_.cutout));
      const auto cw = static_cast<int64_t>(std::lround(w * cfg_.cutout));
      const auto on = chosen(b, p_, gen);
      auto cy = torch::randint(0, h + 1, {b}, gen, torch::kLong);  // square centre, as in DiffAugment
      auto cx = torch::randint(0, w + 1, {b}, gen, torch::kLong);
      auto ys = torch::arange(h, torch::kLong).view({1, h, 1});
      auto xs = torch::arange(w, torch::kLong).view({1, 1, w});
      // Square [cy - ch/2, cy - ch/2 + ch) x [cx - cw/2, cx - cw/2 + cw), clipped to the image.
      auto y0 = (cy - ch / 2).view({b, 1, 1}), x0 = (cx - cw / 2).view({b, 1, 1});
      auto inside = (ys >= y0) & (ys < y0 + ch) & (xs >= x0) & (xs < x0 + cw);
      auto keep = 1 - inside.to(torch::kFloat32) * on.view({b, 1, 1});
      y = y * to_device_async(keep.unsqueeze(1), dev);
    }
  }
  if (cfg_.instance_noise > 0)
    y = y + cfg_.instance_noise * to_device_async(torch::randn(y.sizes(), gen, torch::kFloat32), y.device());
  return y;
}

std::pair<torch::Tensor, torch::Tensor> DInputAugment::apply_pair(const torch::Tensor& cond,
                                                                  const torch::Tensor& x,
                                                                  at::Generator& gen) const {
  bool same = (cond.dim() == 4 || cond.dim() == 5) && x.dim() == cond.dim() && cond.size(0) == x.size(0);
  for (int64_t d = 2; same && d < x.dim(); ++d) same = cond.size(d) == x.size(d);
  TORCH_CHECK(same, "augment pair: condition and image must be [B, C, H, W] (or [B, C, D, H, W]) of one batch "
              "and size, got ",
              cond.sizes(), " and ", x.sizes());
  const auto y = apply(torch::cat({cond, x}, 1), gen);
  return {y.narrow(1, 0, cond.size(1)), y.narrow(1, cond.size(1), x.size(1))};
}

void DInputAugment::observe(double real_sign, int64_t batch) {
  if (!cfg_.adaptive) return;
  sign_sum_ += real_sign;
  ++sign_count_;
  images_ += static_cast<double>(batch);
  if (sign_count_ < static_cast<double>(cfg_.ada_interval)) return;
  const double rt = sign_sum_ / sign_count_;
  const double step = images_ / (cfg_.ada_kimg * 1000.0);
  p_ = std::clamp(p_ + (rt > cfg_.ada_target ? step : rt < cfg_.ada_target ? -step : 0.0), 0.0, 1.0);
  sign_sum_ = 0;
  sign_count_ = 0;
  images_ = 0;
}

}  // namespace ganbench
