#include <doctest/doctest.h>

#include <fstream>

#include <torch/torch.h>

#include "architectures/dcgan.h"
#include "architectures/dcgan_nets.h"
#include "architectures/joint.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
ArchContext toy_context(int channels, int size, int labels, uint64_t seed = 0) {
  ArchContext ctx;
  ctx.modality.name = "toy";
  ctx.modality.channels = channels;
  ctx.modality.size = size;
  for (int i = 0; i < labels; ++i) ctx.modality.labels.push_back("l" + std::to_string(i));
  ctx.seed = seed;
  ctx.options = {{"z_dim", 16}, {"base_channels", 8}};
  return ctx;
}

Batch toy_batch(int64_t b, int channels, int size, int labels) {
  return {torch::rand({b, channels, size, size}), torch::randint(labels, {b, size, size}, torch::kInt64)};
}
}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("loss families of the DCGAN body: each D and G loss on hand-computed scores") {
    const auto r = torch::tensor({2.0, -1.0}, torch::kFloat64), f = torch::tensor({0.5, -3.0}, torch::kFloat64);
    auto sp = [](double x) { return std::log1p(std::exp(x)); };  // softplus
    auto d = [&](const char* fam) { return adversarial_loss_d(fam, r, f).item<double>(); };
    auto g = [&](const char* fam) { return adversarial_loss_g(fam, f).item<double>(); };
    CHECK(d("non_saturating") == doctest::Approx((sp(-2) + sp(1)) / 2 + (sp(0.5) + sp(-3)) / 2).epsilon(1e-12));
    CHECK(g("non_saturating") == doctest::Approx((sp(-0.5) + sp(3)) / 2).epsilon(1e-12));
    CHECK(d("least_squares") == doctest::Approx(0.5 * (1 + 4) / 2 + 0.5 * (0.25 + 9) / 2));  // 3.5625
    CHECK(g("least_squares") == doctest::Approx(0.5 * (0.25 + 16) / 2));                     // 4.0625
    CHECK(d("hinge") == doctest::Approx((0 + 2) / 2.0 + (1.5 + 0) / 2.0));                     // 1.75
    CHECK(g("hinge") == doctest::Approx(1.25));
    CHECK(d("wasserstein") == doctest::Approx(-1.25 - 0.5));
    CHECK(g("wasserstein") == doctest::Approx(1.25));
    CHECK_THROWS_WITH(adversarial_loss_d("relativistic", r, f), doctest::Contains("no loss family 'relativistic'"));
  }

  TEST_CASE("wgan clips the critic's weights after its n_critic updates: a clip of 1e-5 leaves it almost silent") {
    register_builtin_architectures();
    ArchContext ctx = toy_context(1, 16, 2);
    ctx.options = {{"z_dim", 16}, {"base_channels", 8}, {"clip", 1e-5}, {"n_critic", 3}};
    auto m = create_architecture("wgan", ctx);
    CHECK(m->capabilities().critic_steps == 3);
    CHECK(m->capabilities().regulariser == "weight_clip");
    torch::manual_seed(1);
    const Batch probe = toy_batch(4, 1, 16, 2);
    const double before = m->discriminator_loss(probe, 5);  // DCGAN's N(0, 0.02) initial weights
    m->train_step(toy_batch(3 * 4, 1, 16, 2));
    const double after = m->discriminator_loss(probe, 5);
    // Every weight in [-1e-5, 1e-5] through five layers: the scores, and their gap, vanish.
    CHECK(std::fabs(after) < 1e-6);
    CHECK(std::fabs(after) < std::fabs(before));
  }

  TEST_CASE("DCGAN generator and discriminator shapes across sizes and channels") {
    for (int size : {16, 32, 64})
      for (int channels : {1, 3}) {
        CAPTURE(size);
        CAPTURE(channels);
        DCGANShape s{channels, 4, size, 16, 8, 64};
        DCGANGenerator g(s);
        DCGANDiscriminator d(s);
        auto out = g->forward(torch::randn({3, 16}));
        CHECK((out.sizes() == torch::IntArrayRef({3, channels + 4, size, size})));
        CHECK((d->forward(out).sizes() == torch::IntArrayRef({3})));
        // Image channels in [-1, 1]; in training mode the label channels are hard one-hot maps.
        auto img = out.narrow(1, 0, channels);
        CHECK(img.abs().max().item<float>() <= 1.0f);
        CHECK(out.narrow(1, channels, 4).sum(1).sub(1).abs().max().item<float>() < 1e-5f);
      }
  }

  TEST_CASE("DCGAN channel plan follows the paper: halve per upsampling, capped") {
    DCGANShape s{1, 4, 64, 100, 64, 512};
    CHECK(s.channels() == std::vector<int64_t>{512, 256, 128, 64});
    DCGANShape capped{1, 4, 256, 100, 64, 512};
    CHECK(capped.channels() == std::vector<int64_t>{512, 512, 512, 256, 128, 64});
  }

  TEST_CASE("DCGAN rejects inputs of the wrong shape") {
    DCGANShape s{1, 4, 16, 16, 8, 64};
    DCGANGenerator g(s);
    DCGANDiscriminator d(s);
    CHECK_THROWS_AS(g->forward(torch::randn({2, 15})), c10::Error);
    CHECK_THROWS_AS(d->forward(torch::randn({2, 3, 16, 16})), c10::Error);
  }

  TEST_CASE("DCGAN model: training step, sampling, determinism") {
    register_builtin_architectures();
    auto m = create_architecture("dcgan", toy_context(1, 16, 3));
    const auto st = m->train_step(toy_batch(4, 1, 16, 3));
    REQUIRE(st.values.size() >= 2);
    for (const auto& [k, v] : st.values) CHECK(std::isfinite(v));
    const Sample a = m->sample(5, 42), b = m->sample(5, 42), c = m->sample(5, 43);
    CHECK((a.images.sizes() == torch::IntArrayRef({5, 1, 16, 16})));
    CHECK((a.labels.sizes() == torch::IntArrayRef({5, 16, 16})));
    CHECK((a.label_probs.sizes() == torch::IntArrayRef({5, 3, 16, 16})));
    CHECK(a.images.min().item<float>() >= 0.0f);
    CHECK(a.images.max().item<float>() <= 1.0f);
    CHECK(torch::equal(a.images, b.images));
    CHECK(!torch::equal(a.images, c.images));
    CHECK(m->capabilities().critic_steps == 1);
    CHECK(m->parameter_count() > 0);
  }

  TEST_CASE("DCGAN save/load round trip restores weights, optimiser and noise state") {
    register_builtin_architectures();
    test::TempDir dir;
    auto a = create_architecture("dcgan", toy_context(3, 16, 2, 1));
    a->train_step(toy_batch(4, 3, 16, 2));
    a->save(dir / "a.pt");
    auto b = create_architecture("dcgan", toy_context(3, 16, 2, 99));  // different init
    CHECK(!torch::equal(a->sample(3, 7).images, b->sample(3, 7).images));
    b->load(dir / "a.pt");
    CHECK(torch::equal(a->sample(3, 7).images, b->sample(3, 7).images));
    // The same next step on both gives the same losses: optimiser moments and latent RNG came along.
    const Batch batch = toy_batch(4, 3, 16, 2);
    const auto sa = a->train_step(batch), sb = b->train_step(batch);
    CHECK(sa.values[0].second == doctest::Approx(sb.values[0].second).epsilon(1e-6));
    CHECK(sa.values[1].second == doctest::Approx(sb.values[1].second).epsilon(1e-6));
  }

  TEST_CASE("DCGAN load: missing, corrupt and mismatched checkpoints are clear errors") {
    register_builtin_architectures();
    test::TempDir dir;
    auto m = create_architecture("dcgan", toy_context(1, 16, 3));
    CHECK_THROWS_WITH(m->load(dir / "none.pt"), doctest::Contains("none.pt"));
    { std::ofstream(dir / "junk.pt") << "garbage"; }
    CHECK_THROWS_WITH(m->load(dir / "junk.pt"), doctest::Contains("junk.pt"));
    auto other = create_architecture("dcgan", toy_context(1, 32, 3));
    other->save(dir / "other.pt");
    CHECK_THROWS_AS(m->load(dir / "other.pt"), std::runtime_error);
  }

  TEST_CASE("joint synthesis helpers map real batches and G outputs to one space") {
    Batch real{torch::full({2, 1, 4, 4}, 0.25), torch::ones({2, 4, 4}, torch::kInt64)};
    auto x = joint_input(real, 3);
    CHECK((x.sizes() == torch::IntArrayRef({2, 4, 4, 4})));
    CHECK(x[0][0][0][0].item<float>() == doctest::Approx(-0.5));
    CHECK(x[0][2][0][0].item<float>() == doctest::Approx(1.0));
    auto raw = torch::zeros({1, 4, 2, 2});
    raw[0][3] = 5;  // label 2 wins everywhere
    auto s = split_joint_output(joint_output(raw, 1, false), 1);
    CHECK(s.images.max().item<float>() == doctest::Approx(0.5));
    CHECK(s.labels.eq(2).all().item<bool>());
  }
}
