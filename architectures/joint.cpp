#include "architectures/joint.h"

namespace ganbench {

torch::Tensor joint_output(const torch::Tensor& raw, int64_t image_channels, bool straight_through) {
  TORCH_CHECK((raw.dim() == 4 || raw.dim() == 5) && raw.size(1) > image_channels + 1,
              "joint_output: need [B, C + K, H, W] (or [B, C + K, D, H, W]) with K >= 2, got ", raw.sizes());
  auto image = torch::tanh(raw.narrow(1, 0, image_channels));
  auto probs = torch::softmax(raw.narrow(1, image_channels, raw.size(1) - image_channels), 1);
  if (!straight_through) return torch::cat({image, probs}, 1);
  // Straight-through: D sees hard one-hot maps like the real ones (so it cannot tell fakes by their soft
  // edges), while gradients flow through the softmax.
  auto hard = torch::zeros_like(probs).scatter_(1, probs.argmax(1, true), 1.0);
  return torch::cat({image, hard - probs.detach() + probs}, 1);
}

torch::Tensor joint_input(const Batch& real, int64_t num_labels) {
  TORCH_CHECK((real.images.dim() == 4 || real.images.dim() == 5) && real.labels.dim() == real.images.dim() - 1,
              "joint_input: images [B, C, H, W], labels [B, H, W] (volumes: [B, C, D, H, W], [B, D, H, W])");
  return torch::cat({real.images * 2 - 1, one_hot_labels(real.labels, num_labels).to(real.images.device())},
                    1);
}

Sample split_joint_output(const torch::Tensor& joint, int64_t image_channels) {
  auto cpu = joint.detach().to(torch::kCPU, torch::kFloat32);
  Sample s;
  s.images = ((cpu.narrow(1, 0, image_channels) + 1) * 0.5).clamp(0, 1).contiguous();
  s.label_probs = cpu.narrow(1, image_channels, cpu.size(1) - image_channels).contiguous();
  s.labels = s.label_probs.argmax(1);
  return s;
}

Sample sample_latent_generator(torch::nn::Module& module,
                               const std::function<torch::Tensor(const torch::Tensor&)>& g, int64_t z_dim,
                               int64_t image_channels, int64_t n, uint64_t seed, torch::Device device) {
  constexpr int64_t kChunk = 256;  // images per forward pass
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  module.eval();
  // Each chunk is split into its place in the output at once: the raw joint output of all n never exists,
  // so the peak is the Sample itself plus one chunk.
  Sample out;
  for (int64_t done = 0; done < n; done += kChunk) {
    const int64_t m = std::min(kChunk, n - done);
    const Sample part = split_joint_output(g(torch::randn({m, z_dim}, gen).to(device)), image_channels);
    if (done == 0) {
      auto full = [n](const torch::Tensor& t) {
        auto shape = t.sizes().vec();
        shape[0] = n;
        return torch::empty(shape, t.options());
      };
      out = {full(part.images), full(part.labels), full(part.label_probs)};
    }
    out.images.narrow(0, done, m).copy_(part.images);
    out.labels.narrow(0, done, m).copy_(part.labels);
    out.label_probs.narrow(0, done, m).copy_(part.label_probs);
  }
  module.train();
  return out;
}

}  // namespace ganbench
