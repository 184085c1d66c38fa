// The contract of every translation architecture (capabilities.translation), run over the registry: shapes,
// determinism, learning on the paired liver phantom (CT -> T2 MR), save/load, exact resume, refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "datasets/liver_phantom.h"
#include "experiments/config.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {

// The learned translators (the baselines have nothing to learn; their own case is below).
std::vector<std::string> translators() {
  register_builtin_architectures();
  std::vector<std::string> out;
  for (const auto& n : architecture_names())
    if (!find_architecture(n).capabilities.translation.empty() && !find_architecture(n).capabilities.baseline)
      out.push_back(n);
  return out;
}

ArchContext context(const std::string& arch, int source_channels, int target_channels, uint64_t seed) {
  ArchContext ctx;
  ctx.modality.name = "toy";
  ctx.modality.channels = target_channels;
  ctx.modality.size = 32;
  ctx.modality.labels = {"bg", "liver", "tumour"};
  ctx.source_channels = source_channels;
  ctx.seed = seed;
  ctx.batch_size = 4;
  ctx.capabilities = find_architecture(arch).capabilities;
  ctx.options = resolve_options(find_architecture(arch), {{"ngf", 8}, {"ndf", 8}});
  return ctx;
}

// CT (liver window) and T2 MR of the same phantom anatomy, 32 px: [n, 1, 32, 32] each.
std::pair<torch::Tensor, torch::Tensor> ct_mr(uint64_t first_seed, int64_t n) {
  std::vector<torch::Tensor> ct, mr;
  for (int64_t i = 0; i < n; ++i) {
    const auto c = liver_phantom(32, first_seed + i);
    const auto m = liver_phantom_mr_sample(32, first_seed + i, MrWeighting::t2);
    ct.push_back(torch::tensor(c.image).reshape({1, 1, 32, 32}));
    mr.push_back(torch::tensor(m.image).reshape({1, 1, 32, 32}));
  }
  return {torch::cat(ct), torch::cat(mr)};
}

Batch batch_of(const torch::Tensor& source, const torch::Tensor& target) {
  return {target, torch::zeros({target.size(0), 32, 32}, torch::kInt64), source};
}

