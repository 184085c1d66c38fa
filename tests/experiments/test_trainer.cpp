#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>

#include <torch/torch.h>

#include "architectures/registry.h"
#include "experiments/trainer.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
ImageSet tiny_set() {
  register_builtin_modalities();
  return make_phantom_set(find_modality("cardiac"), 16, 24, 3);
}
std::unique_ptr<GanModel> tiny_dcgan(uint64_t seed) {
  register_builtin_architectures();
  ArchContext ctx;
  ctx.modality = find_modality("cardiac").spec;
  ctx.modality.size = 16;
  ctx.seed = seed;
  ctx.options = {{"z_dim", 8}, {"base_channels", 4}};
  return create_architecture("dcgan", ctx);
}

// A model whose loss turns NaN at a given step.
class NanModel : public GanModel {
 public:
  explicit NanModel(int bad_step) : bad_(bad_step) {}
  StepStats train_step(const Batch&) override {  // a tensor, as real models add, so lazy_stats defers it
    StepStats s;
    s.add("loss_d", torch::tensor(++n_ == bad_ ? NAN : 1.0 + 0.01 * n_));
    return s;
  }
  Sample sample(int64_t, uint64_t) override { return {}; }
  void save(const std::filesystem::path& p) const override { std::ofstream(p) << n_; }
  void load(const std::filesystem::path&) override {}
  Capabilities capabilities() const override { return {}; }
  int64_t parameter_count() const override { return 0; }

 private:
  int bad_, n_ = 0;
};
}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("trainer: resuming from a checkpoint gives the same model as an uninterrupted run") {
    const ImageSet set = tiny_set();
    test::TempDir dir;
    TrainerOptions o;
    o.batch_size = 4;
    o.seed = 5;
    o.progress = false;
    o.checkpoint_every = 3;

    o.steps = 8;
    o.checkpoint_dir = dir / "straight";
    auto straight = tiny_dcgan(1);
    const TrainResult r1 = train_gan(*straight, set, o);
    CHECK(r1.start_step == 0);
    CHECK(r1.end_step == 8);

    o.checkpoint_dir = dir / "split";
    o.steps = 5;  // "crash" after 5 steps (the final save stands in for the step-3/6 checkpoints)
    auto first = tiny_dcgan(1);
    train_gan(*first, set, o);
    o.steps = 8;
    auto resumed = tiny_dcgan(77);  // different init: everything must come from the checkpoint
    const TrainResult r2 = train_gan(*resumed, set, o);
    CHECK(r2.start_step == 5);
    CHECK(r2.end_step == 8);
    CHECK(torch::allclose(straight->sample(4, 9).images, resumed->sample(4, 9).images, 1e-5, 1e-6));
    // Only the newest checkpoint is kept.
    const auto latest = latest_checkpoint(dir / "split");
    REQUIRE(latest);
    CHECK(latest->first == 8);
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "split")) ++n;
    CHECK(n == 1);
  }

  TEST_CASE("trainer: a NaN loss stops training with the step and keeps the last checkpoint") {
    const ImageSet set = tiny_set();
    test::TempDir dir;
    TrainerOptions o;
    o.steps = 10;
    o.batch_size = 2;
    o.checkpoint_every = 2;
    o.progress = false;
    o.checkpoint_dir = dir.path();
    for (const bool lazy : {false, true}) {  // lazy: step 5 is checked at step 6, before its checkpoint
      CAPTURE(lazy);
      std::filesystem::remove_all(dir.path());
      std::filesystem::create_directories(dir.path());
      o.lazy_stats = lazy;
      o.log_every = 10;
      NanModel m(5);
      CHECK_THROWS_WITH_AS(train_gan(m, set, o), doctest::Contains("loss_d became nan at step 5"),
                           TrainingDiverged);
      const auto latest = latest_checkpoint(dir.path());
      REQUIRE(latest);
      CHECK(latest->first == 4);
    }
  }

  TEST_CASE("trainer: lazy_stats (no host copy per step, as on a GPU) logs the same values as fetching each step") {
    const ImageSet set = tiny_set();
    test::TempDir dir;
    TrainerOptions o;
    o.steps = 9;
    o.batch_size = 4;
    o.seed = 2;
    o.log_every = 4;
    o.checkpoint_every = 3;
    o.progress = false;
    std::map<bool, std::map<int64_t, std::vector<std::pair<std::string, double>>>> logs;
    std::map<bool, torch::Tensor> samples;
    for (const bool lazy : {false, true}) {
      o.lazy_stats = lazy;
      o.checkpoint_dir = dir / (lazy ? "lazy" : "eager");
      auto m = tiny_dcgan(3);
      TrainerHooks h;
      h.on_log = [&](int64_t s, const StepStats& st) {
        CHECK(st.fetched());
        logs[lazy][s] = st.values;
      };
      train_gan(*m, set, o, h);
      samples[lazy] = m->sample(4, 1).images;
    }
    CHECK(logs[true].size() == 3);  // steps 4, 8, 9
    CHECK(logs[true] == logs[false]);  // bit for bit
    CHECK(torch::equal(samples[true], samples[false]));
    NanModel m(-1);
    StepStats deferred;
    {
      DeferStepStats d;
      deferred = m.train_step({});
    }
    CHECK(!deferred.fetched());
    CHECK(std::isnan(deferred.values[0].second));
    deferred.fetch();
    CHECK(deferred.values[0].second == static_cast<double>(1.01f));  // the float tensor, exactly
  }

  TEST_CASE("trainer: on_log fires every log_every steps and at the end") {
    const ImageSet set = tiny_set();
    TrainerOptions o;
    o.steps = 7;
    o.batch_size = 2;
    o.log_every = 3;
    o.progress = false;
    std::vector<int64_t> logged;
    NanModel m(-1);
    TrainerHooks h;
    h.on_log = [&](int64_t s, const StepStats&) { logged.push_back(s); };
    train_gan(m, set, o, h);
    CHECK(logged == std::vector<int64_t>{3, 6, 7});
  }
}
