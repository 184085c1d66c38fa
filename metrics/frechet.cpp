#include "metrics/frechet.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <Eigen/Eigenvalues>

#include "common/hash.h"
#include "common/blas.h"

namespace ganbench {
namespace {

constexpr double kImagTolerance = 1e-3;  // pytorch-fid's atol on the imaginary part of sqrtm

// Principal square roots of `eigenvalues`, summed: the trace of sqrtm of a matrix with that spectrum.
// Throws when the roots have an imaginary part above pytorch-fid's tolerance.
double trace_of_roots(const Eigen::VectorXcd& eigenvalues) {
  std::complex<double> tr = 0.0;
  double max_imag = 0.0;
  for (Eigen::Index i = 0; i < eigenvalues.size(); ++i) {
    std::complex<double> lam = eigenvalues(i);
    if (std::abs(lam.imag()) <= 1e-12 * std::max(1.0, std::abs(lam.real())) && lam.real() < 0 &&
        lam.real() > -1e-12 * std::max(1.0, eigenvalues.cwiseAbs().maxCoeff())) {
      lam = 0.0;  // rounding noise around a zero eigenvalue of a singular product
    }
    const std::complex<double> root = std::sqrt(lam);
    tr += root;
    max_imag = std::max(max_imag, std::abs(root.imag()));
  }
  if (max_imag > kImagTolerance)
    throw std::runtime_error(
        fmt::format("Fréchet distance: sqrtm has an imaginary component of {:.3g} (> {}); "
                    "the covariances are not positive semi-definite",
                    max_imag, kImagTolerance));
  return tr.real();
}

// Real eigenvalues as the complex vector trace_of_roots takes.
Eigen::VectorXcd to_complex(const Eigen::VectorXd& w) { return w.cast<std::complex<double>>(); }

// The lower triangle of (s + s^T) / 2 + shift I: a numpy.cov matrix is symmetric up to rounding, and the
// LAPACK routines below read only the lower triangle (the strict upper one is left unset). One pass, by
// 32x32 tiles so that s(i, j) and s(j, i) both come from cache; it also finds non-finite entries (false).
bool symmetrise_lower(const Eigen::MatrixXd& s, double shift, Eigen::MatrixXd& out) {
  constexpr Eigen::Index kTile = 32;
  const Eigen::Index n = s.rows();
  out.resize(n, n);
  double poison = 0.0;  // x - x is 0 for finite x and NaN for inf or NaN, so this sum is finite iff all are
  for (Eigen::Index j0 = 0; j0 < n; j0 += kTile)
    for (Eigen::Index i0 = j0; i0 < n; i0 += kTile)
      for (Eigen::Index j = j0; j < std::min(j0 + kTile, n); ++j)
        for (Eigen::Index i = std::max(i0, j); i < std::min(i0 + kTile, n); ++i) {
          const double a = s(i, j), b = s(j, i);
          poison += (a - a) + (b - b);
          out(i, j) = 0.5 * (a + b);
        }
  out.diagonal().array() += shift;
  return std::isfinite(poison);
}

// symmetrise_lower of s1 into l and of s2 into m, the two on two threads when compute_threads() allows (two
// 32 MiB passes at n = 2048, about 8% of the distance's time on one thread). Throws on non-finite input.
void symmetrise_both(const Eigen::MatrixXd& s1, const Eigen::MatrixXd& s2, double shift, Eigen::MatrixXd& l,
                     Eigen::MatrixXd& m) {
  bool ok1 = true, ok2 = true;
  if (compute_threads() > 1 && s1.rows() >= 256) {
    std::thread other([&] { ok2 = symmetrise_lower(s2, shift, m); });
    ok1 = symmetrise_lower(s1, shift, l);
    other.join();
  } else {
    ok1 = symmetrise_lower(s1, shift, l);
    ok2 = symmetrise_lower(s2, shift, m);
  }
  if (!ok1 || !ok2) throw std::invalid_argument("Fréchet distance: statistics contain NaN or infinity");
}

// tr(sqrtm(s1 s2)) for s1, s2 symmetric up to rounding, each with `shift` added to its diagonal; NaN when a
// decomposition fails. LAPACK is called directly (no LibTorch), with compute_threads() given to BLAS. Flops
// at dimension n, positive definite s1: Cholesky n^3/3, L^T s2 L by dsygst n^3 (it uses the symmetry; two
// GEMMs would take 4 n^3), eigenvalues only by tridiagonal reduction 4 n^3/3: 2.7 n^3 in all, against about
// 25 n^3 for scipy's Schur-based sqrtm.
double trace_sqrt_product(const Eigen::MatrixXd& s1, const Eigen::MatrixXd& s2, double shift) {
  ScopedBlasThreads blas(compute_threads());
  const int n = static_cast<int>(s1.rows());
  Eigen::VectorXd w(n);
  // Positive definite S1 = L L^T: S1 S2 has the spectrum of the symmetric L^T S2 L.
  Eigen::MatrixXd l, m;
  symmetrise_both(s1, s2, shift, l, m);
  if (lapack::potrf_lower(n, l.data()) == 0) {
    if (lapack::sygst_lower_ltal(n, m.data(), l.data()) != 0) return NAN;
    if (lapack::syev_values(n, m.data(), w.data()) != 0) return NAN;  // not converged
    return trace_of_roots(to_complex(w));
  }
  // Singular S1 (fewer samples than dimensions): its eigendecomposition V W V^T gives S1^1/2.
  Eigen::MatrixXd v;
  symmetrise_lower(s1, shift, v);
  const Eigen::MatrixXd b = m.selfadjointView<Eigen::Lower>();  // S2, both triangles
  if (lapack::syev_vectors(n, v.data(), w.data()) != 0) return NAN;
  const double scale = std::max(1e-300, w.cwiseAbs().maxCoeff());
  if (w.minCoeff() < -1e-9 * scale) {
    // Not a covariance: take the spectrum of the product directly, as scipy's sqrtm would.
    Eigen::MatrixXd a;
    symmetrise_lower(s1, shift, a);
    a = a.selfadjointView<Eigen::Lower>();
    Eigen::EigenSolver<Eigen::MatrixXd> ep(a * b, false);
    if (ep.info() != Eigen::Success) return NAN;
    return trace_of_roots(ep.eigenvalues());
  }
  // S1 is PSD: S1 S2 has the spectrum of S1^1/2 S2 S1^1/2, i.e. of the symmetric W^1/2 (V^T S2 V) W^1/2.
  Eigen::MatrixXd t(n, n);
  lapack::gemm_square(n, false, false, b.data(), v.data(), t.data());  // S2 V
  lapack::gemm_square(n, true, false, v.data(), t.data(), m.data());   // V^T S2 V
  const Eigen::VectorXd r = w.cwiseMax(0.0).cwiseSqrt();
  m = r.asDiagonal() * (0.5 * (m + m.transpose())) * r.asDiagonal();
  if (lapack::syev_values(n, m.data(), w.data()) != 0) return NAN;
  return trace_of_roots(to_complex(w));
}

void check_inputs(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& s1, const Eigen::VectorXd& mu2,
                  const Eigen::MatrixXd& s2) {
  const auto d = mu1.size();
  if (d == 0) throw std::invalid_argument("Fréchet distance: empty mean vector");
  if (mu2.size() != d)
    throw std::invalid_argument(
        fmt::format("Fréchet distance: mean vectors have different lengths ({} vs {})", d, mu2.size()));
  if (s1.rows() != d || s1.cols() != d || s2.rows() != d || s2.cols() != d)
    throw std::invalid_argument(
        fmt::format("Fréchet distance: covariances must be {}x{}, got {}x{} and {}x{}", d, d, s1.rows(),
                    s1.cols(), s2.rows(), s2.cols()));
  if (!mu1.allFinite() || !mu2.allFinite())  // the covariances are checked in symmetrise_both's pass
    throw std::invalid_argument("Fréchet distance: statistics contain NaN or infinity");
}

}  // namespace

double frechet_distance(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& s1, const Eigen::VectorXd& mu2,
                        const Eigen::MatrixXd& s2, double eps) {
  check_inputs(mu1, s1, mu2, s2);
  double tr = trace_sqrt_product(s1, s2, 0.0);
  if (!std::isfinite(tr)) {
    tr = trace_sqrt_product(s1, s2, eps);  // pytorch-fid's retry with eps * I added to both
    if (!std::isfinite(tr)) throw std::runtime_error("Fréchet distance: not finite even with eps * I added");
  }
  return (mu1 - mu2).squaredNorm() + s1.trace() + s2.trace() - 2.0 * tr;
}

double frechet_distance(const FeatureStats& x, const FeatureStats& y, double eps) {
  return frechet_distance(x.mu, x.sigma, y.mu, y.sigma, eps);
}

}  // namespace ganbench