double stat(const StepStats& s, const std::string& key) {
  for (const auto& [k, v] : s.values)
    if (k == key) return v;
  return std::nan("");
}

}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("translation: pix2pix (paired) and cyclegan (unpaired) are registered with their capability") {
    const auto names = translators();
    REQUIRE(names.size() >= 2);
    CHECK(find_architecture("pix2pix").capabilities.translation == "paired");
    CHECK(find_architecture("cyclegan").capabilities.translation == "unpaired");
    CHECK(find_architecture("dcgan").capabilities.translation.empty());
    // the reference's defaults
    const auto p = resolve_options(find_architecture("pix2pix"), {});
    CHECK(p.at("lambda_l1") == 100);
    CHECK(p.at("instance_norm") == 0);  // batch norm
    CHECK(p.at("dropout") == 1);
    CHECK(p.at("lr") == doctest::Approx(2e-4));
    CHECK(p.at("beta1") == 0.5);
    const auto c = resolve_options(find_architecture("cyclegan"), {});
    CHECK(c.at("lambda_cycle") == 10);
    CHECK(c.at("lambda_identity") == 0.5);
    CHECK(c.at("instance_norm") == 1);
    CHECK(c.at("dropout") == 0);
  }

  TEST_CASE("translation: shapes, [0, 1] range, determinism, for 1 and 3 channels") {
    for (const auto& arch : translators())
      for (auto [cs, ct] : {std::pair{1, 1}, std::pair{3, 1}, std::pair{1, 3}}) {
        CAPTURE(arch);
        CAPTURE(cs);
        auto m = create_architecture(arch, context(arch, cs, ct, 0));
        const auto src = torch::rand({2, cs, 32, 32});
        const auto out = m->translate(src);
        CHECK(out.sizes().vec() == std::vector<int64_t>{2, ct, 32, 32});
        CHECK((out.scalar_type() == torch::kFloat32));
        CHECK(out.min().item<float>() >= 0.0f);
        CHECK(out.max().item<float>() <= 1.0f);
        CHECK(torch::equal(out, m->translate(src)));  // eval mode: no dropout, running statistics
        CHECK_THROWS_AS(m->sample(2, 0), std::logic_error);
        // A batch without source images, or with the wrong channels, is a clear error.
        Batch b = batch_of(torch::rand({4, cs + 1, 32, 32}), torch::rand({4, ct, 32, 32}));
        CHECK_THROWS_WITH(m->train_step(b), doctest::Contains("source must be"));
        b.source = torch::Tensor();
        CHECK_THROWS_WITH(m->train_step(b), doctest::Contains("needs source images"));
      }
    // A synthesis model does not translate.
    ArchContext ctx = context("pix2pix", 1, 1, 0);
    ctx.options = resolve_options(find_architecture("dcgan"), {{"z_dim", 8}, {"base_channels", 8}});
    ctx.capabilities = find_architecture("dcgan").capabilities;
    ctx.modality.size = 16;
    CHECK_THROWS_WITH_AS(create_architecture("dcgan", ctx)->translate(torch::rand({1, 1, 16, 16})),
                         doctest::Contains("does not translate"), std::logic_error);
  }

  TEST_CASE("translation: training on the paired liver phantom moves each model toward its objective") {
    const auto [ct, mr] = ct_mr(100, 8);          // training pairs
    const auto [ct_test, mr_test] = ct_mr(300, 4);  // held-out pairs
    const auto [ct_other, mr_other] = ct_mr(200, 8);  // other subjects: the unpaired protocol's target half
    {  // pix2pix: the L1 error of CT -> MR on held-out pairs falls
      ArchContext ctx = context("pix2pix", 1, 1, 1);
      ctx.options["lr"] = 1e-3;  // a few dozen steps: a larger step than the reference's 2e-4
      auto m = create_architecture("pix2pix", ctx);
      const double before = torch::l1_loss(m->translate(ct_test), mr_test).item<double>();
      auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
      for (int s = 0; s < 60; ++s) {
        const auto idx = torch::randint(8, {4}, gen);
        m->train_step(batch_of(ct.index_select(0, idx), mr.index_select(0, idx)));
      }
      const double after = torch::l1_loss(m->translate(ct_test), mr_test).item<double>();
      MESSAGE("pix2pix CT -> MR held-out L1: ", before, " -> ", after);
      CHECK(after < 0.7 * before);
    }
    {  // cyclegan, unpaired (CT of some subjects, MR of others): the cycle-consistency loss falls
      auto m = create_architecture("cyclegan", context("cyclegan", 1, 1, 1));
      auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
      double first = 0, last = 0;
      for (int s = 0; s < 30; ++s) {
        const auto ia = torch::randint(8, {4}, gen), ib = torch::randint(8, {4}, gen);
        const StepStats st = m->train_step(batch_of(ct.index_select(0, ia), mr_other.index_select(0, ib)));
        const double cyc = stat(st, "loss_g_cycle");
        REQUIRE(std::isfinite(cyc));
        if (s < 5) first += cyc / 5;
        if (s >= 25) last += cyc / 5;
      }
      MESSAGE("cyclegan cycle loss, first 5 vs last 5 steps: ", first, " -> ", last);
      CHECK(last < 0.7 * first);
    }
  }

  TEST_CASE("translation: save/load gives identical translations; a resumed run equals an uninterrupted one") {
    const auto [ct, mr] = ct_mr(100, 8);
    test::TempDir dir;
    for (const auto& arch : translators()) {
      CAPTURE(arch);
      auto step = [&](GanModel& m, int s) {
        return m.train_step(batch_of(ct.narrow(0, (s % 2) * 4, 4), mr.narrow(0, ((s + 1) % 2) * 4, 4)));
      };
      auto full = create_architecture(arch, context(arch, 1, 1, 3));
      for (int s = 0; s < 3; ++s) step(*full, s);
      full->save(dir / (arch + ".pt"));
      std::vector<double> want;
      for (int s = 3; s < 6; ++s)
        for (const auto& [k, v] : step(*full, s).values) want.push_back(v);
      auto resumed = create_architecture(arch, context(arch, 1, 1, 99));  // another initialisation
      resumed->load(dir / (arch + ".pt"));
      std::vector<double> got;
      for (int s = 3; s < 6; ++s)
        for (const auto& [k, v] : step(*resumed, s).values) got.push_back(v);
      CHECK(got == want);  // bit for bit: weights, optimisers, pools and the noise generator all resumed
      CHECK(torch::equal(full->translate(ct), resumed->translate(ct)));
    }
  }

  TEST_CASE("translation: the identity baseline returns its source, refuses other channel counts, round-trips") {
    ArchContext ctx = context("pix2pix", 1, 1, 0);
    ctx.capabilities = find_architecture("identity").capabilities;
    ctx.options = {};
    CHECK(ctx.capabilities.baseline);
    CHECK(ctx.capabilities.translation == "paired");
    auto m = create_architecture("identity", ctx);
    const auto src = torch::rand({3, 1, 32, 32}) * 1.2 - 0.1;
    CHECK(torch::equal(m->translate(src), src.clamp(0, 1)));
    CHECK(m->parameter_count() == 0);
    CHECK_THROWS_AS(m->sample(1, 0), std::logic_error);
    CHECK_THROWS_WITH(m->train_step(batch_of(torch::Tensor(), torch::rand({2, 1, 32, 32}))),
                      doctest::Contains("needs source images"));
    CHECK(m->train_step(batch_of(torch::rand({2, 1, 32, 32}), torch::rand({2, 1, 32, 32}))).values.empty());
    test::TempDir dir;
    m->save(dir / "identity.pt");
    create_architecture("identity", ctx)->load(dir / "identity.pt");
    ctx.source_channels = 3;
    CHECK_THROWS_WITH_AS(create_architecture("identity", ctx), doctest::Contains("needs equal counts"),
                         std::invalid_argument);
  }

  TEST_CASE("translation: a sweep refuses a translation architecture, naming it and its capability") {
    CHECK_THROWS_WITH_AS(parse_sweep_config("name: t\narchitectures: [pix2pix]\nmodalities: [liver]\nseeds: [0]\n"
                                            "image_size: 32\n",
                                            "t.yaml"),
                         doctest::Contains("'pix2pix' is an image-to-image translation architecture (translation: paired)"),
                         ConfigError);
  }
}
