#include <doctest/doctest.h>

#include <Eigen/Core>

#include "common/atomic_file.h"
#include "common/blas.h"
#include "common/npy.h"
#include "metrics/feature_stats.h"
#include "metrics/frechet.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
Eigen::MatrixXd load_feats(const std::string& name) {
  return test::load_matrix(test::fixtures() / "frechet" / name);
}
double expected(const std::string& key) {
  return test::json_number(test::fixtures() / "frechet/expected.json", key);
}
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("Fréchet distance: hand-computed cases") {
    // 1-D: (0 - 1)^2 + 4 + 1 - 2 sqrt(4 * 1) = 2
    Eigen::VectorXd m1(1), m2(1);
    Eigen::MatrixXd s1(1, 1), s2(1, 1);
    m1 << 0;
    m2 << 1;
    s1 << 4;
    s2 << 1;
    CHECK(frechet_distance(m1, s1, m2, s2) == doctest::Approx(2.0).epsilon(1e-12));
    // 2-D diagonal: |(1,2)|^2 + (1 + 4) + (9 + 1) - 2 (sqrt(9) + sqrt(4)) = 5 + 5 + 10 - 10 = 10
    Eigen::VectorXd a = Eigen::VectorXd::Zero(2), b(2);
    b << 1, 2;
    Eigen::MatrixXd sa = Eigen::Vector2d(1, 4).asDiagonal(), sb = Eigen::Vector2d(9, 1).asDiagonal();
    CHECK(frechet_distance(a, sa, b, sb) == doctest::Approx(10.0).epsilon(1e-12));
    // Identical Gaussians are at distance 0.
    Eigen::MatrixXd r = Eigen::MatrixXd::Random(5, 5);
    Eigen::MatrixXd spd = r * r.transpose();
    CHECK(std::abs(frechet_distance(b.head(2), spd.topLeftCorner(2, 2), b.head(2), spd.topLeftCorner(2, 2))) <
          1e-10);
  }

  TEST_CASE("Fréchet distance equals pytorch-fid/scipy on the fixture (64-d and singular 40-row case)") {
    const FeatureStats a = load_stats_npz(test::fixtures() / "frechet/stats_a.npz");
    const FeatureStats b = load_stats_npz(test::fixtures() / "frechet/stats_b.npz");
    CHECK(frechet_distance(a, b) == doctest::Approx(expected("fd_64")).epsilon(1e-6));
    const auto fa = load_feats("feats_a.npy"), fb = load_feats("feats_b.npy");
    CHECK(frechet_distance(compute_stats(fa), compute_stats(fb)) ==
          doctest::Approx(expected("fd_64")).epsilon(1e-6));
    const double fd40 = frechet_distance(compute_stats(fa.topRows(40)), compute_stats(fb.topRows(40)));
    CHECK(fd40 == doctest::Approx(expected("fd_64_first40")).epsilon(1e-6));
  }

  TEST_CASE("statistics match numpy's mean and cov (N - 1), batched or not") {
    const auto fa = load_feats("feats_a.npy");
    const FeatureStats ref = load_stats_npz(test::fixtures() / "frechet/stats_a.npz");
    FeatureAccumulator acc(fa.cols());
    for (int start = 0; start < fa.rows(); start += 37)
      acc.add(Eigen::MatrixXd(fa.middleRows(start, std::min<int>(37, fa.rows() - start))));
    const FeatureStats s = acc.finish();
    CHECK(s.n == 300);
    CHECK((s.mu - ref.mu).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((s.sigma - ref.sigma).cwiseAbs().maxCoeff() < 1e-6);
    const FeatureStats whole = compute_stats(fa);
    CHECK((whole.sigma - s.sigma).cwiseAbs().maxCoeff() < 1e-10);
  }

  TEST_CASE("statistics files round-trip in pytorch-fid's npz format") {
    test::TempDir dir;
    const FeatureStats a = load_stats_npz(test::fixtures() / "frechet/stats_a.npz");
    save_stats_npz(dir / "a.npz", a);
    const FeatureStats back = load_stats_npz(dir / "a.npz");
    CHECK(back.mu == a.mu);
    CHECK(back.sigma == a.sigma);
    write_npz(dir / "nomu.npz", {{"sigma", NpyArray::from_doubles({1.0}, {1, 1})}});
    CHECK_THROWS_WITH(load_stats_npz(dir / "nomu.npz"), doctest::Contains("no 'mu'"));
  }

  TEST_CASE("Fréchet distance: bad inputs are errors") {
    Eigen::VectorXd m2(2), m3(3);
    m2.setZero();
    m3.setZero();
    Eigen::MatrixXd i2 = Eigen::MatrixXd::Identity(2, 2), i3 = Eigen::MatrixXd::Identity(3, 3);
    CHECK_THROWS_WITH_AS(frechet_distance(m2, i2, m3, i3), doctest::Contains("different lengths"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(frechet_distance(m2, i3, m2, i2), doctest::Contains("covariances"),
                         std::invalid_argument);
    Eigen::MatrixXd bad = i2;
    bad(0, 1) = NAN;
    CHECK_THROWS_WITH_AS(frechet_distance(m2, bad, m2, i2), doctest::Contains("NaN"), std::invalid_argument);
    Eigen::MatrixXd inf_lower = i2, inf_diag = i2;
    inf_lower(1, 0) = -INFINITY;
    inf_diag(1, 1) = INFINITY;
    CHECK_THROWS_WITH_AS(frechet_distance(m2, i2, m2, inf_lower), doctest::Contains("NaN"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(frechet_distance(m2, inf_diag, m2, i2), doctest::Contains("NaN"), std::invalid_argument);
    // A covariance with a large negative eigenvalue gives sqrtm a significant imaginary part.
    Eigen::MatrixXd neg = Eigen::Vector2d(1, -4).asDiagonal();
    CHECK_THROWS_WITH_AS(frechet_distance(m2, neg, m2, Eigen::MatrixXd(Eigen::Vector2d(1, 4).asDiagonal())),
                         doctest::Contains("imaginary"), std::runtime_error);
    FeatureAccumulator acc(2);
    CHECK_THROWS_AS(acc.finish(), std::invalid_argument);
    CHECK_THROWS_AS(acc.add(Eigen::MatrixXd::Zero(3, 4)), std::invalid_argument);
  }

  TEST_CASE("Fréchet distance: two threads agree with one, and the two-thread pass finds NaN") {
    const int d = 300;  // at least 256: the size from which the two covariances are prepared on two threads
    const FeatureStats a = compute_stats(Eigen::MatrixXd::Random(2 * d, d));
    const FeatureStats b = compute_stats(Eigen::MatrixXd::Random(2 * d, d));
    const int saved = compute_threads();
    set_compute_threads(1);
    const double one = frechet_distance(a, b);
    set_compute_threads(2);
    const double two = frechet_distance(a, b);
    Eigen::MatrixXd bad = b.sigma;
    bad(17, 250) = NAN;  // upper triangle of the second matrix: the other thread's share
    CHECK_THROWS_WITH_AS(frechet_distance(a.mu, a.sigma, b.mu, bad), doctest::Contains("NaN"),
                         std::invalid_argument);
    set_compute_threads(saved);
    CHECK(std::isfinite(one));
    CHECK(one > 0);
    CHECK(two == doctest::Approx(one).epsilon(1e-12));  // LAPACK's threads may round differently
  }

  TEST_CASE("Fréchet distance at 2048 dimensions matches scipy (formula fixture) [slow]") {
    const int n = 3000, d = 2048;
    const auto ua = test::formula_uniform("frechet2048/a", static_cast<size_t>(n) * d);
    const auto ub = test::formula_uniform("frechet2048/b", static_cast<size_t>(n) * d);
    Eigen::MatrixXd a(n, d), b(n, d);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < d; ++j) {
        const size_t k = static_cast<size_t>(i) * d + j;
        a(i, j) = static_cast<float>(2 * ua[k] - 1);
        b(i, j) = static_cast<float>(0.9 * (2 * ub[k] - 1) + 0.05 * (j % 7));
      }
    CHECK(frechet_distance(compute_stats(a), compute_stats(b)) ==
          doctest::Approx(expected("fd_2048")).epsilon(1e-6));
  }
}

TEST_SUITE("metrics") {
  TEST_CASE("FID infinity: on Gaussians with a known distance the extrapolation removes the 1/N bias") {
    // Real: N(0, I) in 6-d, given exactly. Generated: N(mu, I) with |mu|^2 = 1.5, so the true distance
    // is 1.5. A finite sample's distance is biased upward by about d/N; the line against 1/N recovers 1.5.
    const int d = 6, n = 3000;
    FeatureStats real;
    real.mu = Eigen::VectorXd::Zero(d);
    real.sigma = Eigen::MatrixXd::Identity(d, d);
    real.n = 1000000;
    Eigen::VectorXd mu = Eigen::VectorXd::Constant(d, std::sqrt(1.5 / d));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    const auto z = torch::randn({n, d}, gen, torch::kFloat64).contiguous();
    Eigen::MatrixXd fake =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            z.data_ptr<double>(), n, d);
    fake.rowwise() += mu.transpose();
    const FrechetInfinity inf = frechet_infinity(real, fake, 5, 0.05, 11);
    REQUIRE(inf.sizes.size() == 5);
    CHECK(inf.sizes.front() == 150);
    CHECK(inf.sizes.back() == n);
    CHECK(inf.distances.front() > inf.distances.back());  // more samples, less bias
    CHECK(inf.slope > 0);
    MESSAGE("FD at N=150: ", inf.distances.front(), ", at N=3000: ", inf.distances.back(),
            ", FID_inf: ", inf.value);
    CHECK(std::abs(inf.value - 1.5) < std::abs(inf.distances.front() - 1.5));
    CHECK(inf.value == doctest::Approx(1.5).epsilon(0.05));
    CHECK(frechet_infinity(real, fake, 5, 0.05, 11).value == inf.value);  // seeded
    CHECK_THROWS_AS(frechet_infinity(real, fake, 1, 0.2), std::invalid_argument);
    CHECK_THROWS_AS(frechet_infinity(real, fake.topRows(3), 5, 0.2), std::invalid_argument);
  }
}
