// The BLAS/LAPACK beneath ganbench (OpenBLAS on Debian), torch-free: its name, its threads, and the few
// LAPACK routines the statistics call directly.
#pragma once

#include <string>

namespace ganbench {

// e.g. "OpenBLAS (...)"; benchmarks print it.
std::string blas_name();

// Threads a single large BLAS/LAPACK call may use (the Fréchet distance). apply_threads() sets it with
// LibTorch's threads; a process that never loads LibTorch keeps the default, every core.
void set_compute_threads(int n);
int compute_threads();

// Sets OpenBLAS's thread count (no effect without OpenBLAS).
void set_blas_threads(int n);

// Lets OpenBLAS use `n` threads while in scope (one large LAPACK call, e.g. the Fréchet distance),
// then restores one thread per caller as apply_threads set it. No effect without OpenBLAS.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int n);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;
};

// Column-major LAPACK/BLAS (Fortran interface); `info` as LAPACK returns it (0 = success).
namespace lapack {
int potrf_lower(int n, double* a);                        // a = L L^T, L in the lower triangle
int sygst_lower_ltal(int n, double* b, const double* l);  // b = L^T b L (lower triangles)
int syev_values(int n, double* a, double* w);            // eigenvalues of symmetric a (lower), ascending
int syev_vectors(int n, double* a, double* w);           // eigenvectors into a, eigenvalues into w
// c = op(a) op(b), n x n, op = transpose when the flag is set.
void gemm_square(int n, bool ta, bool tb, const double* a, const double* b, double* c);
}  // namespace lapack

// OpenBLAS 0.3.21 (Debian 12) picks its generic "Prescott" kernels on CPU models it does not know (new
// or virtualised Xeons), which run double-precision BLAS about 5x slower than its AVX-512 ones. When that
// fallback is in use, OPENBLAS_CORETYPE is unset and the CPU has AVX-512 (F, CD, BW, DQ, VL) or AVX2 + FMA,
// this sets OPENBLAS_CORETYPE to SkylakeX or Haswell and re-executes the program (same PID; OpenBLAS
// reads the variable only when it loads). Returns when nothing needs doing or the exec fails. Set
// OPENBLAS_CORETYPE yourself to choose the kernels, e.g. Prescott to keep the fallback.
void select_blas_kernels(char** argv);

}  // namespace ganbench
