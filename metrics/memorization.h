// Memorization audit: does a GAN copy its training images? For each generated image, the distance to its
// nearest training image in a feature space, against the same distance for held-out real test images
// (which the GAN never saw): the share of generated images closer to the training set than nearly all
// fresh real images (the near-copy fraction), and the ratio of the two median distances. In the spirit of
// the nearest-neighbour checks of Webster et al. 2019 ("Detecting overfitting of deep generative networks
// via latent recovery") and of stylegan2-ada-pytorch's unmerged nearest-neighbour script (PR #123).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace ganbench {

constexpr double kNearCopyPercentile = 5.0;  // threshold: this percentile of test-to-train distances

struct MemorizationAudit {
  double near_copy_fraction = 0;  // share of generated rows nearer a training row than `threshold`
  double median_ratio = 0;        // median generated-to-train distance / median test-to-train distance
  double threshold = 0;           // kNearCopyPercentile-th percentile (linear) of test-to-train distances
  std::vector<int64_t> nearest;   // per generated row: its nearest training row
  std::vector<double> distance;   // per generated row: that Euclidean distance
};

// train, test, generated: one row per image, the same width. A GAN that returns its training images scores
// near_copy_fraction 1; one that draws fresh images from the data distribution scores about 0.05. Throws
// std::invalid_argument for fewer than 2 test rows, no training or generated rows, differing widths or
// non-finite values.
MemorizationAudit memorization_audit(const Eigen::MatrixXd& train, const Eigen::MatrixXd& test,
                                     const Eigen::MatrixXd& generated);

// The `k` generated rows closest to the training set, closest first: indices into `generated`.
std::vector<int64_t> closest_pairs(const MemorizationAudit& audit, int64_t k);

}  // namespace ganbench
