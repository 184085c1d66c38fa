#include "architectures/dcgan_nets.h"

#include <cmath>

#include <fmt/format.h>

#include "architectures/joint.h"

namespace ganbench {

namespace {
constexpr double kInitStd = 0.02;    // N(0, 0.02) weights, as in the paper
constexpr double kLeakySlope = 0.2;  // D activations

namespace nn = torch::nn;
// Layers in 2-D or 3-D, pushed onto `net` under `name` (the checkpoint key is the same in both).
void push_conv_t(nn::Sequential& net, int dims, std::string name, int64_t in, int64_t out,
                 int64_t stride, int64_t pad, bool bias) {
  if (dims == 3)
    net->push_back(std::move(name), nn::ConvTranspose3d(nn::ConvTranspose3dOptions(in, out, 4).stride(stride).padding(pad).bias(bias)));
  else
    net->push_back(std::move(name), nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 4).stride(stride).padding(pad).bias(bias)));
}
void push_conv(nn::Sequential& net, int dims, std::string name, int64_t in, int64_t out, int64_t stride,
               int64_t pad, bool bias) {
  if (dims == 3)
    net->push_back(std::move(name), nn::Conv3d(nn::Conv3dOptions(in, out, 4).stride(stride).padding(pad).bias(bias)));
  else
    net->push_back(std::move(name), nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(stride).padding(pad).bias(bias)));
}
void push_bn(nn::Sequential& net, int dims, std::string name, int64_t ch) {
  if (dims == 3)
    net->push_back(std::move(name), nn::BatchNorm3d(ch));
  else
    net->push_back(std::move(name), nn::BatchNorm2d(ch));
}
}  // namespace

std::vector<int64_t> DCGANShape::channels() const {
  const int levels = static_cast<int>(std::log2(size)) - 2;  // upsamplings from 4x4 to size
  std::vector<int64_t> ch;
  for (int i = 0; i < levels; ++i)
    ch.push_back(std::min<int64_t>(int64_t{base_channels} << (levels - 1 - i), max_channels));
  return ch;
}

DCGANGeneratorImpl::DCGANGeneratorImpl(const DCGANShape& s) : shape(s) {
  const auto ch = s.channels();
  net = nn::Sequential();
  push_conv_t(net, s.dims, "project", s.z_dim, ch[0], 1, 0, false);
  push_bn(net, s.dims, "project_bn", ch[0]);
  net->push_back("project_act", nn::ReLU(true));
  for (size_t i = 1; i < ch.size(); ++i) {
    push_conv_t(net, s.dims, fmt::format("up{}", i), ch[i - 1], ch[i], 2, 1, false);
    push_bn(net, s.dims, fmt::format("up{}_bn", i), ch[i]);
    net->push_back(fmt::format("up{}_act", i), nn::ReLU(true));
  }
  push_conv_t(net, s.dims, "to_output", ch.back(), s.image_channels + s.num_labels, 2, 1, true);
  register_module("net", net);
  for (auto& p : named_parameters()) {
    if (p.key().find("_bn") != std::string::npos) {
      torch::NoGradGuard g;
      if (p.key().find("weight") != std::string::npos)
        p.value().normal_(1.0, kInitStd);
      else
        p.value().zero_();
    } else if (p.key().find("weight") != std::string::npos) {
      torch::NoGradGuard g;
      p.value().normal_(0.0, kInitStd);
    }
  }
}

torch::Tensor DCGANGeneratorImpl::forward(const torch::Tensor& z) {
  TORCH_CHECK(z.dim() == 2 && z.size(1) == shape.z_dim, "DCGAN generator: z must be [B, ", shape.z_dim,
              "], got ", z.sizes());
  std::vector<int64_t> z_shape{z.size(0), z.size(1), 1, 1};
  if (shape.dims == 3) z_shape.push_back(1);
  auto out = net->forward(z.view(z_shape));
  return joint_output(out, shape.image_channels, is_training());
}

DCGANDiscriminatorImpl::DCGANDiscriminatorImpl(const DCGANShape& s) : shape(s) {
  auto ch = s.channels();
  std::reverse(ch.begin(), ch.end());
  net = nn::Sequential();
  push_conv(net, s.dims, "from_input", s.image_channels + s.num_labels, ch[0], 2, 1, true);
  net->push_back("from_input_act",
                 nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true)));
  for (size_t i = 1; i < ch.size(); ++i) {
    push_conv(net, s.dims, fmt::format("down{}", i), ch[i - 1], ch[i], 2, 1, false);
    push_bn(net, s.dims, fmt::format("down{}_bn", i), ch[i]);
    net->push_back(fmt::format("down{}_act", i),
                   nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true)));
  }
  push_conv(net, s.dims, "to_logit", ch.back(), 1, 1, 0, true);
  register_module("net", net);
  for (auto& p : named_parameters()) {
    torch::NoGradGuard g;
    if (p.key().find("_bn") != std::string::npos) {
      if (p.key().find("weight") != std::string::npos)
        p.value().normal_(1.0, kInitStd);
      else
        p.value().zero_();
    } else if (p.key().find("weight") != std::string::npos) {
      p.value().normal_(0.0, kInitStd);
    }
  }
}

torch::Tensor DCGANDiscriminatorImpl::forward(const torch::Tensor& x) {
  bool ok = x.dim() == shape.dims + 2 && x.size(1) == shape.image_channels + shape.num_labels;
  for (int64_t d = 2; ok && d < x.dim(); ++d) ok = x.size(d) == shape.size;
  TORCH_CHECK(ok, "DCGAN discriminator: input must be [B, ", shape.image_channels + shape.num_labels, "] + ",
              shape.dims, " sides of ", shape.size, ", got ", x.sizes());
  return net->forward(x).view({x.size(0)});
}

DCGANShape dcgan_shape(const ArchContext& ctx) {
  return {ctx.modality.channels,
          ctx.modality.num_labels(),
          ctx.modality.size,
          static_cast<int>(ctx.options.at("z_dim")),
          static_cast<int>(ctx.options.at("base_channels")),
          static_cast<int>(ctx.options.at("max_channels")),
          ctx.modality.dims};
}

std::vector<OptionSpec> dcgan_shape_options(double z_dim) {
  return {{"z_dim", z_dim, 1, 1024, true, "latent size"},
          {"base_channels", 64, 1, 1024, true, "channels of the highest-resolution block"},
          {"max_channels", 512, 1, 4096, true, "channel cap at low resolution"}};
}

}  // namespace ganbench
