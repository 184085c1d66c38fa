// InceptionV3 for FID, equal to pytorch-fid's FIDInceptionV3 layer for layer (Szegedy et al. 2016,
// "Rethinking the Inception Architecture"; FID: Heusel et al. 2017). Module names equal pytorch-fid's
// state-dict keys, so its weights load unchanged once converted to safetensors.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "common/safetensors.h"

namespace ganbench {

struct BasicConv2dImpl : torch::nn::Module {
  BasicConv2dImpl(int64_t in, int64_t out, std::vector<int64_t> kernel, std::vector<int64_t> stride = {1, 1},
                  std::vector<int64_t> padding = {0, 0});
  torch::Tensor forward(const torch::Tensor& x);
  // Inference only: folds the batch norm's running statistics into a copy of the convolution (weight
  // * gamma / sqrt(var + eps), bias beta - mean * that scale), kept in channels-last layout; forward then
  // runs one biased convolution. The registered parameters (the checkpoint keys) are left as they are.
  void fold_batchnorm();
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};

 private:
  std::vector<int64_t> stride_, padding_;
  torch::Tensor folded_weight_, folded_bias_;  // undefined until fold_batchnorm()
};
TORCH_MODULE(BasicConv2d);

// Pool branch flavour of the FID blocks: average pooling without padded zeros (A, C, E_1) or max
// pooling (E_2, Mixed_7c), as in the TensorFlow graph the FID weights come from.
enum class FidPool { kAvgNoPad, kMax };

struct InceptionAImpl : torch::nn::Module {
  InceptionAImpl(int64_t in, int64_t pool_features);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch1x1{nullptr}, branch5x5_1{nullptr}, branch5x5_2{nullptr}, branch3x3dbl_1{nullptr},
      branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(InceptionA);

struct InceptionBImpl : torch::nn::Module {
  explicit InceptionBImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch3x3{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr};
};
TORCH_MODULE(InceptionB);

struct InceptionCImpl : torch::nn::Module {
  InceptionCImpl(int64_t in, int64_t c7);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch1x1{nullptr}, branch7x7_1{nullptr}, branch7x7_2{nullptr}, branch7x7_3{nullptr},
      branch7x7dbl_1{nullptr}, branch7x7dbl_2{nullptr}, branch7x7dbl_3{nullptr}, branch7x7dbl_4{nullptr},
      branch7x7dbl_5{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(InceptionC);

struct InceptionDImpl : torch::nn::Module {
  explicit InceptionDImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);
  BasicConv2d branch3x3_1{nullptr}, branch3x3_2{nullptr}, branch7x7x3_1{nullptr}, branch7x7x3_2{nullptr},
      branch7x7x3_3{nullptr}, branch7x7x3_4{nullptr};
};
TORCH_MODULE(InceptionD);

struct InceptionEImpl : torch::nn::Module {
  InceptionEImpl(int64_t in, FidPool pool);
  torch::Tensor forward(const torch::Tensor& x);
  FidPool pool;
  BasicConv2d branch1x1{nullptr}, branch3x3_1{nullptr}, branch3x3_2a{nullptr}, branch3x3_2b{nullptr},
      branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3a{nullptr}, branch3x3dbl_3b{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(InceptionE);

// pytorch-fid's feature taps: the output of block 0 (64 channels), 1 (192), 2 (768) or 3 (2048).
int fid_block_for_dims(int64_t dims);  // throws for dims other than 64, 192, 768, 2048

struct FidInceptionV3Impl : torch::nn::Module {
  FidInceptionV3Impl();
  // Images [N, 3, H, W] in [0, 1] -> bilinear resize to 299 (align_corners = false) -> 2x - 1 ->
  // blocks 0..last_block. Returns each requested block's output; block 3 ends in global average pooling.
  std::vector<torch::Tensor> forward(const torch::Tensor& images, int last_block = 3);
  // The resize and scaling only (a batch may be resized image by image, then fed with resized = true).
  static torch::Tensor preprocess(const torch::Tensor& images);
  std::vector<torch::Tensor> forward_preprocessed(const torch::Tensor& x, int last_block = 3);
  // Inference set-up after the weights are loaded: batch norms folded into the convolutions and
  // activations in channels-last layout, which LibTorch runs through oneDNN on the CPU (2x the images/s
  // at 2 threads, bench_inception). Features agree with the unfolded network to float32 rounding
  // (test: 1e-5 relative). Load weights again and this must be called again.
  void prepare_inference();

  BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr}, Conv2d_3b_1x1{nullptr},
      Conv2d_4a_3x3{nullptr};
  InceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
  InceptionB Mixed_6a{nullptr};
  InceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr}, Mixed_6e{nullptr};
  InceptionD Mixed_7a{nullptr};
  InceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
  torch::nn::Linear fc{nullptr};  // 2048 -> 1008 logits; unused for features, kept so the keys match

 private:
  bool channels_last_ = false;  // set by prepare_inference()
};
TORCH_MODULE(FidInceptionV3);

// Loads a safetensors file into `model`, strictly: every parameter and buffer (num_batches_tracked
// excepted) must be present with its shape. Throws std::runtime_error listing missing, unexpected and
// mis-shaped keys.
void load_fid_weights(FidInceptionV3& model, const std::filesystem::path& path);
// The same for tensors already read (`what` names their source in the error).
void load_fid_weights(FidInceptionV3& model, const std::map<std::string, SafeTensor>& tensors,
                      const std::string& what);

}  // namespace ganbench
