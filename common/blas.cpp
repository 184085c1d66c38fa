#include "common/blas.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <atomic>
#include <thread>
#include <vector>

#include <fmt/format.h>

extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dsygst_(const int* itype, const char* uplo, const int* n, double* a, const int* lda, const double* b,
             const int* ldb, int* info);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info);
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc);
}

namespace ganbench {
namespace {

std::atomic<int> g_compute_threads{0};  // 0 = not set: every core

int syevd(const char* jobz, int n, double* a, double* w) {
  int info = 0, lwork = -1, liwork = -1, iquery = 0;
  double query = 0;
  dsyevd_(jobz, "L", &n, a, &n, w, &query, &lwork, &iquery, &liwork, &info);
  if (info != 0) return info;
  lwork = static_cast<int>(query);
  liwork = std::max(1, iquery);
  std::vector<double> work(static_cast<size_t>(std::max(1, lwork)));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevd_(jobz, "L", &n, a, &n, w, work.data(), &lwork, iwork.data(), &liwork, &info);
  return info;
}

}  // namespace

std::string blas_name() {
  using GetConfig = char* (*)();
  if (auto f = reinterpret_cast<GetConfig>(::dlsym(RTLD_DEFAULT, "openblas_get_config")))
    return fmt::format("OpenBLAS ({})", f());
  Dl_info info{};
  if (auto sym = ::dlsym(RTLD_DEFAULT, "dgemm_"); sym && ::dladdr(sym, &info) && info.dli_fname)
    return fmt::format("BLAS from {}", info.dli_fname);
  return "unknown BLAS";
}

void set_blas_threads(int n) {
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}

void set_compute_threads(int n) { g_compute_threads = std::max(1, n); }
int compute_threads() {
  const int n = g_compute_threads;
  return n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ScopedBlasThreads::ScopedBlasThreads(int n) { set_blas_threads(std::max(1, n)); }
ScopedBlasThreads::~ScopedBlasThreads() { set_blas_threads(1); }

namespace lapack {

int potrf_lower(int n, double* a) {
  int info = 0;
  dpotrf_("L", &n, a, &n, &info);
  return info;
}

int sygst_lower_ltal(int n, double* b, const double* l) {
  const int itype = 3;  // b := L^T b L
  int info = 0;
  dsygst_(&itype, "L", &n, b, &n, l, &n, &info);
  return info;
}

int syev_values(int n, double* a, double* w) { return syevd("N", n, a, w); }
int syev_vectors(int n, double* a, double* w) { return syevd("V", n, a, w); }

void gemm_square(int n, bool ta, bool tb, const double* a, const double* b, double* c) {
  const double one = 1.0, zero = 0.0;
  dgemm_(ta ? "T" : "N", tb ? "T" : "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
}

}  // namespace lapack

void select_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;
  using CoreName = char* (*)();
  auto f = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!f || !f()) return;
  std::string core = f();
  std::transform(core.begin(), core.end(), core.begin(), [](unsigned char c) { return std::tolower(c); });
  if (core != "prescott") return;  // OpenBLAS recognised the CPU
  __builtin_cpu_init();
  const char* pick = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    pick = "SkylakeX";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    pick = "Haswell";
  if (!pick) return;
  ::setenv("OPENBLAS_CORETYPE", pick, 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: go on with the fallback kernels
  ::unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace ganbench
