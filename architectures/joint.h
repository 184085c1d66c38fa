// Joint image + label synthesis: how raw network outputs and real batches map to the D input space.
// The D input is [image in [-1, 1] (C channels), label probabilities in [0, 1] (K channels)]. Every function
// here takes volumes ([B, C + K, D, H, W]) as well as images.
#pragma once

#include <functional>

#include <torch/torch.h>

#include "architectures/gan_model.h"

namespace ganbench {

// raw [B, C + K, H, W] -> tanh on the image channels, softmax over the label channels. With
// `straight_through`, the label channels are the argmax one-hot in the forward pass and the softmax's
// gradient in the backward pass (used for D's input during training).
torch::Tensor joint_output(const torch::Tensor& raw, int64_t image_channels, bool straight_through);
// A real batch -> [B, C + K, H, W] in the same space (image * 2 - 1, one-hot labels).
torch::Tensor joint_input(const Batch& real, int64_t num_labels);
// G output in the joint space -> Sample on CPU (images in [0, 1], argmax labels, probabilities).
Sample split_joint_output(const torch::Tensor& joint, int64_t image_channels);
// n samples of a latent-input generator `g` (z [m, z_dim] -> joint output), in chunks, in eval mode,
// with latents from a CPU generator seeded by `seed`; leaves `module` in training mode.
Sample sample_latent_generator(torch::nn::Module& module,
                               const std::function<torch::Tensor(const torch::Tensor&)>& g, int64_t z_dim,
                               int64_t image_channels, int64_t n, uint64_t seed, torch::Device device);

}  // namespace ganbench
