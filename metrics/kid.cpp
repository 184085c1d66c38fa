#include "metrics/kid.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "common/hash.h"

namespace ganbench {

double kid_mmd2(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  const auto m = x.rows();
  const auto d = static_cast<double>(x.cols());
  if (m < 2 || y.rows() != m || y.cols() != x.cols())
    throw std::invalid_argument(
        fmt::format("KID: need two [m, d] feature sets with m >= 2, got [{}, {}] and [{}, {}]", x.rows(),
                    x.cols(), y.rows(), y.cols()));
  if (!x.allFinite() || !y.allFinite()) throw std::invalid_argument("KID: features contain NaN or infinity");
  auto kernel = [d](const Eigen::MatrixXd& p, const Eigen::MatrixXd& q) {
    return ((p * q.transpose()).array() / d + 1.0).cube().matrix().eval();
  };
  const Eigen::MatrixXd kxx = kernel(x, x), kyy = kernel(y, y), kxy = kernel(x, y);
  const double md = static_cast<double>(m);
  const double a = kxx.sum() - kxx.trace() + kyy.sum() - kyy.trace();
  return (a / (md - 1) - 2.0 * kxy.sum() / md) / md;
}

KidResult kernel_inception_distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, int num_subsets,
                                    int64_t max_subset_size, uint64_t seed) {
  if (num_subsets < 1) throw std::invalid_argument("KID: num_subsets must be >= 1");
  if (a.cols() != b.cols())
    throw std::invalid_argument(fmt::format("KID: feature dimensions differ ({} vs {})", a.cols(), b.cols()));
  const int64_t m = std::min<int64_t>({a.rows(), b.rows(), max_subset_size});
  if (m < 2) throw std::invalid_argument(fmt::format("KID: need at least 2 samples per set, got {}", m));
  std::mt19937_64 rng(mix_seed(seed, 0));
  std::vector<int64_t> ia(a.rows()), ib(b.rows());
  std::vector<double> vals;
  for (int s = 0; s < num_subsets; ++s) {
    std::iota(ia.begin(), ia.end(), 0);
    std::iota(ib.begin(), ib.end(), 0);
    if (m < a.rows()) std::shuffle(ia.begin(), ia.end(), rng);
    if (m < b.rows()) std::shuffle(ib.begin(), ib.end(), rng);
    Eigen::MatrixXd x(m, a.cols()), y(m, b.cols());
    for (int64_t i = 0; i < m; ++i) {
      x.row(i) = b.row(ib[i]);  // clean-fid: x from the second set, y from the first
      y.row(i) = a.row(ia[i]);
    }
    vals.push_back(kid_mmd2(x, y));
  }
  const double mean = std::accumulate(vals.begin(), vals.end(), 0.0) / vals.size();
  double var = 0.0;
  for (double v : vals) var += (v - mean) * (v - mean);
  return {mean, std::sqrt(var / vals.size()), num_subsets, m};
}

}  // namespace ganbench
