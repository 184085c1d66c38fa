#include "metrics/inception.h"

#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "common/safetensors.h"

namespace ganbench {
namespace {

constexpr double kBnEps = 0.001;  // batch-norm eps of the TensorFlow graph
constexpr int64_t kInputSize = 299;

namespace F = torch::nn::functional;

torch::Tensor avg_pool_no_pad(const torch::Tensor& x) {
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
}
torch::Tensor max_pool(const torch::Tensor& x, int64_t stride, int64_t padding = 0) {
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(stride).padding(padding));
}

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(int64_t in, int64_t out, std::vector<int64_t> kernel,
                                 std::vector<int64_t> stride, std::vector<int64_t> padding) {
  conv =
      register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, torch::IntArrayRef(kernel))
                                                    .stride(torch::IntArrayRef(stride))
                                                    .padding(torch::IntArrayRef(padding))
                                                    .bias(false)));
  bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(out).eps(kBnEps)));
  stride_ = std::move(stride);
  padding_ = std::move(padding);
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) {
  if (folded_weight_.defined())
    return torch::conv2d(x, folded_weight_, folded_bias_, stride_, padding_).relu_();
  return torch::relu(bn(conv(x)));
}

void BasicConv2dImpl::fold_batchnorm() {
  torch::NoGradGuard no_grad;
  const auto scale = bn->weight / torch::sqrt(bn->running_var + kBnEps);
  folded_weight_ = (conv->weight * scale.view({-1, 1, 1, 1})).contiguous(torch::MemoryFormat::ChannelsLast);
  folded_bias_ = (bn->bias - bn->running_mean * scale).contiguous();
}

// Braced kernel/stride/padding lists cannot pass through the module holder's perfect forwarding.
BasicConv2d basic(int64_t in, int64_t out, std::vector<int64_t> kernel, std::vector<int64_t> stride = {1, 1},
                  std::vector<int64_t> padding = {0, 0}) {
  return BasicConv2d(in, out, std::move(kernel), std::move(stride), std::move(padding));
}

#define GB_CONV(name, ...) name = register_module(#name, basic(__VA_ARGS__))

InceptionAImpl::InceptionAImpl(int64_t in, int64_t pool_features) {
  GB_CONV(branch1x1, in, 64, {1, 1});
  GB_CONV(branch5x5_1, in, 48, {1, 1});
  GB_CONV(branch5x5_2, 48, 64, {5, 5}, {1, 1}, {2, 2});
  GB_CONV(branch3x3dbl_1, in, 64, {1, 1});
  GB_CONV(branch3x3dbl_2, 64, 96, {3, 3}, {1, 1}, {1, 1});
  GB_CONV(branch3x3dbl_3, 96, 96, {3, 3}, {1, 1}, {1, 1});
  GB_CONV(branch_pool, in, pool_features, {1, 1});
}

torch::Tensor InceptionAImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch1x1(x), branch5x5_2(branch5x5_1(x)),
                     branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))), branch_pool(avg_pool_no_pad(x))},
                    1);
}

InceptionBImpl::InceptionBImpl(int64_t in) {
  GB_CONV(branch3x3, in, 384, {3, 3}, {2, 2});
  GB_CONV(branch3x3dbl_1, in, 64, {1, 1});
  GB_CONV(branch3x3dbl_2, 64, 96, {3, 3}, {1, 1}, {1, 1});
  GB_CONV(branch3x3dbl_3, 96, 96, {3, 3}, {2, 2});
}

torch::Tensor InceptionBImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch3x3(x), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))), max_pool(x, 2)}, 1);
}

InceptionCImpl::InceptionCImpl(int64_t in, int64_t c7) {
  GB_CONV(branch1x1, in, 192, {1, 1});
  GB_CONV(branch7x7_1, in, c7, {1, 1});
  GB_CONV(branch7x7_2, c7, c7, {1, 7}, {1, 1}, {0, 3});
  GB_CONV(branch7x7_3, c7, 192, {7, 1}, {1, 1}, {3, 0});
  GB_CONV(branch7x7dbl_1, in, c7, {1, 1});
  GB_CONV(branch7x7dbl_2, c7, c7, {7, 1}, {1, 1}, {3, 0});
  GB_CONV(branch7x7dbl_3, c7, c7, {1, 7}, {1, 1}, {0, 3});
  GB_CONV(branch7x7dbl_4, c7, c7, {7, 1}, {1, 1}, {3, 0});
  GB_CONV(branch7x7dbl_5, c7, 192, {1, 7}, {1, 1}, {0, 3});
  GB_CONV(branch_pool, in, 192, {1, 1});
}

