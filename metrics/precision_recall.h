// Improved precision and recall: Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for
// Assessing Generative Models" (NeurIPS). Each set's manifold is the union of balls around its points
// with radius = distance to the k-th nearest neighbour in the same set (self excluded).
// Precision: fraction of generated points inside the real manifold. Recall: fraction of real points
// inside the generated manifold.
#pragma once

#include <cstdint>

#include <Eigen/Core>

namespace ganbench {

struct PrecisionRecall {
  double precision;
  double recall;
};

// Distance from each row of `x` to its k-th nearest other row (Euclidean). Needs rows > k >= 1.
Eigen::VectorXd knn_radii(const Eigen::MatrixXd& x, int k);

// real, fake: [n, d] features (d equal, each n > k). Memory is O(block * n), not O(n^2).
PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k = 3);

// As Kynkäänniemi et al. 2019 (and stylegan2-ada's metrics/precision_recall.py): sets of equal size. The
// larger set is subsampled (seeded) to the smaller one's size before the manifolds are built.
PrecisionRecall precision_recall_equal_size(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k,
                                            uint64_t seed);

}  // namespace ganbench
