#include "segmentation/unet.h"

#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

namespace ganbench {
namespace {

torch::nn::Sequential double_conv(int64_t in, int64_t out, const std::string& norm, double dropout) {
  torch::nn::Sequential s;
  for (int i = 0; i < 2; ++i) {
    s->push_back(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(i == 0 ? in : out, out, 3).padding(1).bias(false)));
    if (norm == "instance")
      s->push_back(torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(out).affine(true)));
    else
      s->push_back(torch::nn::BatchNorm2d(out));
    s->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
  }
  if (dropout > 0) s->push_back(torch::nn::Dropout2d(dropout));
  return s;
}

}  // namespace

UNetImpl::UNetImpl(const UNetOptions& o) : opts(o) {
  if (o.depth < 1 || o.depth > 6)
    throw std::invalid_argument(fmt::format("U-Net depth must be in [1, 6], got {}", o.depth));
  if (o.base_channels < 1 || o.in_channels < 1 || o.num_classes < 2)
    throw std::invalid_argument("U-Net needs base_channels >= 1, in_channels >= 1 and num_classes >= 2");
  if (o.norm != "batch" && o.norm != "instance")
    throw std::invalid_argument(fmt::format("U-Net norm must be batch or instance, got '{}'", o.norm));
  if (o.dropout < 0 || o.dropout >= 1) throw std::invalid_argument("U-Net dropout must be in [0, 1)");
  enc = register_module("enc", torch::nn::ModuleList());
  up = register_module("up", torch::nn::ModuleList());
  dec = register_module("dec", torch::nn::ModuleList());
  int64_t ch = o.in_channels;
  for (int64_t l = 0; l < o.depth; ++l) {
    const int64_t out = o.base_channels << l;
    enc->push_back(double_conv(ch, out, o.norm, 0.0));
    ch = out;
  }
  bottleneck = register_module("bottleneck", double_conv(ch, ch * 2, o.norm, o.dropout));
  ch *= 2;
  for (int64_t l = o.depth - 1; l >= 0; --l) {
    const int64_t out = o.base_channels << l;
    up->push_back(torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(ch, out, 2).stride(2)));
    dec->push_back(double_conv(out * 2, out, o.norm, 0.0));
    ch = out;
  }
  head = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, o.num_classes, 1)));
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x) {
  const int64_t f = int64_t{1} << opts.depth;
  if (x.dim() != 4 || x.size(1) != opts.in_channels || x.size(2) % f || x.size(3) % f)
    throw std::invalid_argument(
        fmt::format("U-Net: input must be [N, {}, H, W] with H, W divisible by {}", opts.in_channels, f));
  std::vector<torch::Tensor> skips;
  auto h = 2 * x - 1;
  for (size_t l = 0; l < enc->size(); ++l) {
    h = enc[l]->as<torch::nn::Sequential>()->forward(h);
    skips.push_back(h);
    h = torch::max_pool2d(h, 2);
  }
  h = bottleneck->forward(h);
  for (size_t l = 0; l < up->size(); ++l) {
    h = up[l]->as<torch::nn::ConvTranspose2d>()->forward(h);
    h = dec[l]->as<torch::nn::Sequential>()->forward(torch::cat({skips[skips.size() - 1 - l], h}, 1));
  }
  return head(h);
}

torch::Tensor UNetImpl::encode(const torch::Tensor& x) {
  auto h = 2 * x - 1;
  for (size_t l = 0; l < enc->size(); ++l)
    h = torch::max_pool2d(enc[l]->as<torch::nn::Sequential>()->forward(h), 2);
  return bottleneck->forward(h).mean({2, 3});
}

int64_t UNetImpl::feature_dims() const { return (opts.base_channels << opts.depth); }

}  // namespace ganbench
