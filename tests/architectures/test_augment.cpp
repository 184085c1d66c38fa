#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/augment.h"

using namespace ganbench;

namespace {
DInputAugment make(std::vector<std::string> policy, double p = 1.0, int64_t image_channels = 1,
                   int64_t joint = 3) {
  AugmentConfig c;
  c.policy = std::move(policy);
  c.p = p;
  return DInputAugment(c, image_channels, joint);
}
}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("DiffAugment on a conditional pair: one draw keeps condition and image aligned") {
    // The multi-scale GAN's patch D sees (upsampled condition, patch). Identical inputs must stay identical
    // after augmentation: with independent draws (two apply() calls) they differ, which this test detects.
    auto aug = make({"translation", "cutout", "brightness", "contrast"});
    auto x = torch::rand({6, 3, 16, 16}, at::make_generator<at::CPUGeneratorImpl>(1));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    const auto [c, y] = aug.apply_pair(x, x, gen);
    CHECK(torch::equal(c, y));
    CHECK(!torch::equal(c, x));  // something was applied
    auto gen2 = at::make_generator<at::CPUGeneratorImpl>(7);
    const auto a = aug.apply(x, gen2), b = aug.apply(x, gen2);
    CHECK(!torch::equal(a, b));  // the unpaired path the pair replaces
    CHECK_THROWS_AS(aug.apply_pair(x, x.slice(0, 0, 2), gen), c10::Error);
  }

  TEST_CASE("DiffAugment: translation shifts whole samples, repeating the border, in every channel") {
    auto aug = make({"translation"});
    auto x = torch::arange(3 * 16 * 16, torch::kFloat32).view({1, 3, 16, 16});
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
    bool moved = false;
    for (int t = 0; t < 10; ++t) {
      auto y = aug.apply(x, gen);
      // Each row of y is a row of x (or the repeated border); the shift is the same for all channels.
      const auto d = (y - x)[0];
      CHECK(torch::allclose(d[0], d[1]));
      CHECK(torch::allclose(d[1], d[2]));
      moved = moved || !torch::equal(y, x);
    }
    CHECK(moved);
  }

  TEST_CASE("DiffAugment: cutout zeroes one square of half the side; p = 0 is the identity") {
    auto aug = make({"cutout"});
    auto x = torch::ones({4, 3, 16, 16});
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    auto y = aug.apply(x, gen);
    for (int i = 0; i < 4; ++i) {
      const auto zeros = (y[i][0] == 0).sum().item<int64_t>();
      CHECK(zeros > 0);
      CHECK(zeros <= 64);                               // 8 x 8, clipped at the border
      CHECK(torch::equal(y[i][0] == 0, y[i][2] == 0));  // labels cut where the image is
    }
    CHECK(torch::equal(make({"cutout", "translation", "brightness", "contrast"}, 0.0).apply(x, gen), x));
  }

  TEST_CASE("DiffAugment: brightness and contrast change image channels only, and stay differentiable") {
    auto aug = make({"brightness", "contrast"});
    auto x = torch::rand({8, 3, 8, 8}).requires_grad_(true);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
    auto y = aug.apply(x, gen);
    CHECK(torch::equal(y.narrow(1, 1, 2), x.narrow(1, 1, 2)));
    CHECK(!torch::allclose(y.narrow(1, 0, 1), x.narrow(1, 0, 1)));
    y.sum().backward();
    CHECK(x.grad().defined());
    CHECK(torch::isfinite(x.grad()).all().item<bool>());
    // Pairs (cond, x) of 2 x 3 channels: channels 0 and 3 are image channels.
    auto pair = make({"brightness"}, 1.0, 1, 3);
    auto z = torch::zeros({2, 6, 4, 4});
    auto yz = pair.apply(z, gen);
    CHECK(torch::equal(yz.select(1, 1), z.select(1, 1)));
    CHECK(!torch::equal(yz.select(1, 3), z.select(1, 3)));
  }

  TEST_CASE("ADA: p rises while D is confident on reals and falls when it is not") {
    AugmentConfig c;
    c.policy = {"translation"};
    c.p = 0.8;  // ignored under ADA: p starts at 0 (Karras et al. 2020; stylegan2-ada's augment_p)
    c.adaptive = true;
    c.ada_kimg = 1;  // 1000 images move p by 1
    c.ada_interval = 2;
    DInputAugment aug(c, 1, 3);
    CHECK(aug.probability() == 0.0);
    for (int i = 0; i < 10; ++i) aug.observe(1.0, 50);  // 5 adjustments of 100 images each
    CHECK(aug.probability() == doctest::Approx(0.5));
    for (int i = 0; i < 4; ++i) aug.observe(-0.2, 50);
    CHECK(aug.probability() == doctest::Approx(0.3));
    for (int i = 0; i < 100; ++i) aug.observe(-1.0, 50);
    CHECK(aug.probability() == 0.0);  // clamped
    CHECK_THROWS(make({"rotate"}));
  }
}
