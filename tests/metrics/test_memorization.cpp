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
}
