#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "architectures/wgan_gp.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
ArchContext wgan_context(int channels, uint64_t seed = 0) {
  ArchContext ctx;
  ctx.modality.name = "toy";
  ctx.modality.channels = channels;
  ctx.modality.size = 16;
  ctx.modality.labels = {"bg", "a", "b"};
  ctx.seed = seed;
  ctx.options = {{"z_dim", 16}, {"base_channels", 8}, {"n_critic", 2}};
  return ctx;
}
}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("WGAN-GP gradient penalty equals the hand value on a linear critic, with double backprop") {
    // D(x) = 3 x0 + 4 x1: the gradient is (3, 4) everywhere, norm 5 -> penalty 10 * (5 - 1)^2 = 160, and
    // d penalty / d w = 10 * 2 * (5 - 1) * w / 5 = (48, 64).
    auto w = torch::tensor({3.0, 4.0}, torch::kFloat64).requires_grad_(true);
    auto critic = [&](const torch::Tensor& x) { return (x * w).sum(1); };
    const auto real = torch::rand({4, 2}, torch::kFloat64), fake = torch::rand({4, 2}, torch::kFloat64);
    const auto gp = gradient_penalty(critic, real, fake, torch::rand({4}, torch::kFloat64), 10.0);
    CHECK(gp.item<double>() == doctest::Approx(160.0));
    gp.backward();
    CHECK(w.grad()[0].item<double>() == doctest::Approx(48.0));
    CHECK(w.grad()[1].item<double>() == doctest::Approx(64.0));
    // A unit-norm gradient costs nothing.
    auto u = torch::tensor({0.6, 0.8}, torch::kFloat64);
    auto unit = [&](const torch::Tensor& x) { return (x * u).sum(1); };
    CHECK(gradient_penalty(unit, real, fake, torch::rand({4}, torch::kFloat64), 10.0).item<double>() ==
          doctest::Approx(0.0));
  }

  TEST_CASE("WGAN-GP: registered with its capabilities; shapes, ranges; critic learns; save/load") {
    register_builtin_architectures();
    const auto& e = find_architecture("wgan_gp");
    CHECK(e.capabilities.needs_gradient_penalty);
    CHECK(e.capabilities.critic_steps == 5);
    CHECK(e.capabilities.loss == "wasserstein");
    for (int c : {1, 3}) {
      auto m = create_architecture("wgan_gp", wgan_context(c));
      CHECK(m->capabilities().critic_steps == 2);  // from the n_critic option
      const Sample s = m->sample(5, 1);
      CHECK((s.images.sizes() == torch::IntArrayRef({5, c, 16, 16})));
      CHECK(s.images.min().item<float>() >= 0.0f);
      CHECK(s.images.max().item<float>() <= 1.0f);
      CHECK(s.labels.max().item<int64_t>() < 3);
    }
    // On a fixed batch the critic's Wasserstein estimate grows as it learns to separate real from fake.
    auto m = create_architecture("wgan_gp", wgan_context(1, 3));
    const Batch fixed{torch::rand({8, 1, 16, 16}) * 0.2 + 0.8, torch::zeros({8, 16, 16}, torch::kInt64)};
    auto wd = [](const StepStats& s) -> double {
      for (const auto& [k, v] : s.values)
        if (k == "wasserstein") return v;
      return std::nan("");
    };
    const double first = wd(m->train_step(fixed));
    double last = first;
    for (int i = 0; i < 15; ++i) last = wd(m->train_step(fixed));
    CHECK(last > first);
    // Save/load: a fresh model given the checkpoint samples the same images.
    test::TempDir tmp;
    m->save(tmp / "w.pt");
    auto m2 = create_architecture("wgan_gp", wgan_context(1, 99));
    m2->load(tmp / "w.pt");
    CHECK(torch::equal(m->sample(4, 7).images, m2->sample(4, 7).images));
    // Bad settings are rejected clearly.
    ArchContext bad = wgan_context(1);
    bad.options["n_critic"] = 0;
    CHECK_THROWS_AS(create_architecture("wgan_gp", bad), std::invalid_argument);
    bad = wgan_context(1);
    bad.modality.size = 24;  // not a power of two
    CHECK_THROWS_AS(create_architecture("wgan_gp", bad), std::invalid_argument);
  }
}
