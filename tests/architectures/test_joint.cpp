#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/joint.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("sample_latent_generator: chunks split in place equal splitting the whole output, across chunk borders") {
    // A fixed random linear "generator" z [m, 8] -> joint [m, 1 + 3, 4, 4]; 600 samples span three chunks.
    torch::manual_seed(5);
    torch::nn::Linear lin(8, 4 * 4 * 4);
    auto g = [&](const torch::Tensor& z) { return lin->forward(z).view({z.size(0), 4, 4, 4}); };
    const int64_t n = 600, z_dim = 8;
    const Sample s = sample_latent_generator(*lin, g, z_dim, 1, n, 11, torch::kCPU);
    // The previous way: every chunk's raw output kept, concatenated, then split once.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    std::vector<torch::Tensor> outs;
    {
      torch::NoGradGuard ng;
      for (int64_t done = 0; done < n; done += 256)
        outs.push_back(g(torch::randn({std::min<int64_t>(256, n - done), z_dim}, gen)));
    }
    const Sample whole = split_joint_output(torch::cat(outs), 1);
    CHECK((s.images.sizes() == torch::IntArrayRef({n, 1, 4, 4})));
    CHECK((s.labels.scalar_type() == torch::kInt64));
    CHECK(torch::equal(s.images, whole.images));
    CHECK(torch::equal(s.labels, whole.labels));
    CHECK(torch::equal(s.label_probs, whole.label_probs));
    CHECK(!torch::equal(s.images[255], s.images[256]));  // the chunks drew different latents
    CHECK(lin->is_training());                          // left in training mode
  }
}
