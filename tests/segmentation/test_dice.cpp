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

  TEST_CASE("Dice: every empty / non-empty combination, MONAI's ignore_empty default and the named option") {
    // One 4x4 image per case, class 1 only.
    auto zeros = torch::zeros({1, 4, 4}, torch::kInt64);
    auto one = zeros.clone();
    one[0][1][1] = 1;
    auto other = zeros.clone();
    other[0][2][2] = 1;
    // Empty ground truth: NaN whatever the prediction (MONAI DiceHelper.compute_channel, ignore_empty=True).
    CHECK(std::isnan(dice_per_class(zeros, zeros, 2)[1]));
    CHECK(std::isnan(dice_per_class(one, zeros, 2)[1]));
    // Non-empty ground truth: the ordinary ratio, 0 for a missed structure.
    CHECK(dice_per_class(zeros, one, 2)[1] == 0.0);
    CHECK(dice_per_class(other, one, 2)[1] == 0.0);
    CHECK(dice_per_class(one, one, 2)[1] == 1.0);
    // ignore_empty = false (MONAI's option, not the default): empty on empty 1, hallucination 0.
    const DiceOptions keep{false, false};
    CHECK(dice_per_class(zeros, zeros, 2, keep)[1] == 1.0);
    CHECK(dice_per_class(one, zeros, 2, keep)[1] == 0.0);
    // Background, when included, follows the same rules.
    auto all = torch::ones({1, 4, 4}, torch::kInt64);
    CHECK(dice_per_class(zeros, zeros, 2, {true, true})[0] == 1.0);     // all background, predicted so
    CHECK(std::isnan(dice_per_class(zeros, all, 2, {true, true})[0]));  // no background in the ground truth
  }

  TEST_CASE("Dice means: per class over the images that define it, overall per image then over images") {
    // Three 1x4 images, labels 0..2.
    //   image 0: class 1 gt {0}, pred {0}      -> 1;   class 2 gt {}, pred {3} -> NaN
    //   image 1: class 1 gt {0,1}, pred {0}    -> 2/3; class 2 gt {3}, pred {} -> 0
    //   image 2: neither class in gt, pred {2} -> NaN, NaN (left out of every mean)
    auto gt = torch::tensor({1, 0, 0, 0, 1, 1, 0, 2, 0, 0, 0, 0}, torch::kInt64).view({3, 1, 4});
    auto pr = torch::tensor({1, 0, 0, 2, 1, 0, 0, 0, 0, 0, 1, 0}, torch::kInt64).view({3, 1, 4});
    const auto m = dice_matrix(pr, gt, 3);
    CHECK(std::isnan(m[2][1].item<double>()));
    const auto d = dice_per_class(pr, gt, 3);
    CHECK(d[1] == doctest::Approx((1.0 + 2.0 / 3.0) / 2));  // mean_batch over images 0 and 1
    CHECK(d[2] == doctest::Approx(0.0));                    // only image 1 defines class 2
    // MONAI "mean": image 0 -> 1, image 1 -> (2/3 + 0)/2 = 1/3, image 2 undefined -> (1 + 1/3) / 2.
    CHECK(mean_foreground_dice(pr, gt, 3) == doctest::Approx(2.0 / 3.0));
    // Nothing defined anywhere: NaN, never a number.
    auto z = torch::zeros({2, 3, 3}, torch::kInt64);
    CHECK(std::isnan(mean_foreground_dice(z, z, 3)));
  }

  TEST_CASE("Dice: bad input") {
    auto a = torch::zeros({1, 4, 4}, torch::kInt64);
    CHECK_THROWS_AS(dice_per_class(a, torch::zeros({1, 4, 5}, torch::kInt64), 2), c10::Error);
    CHECK_THROWS_AS(dice_per_class(a, a.to(torch::kFloat32), 2), c10::Error);
    CHECK_THROWS_AS(dice_per_class(a + 5, a, 2), c10::Error);
  }
}