torch::Tensor InceptionCImpl::forward(const torch::Tensor& x) {
  auto b7 = branch7x7_3(branch7x7_2(branch7x7_1(x)));
  auto d7 = branch7x7dbl_5(branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x)))));
  return torch::cat({branch1x1(x), b7, d7, branch_pool(avg_pool_no_pad(x))}, 1);
}

InceptionDImpl::InceptionDImpl(int64_t in) {
  GB_CONV(branch3x3_1, in, 192, {1, 1});
  GB_CONV(branch3x3_2, 192, 320, {3, 3}, {2, 2});
  GB_CONV(branch7x7x3_1, in, 192, {1, 1});
  GB_CONV(branch7x7x3_2, 192, 192, {1, 7}, {1, 1}, {0, 3});
  GB_CONV(branch7x7x3_3, 192, 192, {7, 1}, {1, 1}, {3, 0});
  GB_CONV(branch7x7x3_4, 192, 192, {3, 3}, {2, 2});
}

torch::Tensor InceptionDImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch3x3_2(branch3x3_1(x)),
                     branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))), max_pool(x, 2)},
                    1);
}

InceptionEImpl::InceptionEImpl(int64_t in, FidPool p) : pool(p) {
  GB_CONV(branch1x1, in, 320, {1, 1});
  GB_CONV(branch3x3_1, in, 384, {1, 1});
  GB_CONV(branch3x3_2a, 384, 384, {1, 3}, {1, 1}, {0, 1});
  GB_CONV(branch3x3_2b, 384, 384, {3, 1}, {1, 1}, {1, 0});
  GB_CONV(branch3x3dbl_1, in, 448, {1, 1});
  GB_CONV(branch3x3dbl_2, 448, 384, {3, 3}, {1, 1}, {1, 1});
  GB_CONV(branch3x3dbl_3a, 384, 384, {1, 3}, {1, 1}, {0, 1});
  GB_CONV(branch3x3dbl_3b, 384, 384, {3, 1}, {1, 1}, {1, 0});
  GB_CONV(branch_pool, in, 192, {1, 1});
}

torch::Tensor InceptionEImpl::forward(const torch::Tensor& x) {
  auto b3 = branch3x3_1(x);
  b3 = torch::cat({branch3x3_2a(b3), branch3x3_2b(b3)}, 1);
  auto d3 = branch3x3dbl_2(branch3x3dbl_1(x));
  d3 = torch::cat({branch3x3dbl_3a(d3), branch3x3dbl_3b(d3)}, 1);
  auto p = pool == FidPool::kMax ? max_pool(x, 1, 1) : avg_pool_no_pad(x);
  return torch::cat({branch1x1(x), b3, d3, branch_pool(p)}, 1);
}

#undef GB_CONV

int fid_block_for_dims(int64_t dims) {
  switch (dims) {
    case 64:
      return 0;
    case 192:
      return 1;
    case 768:
      return 2;
    case 2048:
      return 3;
    default:
      throw std::invalid_argument(fmt::format("FID dims must be 64, 192, 768 or 2048, got {}", dims));
  }
}

FidInceptionV3Impl::FidInceptionV3Impl() {
  Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", basic(3, 32, {3, 3}, {2, 2}));
  Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", basic(32, 32, {3, 3}));
  Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", basic(32, 64, {3, 3}, {1, 1}, {1, 1}));
  Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", basic(64, 80, {1, 1}));
  Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", basic(80, 192, {3, 3}));
  Mixed_5b = register_module("Mixed_5b", InceptionA(192, 32));
  Mixed_5c = register_module("Mixed_5c", InceptionA(256, 64));
  Mixed_5d = register_module("Mixed_5d", InceptionA(288, 64));
  Mixed_6a = register_module("Mixed_6a", InceptionB(288));
  Mixed_6b = register_module("Mixed_6b", InceptionC(768, 128));
  Mixed_6c = register_module("Mixed_6c", InceptionC(768, 160));
  Mixed_6d = register_module("Mixed_6d", InceptionC(768, 160));
  Mixed_6e = register_module("Mixed_6e", InceptionC(768, 192));
  Mixed_7a = register_module("Mixed_7a", InceptionD(768));
  Mixed_7b = register_module("Mixed_7b", InceptionE(1280, FidPool::kAvgNoPad));
  Mixed_7c = register_module("Mixed_7c", InceptionE(2048, FidPool::kMax));
  fc = register_module("fc", torch::nn::Linear(2048, 1008));
  eval();
}

