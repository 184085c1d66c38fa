#include <doctest/doctest.h>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "metrics/kid.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
Eigen::MatrixXd feats(const std::string& name) {
  return test::load_matrix(test::fixtures() / "frechet" / name);
}
double expected(const std::string& key) {
  return test::json_number(test::fixtures() / "kid/expected.json", key);
}
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("KID: hand-computed 1-D case") {
    // x = {1, 2}, y = {0, 1}, d = 1, k(a, b) = (ab + 1)^3:
    // off-diagonal Kxx = 2 * 27, Kyy = 2 * 1, sum Kxy = 1 + 8 + 1 + 27 = 37
    // MMD^2 = ((54 + 2) / 1 - 2 * 37 / 2) / 2 = 9.5
    Eigen::MatrixXd x(2, 1), y(2, 1);
    x << 1, 2;
    y << 0, 1;
    CHECK(kid_mmd2(x, y) == doctest::Approx(9.5).epsilon(1e-12));
    CHECK(kid_mmd2(y, x) == doctest::Approx(9.5).epsilon(1e-12));
  }

  TEST_CASE("KID equals clean-fid's kernel_distance on the fixture") {
    const auto a = feats("feats_a.npy"), b = feats("feats_b.npy");
    const KidResult full = kernel_inception_distance(a, b, 1, 100000);
    CHECK(full.subset_size == 300);
    CHECK(full.mean == doctest::Approx(expected("kid_full_64")).epsilon(1e-6));
    CHECK(full.std == 0.0);
    const KidResult first = kernel_inception_distance(a.topRows(100), b.topRows(100), 1, 100000);
    CHECK(first.mean == doctest::Approx(expected("kid_full_64_first100")).epsilon(1e-6));
  }

  TEST_CASE("KID over subsets: seeded, near the full value, zero-mean for one distribution") {
    const auto a = feats("feats_a.npy"), b = feats("feats_b.npy");
    const KidResult r1 = kernel_inception_distance(a, b, 20, 100, 3),
                    r2 = kernel_inception_distance(a, b, 20, 100, 3);
    CHECK(r1.mean == r2.mean);
    CHECK(r1.subset_size == 100);
    CHECK(r1.std > 0);
    CHECK(r1.mean == doctest::Approx(expected("kid_full_64")).epsilon(0.2));
    const KidResult same = kernel_inception_distance(a.topRows(150), a.bottomRows(150), 20, 100, 1);
    CHECK(std::abs(same.mean) < 0.1 * r1.mean);
  }

  TEST_CASE("KID: bad inputs are errors") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(1, 3), y = Eigen::MatrixXd::Zero(4, 3),
                    z = Eigen::MatrixXd::Zero(4, 2);
    CHECK_THROWS_WITH_AS(kernel_inception_distance(x, y), doctest::Contains("at least 2"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(kernel_inception_distance(y, z), doctest::Contains("dimensions differ"),
                         std::invalid_argument);
    y(0, 0) = NAN;
    CHECK_THROWS_AS(kid_mmd2(y, y), std::invalid_argument);
    CHECK_THROWS_AS(kernel_inception_distance(z, z, 0), std::invalid_argument);
  }
}
