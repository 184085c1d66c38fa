// Streaming feature statistics (mean, unbiased covariance) in double precision; memory independent of N.
#pragma once

#include <cstdint>
#include <filesystem>

#include <Eigen/Core>

namespace ganbench {

struct FeatureStats {
  Eigen::VectorXd mu;     // [D]
  Eigen::MatrixXd sigma;  // [D, D], divided by N - 1 like numpy.cov
  int64_t n = 0;          // samples seen
};

// Chan et al.'s pairwise update: batches merge exactly, without the cancellation of sum-of-squares.
class FeatureAccumulator {
 public:
  explicit FeatureAccumulator(int64_t dims);
  // `rows` is [n, dims] row-major.
  void add(const float* rows, int64_t n);
  void add(const double* rows, int64_t n);
  void add(const Eigen::MatrixXd& rows);  // [n, dims]
  int64_t count() const { return n_; }
  int64_t dims() const { return mean_.size(); }
  // Throws when fewer than 2 samples were added.
  FeatureStats finish() const;

 private:
  int64_t n_ = 0;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd m2_;  // sum of outer products of deviations
};

FeatureStats compute_stats(const Eigen::MatrixXd& feats);  // [N, D]

// pytorch-fid's statistics file: `mu` float64[D], `sigma` float64[D, D].
FeatureStats load_stats_npz(const std::filesystem::path& path);
void save_stats_npz(const std::filesystem::path& path, const FeatureStats& s);

}  // namespace ganbench
