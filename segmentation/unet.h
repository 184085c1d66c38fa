// U-Net: Ronneberger, Fischer and Brox 2015, "U-Net: Convolutional Networks for Biomedical Image
// Segmentation" (MICCAI); in 3-D (dims 3) as Çiçek et al. 2016, "3D U-Net: Learning Dense Volumetric
// Segmentation from Sparse Annotation" (MICCAI). Same-padded 3x3(x3) convolutions (so output size = input
// size), max-pool down, transposed-conv up, skip concatenation; one output channel per label.
#pragma once

#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace ganbench {

struct UNetOptions {
  int64_t in_channels = 1;     // 1 for MRI and CT, 3 for fundus
  int64_t num_classes = 2;     // label channels, background included
  int64_t depth = 4;           // pooling steps; input side must be divisible by 2^depth
  int64_t base_channels = 32;  // channels at full resolution, doubled at each level
  std::string norm = "batch";  // batch | instance
  double dropout = 0.0;        // dropout probability at the bottleneck
  int64_t dims = 2;            // 2: images [N, C, H, W]; 3: volumes [N, C, D, H, W]
};

struct UNetImpl : torch::nn::Module {
  explicit UNetImpl(const UNetOptions& opts);
  torch::Tensor forward(const torch::Tensor& x);  // [N, C, H, W] in [0, 1] -> logits [N, K, H, W] (or 3-D)
  // Encoder features for distances in a medical feature space: the bottleneck averaged over space [N, D].
  torch::Tensor encode(const torch::Tensor& x);
  int64_t feature_dims() const;

  UNetOptions opts;
  torch::nn::ModuleList enc{nullptr}, dec{nullptr};  // checkpoint keys enc.i, up.i, dec.i
  std::vector<torch::nn::AnyModule> up;              // transposed convs, registered as "up" (a ModuleList)
  torch::nn::Sequential bottleneck{nullptr};
  torch::nn::AnyModule head;  // 1x1 conv, checkpoint key "head"
};
TORCH_MODULE(UNet);

}  // namespace ganbench
