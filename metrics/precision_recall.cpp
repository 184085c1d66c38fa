#include "metrics/precision_recall.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "common/hash.h"

namespace ganbench {
namespace {

constexpr Eigen::Index kBlock = 256;  // rows per distance block

// Squared distances between rows of a[b0:b1] and all rows of b: |a|^2 + |b|^2 - 2 a.b.
Eigen::MatrixXd sq_dists(const Eigen::MatrixXd& a, Eigen::Index b0, Eigen::Index b1, const Eigen::MatrixXd& b,
                         const Eigen::VectorXd& bn) {
  const auto blk = a.middleRows(b0, b1 - b0);
  Eigen::MatrixXd d = -2.0 * blk * b.transpose();
  d.colwise() += blk.rowwise().squaredNorm();
  d.rowwise() += bn.transpose();
  return d.cwiseMax(0.0);
}

void check_inputs(const Eigen::MatrixXd& x, int k, const char* what) {
  if (k < 1) throw std::invalid_argument("precision/recall: k must be >= 1");
  if (x.rows() <= k)
    throw std::invalid_argument(
        fmt::format("precision/recall: {} set needs more than k = {} rows, has {}", what, k, x.rows()));
  if (!x.allFinite())
    throw std::invalid_argument(fmt::format("precision/recall: {} features hold NaN or Inf", what));
}

// Fraction of rows of `q` within radius[j] of some row j of `ref`.
double coverage(const Eigen::MatrixXd& q, const Eigen::MatrixXd& ref, const Eigen::VectorXd& radii) {
  const Eigen::VectorXd rn = ref.rowwise().squaredNorm();
  const Eigen::VectorXd r2 = radii.array().square();
  int64_t inside = 0;
  for (Eigen::Index b0 = 0; b0 < q.rows(); b0 += kBlock) {
    const Eigen::Index b1 = std::min(q.rows(), b0 + kBlock);
    const Eigen::MatrixXd d = sq_dists(q, b0, b1, ref, rn);
    for (Eigen::Index i = 0; i < d.rows(); ++i)
      inside += ((d.row(i).transpose().array() <= r2.array()).any() ? 1 : 0);
  }
  return static_cast<double>(inside) / static_cast<double>(q.rows());
}

}  // namespace

Nearest nearest_neighbours(const Eigen::MatrixXd& query, const Eigen::MatrixXd& ref) {
  if (ref.rows() == 0) throw std::invalid_argument("nearest neighbours: the reference set is empty");
  if (query.cols() != ref.cols())
    throw std::invalid_argument(
        fmt::format("nearest neighbours: {}-d queries against {}-d references", query.cols(), ref.cols()));
  if (!query.allFinite() || !ref.allFinite())
    throw std::invalid_argument("nearest neighbours: features hold NaN or Inf");
  const Eigen::VectorXd rn = ref.rowwise().squaredNorm();
  Nearest out;
  for (Eigen::Index b0 = 0; b0 < query.rows(); b0 += kBlock) {
    const Eigen::Index b1 = std::min(query.rows(), b0 + kBlock);
    const Eigen::MatrixXd d = sq_dists(query, b0, b1, ref, rn);
    for (Eigen::Index i = 0; i < d.rows(); ++i) {
      Eigen::Index j;
      const double m = d.row(i).minCoeff(&j);
      out.index.push_back(j);
      out.distance.push_back(std::sqrt(m));
    }
  }
  return out;
}

Eigen::VectorXd knn_radii(const Eigen::MatrixXd& x, int k) {
  check_inputs(x, k, "input");
  const Eigen::VectorXd xn = x.rowwise().squaredNorm();
  Eigen::VectorXd out(x.rows());
  std::vector<double> row(static_cast<size_t>(x.rows()));
  for (Eigen::Index b0 = 0; b0 < x.rows(); b0 += kBlock) {
    const Eigen::Index b1 = std::min(x.rows(), b0 + kBlock);
    Eigen::MatrixXd d = sq_dists(x, b0, b1, x, xn);
    for (Eigen::Index i = 0; i < d.rows(); ++i) {
      d(i, b0 + i) = 0.0;  // self, exactly
      for (Eigen::Index j = 0; j < d.cols(); ++j) row[j] = d(i, j);
      // Sorted ascending, index 0 is the point itself; index k is its k-th nearest neighbour.
      std::nth_element(row.begin(), row.begin() + k, row.end());
      out(b0 + i) = std::sqrt(row[k]);
    }
  }
  return out;
}

PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k) {
  check_inputs(real, k, "real");
  check_inputs(fake, k, "generated");
  if (real.cols() != fake.cols())
    throw std::invalid_argument(
        fmt::format("precision/recall: feature sizes differ ({} vs {})", real.cols(), fake.cols()));
  return {coverage(fake, real, knn_radii(real, k)), coverage(real, fake, knn_radii(fake, k))};
}

PrecisionRecall precision_recall_equal_size(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k,
                                            uint64_t seed) {
  const int64_t n = std::min<int64_t>(real.rows(), fake.rows());
  auto take = [&](const Eigen::MatrixXd& x, uint64_t salt) -> Eigen::MatrixXd {
    if (x.rows() == n) return x;
    return x(sample_rows(x.rows(), n, mix_seed(seed, salt)), Eigen::all).eval();
  };
  return precision_recall(take(real, 1), take(fake, 2), k);
}

}  // namespace ganbench
