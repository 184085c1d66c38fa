#include "metrics/memorization.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "common/percentile.h"
#include "metrics/feature_extractor.h"
#include "metrics/precision_recall.h"

namespace ganbench {

namespace {
constexpr int64_t kQueryBlock = 256;  // query rows per block; a multiple of nearest_neighbours' block
constexpr int64_t kExactFloat = int64_t{1} << 24;  // float32 counts integers exactly up to here

void check_rows(int64_t train, int64_t test, int64_t generated) {
  if (test < 2 || train < 1 || generated < 1)
    throw std::invalid_argument(fmt::format(
        "memorization audit needs training, generated and at least 2 test rows; got {}, {} and {}", train,
        generated, test));
}
}  // namespace

MemorizationAudit memorization_audit(const Eigen::MatrixXd& train, const Eigen::MatrixXd& test,
                                     const Eigen::MatrixXd& generated) {
  check_rows(train.rows(), test.rows(), generated.rows());
  return memorization_audit(nearest_neighbours(test, train), nearest_neighbours(generated, train));
}

MemorizationAudit memorization_audit(const Nearest& test_nn, const Nearest& gen_nn) {
  check_rows(1, static_cast<int64_t>(test_nn.distance.size()), static_cast<int64_t>(gen_nn.distance.size()));
  const auto n_generated = static_cast<double>(gen_nn.distance.size());
  MemorizationAudit a;
  a.threshold = percentile_linear(test_nn.distance, kNearCopyPercentile);
  int64_t near = 0;
  for (double d : gen_nn.distance) near += d < a.threshold ? 1 : 0;
  a.near_copy_fraction = static_cast<double>(near) / n_generated;
  const double test_median = percentile_linear(test_nn.distance, 50.0);
  a.median_ratio = test_median > 0 ? percentile_linear(gen_nn.distance, 50.0) / test_median
                                   : std::numeric_limits<double>::quiet_NaN();
  a.nearest = gen_nn.index;
  a.distance = gen_nn.distance;
  return a;
}

Nearest nearest_in_pixels(const torch::Tensor& query, const Eigen::MatrixXd& train_pixels) {
  Nearest out;
  for (int64_t b0 = 0; b0 < query.size(0); b0 += kQueryBlock) {
    const auto blk = query.slice(0, b0, std::min(query.size(0), b0 + kQueryBlock));
    const Nearest part = nearest_neighbours(to_eigen(blk.reshape({blk.size(0), -1}).to(torch::kCPU)), train_pixels);
    out.index.insert(out.index.end(), part.index.begin(), part.index.end());
    out.distance.insert(out.distance.end(), part.distance.begin(), part.distance.end());
  }
  return out;
}

Nearest nearest_in_labels(const torch::Tensor& query, const torch::Tensor& train, int64_t num_labels) {
  if (!query.defined() || !train.defined() || query.dim() < 2 || query.size(0) < 1 || train.size(0) < 1)
    throw std::invalid_argument("label nearest neighbours: need at least one query and one training map");
  if (query.sizes().slice(1) != train.sizes().slice(1))
    throw std::invalid_argument(fmt::format("label nearest neighbours: maps of shape {} against {}",
                                            fmt::join(query.sizes().slice(1), "x"),
                                            fmt::join(train.sizes().slice(1), "x")));
  for (const auto* t : {&query, &train}) {
    if (torch::isFloatingType(t->scalar_type()) || t->scalar_type() == torch::kBool)
      throw std::invalid_argument("label nearest neighbours: label maps must hold integers");
    if (t->numel() > 0 && (t->min().item<int64_t>() < 0 || t->max().item<int64_t>() >= num_labels))
      throw std::invalid_argument(
          fmt::format("label nearest neighbours: labels outside [0, {})", num_labels));
  }
  const int64_t pixels = train[0].numel();
  const auto dtype = pixels < kExactFloat ? torch::kFloat32 : torch::kFloat64;
  const auto ref = train.reshape({train.size(0), pixels}).to(torch::kCPU);
  const int64_t nq = query.size(0);
  // Pixels with the same label, per query and training map: each label's training mask is built once, and
  // the queries' masks a block at a time.
  auto agree = torch::zeros({nq, ref.size(0)}, dtype);
  for (int64_t c = 0; c < num_labels; ++c) {
    const auto ref_mask = ref.eq(c).to(dtype).t();
    for (int64_t b0 = 0; b0 < nq; b0 += kQueryBlock) {
      const int64_t m = std::min(nq, b0 + kQueryBlock) - b0;
      agree.narrow(0, b0, m).addmm_(query.narrow(0, b0, m).reshape({m, pixels}).to(torch::kCPU).eq(c).to(dtype), ref_mask);
    }
  }
  const auto best = agree.max(1);  // most agreeing = nearest; the first on ties
  const auto idx = std::get<1>(best).contiguous();
  const auto same = std::get<0>(best).to(torch::kFloat64).contiguous();
  Nearest out;
  out.index.assign(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + nq);
  for (int64_t i = 0; i < nq; ++i)
    out.distance.push_back(std::sqrt(2.0 * (static_cast<double>(pixels) - same.data_ptr<double>()[i])));
  return out;
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
