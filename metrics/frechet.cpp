#include "metrics/frechet.h"

#include <cmath>
#include <complex>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>
#include <Eigen/Eigenvalues>

#include "common/hash.h"
#include "common/runtime.h"

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

// Real eigenvalues (a 1-D double tensor) as the complex vector trace_of_roots takes.
Eigen::VectorXcd to_complex(const torch::Tensor& w) {
  const auto c = w.to(torch::kCPU, torch::kFloat64).contiguous();
  return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.size(0)).cast<std::complex<double>>();
}

// A symmetric Eigen matrix as a torch tensor sharing its memory (column- and row-major agree).
torch::Tensor as_tensor(const Eigen::MatrixXd& m) {
  return torch::from_blob(const_cast<double*>(m.data()), {m.rows(), m.cols()}, torch::kFloat64);
}

// tr(sqrtm(s1 s2)) for symmetric s1, s2; NaN when a decomposition fails. The symmetric eigenproblems
// run in LAPACK (dsyevd, through LibTorch) with all intra-op threads given to BLAS.
double trace_sqrt_product(const Eigen::MatrixXd& s1, const Eigen::MatrixXd& s2) {
  ScopedBlasThreads blas(at::get_num_threads());
  try {
    // Positive definite S1 = L L^T: S1 S2 has the spectrum of the symmetric L^T S2 L (Cholesky, two
    // GEMMs and one eigenvalues-only solve; about 4x less work than an eigendecomposition with vectors).
    auto [chol, info] = torch::linalg_cholesky_ex(as_tensor(s1));
    if (info.item<int64_t>() == 0) {
      auto m = torch::matmul(chol.transpose(0, 1), torch::matmul(as_tensor(s2), chol));
      m = 0.5 * (m + m.transpose(0, 1));
      const auto wm = torch::linalg_eigvalsh(m).contiguous();
      return trace_of_roots(to_complex(wm));
    }
    // Singular S1 (fewer samples than dimensions): its eigendecomposition gives S1^1/2.
    auto [w1, v1] = torch::linalg_eigh(as_tensor(s1));
    const double scale = std::max(1e-300, w1.abs().max().item<double>());
    if (w1.min().item<double>() < -1e-9 * scale) {
      // Not a covariance: take the spectrum of the product directly, as scipy's sqrtm would.
      Eigen::EigenSolver<Eigen::MatrixXd> ep(s1 * s2, false);
      if (ep.info() != Eigen::Success) return NAN;
      return trace_of_roots(ep.eigenvalues());
    }
    // S1 is PSD: S1 S2 has the spectrum of the symmetric S1^1/2 S2 S1^1/2.
    const auto r = torch::matmul(v1 * w1.clamp_min(0.0).sqrt().unsqueeze(0), v1.transpose(0, 1));
    auto m = torch::matmul(torch::matmul(r, as_tensor(s2)), r);
    m = 0.5 * (m + m.transpose(0, 1));
    const auto wm = torch::linalg_eigvalsh(m).contiguous();
    return trace_of_roots(to_complex(wm));
  } catch (const c10::Error&) {
    return NAN;  // LAPACK did not converge
  }
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