torch::Tensor FidInceptionV3Impl::preprocess(const torch::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3)
    throw std::invalid_argument(
        fmt::format("FID Inception needs images [N, 3, H, W], got [{}]", fmt::join(images.sizes(), ", ")));
  auto x = images.to(torch::kFloat32);
  if (x.size(2) != kInputSize || x.size(3) != kInputSize)
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{kInputSize, kInputSize})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  return 2 * x - 1;
}

std::vector<torch::Tensor> FidInceptionV3Impl::forward(const torch::Tensor& images, int last_block) {
  return forward_preprocessed(preprocess(images), last_block);
}

std::vector<torch::Tensor> FidInceptionV3Impl::forward_preprocessed(const torch::Tensor& in, int last_block) {
  if (last_block < 0 || last_block > 3)
    throw std::invalid_argument("FID Inception: last_block must be in [0, 3]");
  std::vector<torch::Tensor> out;
  const auto x0 = channels_last_ ? in.contiguous(torch::MemoryFormat::ChannelsLast) : in;
  auto x = max_pool(Conv2d_2b_3x3(Conv2d_2a_3x3(Conv2d_1a_3x3(x0))), 2);
  out.push_back(x);
  if (last_block == 0) return out;
  x = max_pool(Conv2d_4a_3x3(Conv2d_3b_1x1(x)), 2);
  out.push_back(x);
  if (last_block == 1) return out;
  x = Mixed_6e(Mixed_6d(Mixed_6c(Mixed_6b(Mixed_6a(Mixed_5d(Mixed_5c(Mixed_5b(x))))))));
  out.push_back(x);
  if (last_block == 2) return out;
  x = F::adaptive_avg_pool2d(Mixed_7c(Mixed_7b(Mixed_7a(x))), F::AdaptiveAvgPool2dFuncOptions({1, 1}));
  out.push_back(x);
  return out;
}

void FidInceptionV3Impl::prepare_inference() {
  eval();
  for (auto& m : modules(/*include_self=*/false))
    if (auto* c = m->as<BasicConv2dImpl>()) c->fold_batchnorm();
  channels_last_ = true;
}

void load_fid_weights(FidInceptionV3& model, const std::filesystem::path& path) {
  load_fid_weights(model, read_safetensors(path), path.string());
}

void load_fid_weights(FidInceptionV3& model, const std::map<std::string, SafeTensor>& tensors,
                      const std::string& what) {
  std::vector<std::string> missing, wrong;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  auto assign = [&](const std::string& key, torch::Tensor& dst) {
    auto it = tensors.find(key);
    if (it == tensors.end()) {
      missing.push_back(key);
      return;
    }
    used.insert(key);
    const auto& st = it->second;
    if (std::vector<int64_t>(dst.sizes().begin(), dst.sizes().end()) != st.shape) {
      wrong.push_back(fmt::format("{} is [{}], needs [{}]", key, fmt::join(st.shape, ", "),
                                  fmt::join(dst.sizes(), ", ")));
      return;
    }
    std::vector<float> v;
    try {
      v = st.to_floats();
    } catch (const std::exception& e) {
      wrong.push_back(fmt::format("{}: {}", key, e.what()));
      return;
    }
    dst.copy_(torch::from_blob(v.data(), dst.sizes(), torch::kFloat32).to(dst.device()));
  };
  for (auto& p : model->named_parameters()) assign(p.key(), p.value());
  for (auto& b : model->named_buffers())
    if (b.key().find("num_batches_tracked") == std::string::npos) assign(b.key(), b.value());
  std::vector<std::string> extra;
  for (const auto& kv : tensors)
    if (!used.count(kv.first) && kv.first.find("num_batches_tracked") == std::string::npos)
      extra.push_back(kv.first);
  if (!missing.empty() || !wrong.empty() || !extra.empty()) {
    auto head = [](const std::vector<std::string>& v) {
      std::vector<std::string> h(v.begin(), v.begin() + std::min<size_t>(v.size(), 8));
      return fmt::format("{}{}", fmt::join(h, ", "),
                         v.size() > 8 ? fmt::format(" (+{} more)", v.size() - 8) : "");
    };
    std::string msg = fmt::format("{}: not pytorch-fid FID-Inception weights:", what);
    if (!missing.empty()) msg += fmt::format(" {} missing keys: {};", missing.size(), head(missing));
    if (!wrong.empty()) msg += fmt::format(" {} wrong shapes: {};", wrong.size(), head(wrong));
    if (!extra.empty()) msg += fmt::format(" {} unexpected keys: {};", extra.size(), head(extra));
    msg.pop_back();
    throw std::runtime_error(msg);
  }
  model->eval();
}

}  // namespace ganbench
