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

#include "metrics/precision_recall.h"

namespace at {
class Tensor;
}

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

// The same audit from its two nearest-neighbour searches (test to train and generated to train), for spaces
// searched without a feature matrix (below). Throws as above for fewer than 2 test or no generated rows.
MemorizationAudit memorization_audit(const Nearest& test_to_train, const Nearest& generated_to_train);

// Nearest training image in raw pixels: images [N, C, H, W] (or volumes) against train_pixels, one flattened
// training image per row in double. Equal, row for row, to nearest_neighbours(pixel_features(query),
// train_pixels), but the queries are converted to double a block at a time, so memory grows with the block,
// not with N (10,000 generated 256-px images are 5 GiB in double).
Nearest nearest_in_pixels(const at::Tensor& query, const Eigen::MatrixXd& train_pixels);

// Nearest training label map: maps [N, H, W] (or [N, D, H, W]) of integers in [0, num_labels) against train
// [M, ...] of the same shape. The distance is the Euclidean one between one-hot maps, sqrt(2 x the number of
// pixels whose label differs), counted exactly: per label, a float matmul of 0/1 masks (float64 above 2^24
// pixels a map). Memory: one label's training masks, a block of query masks and the [N, M] counts. Equal to
// nearest_neighbours on the one-hot maps in double, which would hold num_labels doubles a pixel. Ties go to the first training map. Throws
// std::invalid_argument for differing shapes, a non-integer type, labels outside [0, num_labels) or no rows.
Nearest nearest_in_labels(const at::Tensor& query, const at::Tensor& train, int64_t num_labels);

// The `k` generated rows closest to the training set, closest first: indices into `generated`.
std::vector<int64_t> closest_pairs(const MemorizationAudit& audit, int64_t k);

}  // namespace ganbench
