// Fréchet distance between Gaussians fitted to features: Heusel et al. 2017, "GANs Trained by a Two
// Time-Scale Update Rule Converge to a Local Nash Equilibrium" (NeurIPS); recipe of pytorch-fid.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "metrics/feature_stats.h"

namespace ganbench {

// ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrt(S1 S2)), in double precision.
// tr(sqrt(S1 S2)) is the sum of square roots of the eigenvalues of S1^1/2 S2 S1^1/2 (the same spectrum as
// S1 S2, symmetric, so no complex Schur step). As pytorch-fid: a non-finite result is retried with
// eps * I added to both covariances, and a significant imaginary part (a negative eigenvalue whose root
// exceeds 1e-3) is an error. Shape mismatches and non-finite inputs are errors.
double frechet_distance(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& sigma1, const Eigen::VectorXd& mu2,
                        const Eigen::MatrixXd& sigma2, double eps = 1e-6);
double frechet_distance(const FeatureStats& a, const FeatureStats& b, double eps = 1e-6);

}  // namespace ganbench

namespace ganbench {

// FID∞: Chong and Forsyth 2020, "Effectively Unbiased FID and Inception Score and Where to Find Them"
// (CVPR). The distance is biased upward by a term linear in 1/N; it is measured at several N (seeded subsets
// of the generated features, without replacement), a least-squares line is fitted against 1/N, and its
// value at 1/N = 0 is reported. Their code takes 15 sizes from 5,000 to 50,000; ganbench takes `points`
// sizes from `min_fraction` * N to N of the N generated images it has (docs/metrics.md).
struct FrechetInfinity {
  double value = NAN;             // the intercept: the distance extrapolated to infinitely many samples
  double slope = NAN;             // the fitted bias coefficient (distance per 1/N)
  std::vector<int64_t> sizes;     // the N used
  std::vector<double> distances;  // the distance at each N
};
FrechetInfinity frechet_infinity(const FeatureStats& real, const Eigen::MatrixXd& fake, int points = 5,
                                 double min_fraction = 0.2, uint64_t seed = 0);

}  // namespace ganbench
