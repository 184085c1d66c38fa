#include <doctest/doctest.h>

#include <torch/torch.h>

#include "datasets/cardiac_phantom.h"
#include "datasets/dataset.h"
#include "metrics/cell_scorer.h"
#include "metrics/memorization.h"

using namespace ganbench;

TEST_SUITE("metrics") {
  TEST_CASE("memorization audit: hand-checkable case on a line") {
    // Train at 0, 10, 20; test points at distances 1, 2, 3, 4, 5 from it; generated at distances 0, 1.5, 6.
    Eigen::MatrixXd train(3, 1), test(5, 1), gen(3, 1);
    train << 0, 10, 20;
    test << 1, 12, 23, 6, 15;  // nearest-train distances 1, 2, 3, 4, 5
    gen << 10, 21.5, 26;       // 0, 1.5, 6
    const MemorizationAudit a = memorization_audit(train, test, gen);
    CHECK(a.threshold == doctest::Approx(1.2));               // numpy.percentile([1..5], 5) = 1 + 0.2
    CHECK(a.near_copy_fraction == doctest::Approx(1.0 / 3));  // only the exact copy is below 1.2
    CHECK(a.median_ratio == doctest::Approx(1.5 / 3.0));
    CHECK(a.nearest == std::vector<int64_t>{1, 2, 2});
    CHECK(closest_pairs(a, 2) == std::vector<int64_t>{0, 1});
  }

  TEST_CASE("memorization audit: bad input is an error") {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(4, 2), one = Eigen::MatrixXd::Zero(1, 2),
                    wide = Eigen::MatrixXd::Zero(4, 3);
    CHECK_THROWS_AS(memorization_audit(a, one, a), std::invalid_argument);  // one test row: no percentile
    CHECK_THROWS_AS(memorization_audit(a, a, wide), std::invalid_argument);
    Eigen::MatrixXd nan = a;
    nan(0, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(memorization_audit(a, a, nan), std::invalid_argument);
  }

  TEST_CASE("memorization audit on the cardiac phantom: a copying GAN scores 1, fresh draws about 0.05") {
    const auto entry = cardiac_modality();
    const ImageSet train = make_phantom_set(entry, 32, 600, 1);
    const ImageSet test = make_phantom_set(entry, 32, 600, 2);
    const ImageSet fresh = make_phantom_set(entry, 32, 600, 3);
    const auto tr = pixel_features(train.images), te = pixel_features(test.images);
    // "GAN" 1 returns training images (a random 300 with repeats).
    const auto idx = torch::randint(0, train.size(), {600}, at::make_generator<at::CPUGeneratorImpl>(4));
    const auto copies = memorization_audit(tr, te, pixel_features(train.images.index_select(0, idx)));
    CHECK(copies.near_copy_fraction == 1.0);
    CHECK(copies.median_ratio < 1e-3);
    // "GAN" 2 draws new phantoms: as near the training set as real test images are.
    const auto draws = memorization_audit(tr, te, pixel_features(fresh.images));
    MESSAGE("fresh draws: near-copy fraction ", draws.near_copy_fraction, ", median ratio ",
            draws.median_ratio);
    CHECK(draws.near_copy_fraction > 0.02);
    CHECK(draws.near_copy_fraction < 0.10);
    CHECK(draws.median_ratio > 0.9);
    CHECK(draws.median_ratio < 1.1);
  }

  TEST_CASE("label nearest neighbours: hand-checkable 2x2 maps") {
    // Training maps: all 0; all 1; [[0,1],[2,2]]. Queries differ from their nearest in 0, 1 and 2 pixels.
    const auto train = torch::tensor({0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 2, 2}, torch::kInt64).reshape({3, 2, 2});
    const auto query = torch::tensor({0, 1, 2, 2, 1, 1, 1, 0, 0, 0, 2, 1}, torch::kUInt8).reshape({3, 2, 2});
    const Nearest n = nearest_in_labels(query, train, 3);
    CHECK(n.index == std::vector<int64_t>{2, 1, 0});  // the third query ties "all 0" and the mixed map: the first
    CHECK(n.distance[0] == 0.0);
    CHECK(n.distance[1] == doctest::Approx(std::sqrt(2.0)));  // one pixel differs: one-hot distance sqrt(2)
    CHECK(n.distance[2] == doctest::Approx(2.0));             // two pixels: sqrt(4)
  }

  TEST_CASE("label and pixel nearest neighbours equal the dense one-hot and pixel searches in double") {
    torch::manual_seed(3);
    const int64_t k = 4;
    const auto train = torch::randint(k, {40, 9, 7}, torch::kInt64);
    auto query = torch::randint(k, {600, 9, 7}, torch::kInt64);  // three blocks, the last one partial
    query.slice(0, 0, 5).copy_(train.slice(0, 10, 15));           // a few exact copies
    auto onehot = [k](const torch::Tensor& l) { return pixel_features(torch::one_hot(l, k).to(torch::kFloat64)); };
    const Nearest dense = nearest_neighbours(onehot(query), onehot(train));
    const Nearest fast = nearest_in_labels(query, train, k);
    CHECK(fast.index == dense.index);
    CHECK(fast.distance == dense.distance);  // both exact: integer counts
    CHECK(fast.index[3] == 13);
    CHECK(fast.distance[3] == 0.0);

    const auto train_img = torch::rand({40, 1, 9, 7});
    const auto query_img = torch::rand({600, 1, 9, 7});
    const Eigen::MatrixXd train_px = pixel_features(train_img);
    const Nearest px = nearest_in_pixels(query_img, train_px);
    const Nearest px_dense = nearest_neighbours(pixel_features(query_img), train_px);
    CHECK(px.index == px_dense.index);
    CHECK(px.distance == px_dense.distance);  // the same blocks, so bit for bit
    const MemorizationAudit a = memorization_audit(nearest_in_pixels(query_img.slice(0, 0, 50), train_px), px);
    const MemorizationAudit b = memorization_audit(train_px, pixel_features(query_img.slice(0, 0, 50)),
                                                   pixel_features(query_img));
    CHECK(a.near_copy_fraction == b.near_copy_fraction);
    CHECK(a.median_ratio == b.median_ratio);
  }

  TEST_CASE("label nearest neighbours: bad input is an error") {
    const auto train = torch::zeros({3, 4, 4}, torch::kInt64);
    CHECK_THROWS_AS(nearest_in_labels(torch::zeros({2, 4, 5}, torch::kInt64), train, 2), std::invalid_argument);
    CHECK_THROWS_AS(nearest_in_labels(torch::zeros({2, 4, 4}), train, 2), std::invalid_argument);  // float maps
    CHECK_THROWS_AS(nearest_in_labels(torch::full({2, 4, 4}, 2, torch::kInt64), train, 2), std::invalid_argument);
    CHECK_THROWS_AS(nearest_in_labels(torch::full({2, 4, 4}, -1, torch::kInt64), train, 2), std::invalid_argument);
    CHECK_THROWS_AS(nearest_in_labels(torch::zeros({0, 4, 4}, torch::kInt64), train, 2), std::invalid_argument);
    Nearest one;
    one.index = {0};
    one.distance = {1.0};
    CHECK_THROWS_AS(memorization_audit(one, one), std::invalid_argument);  // one test distance: no percentile
  }
}
