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

TEST_SUITE("segmentation") {
  TEST_CASE("HD95 in 3-D with voxel spacing: hand-checked cases") {
    using torch::indexing::Slice;
    auto z = [] { return torch::zeros({8, 8, 8}, torch::kBool); };
    // Two single voxels 2-3-6 apart (distance 7 voxels), at 1.5 mm voxels: 10.5 mm.
    auto p = z(), t = z();
    p[0][0][0] = true;
    t[2][3][6] = true;
    CHECK(hd95(p, t) == doctest::Approx(7.0));
    CHECK(hd95(p, t, 1.5) == doctest::Approx(10.5));
    // Parallel axial planes 3 slices apart: every surface distance is 3 voxels.
    auto a = z(), b = z();
    a.index_put_({1}, true);
    b.index_put_({4}, true);
    CHECK(hd95(a, b, 2.0) == doctest::Approx(6.0));
    // A 5^3 cube and the same cube with its centre removed: the hole's 6 neighbours become surface, each 1 voxel
    // from the cube's surface; the other 98 surface voxels are shared. Directed distances holed -> cube: 98
    // zeros and 6 ones, whose 95th percentile (linear, position 0.95 x 103 = 97.85) is 0.85; cube -> holed: 0.
    auto cube = z();
    cube.index_put_({Slice(1, 6), Slice(1, 6), Slice(1, 6)}, true);
    auto holed = cube.clone();
    holed[3][3][3] = false;
    CHECK(hd95(cube, cube) == 0.0);
    CHECK(hd95(cube, holed) == doctest::Approx(0.85));
    // Batched label volumes: per volume and class, spacing applied, background NaN.
    auto pred = torch::zeros({1, 8, 8, 8}, torch::kInt64), target = pred.clone();
    pred[0][0][0][0] = 1;
    target[0][2][3][6] = 1;
    const auto m = hd95_matrix(pred, target, 2, false, 0.5);
    CHECK(std::isnan(m[0][0]));
    CHECK(m[0][1] == doctest::Approx(3.5));
    CHECK_THROWS_AS(hd95(p, t, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(hd95(p, torch::zeros({8, 8}, torch::kBool)), std::invalid_argument);
  }
}
