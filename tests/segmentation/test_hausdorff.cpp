#include <doctest/doctest.h>

#include <cmath>

#include <torch/torch.h>

#include "segmentation/hausdorff.h"

using namespace ganbench;

TEST_SUITE("segmentation") {
  TEST_CASE("HD95: hand-checked cases") {
    auto z = [] { return torch::zeros({10, 10}, torch::kBool); };
    // Identical masks.
    auto a = z();
    a.index_put_({torch::indexing::Slice(2, 6), torch::indexing::Slice(2, 6)}, true);
    CHECK(hd95(a, a) == 0.0);
    // Two single pixels 3-4-5 apart.
    auto p = z(), t = z();
    p[0][0] = true;
    t[3][4] = true;
    CHECK(hd95(p, t) == doctest::Approx(5.0));
    // Parallel vertical lines 3 px apart: every surface distance is 3.
    auto l1 = z(), l2 = z();
    l1.index_put_({torch::indexing::Slice(), 2}, true);
    l2.index_put_({torch::indexing::Slice(), 5}, true);
    CHECK(hd95(l1, l2) == doctest::Approx(3.0));
    // Percentile interpolation as numpy: pred {(0,0), (0,10)}, target {(0,0)}: directed distances
    // pred->target [0, 10] -> 95th percentile 9.5; target->pred [0] -> 0; HD95 = 9.5.
    auto pp = torch::zeros({1, 11}, torch::kBool), tt = torch::zeros({1, 11}, torch::kBool);
    pp[0][0] = true;
    pp[0][10] = true;
    tt[0][0] = true;
    CHECK(hd95(pp, tt) == doctest::Approx(9.5));
    // Empty masks: both empty 0, one empty undefined.
    CHECK(hd95(z(), z()) == 0.0);
    CHECK(std::isnan(hd95(a, z())));
    CHECK_THROWS_AS(hd95(torch::zeros({3, 3}, torch::kBool), torch::zeros({4, 4}, torch::kBool)),
                    std::invalid_argument);
  }

  TEST_CASE("HD95 per class: averages the images where it is defined, background excluded") {
    auto pred = torch::zeros({2, 8, 8}, torch::kInt64), gt = torch::zeros({2, 8, 8}, torch::kInt64);
    pred[0][1][1] = 1;
    gt[0][4][5] = 1;  // image 0, class 1: 5 px apart
    pred[1][2][2] = 1;
    gt[1][2][2] = 1;    // image 1, class 1: identical
    pred[0][7][7] = 2;  // class 2 predicted only in image 0 -> undefined there; absent in image 1 -> 0
    const auto h = hd95_per_class(pred, gt, 3);
    CHECK(std::isnan(h[0]));
    CHECK(h[1] == doctest::Approx(2.5));
    CHECK(h[2] == doctest::Approx(0.0));
    CHECK(hd95_per_class(pred, gt, 3, true)[0] >= 0.0);
  }
}
