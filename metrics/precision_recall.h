// Improved precision and recall: Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for
// Assessing Generative Models" (NeurIPS). Each set's manifold is the union of balls around its points
// with radius = distance to the k-th nearest neighbour in the same set (self excluded).
// Precision: fraction of generated points inside the real manifold. Recall: fraction of real points
// inside the generated manifold.
#pragma once

#include <cstdint>

#include <vector>

#include <Eigen/Core>

namespace ganbench {

struct PrecisionRecall {
  double precision;
  double recall;
};

// Distance from each row of `x` to its k-th nearest other row (Euclidean). Needs rows > k >= 1.
Eigen::VectorXd knn_radii(const Eigen::MatrixXd& x, int k);
// For each row of `query`: the index of its nearest row of `ref` (Euclidean; the first on ties) and that
// distance. Throws std::invalid_argument for an empty `ref`, differing widths or non-finite values.
struct Nearest {
  std::vector<int64_t> index;
  std::vector<double> distance;
};
Nearest nearest_neighbours(const Eigen::MatrixXd& query, const Eigen::MatrixXd& ref);

// real, fake: [n, d] features (d equal, each n > k). Memory is O(block * n), not O(n^2).
PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k = 3);

// As Kynkäänniemi et al. 2019 (and stylegan2-ada's metrics/precision_recall.py): sets of equal size. The
// larger set is subsampled (seeded) to the smaller one's size before the manifolds are built.
PrecisionRecall precision_recall_equal_size(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k,
                                            uint64_t seed);

}  // namespace ganbench
