// DCGAN training-step throughput vs image size and thread count. Run: build/bench/bench_dcgan
#include <benchmark/benchmark.h>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/runtime.h"

using namespace ganbench;

// Args: image size, LibTorch threads (OpenBLAS kept single-threaded by apply_threads).
static void BM_DCGANTrainStep(benchmark::State& state) {
  register_builtin_architectures();
  const int size = static_cast<int>(state.range(0));
  apply_threads(static_cast<int>(state.range(1)));
  ArchContext ctx;
  ctx.modality = {"bench", "", 1, size, {"bg", "a", "b", "c"}};
  ctx.options = {{"z_dim", 64}, {"base_channels", 32}};
  auto model = create_architecture("dcgan", ctx);
  Batch batch{torch::rand({32, 1, size, size}), torch::randint(4, {32, size, size}, torch::kInt64)};
  for (auto _ : state) benchmark::DoNotOptimize(model->train_step(batch));
  state.SetItemsProcessed(state.iterations() * 32);
  state.SetLabel(fmt::format("{} threads, {}", state.range(1), blas_name()));
}
BENCHMARK(BM_DCGANTrainStep)
    ->Args({16, 1})
    ->Args({32, 1})
    ->Args({32, 2})
    ->Args({64, 2})
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
