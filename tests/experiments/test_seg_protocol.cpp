#include <doctest/doctest.h>

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "datasets/cardiac_phantom.h"
#include "experiments/seg_protocol.h"
#include "experiments/sweep.h"
#include "metrics/metric_catalogue.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("experiments") {
  TEST_CASE("segmentation protocol: test subjects may never be trained on; mixing counts") {
    ImageSet a, b;
    a.images = torch::zeros({3, 1, 4, 4});
    a.labels = torch::zeros({3, 4, 4}, torch::kInt64);
    a.subjects = {"p1", "p2", "p3"};
    b = a;
    b.subjects = {"p4", "p5", "p3"};
    CHECK_THROWS_WITH(check_disjoint(a, b), doctest::Contains("test subject 'p3' was trained on"));
    b.subjects = {"p4", "p5", "p6"};
    CHECK_NOTHROW(check_disjoint(a, b));
    const ImageSet m = mix_sets(a, b, 2);
    CHECK(m.size() == 5);
    CHECK(m.subjects.back() == "p5");
    CHECK_THROWS_AS(mix_sets(a, b, 4), std::invalid_argument);
    CHECK(seg_arm_name(0.5) == "mix_r0.5");
    CHECK(seg_arm_name(2) == "mix_r2");
  }

  TEST_CASE("segmentation protocol in a sweep: real, synthetic and mixed arms with N and r bookkeeping") {
    test::TempDir tmp;
    const std::string yaml = R"(
name: seg
architectures: [dcgan]
modalities: [cardiac]
seeds: [0]
image_size: 16
threads: 2
train: {steps: 10, batch_size: 8, checkpoint_every: 0}
data: {count: 50}
eval: {samples: 8, grid: 2, kid_subsets: 2, kid_subset_size: 4}
segmentation: {enabled: true, ratios: [0.5, 1], steps: 40, eval_every: 20, depth: 2, base_channels: 4}
arch: {dcgan: {z_dim: 8, base_channels: 8}}
)";
    SweepConfig c = parse_sweep_config(yaml, "seg.yaml");
    c.output = tmp / "runs";
    RunOptions opts;
    opts.progress = false;
    REQUIRE(run_sweep(c, opts).done == 1);
    ResultsStore store(c.run_dir() / "results.db");
    std::map<std::string, double> m;
    for (const auto& r : store.metrics("dcgan-cardiac-s0"))
      if (r.step == 10) m[r.name] = r.value;
    const double n = m.at("seg_train_images_real");
    CHECK(n == 35);  // 50 subjects, 10% validation, 20% test
    CHECK(m.at("seg_train_images_synth") == n);
    CHECK(m.at("seg_train_images_mix_r0.5") == n + std::round(0.5 * n));
    CHECK(m.at("seg_train_images_mix_r1") == 2 * n);
    for (const std::string arm : {"real", "synth", "mix_r0.5", "mix_r1"}) {
      INFO(arm);
      CHECK(m.at("seg_dice_" + arm) >= 0);
      CHECK(m.at("seg_dice_" + arm) <= 1);
      CHECK(m.count("seg_dice_" + arm + "/lv") == 1);
      if (arm != "real")
        CHECK(m.at("seg_dice_" + arm + "_delta") ==
              doctest::Approx(m.at("seg_dice_" + arm) - m.at("seg_dice_real")));
    }
    CHECK(m.count("seg_hd95_real") == 1);
    CHECK(m.at("fd_unet") > 0);  // works without any Inception weights
    CHECK(m.at("fd_unet_real_floor") >= 0);
  }

  TEST_CASE(
      "label fidelity: generated labels that match their images score near the real test Dice; "
      "mismatched ones score low") {
    const auto entry = cardiac_modality();
    const ModalitySpec spec = entry.spec.at_size(32);
    const Splits data = split_by_subject(make_phantom_set(entry, 32, 80, 1), 0, {});
    SegmentationConfig cfg;
    cfg.ratios = {};
    cfg.steps = 150;
    cfg.eval_every = 50;
    cfg.depth = 2;
    cfg.base_channels = 8;
    UNet net{nullptr};
    const SegScore baseline = train_and_score(data.train, data.val, data.test, spec, cfg, 7, c10::kCPU, &net);
    const ImageSet fresh = make_phantom_set(entry, 32, 200, 2);  // a "GAN" that draws new phantoms
    auto run = [&](bool shuffle) {
      const auto sample = [&](int64_t n, uint64_t) {
        Sample s;
        s.images = fresh.images.slice(0, 0, n);
        s.labels = shuffle ? fresh.labels.slice(0, 0, n).roll(1, 0) : fresh.labels.slice(0, 0, n);
        return s;
      };
      std::map<std::string, double> m;
      for (const auto& v : run_seg_protocol({data, spec, cfg, baseline, net, 0, c10::kCPU}, sample,
                                            fresh.images.slice(0, 0, 20)))
        m[v.name] = v.value;
      return m;
    };
    const auto matched = run(false), mismatched = run(true);
    MESSAGE("real test Dice ", baseline.dice, "; label fidelity matched ", matched.at("label_fidelity_dice"),
            ", mismatched ", mismatched.at("label_fidelity_dice"));
    CHECK(matched.at("label_fidelity_dice") == doctest::Approx(baseline.dice).epsilon(0.1));
    CHECK(mismatched.at("label_fidelity_dice") < matched.at("label_fidelity_dice") - 0.2);
    CHECK(matched.count("label_fidelity_dice/lv") == 1);
    // The audit in the U-Net's space: fresh draws are no copies.
    CHECK(matched.at("memorization_near_copy_fraction_unet") < 0.3);
  }
}
