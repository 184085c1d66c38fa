// The contract every built-in architecture meets, run over the registry.
#include <doctest/doctest.h>

#include <cmath>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "datasets/modality.h"
#include "experiments/trainer.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
// Small, CPU-friendly options per architecture.
ArchOptions small_options(const std::string& arch) {
  if (arch == "dcgan") return {{"z_dim", 16}, {"base_channels", 8}};
  if (arch == "wgan_gp") return {{"z_dim", 16}, {"base_channels", 8}, {"n_critic", 2}};
  if (arch == "stylegan2")
    return {{"z_dim", 16},         {"w_dim", 16},        {"mapping_layers", 2},
            {"channel_base", 128}, {"max_channels", 16}, {"r1_interval", 2}};
  if (arch == "multiscale" || arch == "multiscale3d")
    return {{"z_dim", 16}, {"base_channels", 8}, {"patch_channels", 8}, {"patch", 8}};
  if (arch == "dcgan3d") return {{"z_dim", 16}, {"base_channels", 8}};
  // Any other entry (the DCGAN body's loss variants, one registered elsewhere): the small sizes above for
  // whichever of these options it has, its defaults for the rest.
  ArchOptions o;
  for (const auto& spec : find_architecture(arch).options)
    for (const auto& [k, v] : std::vector<std::pair<std::string, double>>{{"z_dim", 16}, {"base_channels", 8}, {"n_critic", 2}})
      if (spec.name == k) o[k] = v;
  return o;
}

bool volumetric(const std::string& arch) { return find_architecture(arch).capabilities.volumetric; }

// [b, c, size, size], or [b, c, size, size, size] for a volumetric architecture (c < 0: no channel axis).
std::vector<int64_t> shape(const std::string& arch, int64_t b, int64_t c, int64_t size) {
  std::vector<int64_t> s{b};
  if (c >= 0) s.push_back(c);
  for (int a = 0; a < (volumetric(arch) ? 3 : 2); ++a) s.push_back(size);
  return s;
}

ArchContext context(const std::string& arch, int channels, int size, uint64_t seed = 0) {
  ArchContext ctx;
  ctx.modality.name = "toy";
  ctx.modality.channels = channels;
  ctx.modality.size = size;
  ctx.modality.dims = volumetric(arch) ? 3 : 2;
  ctx.modality.labels = {"bg", "a", "b"};
  ctx.seed = seed;
  ctx.options = small_options(arch);
  return ctx;
}

double stat(const StepStats& s, const std::string& key) {
  for (const auto& [k, v] : s.values)
    if (k == key) return v;
  return std::nan("");
}

// The phantom set and modality an architecture trains on here: cardiac images, or liver volumes.
const ImageSet& phantom_set(const std::string& arch) {
  register_builtin_modalities();
  static const ImageSet images = make_phantom_set(find_modality("cardiac"), 16, 24, 3);
  static const ImageSet volumes = make_phantom_set(find_modality("liver"), 16, 24, 3, {}, 3);
  return volumetric(arch) ? volumes : images;
}
ModalitySpec phantom_spec(const std::string& arch) {
  return volumetric(arch) ? find_modality("liver").spec.at_size(16, 3) : find_modality("cardiac").spec.at_size(16);
}

// The context a training test gives `arch` on its phantom set: 16 px, batch 4, seed 2.
ArchContext phantom_context(const std::string& arch) {
  ArchContext ctx = context(arch, 1, 16, 2);
  ctx.modality = phantom_spec(arch);
  ctx.batch_size = 4;
  return ctx;
}
// Trainer options of those tests: batch 4, no progress line, checkpoints in `dir`.
TrainerOptions quiet_options(const std::filesystem::path& dir, int64_t steps) {
  TrainerOptions o;
  o.steps = steps;
  o.batch_size = 4;
  o.progress = false;
  o.checkpoint_dir = dir;
  return o;
}

