// Transforms applied to every discriminator input, real and fake alike, by any architecture. The trainer
// configures them (train.instance_noise); architectures only call apply().
#pragma once

#include <torch/torch.h>

namespace ganbench {

// Instance noise: Sønderby et al. 2017, "Amortised MAP Inference for Image Super-resolution" (ICLR), and
// Arjovsky & Bottou 2017. Gaussian noise on D's inputs makes real and fake distributions overlap, so D
// cannot win on exact 0/1 label maps alone (measured on the cardiac phantom: without it DCGAN's joint
// image+label samples collapse to one mode within 400 steps).
struct DInputAugment {
  double instance_noise = 0.0;  // std of the Gaussian added to each D input value (joint space); 0 = off

  // Noise comes from `gen` (a CPU generator, for device-independent runs).
  torch::Tensor apply(const torch::Tensor& x, at::Generator& gen) const {
    if (instance_noise <= 0) return x;
    return x + instance_noise * torch::randn(x.sizes(), gen, torch::kFloat32).to(x.device());
  }
};

}  // namespace ganbench
