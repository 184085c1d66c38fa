#include "segmentation/unet.h"

#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

namespace ganbench {
namespace {

namespace nn = torch::nn;

nn::Sequential double_conv(int64_t dims, int64_t in, int64_t out, const std::string& norm, double dropout) {
  nn::Sequential s;
  for (int i = 0; i < 2; ++i) {
    const int64_t cin = i == 0 ? in : out;
    if (dims == 3) {
      s->push_back(nn::Conv3d(nn::Conv3dOptions(cin, out, 3).padding(1).bias(false)));
      if (norm == "instance")
        s->push_back(nn::InstanceNorm3d(nn::InstanceNorm3dOptions(out).affine(true)));
      else
        s->push_back(nn::BatchNorm3d(out));
    } else {
      s->push_back(nn::Conv2d(nn::Conv2dOptions(cin, out, 3).padding(1).bias(false)));
      if (norm == "instance")
        s->push_back(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(out).affine(true)));
      else
        s->push_back(nn::BatchNorm2d(out));
    }
    s->push_back(nn::ReLU(nn::ReLUOptions().inplace(true)));
  }
  if (dropout > 0) {
    if (dims == 3)
      s->push_back(nn::Dropout3d(dropout));
    else
      s->push_back(nn::Dropout2d(dropout));
  }
  return s;
}

torch::Tensor max_pool(const torch::Tensor& h) {
  return h.dim() == 5 ? torch::max_pool3d(h, 2) : torch::max_pool2d(h, 2);
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
  if (o.dims != 2 && o.dims != 3) throw std::invalid_argument("U-Net dims must be 2 or 3");
  const int64_t d = o.dims;
  enc = register_module("enc", nn::ModuleList());
  auto up_list = register_module("up", nn::ModuleList());
  dec = register_module("dec", nn::ModuleList());
  int64_t ch = o.in_channels;
  for (int64_t l = 0; l < o.depth; ++l) {
    const int64_t out = o.base_channels << l;
    enc->push_back(double_conv(d, ch, out, o.norm, 0.0));
    ch = out;
  }
  bottleneck = register_module("bottleneck", double_conv(d, ch, ch * 2, o.norm, o.dropout));
  ch *= 2;
  for (int64_t l = o.depth - 1; l >= 0; --l) {
    const int64_t out = o.base_channels << l;
    up.push_back(d == 3 ? nn::AnyModule(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(ch, out, 2).stride(2)))
                        : nn::AnyModule(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(ch, out, 2).stride(2))));
    up_list->push_back(up.back().ptr());
    dec->push_back(double_conv(d, out * 2, out, o.norm, 0.0));
    ch = out;
  }
  head = d == 3 ? nn::AnyModule(nn::Conv3d(nn::Conv3dOptions(ch, o.num_classes, 1)))
                : nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(ch, o.num_classes, 1)));
  register_module("head", head.ptr());
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x) {
  const int64_t f = int64_t{1} << opts.depth;
  bool ok = x.dim() == opts.dims + 2 && x.size(1) == opts.in_channels;
  for (int64_t a = 2; ok && a < x.dim(); ++a) ok = x.size(a) % f == 0;
  if (!ok)
    throw std::invalid_argument(fmt::format("U-Net: input must be [N, {}, {}] with sides divisible by {}",
                                            opts.in_channels, opts.dims == 3 ? "D, H, W" : "H, W", f));
  std::vector<torch::Tensor> skips;
  auto h = 2 * x - 1;
  for (size_t l = 0; l < enc->size(); ++l) {
    h = enc[l]->as<nn::Sequential>()->forward(h);
    skips.push_back(h);
    h = max_pool(h);
  }
  h = bottleneck->forward(h);
  for (size_t l = 0; l < up.size(); ++l) {
    h = up[l].forward(h);
    h = dec[l]->as<nn::Sequential>()->forward(torch::cat({skips[skips.size() - 1 - l], h}, 1));
  }
  return head.forward(h);
}

torch::Tensor UNetImpl::encode(const torch::Tensor& x) {
  auto h = 2 * x - 1;
  for (size_t l = 0; l < enc->size(); ++l) h = max_pool(enc[l]->as<nn::Sequential>()->forward(h));
  std::vector<int64_t> spatial;
  for (int64_t a = 2; a < h.dim(); ++a) spatial.push_back(a);
  return bottleneck->forward(h).mean(spatial);
}

int64_t UNetImpl::feature_dims() const { return (opts.base_channels << opts.depth); }

}  // namespace ganbench
