// Translation as a sweep task: the config keys and their refusals, the paired and unpaired subject splits,
// super-resolution's degradation, and one tiny sweep whose stored paired metrics are recomputed here.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/npy.h"
#include "datasets/modality.h"
#include "experiments/cell.h"
#include "experiments/config.h"
#include "experiments/sweep.h"
#include "experiments/translation_data.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {

const char* kBase = R"(
name: tr
task: translation
image_size: 32
seeds: [0]
threads: 2
train: {steps: 4, batch_size: 4, checkpoint_every: 0, log_every: 2}
data: {count: 40}
eval: {grid: 8, kid_subsets: 2, kid_subset_size: 4}
)";

SweepConfig parse(const std::string& more) { return parse_sweep_config(std::string(kBase) + more, "tr.yaml"); }

std::string error_of(const std::string& more) {
  try {
    parse(more);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

Splits phantom_splits(const std::string& modality, int64_t count, uint64_t seed = 7) {
  register_builtin_modalities();
  return split_by_subject(make_phantom_set(find_modality(modality), 32, count, seed), seed, {0.1, 0.2});
}

std::set<std::string> set_of(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("translation config: directions as cells, modalities filled in, every refusal names its key") {
    const SweepConfig c = parse("architectures: [pix2pix, identity]\ntranslation: {from: [liver, degraded], to: [liver_mr, liver]}\n");
    CHECK(c.modalities == std::vector<std::string>{"liver", "liver_mr"});
    const auto cells = expand_cells(c);
    REQUIRE(cells.size() == 4);
    CHECK(cells[0].id == "pix2pix-liver2liver_mr-s0");
    CHECK(cells[1].id == "pix2pix-degraded2liver-s0");
    CHECK(cell_modalities(cells[1]) == std::vector<std::string>{"liver"});
    const SweepConfig one = cell_config(c, cells[0]);
    CHECK(one.translation.from == std::vector<std::string>{"liver"});
    CHECK(cell_config_hash(c, cells[0]) != cell_config_hash(c, cells[1]));
    // The resolved YAML round-trips.
    const SweepConfig back = parse_sweep_config(to_yaml(c), "resolved.yaml");
    CHECK(to_yaml(back) == to_yaml(c));
    // Every translation key with a non-default value round-trips (the synthesis keys: test_config.cpp).
    const SweepConfig all = parse("architectures: [pix2pix]\ntranslation: {from: [degraded, liver], to: [liver, liver_mr], "
                                  "degrade: {factor: 2, blur_sigma: 0.5, noise: 0.02}}\n");
    const SweepConfig defaults;
    for (const auto& k : config_keys())
      if (k.key == "task" || k.key.rfind("translation.", 0) == 0) {
        CAPTURE(k.key);
        CHECK(config_value(all, k.key) != config_value(defaults, k.key));
      }
    CHECK(to_yaml(parse_sweep_config(to_yaml(all), "resolved.yaml")) == to_yaml(all));
    // A synthesis config's YAML does not mention the new keys (its hashes hold).
    const SweepConfig syn = parse_sweep_config("architectures: [dcgan]\nmodalities: [cardiac]\n", "s.yaml");
    CHECK(to_yaml(syn).find("\ntranslation:") == std::string::npos);
    CHECK(to_yaml(syn).find("\ntask:") == std::string::npos);
    CHECK(to_yaml(c).find("\ntask: translation") != std::string::npos);

    CHECK(error_of("architectures: [dcgan]\ntranslation: {from: liver, to: liver_mr}\n").find("'architectures[0]'") !=
          std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: [liver, liver_mr], to: liver_mr}\n")
              .find("'translation.to'") != std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: lung, to: liver_mr}\n").find("'translation.from[0]'") !=
          std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: liver, to: liver}\n").find("to itself") !=
          std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: degraded, to: liver, degrade: {factor: 3}}\n")
              .find("'translation.degrade.factor'") != std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: liver, to: liver_mr, shift: 2}\n")
              .find("'translation.shift'") != std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\nmodalities: [cardiac]\ntranslation: {from: liver, to: liver_mr}\n")
              .find("'modalities'") != std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\n").find("'translation.from'") != std::string::npos);
    // A key twice in one mapping (here data, after the base's) is refused, not silently dropped.
    CHECK(error_of("architectures: [pix2pix]\ntranslation: {from: liver, to: liver_mr}\ndata: {count: 20}\n")
              .find("'data': appears twice") != std::string::npos);
    CHECK(error_of("architectures: [pix2pix]\nsegmentation: {enabled: true}\ntranslation: {from: cardiac, to: liver}\n")
              .find("same label names") != std::string::npos);
    // ... and the other way round: a synthesis sweep refuses translators and translation keys.
    CHECK_THROWS_WITH_AS(parse_sweep_config("architectures: [pix2pix]\nmodalities: [liver]\n", "s.yaml"),
                         doctest::Contains("task: translation"), ConfigError);
    CHECK_THROWS_WITH_AS(
        parse_sweep_config("architectures: [dcgan]\nmodalities: [liver]\ntranslation: {from: liver, to: liver_mr}\n",
                           "s.yaml"),
        doctest::Contains("applies to task: translation"), ConfigError);
  }

  TEST_CASE("translation splits: paired rows are true pairs; unpaired halves share no subject; tests are held out") {
    const Splits ct = phantom_splits("liver", 40), mr = phantom_splits("liver_mr", 40);
    const TranslationSplits p = translation_splits(ct, mr, "paired", 3);
    REQUIRE(p.train.source.defined());
    CHECK(p.train.source_paired);
    CHECK(p.train.size() == mr.train.size());
    CHECK(torch::equal(p.train.source, ct.train.images));  // the phantoms' subjects are in the same order
    CHECK(torch::equal(p.source_train.labels, p.train.labels));  // one anatomy, two renderings
    CHECK(torch::equal(p.test.source, ct.test.images));
    CHECK(!torch::equal(p.test.source, p.test.images));

    const TranslationSplits u = translation_splits(ct, mr, "unpaired", 3);
    CHECK(!u.train.source_paired);
    const auto a = set_of(u.source_subjects), b = set_of(u.train.subjects);
    std::vector<std::string> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    CHECK(both.empty());  // CycleGAN never sees a pair
    CHECK(a.size() + b.size() == set_of(mr.train.subjects).size());
    CHECK(std::abs(int(a.size()) - int(b.size())) <= 1);
    for (const auto& s : mr.test.subjects) {
      CHECK(a.count(s) == 0);
      CHECK(b.count(s) == 0);
    }
    CHECK(u.test.size() == mr.test.size());  // scoring still has every true pair
    CHECK(translation_splits(ct, mr, "unpaired", 4).source_subjects != u.source_subjects);  // the seed decides
    // Unpaired batches draw the source rows independently, from the source half only.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    const Batch batch = sample_batch(u.train, 16, gen);
    REQUIRE(batch.source.size(0) == 16);
    for (int64_t i = 0; i < 16; ++i) {
      bool found = false;
      for (int64_t j = 0; j < u.source_train.size() && !found; ++j) found = torch::equal(batch.source[i], u.source_train.images[j]);
      CHECK(found);
    }
    // Different subjects, or another split of them, are no paired data set.
    CHECK_THROWS_WITH_AS(translation_splits(phantom_splits("liver", 40, 8), mr, "paired", 3),
                         doctest::Contains("not a paired data set"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(translation_splits(phantom_splits("liver", 30), mr, "paired", 3),
                         doctest::Contains("not a paired data set"), std::invalid_argument);
    CHECK_THROWS_AS(translation_splits(ct, mr, "both", 3), std::invalid_argument);
  }

  TEST_CASE("degrade: identity at factor 1, a 4-px checkerboard averages to grey at factor 4, noise is seeded") {
    const auto half = torch::div(torch::arange(32), 2, "floor");
    const auto board = ((half.view({1, 1, 32, 1}) + half.view({1, 1, 1, 32})) % 2)
                           .to(torch::kFloat32)
                           .expand({2, 1, 32, 32})
                           .contiguous();  // 2 x 2 px squares
    DegradeConfig none;
    none.factor = 1;
    none.blur_sigma = 0;
    CHECK(torch::equal(degrade_images(board, none, 0), board));
    DegradeConfig sr;  // factor 4, blur 1 px, no noise
    const auto lr = degrade_images(board, sr, 0);
    CHECK(lr.sizes() == board.sizes());
    CHECK(lr.sub(0.5).abs().max().item<double>() < 0.05);  // every 4 x 4 block holds 8 black and 8 white px
    DegradeConfig noisy = sr;
    noisy.noise = 0.05;
    const auto n1 = degrade_images(board, noisy, 1), n1b = degrade_images(board, noisy, 1), n2 = degrade_images(board, noisy, 2);
    CHECK(torch::equal(n1, n1b));
    CHECK(!torch::equal(n1, n2));
    CHECK(n1.min().item<double>() >= 0);
    CHECK(n1.max().item<double>() <= 1);
  }

  TEST_CASE("translation sweep: identity's stored MAE, PSNR and SSIM are what the test pairs give; pix2pix runs") {
    test::TempDir dir;
    SweepConfig c = parse("architectures: [identity, pix2pix]\narch: {pix2pix: {ngf: 8, ndf: 8}}\n"
                          "translation: {from: [degraded, liver], to: [liver, liver_mr]}\n");
    c.output = dir.path();
    RunOptions ro;
    ro.progress = false;
    const SweepSummary s = run_sweep(c, ro);
    CHECK(s.done == 4);
    CHECK(s.failed == 0);
    ResultsStore store(c.run_dir() / "results.db");
    auto value = [&](const std::string& cell, const std::string& name) -> double {
      for (const auto& m : store.metrics(cell))
        if (m.name == name) return m.value;
      FAIL("metric " << name << " missing for " << cell);
      return std::nan("");
    };
    // Recompute identity's super-resolution scores from the same split and degradation: MAE in HU through the
    // liver window (level 30, width 150).
    const Splits liver = phantom_splits("liver", 40, c.data.seed);
    // The cell degrades each split with its own seed; the test split is the third.
    const auto src = read_npy(c.run_dir() / "cells/identity-degraded2liver-s0/translation_source_images.npy");
    const auto tgt = read_npy(c.run_dir() / "cells/identity-degraded2liver-s0/translation_target_images.npy");
    const auto s_t = torch::tensor(src.to_floats()).view({-1, 1, 32, 32}), t_t = torch::tensor(tgt.to_floats()).view({-1, 1, 32, 32});
    CHECK(torch::equal(t_t, liver.test.images));
    CHECK(!torch::equal(s_t, t_t));
    const double n = value("identity-degraded2liver-s0", "paired_n");
    CHECK(n == liver.test.size());
    // eval.grid is the test split's size, so the stored pairs are all of them.
    REQUIRE(t_t.size(0) == liver.test.size());
    const double mae = (s_t - t_t).abs().mean().item<double>() * 150.0;
    CHECK(value("identity-degraded2liver-s0", "paired_mae_hu") == doctest::Approx(mae).epsilon(1e-5));
    CHECK(value("identity-degraded2liver-s0", "paired_mae_hu") > 0);
    CHECK(value("identity-degraded2liver-s0", "paired_ssim") > 0.2);  // bicubic keeps the coarse layout
    CHECK(value("identity-degraded2liver-s0", "paired_ssim") < 1);
    CHECK(std::isfinite(value("pix2pix-liver2liver_mr-s0", "paired_psnr")));
    CHECK(value("pix2pix-liver2liver_mr-s0", "paired_mae") > 0);
    CHECK(std::isfinite(value("pix2pix-liver2liver_mr-s0", "fd_handcrafted")));
    CHECK(value("identity-liver2liver_mr-s0", "parameters") == 0);
  }

  TEST_CASE("translation sweep from a paired folder (a/, b/, mask/ matched by stem): the pairs are the files") {
    test::TempDir dir;
    for (const char* sub : {"a", "b", "mask"}) std::filesystem::create_directories(dir / "pairs" / sub);
    for (int i = 0; i < 30; ++i) {
      cv::Mat a(32, 32, CV_8U), b(32, 32, CV_8U), m(32, 32, CV_8U, cv::Scalar(0));
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          a.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 7 + y * 3 + i * 11) % 256);
          b.at<uint8_t>(y, x) = static_cast<uint8_t>(255 - a.at<uint8_t>(y, x));  // the other contrast
        }
      cv::circle(m, {16, 16}, 5 + i % 4, cv::Scalar(1), -1);
      const std::string stem = fmt::format("case{:02d}.png", i);
      cv::imwrite((dir / "pairs/a" / stem).string(), a);
      cv::imwrite((dir / "pairs/b" / stem).string(), b);
      cv::imwrite((dir / "pairs/mask" / stem).string(), m);
    }
    SweepConfig c = parse_sweep_config(
        fmt::format("name: tr\ntask: translation\nimage_size: 32\nthreads: 2\narchitectures: [identity]\n"
                    "train: {{steps: 2, batch_size: 4, checkpoint_every: 0}}\n"
                    "eval: {{grid: 8, kid_subsets: 2, kid_subset_size: 4}}\n"
                    "data: {{count: 30, sources: {{liver: {{format: folder, path: {0}, images: a, masks: mask}}, "
                    "liver_mr: {{format: folder, path: {0}, images: b, masks: mask}}}}}}\n"
                    "translation: {{from: liver, to: liver_mr}}\n",
                    (dir / "pairs").string()),
        "pairs.yaml");
    c.output = dir / "runs";
    RunOptions ro;
    ro.progress = false;
    REQUIRE(run_sweep(c, ro).done == 1);
    ResultsStore store(c.run_dir() / "results.db");
    double mae = NAN, n = NAN;
    for (const auto& m : store.metrics("identity-liver2liver_mr-s0")) {
      if (m.name == "paired_mae") mae = m.value;
      if (m.name == "paired_n") n = m.value;
    }
    const auto cell = c.run_dir() / "cells/identity-liver2liver_mr-s0";
    const auto src = torch::tensor(read_npy(cell / "translation_source_images.npy").to_floats());
    const auto tgt = torch::tensor(read_npy(cell / "translation_target_images.npy").to_floats());
    REQUIRE(src.numel() == int64_t(n) * 32 * 32);  // eval.grid covers the test split here
    CHECK((src + tgt - 1).abs().max().item<double>() < 1e-6);  // each target is its source's inverse
    CHECK(mae == doctest::Approx((src - tgt).abs().mean().item<double>()).epsilon(1e-6));
  }
}
