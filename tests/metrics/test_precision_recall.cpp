#include <doctest/doctest.h>

#include <set>

#include "common/hash.h"
#include "metrics/precision_recall.h"

using namespace ganbench;

namespace {
Eigen::MatrixXd column(std::initializer_list<double> v) {
  Eigen::MatrixXd m(v.size(), 1);
  Eigen::Index i = 0;
  for (double x : v) m(i++, 0) = x;
  return m;
}
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("precision/recall on sets of equal size: the larger set is subsampled, seeded") {
    // Real {0..9} (10 rows), fake {0.5, 5, 20} (3 rows): the real set is cut to 3 seeded rows first.
    Eigen::MatrixXd real(10, 1);
    for (int i = 0; i < 10; ++i) real(i, 0) = i;
    const auto fake = column({0.5, 5, 20});
    const auto rows = sample_rows(10, 3, mix_seed(7, 1));
    REQUIRE(rows.size() == 3);
    CHECK(std::set<int64_t>(rows.begin(), rows.end()).size() == 3);  // distinct
    Eigen::MatrixXd sub(3, 1);
    for (int i = 0; i < 3; ++i) sub(i, 0) = real(rows[i], 0);
    const auto want = precision_recall(sub, fake, 1);
    const auto got = precision_recall_equal_size(real, fake, 1, 7);
    CHECK(got.precision == want.precision);
    CHECK(got.recall == want.recall);
    CHECK(sample_rows(10, 3, 99) == sample_rows(10, 3, 99));  // deterministic
    CHECK(sample_rows(5, 5, 1).size() == 5);
    CHECK_THROWS_AS(sample_rows(3, 4, 1), std::invalid_argument);
  }

  TEST_CASE("precision/recall: hand-computed 1-D case") {
    // Real {0,1,2,3,10}, k = 1: radii 1,1,1,1,7. Fake {0.5, 5, 20}: 0.5 is within 1 of 0, 5 is within 7 of
    // 10, 20 is 10 from 10 > 7 -> precision 2/3. Fake radii (k = 1): 4.5, 4.5, 15; every real point is
    // within 4.5 of 0.5 or 5, and 10 is within 15 of 20 -> recall 1.
    const auto real = column({0, 1, 2, 3, 10}), fake = column({0.5, 5, 20});
    const Eigen::VectorXd r = knn_radii(real, 1);
    CHECK(r(0) == doctest::Approx(1.0));
    CHECK(r(4) == doctest::Approx(7.0));
    CHECK(knn_radii(real, 3)(4) == doctest::Approx(9.0));  // 10 -> 1 is its 3rd neighbour
    const auto pr = precision_recall(real, fake, 1);
    CHECK(pr.precision == doctest::Approx(2.0 / 3.0));
    CHECK(pr.recall == doctest::Approx(1.0));
    // Swapping the roles swaps the numbers.
    const auto rp = precision_recall(fake, real, 1);
    CHECK(rp.precision == doctest::Approx(pr.recall));
    CHECK(rp.recall == doctest::Approx(pr.precision));
  }

  TEST_CASE("precision/recall: identical sets score 1; a collapsed generator keeps precision, loses recall") {
    Eigen::MatrixXd real = Eigen::MatrixXd::Random(300, 8);
    const auto same = precision_recall(real, real, 3);
    CHECK(same.precision == 1.0);
    CHECK(same.recall == 1.0);
    // Mode collapse: every fake sample sits near one real point.
    Eigen::MatrixXd collapsed = real.topRows(1).replicate(50, 1) + 1e-3 * Eigen::MatrixXd::Random(50, 8);
    const auto pr = precision_recall(real, collapsed, 3);
    CHECK(pr.precision > 0.9);
    CHECK(pr.recall < 0.1);
    // Far away: nothing inside either manifold.
    const auto far = precision_recall(real, (real.array() + 100.0).matrix(), 3);
    CHECK(far.precision == 0.0);
    CHECK(far.recall == 0.0);
  }

  TEST_CASE("precision/recall: bad input") {
    const auto a = column({0, 1, 2, 3});
    CHECK_THROWS_WITH(precision_recall(a, column({1, 2}), 3),
                      doctest::Contains("needs more than k = 3 rows"));
    CHECK_THROWS_AS(precision_recall(a, Eigen::MatrixXd::Zero(5, 2), 1), std::invalid_argument);
    CHECK_THROWS_AS(knn_radii(a, 0), std::invalid_argument);
    Eigen::MatrixXd nan = Eigen::MatrixXd::Zero(5, 1);
    nan(2, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(precision_recall(nan, nan, 1), doctest::Contains("NaN"));
  }
}
