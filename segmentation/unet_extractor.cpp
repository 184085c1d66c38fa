#include "segmentation/unet_extractor.h"

#include <torch/torch.h>

#include "common/runtime.h"

namespace ganbench {

torch::Tensor UNetEncoderExtractor::extract(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const NoTF32Guard no_tf32;  // metric features in full float32 on CUDA
  net_->eval();
  constexpr int64_t kBatch = 128;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += kBatch)
    out.push_back(
        net_->encode(images.slice(0, i, std::min(i + kBatch, images.size(0))).to(device_)).to(torch::kCPU));
  return torch::cat(out, 0);
}

}  // namespace ganbench
