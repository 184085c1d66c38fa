// WGAN-GP: Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (NeurIPS). DCGAN-shaped generator,
// a critic without batch norm (layer norm: one normalisation group over C, H, W), the Wasserstein loss, a
// gradient penalty on random interpolates, n_critic critic updates per generator update.
#pragma once

#include <functional>

#include <torch/torch.h>

#include "architectures/dcgan_nets.h"

namespace ganbench {

// [B, C + K, S, S] -> [B] critic scores (no sigmoid).
struct WGANCriticImpl : torch::nn::Module {
  explicit WGANCriticImpl(const DCGANShape& shape);
  torch::Tensor forward(const torch::Tensor& x);
  DCGANShape shape;
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(WGANCritic);

// lambda * mean_i (||grad_x D(x_i)||_2 - 1)^2 at x_i = eps_i real_i + (1 - eps_i) fake_i; eps [B] in [0, 1].
// Differentiable with respect to the critic's parameters (double backprop).
torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, const torch::Tensor& eps,
                               double lambda);

ArchEntry wgan_gp_entry();

}  // namespace ganbench
