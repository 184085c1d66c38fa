// FID Inception throughput (images/s) at batch 50 on 299x299 inputs, with and without the extractor's
// inference set-up (folded batch norms, channels-last), the number bench/fid_vs_python.py
// compares with PyTorch (Python) on the same LibTorch. Weights are random (speed does not depend on them).
// Run: build/bench/bench_inception [--benchmark_filter=...]; GANBENCH_THREADS sets the thread count.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/runtime.h"
#include "metrics/inception.h"

using namespace ganbench;

static void BM_InceptionForward(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const int last = static_cast<int>(state.range(1));
  FidInceptionV3 model;
  model->eval();
  if (state.range(2)) model->prepare_inference();  // as the extractor runs it; 0 = the plain module
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({batch, 3, 299, 299});
  model->forward(x, last);  // warm-up: first-call allocations and kernel selection
  for (auto _ : state) benchmark::DoNotOptimize(model->forward(x, last).back().sum().item<float>());
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(fmt::format("{}, {} threads, {}", state.range(2) ? "folded BN, channels-last" : "plain",
                             at::get_num_threads(), blas_name()));
}
// Args: batch, last block, prepare_inference (the extractor's set-up) or not.
BENCHMARK(BM_InceptionForward)
    ->Args({50, 3, 1})
    ->Args({50, 3, 0})
    ->Args({8, 0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  const char* t = std::getenv("GANBENCH_THREADS");
  apply_threads(parse_threads(t && *t ? t : "auto"));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
