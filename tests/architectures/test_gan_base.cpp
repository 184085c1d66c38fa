// Transfer learning at the model level (architectures/gan_base): init_weights_from copies every network's
// weights and buffers and refuses, naming the key, a checkpoint of another shape; FreezeD freezes exactly the
// first k layers of D, counted as stylegan2-ada's freeze_layers counts them.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {

ArchContext toy_context(uint64_t seed, ArchOptions options) {
  ArchContext ctx;
  ctx.modality.name = "toy";
  ctx.modality.channels = 1;
  ctx.modality.labels = {"bg", "a", "b"};
  ctx.modality = ctx.modality.at_size(32, 2);
  ctx.options = std::move(options);
  ctx.seed = seed;
  ctx.batch_size = 4;
  return ctx;
}

Batch toy_batch(uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::rand({4, 1, 32, 32}), torch::randint(3, {4, 32, 32}, torch::kInt64)};
}

const ArchOptions kSmallDcgan = {{"z_dim", 8}, {"base_channels", 8}, {"max_channels", 32}};
const ArchOptions kSmallStyle = {{"z_dim", 16}, {"w_dim", 16}, {"mapping_layers", 2}, {"channel_base", 128},
                                 {"max_channels", 16}};

}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("transfer: init_weights_from gives the source's generator exactly, with fresh training state") {
    register_builtin_architectures();
    test::TempDir tmp;
    for (const auto& [arch, opts] : {std::pair{std::string("dcgan"), kSmallDcgan}, {"stylegan2", kSmallStyle}}) {
      CAPTURE(arch);
      auto src = create_architecture(arch, toy_context(1, opts));
      for (uint64_t s = 0; s < 3; ++s) src->train_step(toy_batch(s));  // moves weights and batch-norm statistics
      const fs::path ck = tmp / (arch + ".pt");
      src->save(ck);
      auto dst = create_architecture(arch, toy_context(2, opts));  // other initial weights
      CHECK(!torch::equal(dst->sample(4, 9).images, src->sample(4, 9).images));
      dst->init_weights_from(ck);
      CHECK(torch::equal(dst->sample(4, 9).images, src->sample(4, 9).images));  // EMA copy included (stylegan2)
      CHECK(torch::equal(dst->sample(4, 9).labels, src->sample(4, 9).labels));
      dst->train_step(toy_batch(7));  // it trains on from there
      CHECK(!torch::equal(dst->sample(4, 9).images, src->sample(4, 9).images));
    }
  }

  TEST_CASE("transfer: a checkpoint of another shape or architecture is refused, naming the first key that differs") {
    register_builtin_architectures();
    test::TempDir tmp;
    auto wide = create_architecture("dcgan", toy_context(1, {{"z_dim", 8}, {"base_channels", 16}, {"max_channels", 32}}));
    wide->save(tmp / "wide.pt");
    auto narrow = create_architecture("dcgan", toy_context(1, kSmallDcgan));
    const auto before = narrow->sample(2, 3).images;
    try {
      narrow->init_weights_from(tmp / "wide.pt");
      FAIL("a wider network's checkpoint was accepted");
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      CHECK(msg.find("wide.pt") != std::string::npos);
      CHECK(msg.find("module.discriminator.") != std::string::npos);  // the map is alphabetical: D first
      CHECK(msg.find("has shape [") != std::string::npos);
    }
    auto style = create_architecture("stylegan2", toy_context(1, kSmallStyle));
    style->save(tmp / "style.pt");
    CHECK_THROWS_WITH_AS(narrow->init_weights_from(tmp / "style.pt"), doctest::Contains("is missing there"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(narrow->init_weights_from(tmp / "none.pt"), doctest::Contains("does not exist"),
                         std::runtime_error);
    // A deeper source (a mapping network with more layers) is refused too, not half-copied into the shallower one.
    auto deep = create_architecture("stylegan2", toy_context(1, [] { auto o = kSmallStyle; o["mapping_layers"] = 3; return o; }()));
    deep->save(tmp / "deep.pt");
    CHECK_THROWS_WITH_AS(style->init_weights_from(tmp / "deep.pt"), doctest::Contains("is there and not here"),
                         std::runtime_error);
    CHECK(torch::equal(narrow->sample(2, 3).images, before));
  }

  TEST_CASE("transfer: FreezeD keeps D's first k layers fixed and trains the rest; layers counted by hand") {
    register_builtin_architectures();
    // DCGAN's D at 32 px: from_input (32->16), down1 (16->8) with its batch norm, down2 (8->4) with its batch
    // norm, and the 4x4 to_logit conv: 4 layers.
    // StyleGAN2's, as stylegan2-ada counts freeze_layers: from_rgb, then conv0, conv1 and skip of the blocks at
    // 32, 16 and 8 px, then the 4x4 epilogue's conv, fc and out: 1 + 3 x 3 + 3 = 13.
    for (const auto& [arch, opts, layers] :
         {std::tuple{std::string("dcgan"), kSmallDcgan, int64_t{4}}, {"stylegan2", kSmallStyle, int64_t{13}}}) {
      CAPTURE(arch);
      auto m = create_architecture(arch, toy_context(1, opts));
      CHECK(m->capabilities().freeze_d);
      CHECK(m->freeze_discriminator_layers(2) == layers);
      // The parameters of D in order; which ones a step moves.
      test::TempDir tmp;
      m->save(tmp / "before.pt");
      auto ref = create_architecture(arch, toy_context(1, opts));
      ref->load(tmp / "before.pt");
      m->train_step(toy_batch(3));
      ref->save(tmp / "ref.pt");
      m->save(tmp / "after.pt");
      torch::serialize::InputArchive a, b;
      a.load_from((tmp / "ref.pt").string());
      b.load_from((tmp / "after.pt").string());
      torch::serialize::InputArchive da, db;
      a.read("module.discriminator", da);
      b.read("module.discriminator", db);
      // Which stored tensors of D the step changed.
      std::vector<std::pair<std::string, bool>> moved;
      std::function<void(torch::serialize::InputArchive&, torch::serialize::InputArchive&, const std::string&)> walk =
          [&](torch::serialize::InputArchive& x, torch::serialize::InputArchive& y, const std::string& prefix) {
            for (const auto& k : x.keys()) {
              torch::Tensor tx, ty;
              if (x.try_read(k, tx) && y.try_read(k, ty)) {
                moved.push_back({prefix + k, !torch::equal(tx, ty)});
                continue;
              }
              torch::serialize::InputArchive sx, sy;
              if (x.try_read(k, sx) && y.try_read(k, sy)) walk(sx, sy, prefix + k + ".");
            }
          };
      walk(da, db, "");
      REQUIRE(moved.size() > 4);
      INFO(fmt::format("{}", fmt::join([&] { std::vector<std::string> v; for (auto& [k, mv] : moved) v.push_back(k + (mv ? "*" : "")); return v; }(), " ")));
      size_t frozen_moved = 0, frozen_seen = 0, trained_moved = 0;
      // Keys come back in archive order, not registration order; identify the frozen ones by name.
      for (const auto& [k, mv] : moved) {
        const bool first_layers = arch == "dcgan" ? (k.rfind("net.from_input.", 0) == 0 || k.rfind("net.down1.", 0) == 0 ||
                                                     k.rfind("net.down1_bn.", 0) == 0)
                                                  : (k.rfind("from_rgb.", 0) == 0 || k.rfind("blocks.0.conv0.", 0) == 0);
        if (first_layers) {
          ++frozen_seen;
          frozen_moved += mv && k.find("running") == std::string::npos && k.find("num_batches") == std::string::npos;
        } else {
          trained_moved += mv;
        }
      }
      CHECK(frozen_seen >= 2);
      CHECK(frozen_moved == 0);
      CHECK(trained_moved > 0);
      CHECK_THROWS_AS(m->freeze_discriminator_layers(layers + 1), std::invalid_argument);
    }
    // Two discriminators (CycleGAN) or a patch hierarchy (multiscale): no single D to freeze.
    CHECK(!find_architecture("cyclegan").capabilities.freeze_d);
    CHECK(!find_architecture("multiscale").capabilities.freeze_d);
  }
}