// Every registered synthesis architecture: a new entry is held to the contract without editing this file
// (translation architectures have their own contract, tests/architectures/test_translation.cpp).
std::vector<std::string> registered() {
  register_builtin_architectures();
  std::vector<std::string> out;
  for (const auto& n : architecture_names())
    if (find_architecture(n).capabilities.translation.empty()) out.push_back(n);
  return out;
}
}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("the registry holds the nine built-in synthesis architectures") {
    const auto names = registered();
    for (const char* a : {"dcgan", "lsgan", "wgan", "wgan_gp", "hinge_gan", "stylegan2", "multiscale", "dcgan3d",
                          "multiscale3d"})
      CHECK(std::find(names.begin(), names.end(), a) != names.end());
  }

  TEST_CASE("every built-in: shapes and ranges for 1 and 3 channels at 16 and 32 px") {
    register_builtin_architectures();
    for (const auto& arch : registered())
      for (int c : {1, 3})
        for (int size : {16, 32}) {
          CAPTURE(arch);
          CAPTURE(c);
          CAPTURE(size);
          auto m = create_architecture(arch, context(arch, c, size));
          const Sample s = m->sample(3, 5);
          CHECK((s.images.sizes() == torch::IntArrayRef(shape(arch, 3, c, size))));
          CHECK((s.label_probs.sizes() == torch::IntArrayRef(shape(arch, 3, 3, size))));
          CHECK((s.labels.sizes() == torch::IntArrayRef(shape(arch, 3, -1, size))));
          CHECK(s.images.min().item<float>() >= 0.0f);
          CHECK(s.images.max().item<float>() <= 1.0f);
          CHECK(s.labels.min().item<int64_t>() >= 0);
          CHECK(s.labels.max().item<int64_t>() < 3);
          CHECK(torch::allclose(s.label_probs.sum(1), torch::ones(shape(arch, 3, -1, size)), 1e-4, 1e-4));
          CHECK(torch::isfinite(s.images).all().item<bool>());
          CHECK(m->parameter_count() > 0);
        }
  }

  TEST_CASE(
      "every built-in: one training step lowers its own D loss on a fixed batch; d_real_sign reported") {
    register_builtin_architectures();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      auto m = create_architecture(arch, context(arch, 1, 16, 3));
      const int64_t b = 8 * m->capabilities().critic_steps;
      torch::manual_seed(11);
      const Batch fixed{torch::rand(shape(arch, b, 1, 16)) * 0.2 + 0.8,
                        torch::zeros(shape(arch, b, -1, 16), torch::kInt64)};
      const Batch probe{fixed.images.narrow(0, 0, 8), fixed.labels.narrow(0, 0, 8)};
      const double before = m->discriminator_loss(probe, 5);
      CHECK(m->discriminator_loss(probe, 5) == before);  // evaluating changes nothing
      const StepStats st = m->train_step(fixed);
      CHECK(std::isfinite(stat(st, "d_real_sign")));
      const double after = m->discriminator_loss(probe, 5);
      MESSAGE(arch << ": D loss on the fixed batch " << before << " -> " << after << " after one step");
      CHECK(std::isfinite(before));
      CHECK(after < before);
    }
  }

  TEST_CASE("every built-in: save/load gives identical samples; resumed training matches") {
    register_builtin_architectures();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      auto m = create_architecture(arch, context(arch, 1, 16, 1));
      const int64_t b = 4 * m->capabilities().critic_steps;
      const Batch batch{torch::rand(shape(arch, b, 1, 16)), torch::randint(3, shape(arch, b, -1, 16), torch::kInt64)};
      m->train_step(batch);
      test::TempDir tmp;
      m->save(tmp / "m.pt");
      auto m2 = create_architecture(arch, context(arch, 1, 16, 77));
      m2->load(tmp / "m.pt");
      CHECK(torch::equal(m->sample(4, 9).images, m2->sample(4, 9).images));
      CHECK(torch::equal(m->sample(4, 9).labels, m2->sample(4, 9).labels));
      // Same RNG and optimiser state: the next step is the same, and so are the samples after it.
      m->train_step(batch);
      m2->train_step(batch);
      CHECK(torch::allclose(m->sample(2, 3).images, m2->sample(2, 3).images, 1e-5, 1e-6));
    }
  }

  TEST_CASE("every built-in: init_weights_from (train.init_from) copies the trained networks and nothing else") {
    register_builtin_architectures();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      auto m = create_architecture(arch, context(arch, 1, 16, 1));
      const int64_t b = 4 * m->capabilities().critic_steps;
      torch::manual_seed(4);
      const Batch batch{torch::rand(shape(arch, b, 1, 16)), torch::randint(1, 3, shape(arch, b, -1, 16), torch::kInt64)};
      m->train_step(batch);
      test::TempDir tmp;
      m->save(tmp / "m.pt");
      auto m2 = create_architecture(arch, context(arch, 1, 16, 77));
      m2->init_weights_from(tmp / "m.pt");
      if (m->capabilities().label_conditioned) {
        // The bank of real label maps is the source's data, not weights: it stays empty, so every map is
        // background until the cell trains on its own maps.
        CHECK(m2->sample(4, 9).labels.max().item<int64_t>() == 0);
        CHECK(m->sample(4, 9).labels.max().item<int64_t>() > 0);
      } else {
        CHECK(torch::equal(m->sample(4, 9).images, m2->sample(4, 9).images));
        CHECK(torch::equal(m->sample(4, 9).labels, m2->sample(4, 9).labels));
      }
    }
  }

  TEST_CASE("every built-in, every option on: a run resumed mid ADA interval equals an uninterrupted one") {
    // Issue 15 and stylegan2-ada-pytorch #81: a resume must restore every piece of training state (networks,
    // optimisers, EMA generator, path-length mean, lazy-regularisation counters, ADA p and its interval
    // accumulators, the training RNG). Compared bit for bit: each step's logged values and the samples.
    register_builtin_architectures();
    register_builtin_modalities();
    AugmentConfig aug;
    aug.instance_noise = 0.05;
    aug.policy = augment_ops();
    aug.adaptive = true;
    aug.ada_interval = 3;  // the split at step 4 falls one step into an interval
    aug.ada_kimg = 0.1;    // p moves by 0.12 per adjustment per 4 real images a step
    aug.ada_target = -2;   // below every possible r_t: p rises for every architecture, logistic D or not
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      const ImageSet& set = phantom_set(arch);
      AugmentConfig arch_aug = aug;
      if (volumetric(arch)) arch_aug.policy.clear();  // DiffAugment's ops are 2-D; ADA's p still adapts
      ArchOptions all_on = small_options(arch);
      if (arch == "stylegan2") {
        all_on["pl_weight"] = 2;
        all_on["pl_interval"] = 3;
        all_on["ema_kimg"] = 0.01;
        all_on["style_mixing"] = 0.9;
      }
      auto run = [&](const std::filesystem::path& dir, int64_t steps, uint64_t init_seed,
                     std::map<int64_t, StepStats>& logged) {
        ArchContext ctx = context(arch, 1, 16, init_seed);
        ctx.modality = phantom_spec(arch);
        ctx.options = all_on;
        ctx.batch_size = 4;
        ctx.augment = std::make_shared<DInputAugment>(arch_aug, 1, 1 + ctx.modality.num_labels());
        auto m = create_architecture(arch, ctx);
        TrainerOptions o;
        o.steps = steps;
        o.batch_size = 4;
        o.seed = 5;
        o.log_every = 1;
        o.progress = false;
        o.checkpoint_dir = dir;
        o.augment = ctx.augment;
        TrainerHooks hooks;
        hooks.on_log = [&](int64_t step, const StepStats& s) { logged[step] = s; };
        train_gan(*m, set, o, hooks);
        return std::make_pair(std::move(m), ctx.augment->probability());
      };
      test::TempDir tmp;
      std::map<int64_t, StepStats> straight_log, split_log;
      auto [straight, straight_p] = run(tmp / "straight", 8, 1, straight_log);
      run(tmp / "split", 4, 1, split_log);                                 // stops after step 4
      auto [resumed, resumed_p] = run(tmp / "split", 8, 77, split_log);  // a fresh model, other init
      CHECK(straight_p > 0);  // adjusted at steps 3 and 6: ADA state is exercised
      CHECK(straight_p < 1);
      CHECK(resumed_p == straight_p);
      REQUIRE(split_log.size() == 8);
      for (int64_t step = 1; step <= 8; ++step) {
        CAPTURE(step);
        const auto& a = straight_log.at(step).values;
        const auto& b = split_log.at(step).values;
        REQUIRE(a.size() == b.size());
        for (size_t i = 0; i < a.size(); ++i) {
          CAPTURE(a[i].first);
          CHECK(a[i].first == b[i].first);
          CHECK(a[i].second == b[i].second);
        }
      }
      CHECK(torch::equal(straight->sample(4, 9).images, resumed->sample(4, 9).images));
    }
  }

  TEST_CASE("every built-in: a divergent learning rate fails training with the step and the value") {
    // Issue 15: a NaN, infinite or exploding loss ends the cell with a named error; the last checkpoint stays.
    register_builtin_architectures();
    register_builtin_modalities();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      const ImageSet& set = phantom_set(arch);
      ArchContext ctx = phantom_context(arch);
      for (const auto& o : find_architecture(arch).options)
        if (o.name.find("lr") != std::string::npos && o.name.find("lr_mul") == std::string::npos)
          ctx.options[o.name] = o.max;  // every learning rate at its maximum (Adam, lr 1)
      auto m = create_architecture(arch, ctx);
      test::TempDir tmp;
      // A critic whose weights are clipped (WGAN) bounds every score, so no learning rate can make a loss
      // explode: for such an entry the contract is that training at the maximum rate stays finite.
      const bool bounded = find_architecture(arch).capabilities.regulariser == "weight_clip";
      TrainerOptions o = quiet_options(tmp.path(), bounded ? 20 : 300);
      o.checkpoint_every = 1;
      o.divergence_threshold = find_architecture(arch).capabilities.divergence_threshold;  // as a sweep's -1
      o.log_every = 1;
      std::map<std::string, double> peak;  // the largest |value| of each statistic, for the failure message
      TrainerHooks hooks;
      hooks.on_log = [&](int64_t, const StepStats& st) {
        for (const auto& [k, v] : st.values) peak[k] = std::max(peak[k], std::abs(v));
      };
      std::string what;
      try {
        train_gan(*m, set, o, hooks);
      } catch (const TrainingDiverged& e) {
        what = e.what();
      }
      std::string peaks;
      for (const auto& [k, v] : peak) peaks += fmt::format(" {}={:g}", k, v);
      MESSAGE(arch << ": " << what << " (peaks:" << peaks << ")");
      if (bounded) {
        CHECK(what.empty());
        for (const auto& [k, v] : peak) CHECK(std::isfinite(v));
        continue;
      }
      REQUIRE(what.find("training diverged: ") == 0);
      const auto at = what.find(" at step ");
      REQUIRE(at != std::string::npos);
      const int64_t step = std::stoll(what.substr(at + 9));
      const auto last = latest_checkpoint(tmp.path());  // the previous step's checkpoint survives
      if (step == 1) {
        CHECK(!last);
      } else {
        REQUIRE(last);
        CHECK(last->first == step - 1);
        CHECK_NOTHROW(create_architecture(arch, ctx)->load(last->second));
      }
    }
  }

  TEST_CASE("every built-in: lazy_stats (one host copy per log step, as on a GPU) changes nothing") {
    // The same logged values, samples and divergence error (step and value) as copying every step.
    register_builtin_architectures();
    register_builtin_modalities();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      const ImageSet& set = phantom_set(arch);
      auto run = [&](bool lazy, bool diverge, std::map<int64_t, StepStats>& logged) {
        ArchContext ctx = phantom_context(arch);
        if (diverge)
          for (const auto& o : find_architecture(arch).options)
            if (o.name.find("lr") != std::string::npos && o.name.find("lr_mul") == std::string::npos)
              ctx.options[o.name] = o.max;
        auto m = create_architecture(arch, ctx);
        test::TempDir tmp;
        TrainerOptions o = quiet_options(tmp.path(), diverge ? 300 : 7);
        o.seed = 3;
        o.log_every = diverge ? 50 : 3;
        o.checkpoint_every = diverge ? 25 : 2;
        o.lazy_stats = lazy;
        o.divergence_threshold = find_architecture(arch).capabilities.divergence_threshold;
        TrainerHooks hooks;
        hooks.on_log = [&](int64_t step, const StepStats& st) { logged[step] = st; };
        std::string what;
        try {
          train_gan(*m, set, o, hooks);
        } catch (const TrainingDiverged& e) {
          what = e.what();
        }
        return std::make_pair(what, m->sample(3, 4).images);
      };
      std::map<int64_t, StepStats> eager_log, lazy_log, unused;
      const auto [eager_what, eager_img] = run(false, false, eager_log);
      const auto [lazy_what, lazy_img] = run(true, false, lazy_log);
      CHECK(eager_what.empty());
      CHECK(lazy_what.empty());
      REQUIRE(eager_log.size() == 3);
      REQUIRE(lazy_log.size() == 3);
      for (const auto& [step, st] : eager_log) CHECK(lazy_log.at(step).values == st.values);
      CHECK(torch::equal(eager_img, lazy_img));
      if (find_architecture(arch).capabilities.regulariser == "weight_clip") continue;  // cannot diverge (above)
      const std::string eager_div = run(false, true, unused).first, lazy_div = run(true, true, unused).first;
      CHECK(eager_div.find("training diverged: ") == 0);
      CHECK(lazy_div == eager_div);
    }
  }

  TEST_CASE("every built-in: train.precision bf16 (autocast) trains, changes the arithmetic and repeats exactly") {
    register_builtin_architectures();
    register_builtin_modalities();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      const ImageSet& set = phantom_set(arch);
      auto run = [&](Precision p) {
        auto m = create_architecture(arch, phantom_context(arch));
        test::TempDir tmp;
        TrainerOptions o = quiet_options(tmp.path(), 3);
        o.seed = 3;
        o.log_every = 1;
        o.precision = p;
        std::vector<double> losses;
        TrainerHooks hooks;
        hooks.on_log = [&](int64_t, const StepStats& st) {
          for (const auto& kv : st.values) losses.push_back(kv.second);
        };
        train_gan(*m, set, o, hooks);
        return std::make_pair(losses, m->sample(3, 4).images);
      };
      const auto [fp32_losses, fp32_img] = run(Precision::fp32);
      const Capabilities caps = find_architecture(arch).capabilities;
      if (caps.multi_scale && caps.volumetric) {  // bf16 does not repeat there on the CPU: refused, with why
        CHECK_THROWS_WITH_AS(run(Precision::bf16), doctest::Contains("not reproducible"), std::invalid_argument);
        continue;
      }
      const auto [bf16_losses, bf16_img] = run(Precision::bf16);
      REQUIRE(bf16_losses.size() == fp32_losses.size());
      for (const double v : bf16_losses) CHECK(std::isfinite(v));
      CHECK((bf16_img.scalar_type() == torch::kFloat32));  // sampling stays float32
      CHECK(torch::isfinite(bf16_img).all().item<bool>());
      CHECK(bf16_losses != fp32_losses);  // the steps did run in bfloat16
      CHECK(torch::allclose(bf16_img, fp32_img, 0.0, 0.2));  // three steps apart by rounding only, not broken
      CHECK(run(Precision::bf16).first == bf16_losses);  // and bit-identical on the same machine
    }
  }

  TEST_CASE("bad settings are rejected with the option named") {
    register_builtin_architectures();
    for (const auto& arch : registered()) {
      CAPTURE(arch);
      ArchContext bad = context(arch, 1, 24);  // not a power of two
      CHECK_THROWS_WITH_AS(create_architecture(arch, bad), doctest::Contains("power-of-two"),
                           std::invalid_argument);
      bad = context(arch, 1, 16);
      bad.options["no_such_option"] = 1;
      CHECK_THROWS_WITH_AS(create_architecture(arch, bad),
                           doctest::Contains("unknown option 'no_such_option'"), std::invalid_argument);
    }
    ArchContext ms = context("multiscale", 1, 32);
    ms.options["levels"] = 4;  // level 0 would be 4 px
    CHECK_THROWS_WITH_AS(create_architecture("multiscale", ms),
                         doctest::Contains("option 'levels' = 4 is too many"), std::invalid_argument);
    ms.options["levels"] = 2;
    ms.options["patch"] = 12;
    CHECK_THROWS_WITH_AS(create_architecture("multiscale", ms),
                         doctest::Contains("option 'patch' must be a power of two"), std::invalid_argument);
    ArchContext sg = context("stylegan2", 1, 16);
    sg.options["style_mixing"] = 1.5;
    CHECK_THROWS_WITH_AS(create_architecture("stylegan2", sg), doctest::Contains("'style_mixing'"),
                         std::invalid_argument);
  }
}
