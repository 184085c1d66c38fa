// Fréchet distance and feature statistics at FID sizes. Run: build/bench/bench_frechet
#include <benchmark/benchmark.h>

#include <fmt/format.h>
#include <Eigen/Core>

#include <ATen/Parallel.h>

#include "common/runtime.h"
#include "metrics/feature_stats.h"
#include "metrics/frechet.h"

using namespace ganbench;

static void BM_FrechetDistance(benchmark::State& state) {
  const auto d = state.range(0);
  Eigen::MatrixXd a = Eigen::MatrixXd::Random(2 * d, d), b = Eigen::MatrixXd::Random(2 * d, d);
  const FeatureStats sa = compute_stats(a), sb = compute_stats(b);
  for (auto _ : state) benchmark::DoNotOptimize(frechet_distance(sa, sb));
  // LAPACK called directly: dpotrf + dsygst + dsyevd (eigenvalues only).
  state.SetLabel(fmt::format("LAPACK dpotrf+dsygst+dsyevd, {}, {} threads", blas_name(), compute_threads()));
}
BENCHMARK(BM_FrechetDistance)->Arg(64)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond);

static void BM_FeatureStats(benchmark::State& state) {
  const auto d = state.range(0);
  Eigen::MatrixXd a = Eigen::MatrixXd::Random(1000, d);
  for (auto _ : state) {
    FeatureAccumulator acc(d);
    acc.add(a);
    benchmark::DoNotOptimize(acc.finish());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FeatureStats)->Arg(64)->Arg(2048)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  select_blas_kernels(argv);  // as `ganbench fid a.npz b.npz` does
  apply_threads(parse_threads("auto"));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
