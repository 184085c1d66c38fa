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
    // Empty masks, as MONAI: both empty NaN (left out), exactly one empty +inf (missed or hallucinated).
    CHECK(std::isnan(hd95(z(), z())));
    CHECK(std::isinf(hd95(a, z())));
    CHECK(std::isinf(hd95(z(), a)));
    CHECK_THROWS_AS(hd95(torch::zeros({3, 3}, torch::kBool), torch::zeros({4, 4}, torch::kBool)),
                    std::invalid_argument);
  }

  TEST_CASE("HD95 summaries: mean of the finite values, the share of infinite ones, NaN left out") {
    auto pred = torch::zeros({3, 8, 8}, torch::kInt64), gt = torch::zeros({3, 8, 8}, torch::kInt64);
    pred[0][1][1] = 1;
    gt[0][4][5] = 1;  // image 0, class 1: 5 px apart
    pred[1][2][2] = 1;
    gt[1][2][2] = 1;    // image 1, class 1: identical -> 0
    pred[0][7][7] = 2;  // image 0, class 2: hallucinated -> inf
    gt[2][3][3] =
        2;  // image 2, class 2: missed -> inf; image 2 class 1 and image 1 class 2: both empty -> NaN
    const auto m = hd95_matrix(pred, gt, 3);
    CHECK(std::isnan(m[0][0]));  // background excluded
    CHECK(m[0][1] == doctest::Approx(5.0));
    CHECK(std::isinf(m[0][2]));
    CHECK(std::isnan(m[1][2]));
    CHECK(std::isinf(m[2][2]));
    const Hd95Summary all = summarize_hd95(m);
    CHECK(all.defined == 4);                          // 5, 0, inf, inf
    CHECK(all.mean_finite == doctest::Approx(2.5));   // (5 + 0) / 2
    CHECK(all.inf_fraction == doctest::Approx(0.5));  // 2 of 4
    const Hd95Summary c2 = summarize_hd95(m, 2);
    CHECK(std::isnan(c2.mean_finite));  // no finite value for class 2
    CHECK(c2.inf_fraction == 1.0);
    CHECK(std::isnan(summarize_hd95(hd95_matrix(pred * 0, gt * 0, 3)).inf_fraction));  // nothing defined
    CHECK(hd95_matrix(pred, gt, 3, true)[0][0] >= 0.0);
  }
}
