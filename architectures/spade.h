// SPADE: Park, Liu, Wang & Zhu 2019, "Semantic Image Synthesis with Spatially-Adaptive Normalization" (CVPR);
// reference code NVlabs/SPADE. The generator makes the image from a label map: every normalisation layer is
// parameter-free batch norm whose scale and shift are convolved from the label map (SPADE), in residual blocks
// upsampled from a 4 x 4 projection of z. It does not generate label maps; it is label-conditioned: at sampling
// time it draws real training label maps (the ones it was trained on, kept in a checkpointed bank), so its
// synthetic pairs reuse real anatomy (Capabilities::label_conditioned; the report and the memorization audit
// say so).
#pragma once

#include <torch/torch.h>

#include "architectures/registry.h"

namespace ganbench {

// x -> BN(x) * (1 + gamma(seg)) + beta(seg): seg ([B, K, H', W'] one-hot) resized to x by nearest neighbour,
// one shared 3x3 conv with ReLU, then 3x3 convs for gamma and beta (the paper's eq. 1 and Fig. 2).
struct SpadeNormImpl : torch::nn::Module {
  SpadeNormImpl(int64_t channels, int64_t labels, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& seg);
  torch::nn::BatchNorm2d norm{nullptr};
  torch::nn::Conv2d shared{nullptr}, gamma{nullptr}, beta{nullptr};
};
TORCH_MODULE(SpadeNorm);

// SPADE ResBlk (the paper's Fig. 3): SPADE, LeakyReLU 0.2, 3x3 conv, twice; a learned 1x1 shortcut (after its
// own SPADE) when the channel count changes.
struct SpadeResBlockImpl : torch::nn::Module {
  SpadeResBlockImpl(int64_t in, int64_t out, int64_t labels, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& seg);
  SpadeNorm norm_0{nullptr}, norm_1{nullptr}, norm_s{nullptr};
  torch::nn::Conv2d conv_0{nullptr}, conv_1{nullptr}, conv_s{nullptr};
};
TORCH_MODULE(SpadeResBlock);

// z [B, z_dim] and seg [B, K, S, S] -> image [B, C, S, S] in [-1, 1].
struct SpadeGeneratorImpl : torch::nn::Module {
  SpadeGeneratorImpl(int64_t image_channels, int64_t labels, int64_t size, int64_t z_dim, int64_t base_channels,
                     int64_t max_channels, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& seg);
  torch::nn::Linear fc{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::Conv2d conv_img{nullptr};
  int64_t first_channels;
};
TORCH_MODULE(SpadeGenerator);

ArchEntry spade_entry();

}  // namespace ganbench
