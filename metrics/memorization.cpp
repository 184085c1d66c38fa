#include "metrics/memorization.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "common/percentile.h"
#include "metrics/precision_recall.h"

namespace ganbench {

MemorizationAudit memorization_audit(const Eigen::MatrixXd& train, const Eigen::MatrixXd& test,
                                     const Eigen::MatrixXd& generated) {
  if (test.rows() < 2 || train.rows() < 1 || generated.rows() < 1)
    throw std::invalid_argument(fmt::format(
        "memorization audit needs training, generated and at least 2 test rows; got {}, {} and {}",
        train.rows(), generated.rows(), test.rows()));
  const Nearest test_nn = nearest_neighbours(test, train);
  const Nearest gen_nn = nearest_neighbours(generated, train);
  MemorizationAudit a;
  a.threshold = percentile_linear(test_nn.distance, kNearCopyPercentile);
  int64_t near = 0;
  for (double d : gen_nn.distance) near += d < a.threshold ? 1 : 0;
  a.near_copy_fraction = static_cast<double>(near) / static_cast<double>(generated.rows());
  const double test_median = percentile_linear(test_nn.distance, 50.0);
  a.median_ratio = test_median > 0 ? percentile_linear(gen_nn.distance, 50.0) / test_median
                                   : std::numeric_limits<double>::quiet_NaN();
  a.nearest = gen_nn.index;
  a.distance = gen_nn.distance;
  return a;
}

std::vector<int64_t> closest_pairs(const MemorizationAudit& audit, int64_t k) {
  std::vector<int64_t> order(audit.distance.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return audit.distance[x] < audit.distance[y]; });
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(std::max<int64_t>(k, 0))));
  return order;
}

}  // namespace ganbench
