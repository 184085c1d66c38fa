// SPADE (architectures/spade): the spatially-adaptive normalisation on a hand-checkable case, and the label
// bank: samples condition on label maps the model was trained on, and a checkpoint carries them. The contract
// tests (test_contract.cpp) hold it to the rest by its registration.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "architectures/spade.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("spade: SPADE normalisation is BN(x) * (1 + gamma(seg)) + beta(seg), with seg resized to x") {
    SpadeNorm n(2, 3, 4);
    torch::NoGradGuard ng;
    // gamma's and beta's convolutions: weights 0, biases 0.5 and -1 -> x_hat * 1.5 - 1 everywhere.
    n->gamma->weight.zero_();
    n->gamma->bias.fill_(0.5);
    n->beta->weight.zero_();
    n->beta->bias.fill_(-1.0);
    const auto x = torch::randn({4, 2, 8, 8});
    const auto seg = torch::zeros({4, 3, 2, 2});  // a coarser map: resized to 8 x 8 by nearest neighbour
    const auto y = n->forward(x, seg);
    const auto mean = x.mean({0, 2, 3}, true), var = x.var({0, 2, 3}, false, true);
    const auto want = (x - mean) / torch::sqrt(var + 1e-5) * 1.5 - 1;
    CHECK(torch::allclose(y, want, 1e-4, 1e-5));
    // gamma from the map itself: with the shared conv's ReLU features non-zero only where label 1 is, the
    // scale differs between the map's regions.
    n->gamma->weight.fill_(0.1);
    auto seg2 = torch::zeros({4, 3, 8, 8});
    seg2.narrow(3, 0, 4).select(1, 1).fill_(1);  // label 1 on the left half
    const auto z = n->forward(x, seg2);
    CHECK(!torch::allclose(z.narrow(3, 0, 4), want.narrow(3, 0, 4) , 1e-3, 1e-3));
  }

  TEST_CASE("spade: sampled label maps are training maps it saw; a checkpoint keeps them; images follow the map") {
    register_builtin_architectures();
    ArchContext ctx;
    ctx.modality.name = "toy";
    ctx.modality.channels = 1;
    ctx.modality.labels = {"bg", "a", "b"};
    ctx.modality = ctx.modality.at_size(16, 2);
    ctx.options = {{"z_dim", 8}, {"base_channels", 8}, {"max_channels", 32}, {"spade_hidden", 8}, {"label_bank", 6}};
    ctx.batch_size = 4;
    auto m = create_architecture("spade", ctx);
    CHECK(m->capabilities().label_conditioned);
    CHECK(!m->capabilities().joint_labels);
    // Untrained: no maps yet, so it conditions on background.
    CHECK(m->sample(2, 1).labels.max().item<int64_t>() == 0);
    torch::manual_seed(2);
    std::vector<torch::Tensor> seen;
    for (int step = 0; step < 3; ++step) {  // 12 maps offered to a bank of 6: reservoir sampling
      Batch b;
      b.images = torch::rand({4, 1, 16, 16});
      b.labels = torch::randint(3, {4, 16, 16}, torch::kInt64);
      for (int64_t i = 0; i < 4; ++i) seen.push_back(b.labels[i]);
      m->train_step(b);
    }
    const Sample s = m->sample(20, 7);
    CHECK(s.images.sizes() == torch::IntArrayRef({20, 1, 16, 16}));
    CHECK(s.label_probs.sizes() == torch::IntArrayRef({20, 3, 16, 16}));
    for (int64_t i = 0; i < 20; ++i) {
      bool found = false;
      for (const auto& t : seen) found = found || torch::equal(s.labels[i], t);
      CHECK(found);
    }
    test::TempDir tmp;
    m->save(tmp / "s.pt");
    auto again = create_architecture("spade", ctx);
    again->load(tmp / "s.pt");
    const Sample t = again->sample(20, 7);
    CHECK(torch::equal(t.labels, s.labels));
    CHECK(torch::equal(t.images, s.images));
  }
}
