#include "experiments/trainer.h"

#include "common/process.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/progress.h"

namespace ganbench {
namespace fs = std::filesystem;

fs::path checkpoint_path(const fs::path& dir, int64_t step) {
  return dir / fmt::format("step_{:08d}.pt", step);
}

std::optional<std::pair<int64_t, fs::path>> latest_checkpoint(const fs::path& dir) {
  std::optional<std::pair<int64_t, fs::path>> best;
  if (!fs::is_directory(dir)) return best;
  static const std::regex pattern(R"(step_(\d{8})\.pt)");
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (!std::regex_match(name, m, pattern)) continue;
    const int64_t step = std::stoll(m[1]);
    if (!best || step > best->first) best = std::make_pair(step, e.path());
  }
  return best;
}

TrainResult train_gan(GanModel& model, const ImageSet& train, const TrainerOptions& opts,
                      const TrainerHooks& hooks) {
  if (opts.steps < 1) throw std::invalid_argument("trainer: steps must be >= 1");
  if (train.size() < 2) throw std::invalid_argument("trainer: the training set needs at least 2 images");
  // Measured, not assumed: with LibTorch 1.13 on the CPU (2-core AMD EPYC, 1 and 2 threads), three bf16 steps
  // of a volumetric multi-scale model gave different losses on every rerun and NaN in about one run of three,
  // while fp32 repeats bit for bit; the 2-D multi-scale model and the other volumetric one repeat in bf16.
  // A run that cannot repeat is refused rather than stored (issue 29's note).
  const Capabilities caps = model.capabilities();
  if (opts.precision == Precision::bf16 && opts.device.is_cpu() && caps.multi_scale && caps.volumetric)
    throw std::invalid_argument(
        "train.precision bf16 on the CPU is not reproducible for volumetric multi-scale models with this "
        "LibTorch (losses differ between reruns, sometimes NaN; docs/reliability.md): train in fp32 on the CPU, "
        "or bf16 on CUDA");
  TrainResult result;
  if (auto ck = latest_checkpoint(opts.checkpoint_dir)) {
    model.load(ck->second);
    result.start_step = ck->first;
  }
  result.end_step = result.start_step;
  if (result.start_step >= opts.steps) return result;

  // Steps whose statistics may still be on the device (opts.lazy_stats), oldest first.
  std::vector<std::pair<int64_t, StepStats>> unfetched;
  // Copies them in one transfer and checks each step in order, as if checked when it ran.
  auto settle = [&] {
    std::vector<StepStats*> pending;
    for (auto& [s, st] : unfetched) pending.push_back(&st);
    fetch_stats(pending);
    for (const auto& [s, st] : unfetched) {
      for (const auto& [name, value] : st.values) {
        const bool exploded = opts.divergence_threshold > 0 && std::abs(value) > opts.divergence_threshold;
        if (!std::isfinite(value) || exploded)
          throw TrainingDiverged(fmt::format(
              "training diverged: {} became {} at step {}{}; lower the learning rate or check the data (the "
              "last good checkpoint is kept)",
              name, value, s,
              exploded ? fmt::format(", beyond train.divergence_threshold {:g}", opts.divergence_threshold)
                       : ""));
      }
    }
  };

  auto save = [&](int64_t step) {
    settle();  // never checkpoint weights that diverged since the last check
    unfetched.clear();
    if (opts.checkpoint_dir.empty()) return;
    if (hooks.before_checkpoint) hooks.before_checkpoint(step);
    const fs::path path = checkpoint_path(opts.checkpoint_dir, step);
    replace_file_atomic(path, [&](const fs::path& tmp) { model.save(tmp); });
    for (const auto& e : fs::directory_iterator(opts.checkpoint_dir)) {  // keep only the newest
      const auto name = e.path().filename().string();
      if (e.path() != path && name.rfind("step_", 0) == 0 && e.path().extension() == ".pt")
        fs::remove(e.path());
    }
  };

  auto gen = at::make_generator<at::CPUGeneratorImpl>(opts.seed);
  Progress progress(opts.label, opts.steps, result.start_step, opts.log_every, stderr);
  const auto t0 = std::chrono::steady_clock::now();
  const bool ada = opts.augment && opts.augment->config().adaptive;
  for (int64_t step = result.start_step + 1; step <= opts.steps; ++step) {
    gen.set_current_seed(mix_seed(opts.seed, static_cast<uint64_t>(step)));
    // One real batch per critic update: the model splits it into capabilities().critic_steps parts.
    const Batch batch = sample_batch(train, opts.batch_size * model.capabilities().critic_steps, gen);
    StepStats stats;
    {
      std::optional<DeferStepStats> defer;
      if (opts.lazy_stats) defer.emplace();
      AutocastGuard autocast(opts.device, opts.precision);
      stats = model.train_step(batch);
    }
    if (ada) {  // p adapts from this step's sign before the next step's augmentation: fetched every step
      stats.fetch();
      auto it = std::find_if(stats.values.begin(), stats.values.end(),
                             [](const auto& kv) { return kv.first == "d_real_sign"; });
      if (it == stats.values.end())
        throw std::invalid_argument(
            "train.augment.adaptive: this architecture does not report d_real_sign, which ADA needs");
      opts.augment->observe(it->second, batch.images.size(0));
      stats.add("augment_p", opts.augment->probability());
    }
    unfetched.emplace_back(step, std::move(stats));
    const bool log_step = step % opts.log_every == 0 || step == opts.steps;
    const bool checkpoint_step = opts.checkpoint_every > 0 && step % opts.checkpoint_every == 0 && step != opts.steps;
    if (!opts.lazy_stats || log_step || checkpoint_step) {
      settle();
      const StepStats& now = unfetched.back().second;
      if (opts.progress) progress.update(step, now.values);
      if (hooks.on_log && log_step) hooks.on_log(step, now);
      unfetched.clear();
    }
    if (checkpoint_step) save(step);
    result.end_step = step;
    if (const int sig = stop_signal(); sig != 0 && step != opts.steps) {
      save(step);
      if (opts.progress) progress.finish();
      throw Interrupted(sig,
                        fmt::format("interrupted by signal {} after step {}; checkpoint written, --resume "
                                    "continues from it",
                                    sig, step));
    }
  }
  if (opts.progress) progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.steps_per_second = result.seconds > 0 ? (result.end_step - result.start_step) / result.seconds : 0;
  save(opts.steps);
  return result;
}

}  // namespace ganbench
