// Transforms applied to every discriminator input, real and fake alike, by any architecture. The trainer
// configures them (train.instance_noise, train.augment); architectures only call apply().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace ganbench {

struct AugmentConfig {
  // Instance noise: Sønderby et al. 2017 (ICLR), Arjovsky & Bottou 2017. Gaussian noise on D's inputs makes
  // real and fake overlap, so D cannot win on exact 0/1 label maps alone (measured on the cardiac phantom:
  // without it DCGAN's joint samples collapse to one mode within 400 steps).
  double instance_noise = 0.0;  // std of the Gaussian added to each D input value (joint space); 0 = off
  // DiffAugment: Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training" (NeurIPS).
  std::vector<std::string> policy;  // any of translation, cutout, brightness, contrast; empty = off
  double p = 1.0;  // per-sample probability of each op with a fixed policy (DiffAugment: 1); ADA starts at 0
  double translation = 0.125;  // max shift, fraction of the side (border pixels repeated)
  double cutout = 0.5;         // side of the zeroed square, fraction of the side
  // ADA: Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data" (NeurIPS).
  bool adaptive = false;     // adjust p from r_t = E[sign(D(real))], starting at 0 (assumes a logistic D)
  double ada_target = 0.6;   // r_t above this raises p, below lowers it
  double ada_kimg = 500;     // thousands of real images for p to move by 1
  int64_t ada_interval = 4;  // steps between adjustments

  bool diffaugment() const { return !policy.empty(); }
};

// Valid policy names, for config checks.
const std::vector<std::string>& augment_ops();

class DInputAugment {
 public:
  // D inputs hold blocks of `joint_channels` channels ([image C, labels K], repeated for conditional pairs);
  // brightness and contrast touch only the first `image_channels` of each block.
  explicit DInputAugment(AugmentConfig cfg = {}, int64_t image_channels = 1, int64_t joint_channels = 0);

  // Random draws come from `gen` (a CPU generator, for device-independent runs). Differentiable in x.
  torch::Tensor apply(const torch::Tensor& x, at::Generator& gen) const;
  // A conditional pair (condition, image) through one draw: both see the same shift, cutout and colour
  // change, so a real pair stays aligned (independent draws would teach D that misaligned pairs are real).
  std::pair<torch::Tensor, torch::Tensor> apply_pair(const torch::Tensor& cond, const torch::Tensor& x,
                                                     at::Generator& gen) const;

  const AugmentConfig& config() const { return cfg_; }
  double probability() const { return p_; }
  // Everything a checkpoint must hold for an exact resume: p and the ADA accumulators of the current interval.
  std::vector<std::pair<std::string, double*>> checkpoint_state() {
    return {{"augment_p", &p_}, {"augment_sign_sum", &sign_sum_}, {"augment_sign_count", &sign_count_},
            {"augment_images", &images_}};
  }
  // ADA feedback after one training step on `batch` real images: `real_sign` is mean(sign(D(real))).
  void observe(double real_sign, int64_t batch);

 private:
  AugmentConfig cfg_;
  int64_t image_channels_, joint_channels_;
  double p_;
  double sign_sum_ = 0;                   // sum of d_real_sign over the current ADA interval
  double sign_count_ = 0, images_ = 0;    // steps and real images in it (whole numbers, held as doubles)
};

}  // namespace ganbench
