#include "reports/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace ganbench {
namespace {

// Continued fraction of the incomplete beta function (Numerical Recipes' betacf, modified Lentz).
double beta_cf(double x, double a, double b) {
  constexpr int kMaxIter = 300;
  constexpr double kEps = 1e-15, kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIter; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < kEps) break;
  }
  return h;
}

std::vector<double> finite(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

void mean_var(const std::vector<double>& v, double& mean, double& var) {
  mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  var = ss / static_cast<double>(v.size() - 1);
}

}  // namespace

double incomplete_beta(double x, double a, double b) {
  if (!(x >= 0 && x <= 1) || a <= 0 || b <= 0)
    throw std::invalid_argument("incomplete_beta: need 0 <= x <= 1, a, b > 0");
  if (x == 0 || x == 1) return x;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return front * beta_cf(x, a, b) / a;
  return 1 - front * beta_cf(1 - x, b, a) / b;
}

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw std::invalid_argument("student_t_cdf: degrees of freedom must be > 0");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = 0.5 * incomplete_beta(df / (df + t * t), df / 2, 0.5);  // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("student_t_quantile: p must lie in (0, 1)");
  double lo = -1, hi = 1;
  while (student_t_cdf(lo, df) > p) lo *= 2;
  while (student_t_cdf(hi, df) < p) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * std::max(1.0, std::abs(hi)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double t_interval_half_width(const std::vector<double>& values, double level) {
  const auto v = finite(values);
  if (v.size() < 2) return NAN;
  double mean, var;
  mean_var(v, mean, var);
  const double n = static_cast<double>(v.size());
  return student_t_quantile(0.5 + level / 2, n - 1) * std::sqrt(var / n);
}

WelchTest welch_t_test(const std::vector<double>& a_in, const std::vector<double>& b_in) {
  const auto a = finite(a_in), b = finite(b_in);
  WelchTest r;
  if (a.size() < 2 || b.size() < 2) {
    r.t = r.df = r.p = NAN;
    return r;
  }
  double ma, va, mb, vb;
  mean_var(a, ma, va);
  mean_var(b, mb, vb);
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double sa = va / na, sb = vb / nb, se2 = sa + sb;
  if (se2 == 0) {
    r.t = ma == mb ? 0 : std::copysign(std::numeric_limits<double>::infinity(), ma - mb);
    r.df = na + nb - 2;
    r.p = ma == mb ? 1.0 : 0.0;
    return r;
  }
  r.t = (ma - mb) / std::sqrt(se2);
  r.df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
  r.p = 2 * student_t_cdf(-std::abs(r.t), r.df);
  return r;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return p[x] < p[y]; });
  std::vector<double> out(p.size(), NAN);
  const double m = static_cast<double>(idx.size());
  double running = 0;
  for (size_t k = 0; k < idx.size(); ++k) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(k)) * p[idx[k]]));
    out[idx[k]] = running;
  }
  return out;
}

namespace {
// The q-quantile of Beta(a, b), by bisection on the regularised incomplete beta function.
double beta_quantile(double q, double a, double b) {
  double lo = 0, hi = 1;
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = 0.5 * (lo + hi);
    (incomplete_beta(mid, a, b) < q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double log_binomial_pmf(long k, long n, double p) {
  const double lc = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
  const double a = k > 0 ? k * std::log(p) : 0.0, b = n - k > 0 ? (n - k) * std::log1p(-p) : 0.0;
  return lc + a + b;
}
}  // namespace

Interval clopper_pearson(long k, long n, double level) {
  if (n < 1 || k < 0 || k > n || !(level > 0 && level < 1))
    throw std::invalid_argument("clopper_pearson: need 0 <= k <= n, n >= 1 and 0 < level < 1");
  const double alpha = 1 - level;
  return {
      k == 0 ? 0.0 : beta_quantile(alpha / 2, static_cast<double>(k), static_cast<double>(n - k + 1)),
      k == n ? 1.0 : beta_quantile(1 - alpha / 2, static_cast<double>(k + 1), static_cast<double>(n - k))};
}

double binomial_test(long k, long n, double p) {
  if (n < 1 || k < 0 || k > n || !(p > 0 && p < 1))
    throw std::invalid_argument("binomial_test: need 0 <= k <= n, n >= 1 and 0 < p < 1");
  const double d = log_binomial_pmf(k, n, p);
  double total = 0;
  for (long i = 0; i <= n; ++i) {
    const double li = log_binomial_pmf(i, n, p);
    if (li <= d + std::log1p(1e-7)) total += std::exp(li);  // scipy's relative tolerance
  }
  return std::min(1.0, total);
}

}  // namespace ganbench
