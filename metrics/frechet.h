// Fréchet distance between Gaussians fitted to features: Heusel et al. 2017, "GANs Trained by a Two
// Time-Scale Update Rule Converge to a Local Nash Equilibrium" (NeurIPS); recipe of pytorch-fid.
#pragma once

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
