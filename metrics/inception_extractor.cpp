#include "metrics/inception_extractor.h"

#include <algorithm>

#include <cstdlib>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/runtime.h"
#include "common/safetensors.h"

namespace ganbench {
namespace {
constexpr double kInceptionRssBudgetMiB = 1024;  // peak RSS goal of `ganbench fid` on the CPU
constexpr double kInceptionBaseMiB = 460;        // the process with Inception's weights loaded, measured
constexpr double kInceptionPerImageMiB = 29;     // activations and decoded input per image in flight
constexpr double kBudgetMargin = 0.92;           // kept free for allocator slack
constexpr int64_t kInceptionCudaBatch = 256;     // images per pass on a GPU
constexpr int64_t kPytorchFidBatch = 50;         // pytorch-fid's default batch, the CPU's upper bound
}  // namespace

int64_t inception_batch(const c10::Device& device) {
  if (device.is_cuda()) return kInceptionCudaBatch;
  const auto fit = static_cast<int64_t>((kBudgetMargin * kInceptionRssBudgetMiB - kInceptionBaseMiB) /
                                        kInceptionPerImageMiB);
  return std::clamp<int64_t>(fit, 1, kPytorchFidBatch);
}

InceptionExtractor::InceptionExtractor(const ExtractorOptions& opts)
    : dims_(opts.inception_dims),
      batch_(opts.batch_size == 0 ? inception_batch(opts.device) : opts.batch_size),
      block_(fid_block_for_dims(opts.inception_dims)),
      device_(opts.device) {
  if (batch_ < 1) throw std::invalid_argument("Inception batch size must be >= 1");
  weights_ = resolve_fid_weights(opts.inception_weights);
  const auto& path = weights_.path;
  const std::string bytes = read_file(path);  // read once: loaded, and hashed for the cache key
  load_fid_weights(model_, parse_safetensors(bytes, path.string()), path.string());
  model_->to(device_);
  model_->prepare_inference();  // folded batch norms, channels-last activations
  // Cached features are keyed by the weights' content, so a file replaced in place (same path, size and
  // mtime) never reuses stale features.
  cache_key_ = fmt::format("inception{}-{}", dims_, hex64(fnv1a64(bytes)));
}

std::string InceptionExtractor::description() const {
  return fmt::format("pytorch-fid InceptionV3, {}-d features (FID when 2048); weights from {}", dims_,
                     weights_.origin);
}

torch::Tensor InceptionExtractor::extract(const torch::Tensor& images) {
  if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
    throw std::invalid_argument("Inception features need images [N, 1 or 3, H, W]");
  torch::NoGradGuard no_grad;
  const NoTF32Guard no_tf32;  // metric features in full float32 on CUDA
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch_) {
    auto x = images.slice(0, i, std::min(i + batch_, images.size(0))).to(device_, torch::kFloat32);
    if (x.size(1) == 1) x = x.expand({-1, 3, -1, -1});
    auto f = model_->forward(x, block_).back();
    // pytorch-fid: blocks other than the last are average-pooled to 1x1.
    out.push_back(f.mean({2, 3}).to(torch::kCPU));
  }
  return torch::cat(out, 0);
}

}  // namespace ganbench
