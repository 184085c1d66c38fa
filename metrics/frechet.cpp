#include "metrics/frechet.h"

#include <cmath>
#include <stdexcept>

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

namespace ganbench {
namespace {

constexpr double kImagTolerance = 1e-3;  // pytorch-fid's atol on the imaginary part of sqrtm

Eigen::MatrixXd sym_sqrt(const Eigen::MatrixXd& s) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(s);
  if (es.info() != Eigen::Success) throw std::runtime_error("Fréchet distance: eigendecomposition failed");
  const Eigen::VectorXd root = es.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  return es.eigenvectors() * root.asDiagonal() * es.eigenvectors().transpose();
}

// tr(sqrtm(s1 s2)); NaN when the decomposition fails.
double trace_sqrt_product(const Eigen::MatrixXd& s1, const Eigen::MatrixXd& s2) {
  const Eigen::MatrixXd r = sym_sqrt(s1);
  Eigen::MatrixXd m = r * s2 * r;
  m = 0.5 * (m + m.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m, Eigen::EigenvaluesOnly);
  if (es.info() != Eigen::Success) return NAN;
  double tr = 0.0, max_imag = 0.0;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i) {
    const double lam = es.eigenvalues()(i);
    if (lam >= 0) tr += std::sqrt(lam);
    else max_imag = std::max(max_imag, std::sqrt(-lam));
  }
  if (max_imag > kImagTolerance)
    throw std::runtime_error(fmt::format("Fréchet distance: sqrtm has an imaginary component of {:.3g} (> {}); "
                                         "the covariances are not positive semi-definite",
                                         max_imag, kImagTolerance));
  return tr;
}

void check_inputs(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& s1, const Eigen::VectorXd& mu2, const Eigen::MatrixXd& s2) {
  const auto d = mu1.size();
  if (d == 0) throw std::invalid_argument("Fréchet distance: empty mean vector");
  if (mu2.size() != d)
    throw std::invalid_argument(fmt::format("Fréchet distance: mean vectors have different lengths ({} vs {})", d, mu2.size()));
  if (s1.rows() != d || s1.cols() != d || s2.rows() != d || s2.cols() != d)
    throw std::invalid_argument(fmt::format("Fréchet distance: covariances must be {}x{}, got {}x{} and {}x{}", d, d,
                                            s1.rows(), s1.cols(), s2.rows(), s2.cols()));
  if (!mu1.allFinite() || !mu2.allFinite() || !s1.allFinite() || !s2.allFinite())
    throw std::invalid_argument("Fréchet distance: statistics contain NaN or infinity");
}

}  // namespace

double frechet_distance(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& s1, const Eigen::VectorXd& mu2,
                        const Eigen::MatrixXd& s2, double eps) {
  check_inputs(mu1, s1, mu2, s2);
  // Symmetrise: a numpy.cov matrix is symmetric up to rounding, and the eigensolver reads one triangle.
  const Eigen::MatrixXd a = 0.5 * (s1 + s1.transpose()), b = 0.5 * (s2 + s2.transpose());
  double tr = trace_sqrt_product(a, b);
  if (!std::isfinite(tr)) {
    const Eigen::MatrixXd off = eps * Eigen::MatrixXd::Identity(a.rows(), a.cols());
    tr = trace_sqrt_product(a + off, b + off);
    if (!std::isfinite(tr)) throw std::runtime_error("Fréchet distance: not finite even with eps * I added");
  }
  return (mu1 - mu2).squaredNorm() + a.trace() + b.trace() - 2.0 * tr;
}

double frechet_distance(const FeatureStats& x, const FeatureStats& y, double eps) {
  return frechet_distance(x.mu, x.sigma, y.mu, y.sigma, eps);
}

}  // namespace ganbench