namespace ganbench {

FrechetInfinity frechet_infinity(const FeatureStats& real, const Eigen::MatrixXd& fake, int points,
                                 double min_fraction, uint64_t seed) {
  const int64_t n = fake.rows();
  if (points < 2 || !(min_fraction > 0 && min_fraction < 1))
    throw std::invalid_argument("FID infinity: need at least 2 sizes and 0 < min_fraction < 1");
  const int64_t n_min = static_cast<int64_t>(std::ceil(min_fraction * static_cast<double>(n)));
  if (n_min < 2)
    throw std::invalid_argument(fmt::format("FID infinity: {} generated samples are too few", n));
  FrechetInfinity r;
  for (int k = 0; k < points; ++k) {  // sizes evenly spaced from n_min to n, as np.linspace
    const double t = static_cast<double>(k) / (points - 1);
    r.sizes.push_back(static_cast<int64_t>(std::llround(n_min + t * static_cast<double>(n - n_min))));
  }
  for (size_t k = 0; k < r.sizes.size(); ++k) {
    const Eigen::MatrixXd subset = fake(sample_rows(n, r.sizes[k], mix_seed(seed, k)), Eigen::all);
    r.distances.push_back(frechet_distance(real, compute_stats(subset)));
  }
  // Least squares of distance = value + slope / N.
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double m = static_cast<double>(points);
  for (size_t k = 0; k < r.sizes.size(); ++k) {
    const double x = 1.0 / static_cast<double>(r.sizes[k]), y = r.distances[k];
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  r.slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  r.value = (sy - r.slope * sx) / m;
  return r;
}

}  // namespace ganbench
