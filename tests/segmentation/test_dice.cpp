#include <doctest/doctest.h>

#include <torch/torch.h>

#include "segmentation/dice.h"

using namespace ganbench;

TEST_SUITE("segmentation") {
  TEST_CASE("Dice: hand-computed case") {
    // 1x2x3 maps. Class 1: pred {0,1}, target {0,3} -> 2*1/(2+2) = 0.5. Class 2: pred {2,3,4}, target {1,2}
    // -> 2*1/(3+2) = 0.4.
    auto pred = torch::tensor({1, 1, 2, 2, 2, 0}, torch::kInt64).view({1, 2, 3});
    auto tgt = torch::tensor({1, 2, 2, 1, 0, 0}, torch::kInt64).view({1, 2, 3});
    const auto d = dice_per_class(pred, tgt, 3);
    CHECK(std::isnan(d[0]));
    CHECK(d[1] == doctest::Approx(0.5));
    CHECK(d[2] == doctest::Approx(0.4));
    CHECK(mean_foreground_dice(pred, tgt, 3) == doctest::Approx(0.45));
  }

  TEST_CASE("Dice edge cases: empty on empty is 1, one pixel, all one class") {
    auto zeros = torch::zeros({1, 4, 4}, torch::kInt64);
    CHECK(dice_per_class(zeros, zeros, 2)[1] == doctest::Approx(1.0));
    auto one = zeros.clone();
    one[0][1][1] = 1;
    CHECK(dice_per_class(one, zeros, 2)[1] == doctest::Approx(0.0));
    CHECK(dice_per_class(one, one, 2)[1] == doctest::Approx(1.0));
    auto all = torch::ones({1, 4, 4}, torch::kInt64);
    CHECK(dice_per_class(all, all, 2, true)[0] == doctest::Approx(1.0));
    CHECK(dice_per_class(all, zeros, 2, true)[0] == doctest::Approx(0.0));
  }

  TEST_CASE("Dice: bad input") {
    auto a = torch::zeros({1, 4, 4}, torch::kInt64);
    CHECK_THROWS_AS(dice_per_class(a, torch::zeros({1, 4, 5}, torch::kInt64), 2), c10::Error);
    CHECK_THROWS_AS(dice_per_class(a, a.to(torch::kFloat32), 2), c10::Error);
    CHECK_THROWS_AS(dice_per_class(a + 5, a, 2), c10::Error);
  }
}
