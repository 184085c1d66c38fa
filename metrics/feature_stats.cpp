#include "metrics/feature_stats.h"

#include <algorithm>
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

namespace {

// A C-order array's elements as doubles, in column-major order (Eigen's). Float64 data, pytorch-fid's dtype,
// is copied once by 32x32 tiles, so that reads and writes both stay in cache; the view may be unaligned.
void c_order_to_eigen(const NpyView& v, int64_t rows, int64_t cols, double* out) {
  if (v.dtype != "<f8") {
    const auto d = v.to_array().to_doubles();
    Eigen::Map<Eigen::MatrixXd>(out, rows, cols) =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(d.data(), rows,
                                                                                                 cols);
    return;
  }
  constexpr int64_t kTile = 32;
  const char* src = v.data.data();
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile)
      for (int64_t i = i0; i < std::min(i0 + kTile, rows); ++i)
        for (int64_t j = j0; j < std::min(j0 + kTile, cols); ++j)
          std::memcpy(out + i + j * rows, src + sizeof(double) * (i * cols + j), sizeof(double));
}

}  // namespace

FeatureStats load_stats_npz(const std::filesystem::path& path) {
  FeatureStats s;
  bool have_mu = false, have_sigma = false;
  const auto bad_shape = [&] {
    return std::runtime_error(fmt::format("{}: need mu [D] and sigma [D, D]", path.string()));
  };
  visit_npz(path, [&](const std::string& key, const NpyView& v) {
    if (key == "mu") {
      if (v.shape.size() != 1) throw bad_shape();
      s.mu.resize(v.shape[0]);
      c_order_to_eigen(v, v.shape[0], 1, s.mu.data());
      have_mu = true;
    } else if (key == "sigma") {
      if (v.shape.size() != 2 || v.shape[0] != v.shape[1]) throw bad_shape();
      s.sigma.resize(v.shape[0], v.shape[1]);
      c_order_to_eigen(v, v.shape[0], v.shape[1], s.sigma.data());
      have_sigma = true;
    }
  });
  for (const auto& [key, have] : {std::pair{"mu", have_mu}, {"sigma", have_sigma}})
    if (!have)
      throw std::runtime_error(fmt::format("{}: statistics file has no '{}' array", path.string(), key));
  if (s.sigma.rows() != s.mu.size()) throw bad_shape();
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
