// Statistics across seeds for the report model: Student t intervals, Welch's t-test and Holm's correction.
// Torch-free; checked against hand-computed values and scipy (tests/reports/test_statistics.cpp).
#pragma once

#include <vector>

namespace ganbench {

// Regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz's method).
double incomplete_beta(double x, double a, double b);
// Student t distribution with `df` degrees of freedom: P(T <= t), and its inverse (bisection on the CDF).
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

// Half-width of the two-sided 95% confidence interval of the mean of `values` (finite ones):
// t_{0.975, n-1} * s / sqrt(n). NaN when fewer than 2 values.
double t_interval_half_width(const std::vector<double>& values, double level = 0.95);

struct WelchTest {
  double t = 0;   // (mean a - mean b) / standard error
  double df = 0;  // Welch-Satterthwaite degrees of freedom
  double p = 1;   // two-sided
};
// Welch's unequal-variance t-test (scipy.stats.ttest_ind(equal_var=False)); needs 2 finite values on each
// side, else p is NaN. Zero variance on both sides gives p = 0 for different means and 1 for equal ones.
WelchTest welch_t_test(const std::vector<double>& a, const std::vector<double>& b);

// Exact (Clopper-Pearson) two-sided confidence interval of a binomial proportion k / n: the `level`
// quantiles of Beta(k, n - k + 1) and Beta(k + 1, n - k) (scipy.stats.binomtest(k, n).proportion_ci()).
// Throws std::invalid_argument unless 0 <= k <= n and n >= 1.
struct Interval {
  double lo, hi;
};
Interval clopper_pearson(long k, long n, double level = 0.95);
// Two-sided exact binomial test of k successes in n trials against success probability p
// (scipy.stats.binomtest(k, n, p).pvalue: the total probability of outcomes no more likely than k).
double binomial_test(long k, long n, double p = 0.5);

// Holm's step-down adjusted p-values (Holm 1979), in the input's order; NaN entries are left out of the
// family and stay NaN.
std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace ganbench
