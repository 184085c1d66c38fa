// StyleGAN2: Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN" (CVPR); reference
// code NVlabs/stylegan2-ada-pytorch. Mapping network with a tracked w average and truncation, learned
// constant input, modulated/demodulated convolutions, per-layer noise, skip generator (toRGB at every
// resolution), residual discriminator with minibatch std, equalised learning rate, non-saturating logistic
// loss, lazy R1, style mixing, optional path-length regularisation, EMA generator for sampling.
// Simplification: up/down-sampling is bilinear / 2x2 average instead of the paper's FIR filters.
#pragma once

#include <torch/torch.h>

#include "architectures/registry.h"

namespace ganbench {

// The demodulated, style-modulated convolution of one batch: weight [O, I, k, k], styles [B, I],
// x [B, I, H, W] -> [B, O, H, W]. w'_bok = w_oik * s_bi, then (if demodulate) w''_b = w'_b /
// sqrt(sum_ik w'^2 + 1e-8) per output channel; "same" padding.
torch::Tensor modulated_conv2d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& styles, bool demodulate);

struct StyleGAN2Shape {
  int image_channels, num_labels;  // C image channels and K label channels are generated
  int size;                        // output side, px, power of two
  int z_dim, w_dim;                // latent and style sizes
  int mapping_layers;              // FC layers in the mapping network
  int channel_base, max_channels;  // channels at resolution r: min(channel_base / r, max_channels)
  int channels(int res) const;
  int num_ws() const;  // styles consumed by the synthesis network
};

// Linear layer with equalised learning rate: weights N(0, 1) / lr_mul, scaled by lr_mul / sqrt(in) at run
// time.
struct EqualLinearImpl : torch::nn::Module {
  EqualLinearImpl(int64_t in, int64_t out, double bias_init = 0, double lr_mul = 1, bool activate = false);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  double scale, lr_mul;
  bool activate;  // leaky ReLU 0.2 with gain sqrt(2)
};
TORCH_MODULE(EqualLinear);

struct EqualConv2dImpl : torch::nn::Module {
  EqualConv2dImpl(int64_t in, int64_t out, int64_t k, bool bias = true, bool activate = true);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  double scale;
  bool activate;
};
TORCH_MODULE(EqualConv2d);

// z [B, z_dim] -> w [B, w_dim]; keeps w_avg (buffer) while training.
struct MappingNetworkImpl : torch::nn::Module {
  explicit MappingNetworkImpl(const StyleGAN2Shape& s, double lr_mul);
  // Truncation: w_avg + psi (w - w_avg). update_avg: w_avg moves towards the batch mean (beta 0.995).
  torch::Tensor forward(const torch::Tensor& z, double psi = 1.0, bool update_avg = false);
  torch::nn::Sequential net{nullptr};
  torch::Tensor w_avg;
};
TORCH_MODULE(MappingNetwork);

enum class NoiseMode { random, constant, none };

// Modulated conv + per-pixel noise with a learned strength + bias + leaky ReLU.
struct SynthesisLayerImpl : torch::nn::Module {
  SynthesisLayerImpl(int64_t in, int64_t out, int w_dim, int resolution, bool up);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode mode, at::Generator* gen);
  EqualLinear affine{nullptr};
  torch::Tensor weight, bias, noise_strength, noise_const;
  bool up;
};
TORCH_MODULE(SynthesisLayer);

// Modulated 1x1 conv without demodulation: features -> C + K raw output channels.
struct ToRGBImpl : torch::nn::Module {
  ToRGBImpl(int64_t in, int64_t out, int w_dim);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w);
  EqualLinear affine{nullptr};
  torch::Tensor weight, bias;
};
TORCH_MODULE(ToRGB);

struct StyleGAN2GeneratorImpl : torch::nn::Module {
  StyleGAN2GeneratorImpl(const StyleGAN2Shape& s, double mapping_lr_mul);
  // ws [B, num_ws, w_dim] -> raw [B, C + K, S, S] (before tanh / softmax).
  torch::Tensor synthesis(const torch::Tensor& ws, NoiseMode mode, at::Generator* gen);
  StyleGAN2Shape shape;
  MappingNetwork mapping{nullptr};
  torch::Tensor const_input;
  torch::nn::ModuleList convs{nullptr}, to_rgbs{nullptr};
};
TORCH_MODULE(StyleGAN2Generator);

// [B, C + K, S, S] -> [B] logits.
struct StyleGAN2DiscriminatorImpl : torch::nn::Module {
  explicit StyleGAN2DiscriminatorImpl(const StyleGAN2Shape& s);
  torch::Tensor forward(const torch::Tensor& x);
  StyleGAN2Shape shape;
  EqualConv2d from_rgb{nullptr}, epilogue_conv{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  EqualLinear epilogue_fc{nullptr}, out{nullptr};
};
TORCH_MODULE(StyleGAN2Discriminator);

// Minibatch standard deviation (Karras et al. 2018): appends one channel, the mean std over groups of
// min(4, B) samples (the largest group size <= 4 that divides B).
torch::Tensor minibatch_std(const torch::Tensor& x, int64_t group_size = 4);

ArchEntry stylegan2_entry();

}  // namespace ganbench
