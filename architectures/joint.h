// Joint image + label synthesis: how raw network outputs and real batches map to the D input space.
// The D input is [image in [-1, 1] (C channels), label probabilities in [0, 1] (K channels)].
#pragma once

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

}  // namespace ganbench
