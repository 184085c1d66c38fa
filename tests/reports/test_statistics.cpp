// Statistics across seeds. Reference values: hand computations, and scipy 1.10 (Debian 12's python3-scipy)
// for the t distribution and Welch's test, frozen here as numbers:
//   stats.t.ppf(0.975, df), stats.t.cdf(t, df), stats.ttest_ind(a, b, equal_var=False), special.betainc.
#include <doctest/doctest.h>

#include <cmath>

#include "reports/report_model.h"
#include "reports/statistics.h"

using namespace ganbench;

TEST_SUITE("reports") {
  TEST_CASE("t distribution: quantiles and CDF match scipy") {
    CHECK(student_t_quantile(0.975, 1) == doctest::Approx(12.706204736432095).epsilon(1e-10));
    CHECK(student_t_quantile(0.975, 2) == doctest::Approx(4.302652729911275).epsilon(1e-10));
    CHECK(student_t_quantile(0.975, 3) == doctest::Approx(3.182446305284263).epsilon(1e-10));
    CHECK(student_t_quantile(0.975, 10) == doctest::Approx(2.2281388519649385).epsilon(1e-10));
    CHECK(student_t_quantile(0.975, 30) == doctest::Approx(2.0422724563012373).epsilon(1e-10));
    CHECK(student_t_cdf(1.5, 3) == doctest::Approx(0.8847080673775886).epsilon(1e-12));
    CHECK(student_t_cdf(-0.7, 7.5) == doctest::Approx(0.25252781093692533).epsilon(1e-12));
    CHECK(student_t_cdf(0, 4) == doctest::Approx(0.5));
    CHECK(incomplete_beta(0.3, 2.5, 0.5) == doctest::Approx(0.01892712407194565).epsilon(1e-12));
    CHECK_THROWS_AS(student_t_quantile(1.0, 3), std::invalid_argument);
    CHECK_THROWS_AS(student_t_cdf(1.0, 0), std::invalid_argument);
  }

  TEST_CASE("t interval on a hand example") {
    // {1, 2, 3}: mean 2, s = 1, n = 3 -> t_{0.975, 2} / sqrt(3) = 4.302652729911275 / 1.7320508 = 2.484138.
    CHECK(t_interval_half_width({1, 2, 3}) == doctest::Approx(2.4841377).epsilon(1e-7));
    CHECK(std::isnan(t_interval_half_width({4})));
    CHECK(t_interval_half_width({1, 2, 3, NAN}) == doctest::Approx(2.4841377).epsilon(1e-7));  // NaN left out
    const Summary s = summarize({1, 2, 3});
    CHECK(s.ci == doctest::Approx(2.4841377).epsilon(1e-7));
    CHECK(std::isnan(summarize({5}).ci));
  }

  TEST_CASE("Welch's t-test matches scipy; degenerate inputs") {
    auto r = welch_t_test({0.285, 0.271, 0.30}, {0.51, 0.47, 0.55, 0.49});
    CHECK(r.t == doctest::Approx(-11.548969023410068).epsilon(1e-10));
    CHECK(r.p == doctest::Approx(0.00022860595342709798).epsilon(1e-8));
    r = welch_t_test({1, 2, 3}, {1.5, 2.5, 3.5, 9.0});
    CHECK(r.t == doctest::Approx(-1.199087546959617).epsilon(1e-10));
    CHECK(r.p == doctest::Approx(0.3020166662265163).epsilon(1e-8));
    CHECK(std::isnan(welch_t_test({1}, {2, 3}).p));  // needs 2 values a side
    CHECK(welch_t_test({2, 2}, {3, 3}).p == 0.0);    // no spread, different means
    CHECK(welch_t_test({2, 2}, {2, 2}).p == 1.0);
  }

  TEST_CASE("Holm's correction on a hand example") {
    // p = {0.01, 0.04, 0.03, 0.005}, m = 4. Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06,
    // 0.04*1 = 0.04 -> raised to 0.06 (step-down monotonicity). Back in input order:
    const auto adj = holm_adjust({0.01, 0.04, 0.03, 0.005});
    REQUIRE(adj.size() == 4);
    CHECK(adj[0] == doctest::Approx(0.03));
    CHECK(adj[1] == doctest::Approx(0.06));
    CHECK(adj[2] == doctest::Approx(0.06));
    CHECK(adj[3] == doctest::Approx(0.02));
    const auto capped = holm_adjust({0.5, NAN, 0.6});  // NaN is outside the family; values cap at 1
    CHECK(capped[0] == doctest::Approx(1.0));
    CHECK(std::isnan(capped[1]));
    CHECK(capped[2] == doctest::Approx(1.0));
  }

  TEST_CASE("exact binomial: Clopper-Pearson intervals and two-sided p-values equal scipy's binomtest") {
    // scipy 1.10 (Debian 12): r = binomtest(k, n, 0.5); r.pvalue, r.proportion_ci(0.95, "exact").
    struct Case {
      long k, n;
      double p, lo, hi;
    };
    for (const Case& c : {Case{0, 10, 0.001953125, 0.0, 0.30849710781876294},
                          Case{3, 10, 0.34375, 0.06673951117773447, 0.652452850060008},
                          Case{7, 20, 0.26317596435546875, 0.1539092047845412, 0.5921885345328283},
                          Case{20, 20, 1.9073486328125e-06, 0.8315665290169145, 1.0},
                          Case{31, 50, 0.11892045255943628, 0.47174916305285525, 0.7534989222001401},
                          Case{50, 100, 1.0, 0.3983211295033011, 0.6016788704966989}}) {
      CAPTURE(c.k);
      CAPTURE(c.n);
      CHECK(binomial_test(c.k, c.n) == doctest::Approx(c.p).epsilon(1e-9));
      const Interval ci = clopper_pearson(c.k, c.n);
      CHECK(ci.lo == doctest::Approx(c.lo).epsilon(1e-9));
      CHECK(ci.hi == doctest::Approx(c.hi).epsilon(1e-9));
    }
    CHECK_THROWS_AS(clopper_pearson(3, 2), std::invalid_argument);
    CHECK_THROWS_AS(binomial_test(1, 0), std::invalid_argument);
  }
}
