#include <doctest/doctest.h>

#include "metrics/metric_catalogue.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("metrics") {
  TEST_CASE("catalogue: names are built from specs and resolved back with their parameters") {
    register_builtin_metrics();
    CHECK(metric_name("fd", {{"space", "handcrafted"}}) == "fd_handcrafted");
    CHECK(metric_name("fid", {{"space", "inception"}}) == "fid_inception");
    CHECK(metric_name("seg_dice_delta", {{"arm", seg_arm_name(0.5)}}) == "seg_dice_mix_r0.5_delta");
    CHECK(metric_name("seg_dice_class", {{"arm", "real"}, {"label", "lv"}}) == "seg_dice_real/lv");
    // The most specific pattern wins: a delta is not a Dice of arm "mix_r0.5_delta".
    auto m = match_metric("seg_dice_mix_r0.5_delta");
    REQUIRE(m);
    CHECK(m->spec->id == "seg_dice_delta");
    CHECK(m->params.at("arm") == "mix_r0.5");
    CHECK(m->spec->signed_value);
    m = match_metric("fd_handcrafted_real_floor");
    REQUIRE(m);
    CHECK(m->spec->id == "fd_real_floor");
    CHECK(m->spec->direction == 0);
    m = match_metric("fd_unet@step0");
    REQUIRE(m);
    CHECK(m->spec->id == "fd");
    CHECK(m->view == "step0");
    CHECK(m->params.at("space") == "unet");
    CHECK(match_metric("train/loss_d")->spec->show == MetricShow::curve);
    CHECK(match_metric("kid_inception_std")->spec->show == MetricShow::hidden);
    CHECK(match_metric("fid_inception")->spec->decimals == 2);
    CHECK(match_metric("seg_hd95_synth")->spec->unit == "px");
    CHECK(!match_metric("custom_score"));
    CHECK(!match_metric("seg_dice_bogus"));  // not an arm
  }

  TEST_CASE("catalogue: bad input is refused, so no unreadable name is ever stored") {
    register_builtin_metrics();
    CHECK_THROWS_WITH_AS(metric_name("fd"), doctest::Contains("needs a value for <space>"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(metric_name("fd", {{"space", "Bad Space"}}),
                         doctest::Contains("not a valid <space>"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(metric_name("fdd"), doctest::Contains("valid: fd, fid"), std::invalid_argument);
    auto spec = [](const char* id, const char* pattern) {
      MetricSpec s;
      s.id = id;
      s.pattern = pattern;
      return s;
    };
    CHECK_THROWS_AS(register_metric(spec("fd", "fd_x_<space>")), std::logic_error);      // duplicate id
    CHECK_THROWS_AS(register_metric(spec("fd_other", "fd_<space>")), std::logic_error);  // duplicate pattern
    CHECK_THROWS_AS(register_metric(spec("odd", "odd_<nothing>")), std::logic_error);  // unknown placeholder
    MetricSpec both = spec("both", "both_<space>");
    both.direction = -1, both.reference = 0.05;  // a reference value and "lower is better" contradict
    CHECK_THROWS_WITH_AS(register_metric(both), doctest::Contains("needs direction 0"), std::logic_error);
  }

  TEST_CASE("catalogue: the near-copy fraction has a reference value, not a direction") {
    register_builtin_metrics();
    const auto m = match_metric("memorization_near_copy_fraction_pixels");
    REQUIRE(m);
    CHECK(m->spec->direction == 0);
    CHECK(m->spec->reference == 0.05);
    CHECK(direction_text(*m->spec) == "reference 0.05, neither end is best");
    CHECK(direction_text(*match_metric("fid_inception")->spec) == "lower is better");
    CHECK(direction_text(*match_metric("precision_inception")->spec) == "higher is better");
  }

  TEST_CASE("catalogue: arms and their ratios") {
    CHECK(seg_arm_name(0.5) == "mix_r0.5");
    CHECK(seg_arm_name(2.0) == "mix_r2");
    CHECK(*seg_arm_ratio("mix_r0.5") == 0.5);
    CHECK(*seg_arm_ratio(seg_arm_name(1e-5)) == 1e-5);
    CHECK(!seg_arm_ratio("real"));
    CHECK(!seg_arm_ratio("mix_r"));
  }

  TEST_CASE("catalogue: every headline and every name a real sweep stored resolves to a spec") {
    register_builtin_metrics();
    for (const auto& n : headline_metrics()) {
      CAPTURE(n);
      CHECK(match_metric(n));
    }
    // The names of a real sweep with the segmentation protocol on (tests/fixtures/reports/tiny_run).
    ResultsStore store(test::fixtures() / "reports/tiny_run/run/results.db", false);
    std::set<std::string> names;
    for (const auto& row : store.metrics()) names.insert(row.name);
    CHECK(names.size() > 40);
    for (const auto& n : names) {
      CAPTURE(n);
      CHECK(match_metric(n));
    }
  }
}
