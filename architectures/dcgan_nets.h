// The DCGAN networks (Radford, Metz & Chintala 2016, ICLR): a transposed-conv generator and a strided-conv
// discriminator, 2-D or 3-D, shared by every DCGAN-shaped architecture (dcgan, dcgan3d, wgan_gp's generator,
// multiscale's first level). Below architectures/dcgan_model.h, which builds models from them, and below the
// entries (architectures/dcgan.h), so the includes run one way: nets <- model <- entries.
#pragma once

#include <torch/torch.h>

#include "architectures/registry.h"

namespace ganbench {

struct DCGANShape {
  int image_channels;                     // C
  int num_labels;                         // K label channels generated beside the image
  int size;                               // output side in px, a power of two in [16, 256]
  int z_dim;                              // latent size
  int base_channels;                      // channels of the last G block / first D block
  int max_channels;                       // cap on channels at low resolution
  int dims = 2;                           // 2: images [S, S]; 3: volumes [S, S, S] (3-D convolutions)
  std::vector<int64_t> channels() const;  // per resolution from 4x4 up to size/2
};

// z [B, z_dim] -> [B, C + K, S, S] ([B, C + K, S, S, S] with dims 3): image in [-1, 1] (tanh), label
// probabilities (softmax over K).
struct DCGANGeneratorImpl : torch::nn::Module {
  explicit DCGANGeneratorImpl(const DCGANShape& shape);
  torch::Tensor forward(const torch::Tensor& z);
  DCGANShape shape;
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(DCGANGenerator);

// [B, C + K, S, S] (or S^3) -> [B] logits.
struct DCGANDiscriminatorImpl : torch::nn::Module {
  explicit DCGANDiscriminatorImpl(const DCGANShape& shape);
  torch::Tensor forward(const torch::Tensor& x);
  DCGANShape shape;
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(DCGANDiscriminator);

// The shape from a context's modality and its z_dim, base_channels and max_channels options.
DCGANShape dcgan_shape(const ArchContext& ctx);
// z_dim (default given), base_channels and max_channels: the options of every DCGAN-shaped network.
std::vector<OptionSpec> dcgan_shape_options(double z_dim);

}  // namespace ganbench
