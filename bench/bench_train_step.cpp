// One full training step (D and G updates, as the trainer runs it) of every registered architecture, at its
// default options, per image size and device: steps/s and images/s. CUDA rows appear when LibTorch has CUDA.
//   build/bench/bench_train_step [--benchmark_filter=stylegan2/128]
// Args: image size, device (0 = CPU, 1 = CUDA), bf16 (1 = train.precision: bf16, autocast as the trainer sets
// it). Threads: all cores (threads: auto); batch 32, one channel.
#include <benchmark/benchmark.h>

#include <fmt/format.h>
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include "architectures/registry.h"
#include "common/runtime.h"

using namespace ganbench;

namespace {
constexpr int64_t kBatch = 32;  // real images per step

void train_step(benchmark::State& state, const std::string& arch) {
  const int size = static_cast<int>(state.range(0));
  const bool cuda = state.range(1) == 1;
  const Precision precision = state.range(2) == 1 ? Precision::bf16 : Precision::fp32;
  const c10::Device device = cuda ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);
  const ArchEntry& entry = find_architecture(arch);
  if (size < entry.min_size || size > entry.max_size) {
    state.SkipWithError("size outside the architecture's range");
    return;
  }
  ArchContext ctx;
  ctx.modality = {"bench", "", 1, size, {"bg", "a", "b", "c"}};  // 1 image channel, 4 labels
  ctx.device = device;
  ctx.batch_size = kBatch;
  ctx.options = resolve_options(entry, {});
  const bool translation = !entry.capabilities.translation.empty();
  if (translation) ctx.source_channels = 1;  // grey to grey (MR <-> CT)
  // D-input augmentation as a sweep sets it: the architecture's instance noise, nothing else.
  AugmentConfig augment;
  augment.instance_noise = entry.capabilities.instance_noise;
  ctx.augment = std::make_shared<DInputAugment>(augment, ctx.modality.channels,
                                                ctx.modality.channels + ctx.modality.num_labels());
  use_device(device);
  auto model = create_architecture(arch, ctx);
  const int64_t n = kBatch * entry.capabilities.critic_steps;  // the trainer's real batch per step
  Batch batch{torch::rand({n, 1, size, size}).to(device),
              torch::randint(4, {n, size, size}, torch::kInt64).to(device)};
  if (translation) batch.source = torch::rand({n, 1, size, size}).to(device);
  AutocastGuard autocast(device, precision);
  model->train_step(batch);  // warm-up: allocator, oneDNN / cuDNN algorithm choice
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->train_step(batch));
    if (cuda) torch::cuda::synchronize();
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["params"] = static_cast<double>(model->parameter_count());  // G + D (train_step_vs_python.py)
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(fmt::format("{} {}, {} threads, {}", cuda ? "cuda" : "cpu", precision_name(precision),
                             at::get_num_threads(), blas_name()));
}
}  // namespace

int main(int argc, char** argv) {
  apply_threads(parse_threads("auto"));
  register_builtin_architectures();
  const bool cuda = torch::cuda::is_available();
  for (const auto& arch : architecture_names()) {
    auto* b = benchmark::RegisterBenchmark(("train_step/" + arch).c_str(),
                                           [arch](benchmark::State& s) { train_step(s, arch); });
    b->ArgNames({"px", "cuda", "bf16"})->Unit(benchmark::kMillisecond)->UseRealTime();
    for (int size : {32, 64, 128})
      for (int bf16 : {0, 1}) {
        b->Args({size, 0, bf16});
        if (cuda) b->Args({size, 1, bf16});
      }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
