#include <doctest/doctest.h>

#include <cmath>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "architectures/stylegan2.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("modulated convolution with demodulation equals the hand-computed 1x1 case") {
    // One sample, 2 input channels, 2 output channels, 1x1 kernel, 1x1 image x = (1, 2).
    // weight = [[1, 2], [3, 4]], styles = (2, 0.5): modulated w' = [[2, 1], [6, 2]].
    // Without demodulation: y = w' x = (2 + 2, 6 + 4) = (4, 10).
    // Demodulated: rows divided by their norms sqrt(5) and sqrt(40): y = (4 / sqrt 5, 10 / sqrt 40).
    auto x = torch::tensor({1.0, 2.0}, torch::kFloat64).view({1, 2, 1, 1});
    auto w = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64).view({2, 2, 1, 1});
    auto s = torch::tensor({2.0, 0.5}, torch::kFloat64).view({1, 2});
    auto plain = modulated_conv2d(x, w, s, false).flatten();
    CHECK(plain[0].item<double>() == doctest::Approx(4.0));
    CHECK(plain[1].item<double>() == doctest::Approx(10.0));
    auto demod = modulated_conv2d(x, w, s, true).flatten();
    CHECK(demod[0].item<double>() == doctest::Approx(4.0 / std::sqrt(5.0)).epsilon(1e-7));
    CHECK(demod[1].item<double>() == doctest::Approx(10.0 / std::sqrt(40.0)).epsilon(1e-7));
    // Per-sample styles: sample 1 must not see sample 0's styles.
    auto x2 = torch::cat({x, x});
    auto s2 = torch::cat({s, torch::tensor({1.0, 1.0}, torch::kFloat64).view({1, 2})});
    auto y2 = modulated_conv2d(x2, w, s2, false);
    CHECK(y2[1].flatten()[0].item<double>() == doctest::Approx(5.0));   // 1 + 4
    CHECK(y2[1].flatten()[1].item<double>() == doctest::Approx(11.0));  // 3 + 8
    // Demodulation gives unit-variance outputs for unit-variance inputs, whatever the style scale.
    torch::manual_seed(0);
    auto big_x = torch::randn({1, 64, 32, 32}, torch::kFloat64);
    auto big_w = torch::randn({32, 64, 3, 3}, torch::kFloat64);
    auto y = modulated_conv2d(big_x, big_w, torch::full({1, 64}, 7.0, torch::kFloat64), true);
    CHECK(y.std().item<double>() == doctest::Approx(1.0).epsilon(0.1));
    CHECK_THROWS(modulated_conv2d(big_x, big_w, torch::ones({1, 3}, torch::kFloat64), true));
  }

  TEST_CASE("demodulation equals stylegan2-ada's per-sample weights, values and gradients") {
    // Reference: each sample convolved with its own modulated, demodulated weight
    // w''_b = w * s_b / sqrt(sum_ik (w * s_b)^2 + 1e-8), as the paper's equations 1-3 define it.
    torch::manual_seed(3);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64).requires_grad(true);
    auto x = torch::randn({3, 5, 6, 6}, opts), w = torch::randn({4, 5, 3, 3}, opts),
         s = torch::randn({3, 5}, opts);
    auto ours = modulated_conv2d(x, w, s, true);
    std::vector<torch::Tensor> per_sample;
    for (int64_t b = 0; b < 3; ++b) {
      auto wb = w * s[b].view({1, 5, 1, 1});
      wb = wb * torch::rsqrt(wb.square().sum({1, 2, 3}, true) + 1e-8);
      per_sample.push_back(torch::conv2d(x.narrow(0, b, 1), wb, {}, 1, 1));
    }
    auto ref = torch::cat(per_sample);
    CHECK(torch::allclose(ours, ref, 1e-12, 1e-12));
    auto probe = torch::randn_like(ref);  // a random linear functional of the output
    auto g_ours = torch::autograd::grad({(ours * probe).sum()}, {x, w, s});
    auto g_ref = torch::autograd::grad({(ref * probe).sum()}, {x, w, s});
    for (size_t i = 0; i < g_ours.size(); ++i) CHECK(torch::allclose(g_ours[i], g_ref[i], 1e-10, 1e-12));
  }

  TEST_CASE("minibatch std appends the mean group standard deviation") {
    // Two samples, one channel, 1x1: values 1 and 3 -> group std (population) 1 for both.
    auto x = torch::tensor({1.0, 3.0}).view({2, 1, 1, 1});
    auto y = minibatch_std(x, 4);
    CHECK((y.sizes() == torch::IntArrayRef({2, 2, 1, 1})));
    CHECK(y[0][1].item<double>() == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(y[1][1].item<double>() == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(
        (minibatch_std(torch::randn({6, 3, 4, 4})).sizes() == torch::IntArrayRef({6, 4, 4, 4})));  // group 3
  }

  TEST_CASE("StyleGAN2: capabilities; truncation psi = 0 gives the average image; channel scaling") {
    register_builtin_architectures();
    const auto& e = find_architecture("stylegan2");
    CHECK(e.capabilities.style_mapping);
    CHECK(e.capabilities.ema_generator);
    StyleGAN2Shape s{1, 3, 32, 8, 8, 2, 128, 16};
    CHECK(s.channels(4) == 16);
    CHECK(s.channels(16) == 8);
    CHECK(s.channels(32) == 4);
    CHECK(s.num_ws() == 8);  // 4 blocks x 2
    torch::manual_seed(0);
    StyleGAN2Generator g(s, 0.01);
    CHECK((g->synthesis(torch::randn({2, 8, 8}), NoiseMode::constant, nullptr).sizes() ==
           torch::IntArrayRef({2, 4, 32, 32})));
    CHECK_THROWS(g->synthesis(torch::randn({2, 7, 8}), NoiseMode::constant, nullptr));
    // The mapping network at psi = 0 returns w_avg for every z.
    {
      torch::NoGradGuard ng;
      g->mapping->forward(torch::randn({16, 8}), 1.0, true);  // moves w_avg off zero
      auto w0 = g->mapping->forward(torch::randn({5, 8}), 0.0, false);
      CHECK(g->mapping->w_avg.abs().sum().item<double>() > 0);
      CHECK(torch::allclose(w0, g->mapping->w_avg.unsqueeze(0).expand({5, -1})));
    }
    // Through the model: psi = 0 samples are one image (the average image), whatever the latents or seed;
    // psi = 1 samples differ.
    ArchContext ctx;
    ctx.modality.name = "toy";
    ctx.modality.channels = 1;
    ctx.modality.size = 16;
    ctx.modality.labels = {"bg", "a", "b"};
    ctx.options = {{"z_dim", 8},         {"w_dim", 8},        {"mapping_layers", 2},
                   {"channel_base", 64}, {"max_channels", 8}, {"truncation_psi", 0.0},
                   {"sample_noise", 0}};  // fixed noise buffers: the same w gives the same image
    auto m = create_architecture("stylegan2", ctx);
    const Batch batch{torch::rand({4, 1, 16, 16}), torch::randint(3, {4, 16, 16}, torch::kInt64)};
    for (int i = 0; i < 3; ++i) m->train_step(batch);  // w_avg and the EMA generator move
    const Sample a = m->sample(4, 1), b = m->sample(3, 2);
    for (int i = 1; i < 4; ++i) CHECK(torch::allclose(a.images[0], a.images[i], 1e-5, 1e-6));
    CHECK(torch::allclose(a.images[0], b.images[0], 1e-5, 1e-6));
    ctx.options["truncation_psi"] = 1.0;
    auto m1 = create_architecture("stylegan2", ctx);
    for (int i = 0; i < 3; ++i) m1->train_step(batch);
    const Sample c = m1->sample(2, 1);
    CHECK(!torch::allclose(c.images[0], c.images[1], 1e-4, 1e-5));
  }

  TEST_CASE("StyleGAN2 with path-length regularisation trains and reports the penalty") {
    register_builtin_architectures();
    ArchContext ctx;
    ctx.modality.name = "toy";
    ctx.modality.channels = 1;
    ctx.modality.size = 16;
    ctx.modality.labels = {"bg", "a"};
    ctx.options = {{"z_dim", 8},        {"w_dim", 8},       {"mapping_layers", 2}, {"channel_base", 64},
                   {"max_channels", 8}, {"pl_weight", 2.0}, {"pl_interval", 1},    {"r1_interval", 1}};
    auto m = create_architecture("stylegan2", ctx);
    const Batch batch{torch::rand({4, 1, 16, 16}), torch::randint(2, {4, 16, 16}, torch::kInt64)};
    const StepStats st = m->train_step(batch);
    bool pl = false, r1 = false;
    for (const auto& [k, v] : st.values) {
      if (k == "pl_penalty") pl = std::isfinite(v) && v >= 0;
      if (k == "r1_penalty") r1 = std::isfinite(v) && v >= 0;
    }
    CHECK(pl);
    CHECK(r1);
  }
}
