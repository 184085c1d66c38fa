// Kernel Inception Distance: Bińkowski et al. 2018, "Demystifying MMD GANs" (ICLR). Unbiased MMD^2 with the
// cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets (clean-fid's recipe).
#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace ganbench {

struct KidResult {
  double mean;  // over subsets
  double std;   // population std over subsets (0 for one subset)
  int subsets;
  int64_t subset_size;
};

// One unbiased MMD^2 estimate between equal-sized sets x, y ([m, d], m >= 2).
double kid_mmd2(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y);

// `subset_size` = min(rows of a, rows of b, max_subset_size), drawn without replacement per subset.
KidResult kernel_inception_distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, int num_subsets = 100,
                                    int64_t max_subset_size = 1000, uint64_t seed = 0);

}  // namespace ganbench
