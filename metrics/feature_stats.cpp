#include "metrics/feature_stats.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "common/npy.h"

namespace ganbench {

FeatureAccumulator::FeatureAccumulator(int64_t dims)
    : mean_(Eigen::VectorXd::Zero(dims)), m2_(Eigen::MatrixXd::Zero(dims, dims)) {
  if (dims < 1) throw std::invalid_argument("feature statistics need at least one dimension");
}

void FeatureAccumulator::add(const Eigen::MatrixXd& x) {
  if (x.cols() != dims())
    throw std::invalid_argument(fmt::format("feature batch has {} columns, expected {}", x.cols(), dims()));
  const int64_t nb = x.rows();
  if (nb == 0) return;
  if (!x.allFinite()) throw std::invalid_argument("feature batch contains NaN or infinity");
  const Eigen::VectorXd mb = x.colwise().mean().transpose();
  const Eigen::MatrixXd centred = x.rowwise() - mb.transpose();
  Eigen::MatrixXd m2b = Eigen::MatrixXd::Zero(dims(), dims());
  m2b.selfadjointView<Eigen::Lower>().rankUpdate(centred.transpose());
  m2b = m2b.selfadjointView<Eigen::Lower>();
  const int64_t n = n_ + nb;
  const Eigen::VectorXd delta = mb - mean_;
  m2_ += m2b + delta * delta.transpose() * (static_cast<double>(n_) * nb / n);
  mean_ += delta * (static_cast<double>(nb) / n);
  n_ = n;
}

void FeatureAccumulator::add(const double* rows, int64_t n) {
  add(Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(rows, n,
                                                                                               dims()));
}

void FeatureAccumulator::add(const float* rows, int64_t n) {
  add(Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(rows, n, dims())
          .cast<double>()
          .eval());
}

FeatureStats FeatureAccumulator::finish() const {
  if (n_ < 2)
    throw std::invalid_argument(fmt::format("feature statistics need at least 2 samples, got {}", n_));
  return {mean_, m2_ / static_cast<double>(n_ - 1), n_};
}

FeatureStats compute_stats(const Eigen::MatrixXd& feats) {
  FeatureAccumulator acc(feats.cols());
  acc.add(feats);
  return acc.finish();
}

FeatureStats load_stats_npz(const std::filesystem::path& path) {
  auto arrays = read_npz(path);
  for (const char* key : {"mu", "sigma"})
    if (!arrays.count(key))
      throw std::runtime_error(fmt::format("{}: statistics file has no '{}' array", path.string(), key));
  const auto& mu = arrays["mu"];
  const auto& sigma = arrays["sigma"];
  if (mu.shape.size() != 1 || sigma.shape.size() != 2 || sigma.shape[0] != mu.shape[0] ||
      sigma.shape[1] != mu.shape[0])
    throw std::runtime_error(fmt::format("{}: need mu [D] and sigma [D, D]", path.string()));
  const int64_t d = mu.shape[0];
  FeatureStats s;
  s.mu.resize(d);
  s.sigma.resize(d, d);
  if (mu.dtype == "<f8" && sigma.dtype == "<f8") {  // pytorch-fid's dtype: copy the bytes once
    std::memcpy(s.mu.data(), mu.data.data(), mu.data.size());
    std::memcpy(s.sigma.data(), sigma.data.data(), sigma.data.size());
  } else {
    const auto mv = mu.to_doubles();
    const auto sv = sigma.to_doubles();
    s.mu = Eigen::Map<const Eigen::VectorXd>(mv.data(), d);
    s.sigma = Eigen::Map<const Eigen::MatrixXd>(sv.data(), d, d);
  }
  s.sigma.transposeInPlace();  // C order into Eigen's column-major
  s.n = 0;  // pytorch-fid files do not record N
  return s;
}

void save_stats_npz(const std::filesystem::path& path, const FeatureStats& s) {
  const int64_t d = s.mu.size();
  std::vector<double> mu(s.mu.data(), s.mu.data() + d);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = s.sigma;
  std::vector<double> sigma(rm.data(), rm.data() + d * d);
  write_npz(path,
            {{"mu", NpyArray::from_doubles(mu, {d})}, {"sigma", NpyArray::from_doubles(sigma, {d, d})}});
}

}  // namespace ganbench
